"""Logs: secrets redacted wherever they appear, one line per event, JSON on request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Secret
from bot.ops import logs

TOKEN = "987654:LOG-test-token"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Logging set up as ``bilat run`` does, into a buffer; restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    Secret(TOKEN)
    logs.setup("DEBUG", stream=stream)
    try:
        yield stream
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_token_in_a_url_is_redacted(captured: io.StringIO) -> None:
    logging.getLogger("tests.ops.like_httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"',
                                    f"http://127.0.0.1:1/bot{TOKEN}/getUpdates")
    logging.getLogger("x").info("encoded: %s", TOKEN.replace(":", "%3A"))
    out = captured.getvalue()
    assert TOKEN not in out and "LOG-test-token" not in out
    assert "/bot***/getUpdates" in out
    assert "encoded: ***" in out


def test_a_token_in_a_traceback_is_redacted_and_kept_on_one_line(
        captured: io.StringIO) -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        logging.getLogger("telegram.ext").exception("polling failed")
    out = captured.getvalue()
    assert TOKEN not in out
    assert out.count("\n") == 1  # one event, one line
    assert "polling failed | Traceback" in out and "bot***/getMe" in out


def test_json_lines() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RedactSecrets(lambda: [TOKEN]))
    log = logging.getLogger("bilat.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("token %s\nsecond line", TOKEN)
    finally:
        log.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    event = json.loads(line)
    assert event["level"] == "WARNING" and event["logger"] == "bilat.test.json"
    assert event["message"] == "token ***\nsecond line"
    assert event["time"].endswith("Z")
