"""Every uncaught error passes through the redaction (issue 10, item 2)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

SECRET = "424242:uncaught-secret-value"
RAISE = f"""
import threading
from bot.config import Secret
from bot.ops import logs
Secret({SECRET!r})
logs.install_excepthooks()
worker = threading.Thread(target=lambda: int("in a thread " + {SECRET!r}))
worker.start()
worker.join()
raise RuntimeError("rejected: " + {SECRET!r})
"""


def test_uncaught_errors_in_threads_and_main_are_redacted() -> None:
    result = subprocess.run([sys.executable, "-c", RAISE], cwd=ROOT, text=True,
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == 1
    assert SECRET not in result.stderr
    assert "ValueError: invalid literal for int() with base 10: 'in a thread ***'" \
        in result.stderr
    assert "RuntimeError: rejected: ***" in result.stderr
    assert result.stderr.count("Traceback (most recent call last)") == 2
