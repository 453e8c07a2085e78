"""Waiting for an effect that shows no message: a polled condition with a deadline."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

WAIT = 20.0


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float = WAIT,
                     what: str = "the condition") -> None:
    """Poll ``check()`` (plain or async) until it holds; fail naming ``what`` after ``within``."""
    deadline = time.monotonic() + within
    while True:
        held = check()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return
        assert time.monotonic() < deadline, f"never happened within {within} s: {what}"
        await asyncio.sleep(0.02)
