"""The core knows no chat network: nothing under bot/core imports a chat library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
CHAT_LIBRARIES = ("telegram", "nio", "aiohttp", "httpx", "mautrix")


def test_core_sources_import_no_chat_library() -> None:
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in CHAT_LIBRARIES, f"{path.name} imports {name}"


def test_importing_the_core_loads_no_chat_library() -> None:
    code = ("import sys, bot.core.commands, bot.core.briefings; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CHAT_LIBRARIES!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
