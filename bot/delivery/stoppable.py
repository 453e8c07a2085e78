"""Small asyncio helpers shared by the run loop and delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run ``work`` unless ``stop`` is set first (``work`` is then cancelled): True if it ran.

    What ``work`` raised is raised here.
    """
    task = asyncio.ensure_future(work)
    halt = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, halt}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        halt.cancel()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, halt, return_exceptions=True)
    if task.cancelled():
        return False
    task.result()
    return True
