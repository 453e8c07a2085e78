"""The core loads no chat library at run time (the import layers are import-linter's contracts
in pyproject.toml, checked by `make lint`)."""

from __future__ import annotations

import subprocess
import sys

CHAT_LIBRARIES = ("telegram", "nio", "aiohttp", "httpx", "mautrix")


def test_importing_the_core_loads_no_chat_library() -> None:
    code = ("import sys, bot.core.session, bot.core.briefings; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CHAT_LIBRARIES!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
