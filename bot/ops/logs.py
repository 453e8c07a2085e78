"""Logs: one line per event (JSON with BILAT_LOG_JSON=1), with every secret blanked out.

Libraries log what they see: httpx logs each request's URL, and a Bot API URL carries the
bot's token (``/bot<token>/getUpdates``); exceptions may repeat it too. ``RedactSecrets``
therefore sits on the handler, where every record passes whichever logger made it, and
rewrites the message, the traceback and the stack before any formatter sees them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import quote

from bot.config import Secret

MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words


class RedactSecrets(logging.Filter):
    """Replaces every known secret (and its URL-encoded form) with ``***``."""

    def __init__(self, secrets: Callable[[], Iterable[str]] = Secret.known) -> None:
        super().__init__()
        self._secrets = secrets
        self._seen: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None

    def redact(self, text: str) -> str:
        """``text`` with the secrets masked."""
        pattern = self._compiled()
        return text if pattern is None else pattern.sub(MASK, text)

    def _compiled(self) -> re.Pattern[str] | None:
        values = frozenset(s for s in self._secrets() if len(s) >= MIN_SECRET_LENGTH)
        if values != self._seen:  # a secret was added (a Matrix login, say): rebuild
            forms = {f for v in values for f in (v, quote(v, safe=""), quote(v))}
            longest_first = sorted(forms, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, longest_first))) \
                if forms else None
            self._seen = values
        return self._pattern

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def report_uncaught(exc: BaseException, stream: TextIO | None = None) -> None:
    """Print an uncaught error's traceback with every secret blanked out.

    Python's own report would print it raw, and an exception's message may quote a token
    (PTB's InvalidToken does).
    """
    text = "".join(traceback.format_exception(exc))
    print(RedactSecrets().redact(text), end="", file=stream or sys.stderr, flush=True)


def install_excepthooks() -> None:
    """Route uncaught errors in the main thread and other threads through the redaction."""
    sys.excepthook = lambda kind, exc, tb: report_uncaught(exc)
    threading.excepthook = lambda args: report_uncaught(args.exc_value) \
        if args.exc_value is not None else None


def _one_line(text: str) -> str:
    """Newlines escaped, so an event (traceback included) stays on one line."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class LineFormatter(logging.Formatter):
    """``2025-05-07T12:00:00.123Z INFO bot.x: message`` and the traceback, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """One line per record."""
        line = f"{_stamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += " | " + record.exc_text
        if record.stack_info:
            line += " | " + record.stack_info
        return _one_line(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and exc/stack when present."""

    def format(self, record: logging.LogRecord) -> str:
        """One JSON line per record."""
        event: dict[str, object] = {"time": _stamp(record), "level": record.levelname,
                                    "logger": record.name, "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exc"] = record.exc_text
        if record.stack_info:
            event["stack"] = record.stack_info
        return json.dumps(event, ensure_ascii=False)


def _stamp(record: logging.LogRecord) -> str:
    """The record's time in UTC, ISO 8601 with milliseconds."""
    instant = datetime.fromtimestamp(record.created, UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def setup(level: str = "INFO", as_json: bool = False, stream: TextIO | None = None) -> None:
    """Send every log record to stderr, one line each, secrets redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else LineFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Python's own last-resort output (warnings.warn through logging) goes the same way.
    logging.captureWarnings(True)
    # Every SQL statement with its parameters, every socket event: noise even at DEBUG.
    for name in ("aiosqlite", "httpcore"):
        logging.getLogger(name).setLevel(logging.INFO)
    if level != "DEBUG":
        # Per-request lines from the HTTP client and nio's per-event lines are noise at
        # INFO; at DEBUG they are wanted, and the filter keeps the token out of them.
        for name in ("httpx", "nio", "aiohttp.access"):
            logging.getLogger(name).setLevel(logging.WARNING)
