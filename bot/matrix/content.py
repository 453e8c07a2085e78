"""Matrix event contents from a Rendered message: HTML notices, replies, threads, chunks."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.render import Rendered, split, to_text

HTML_FORMAT = "org.matrix.custom.html"
# Synapse refuses events over 65,536 bytes. A chunk carries its markup twice (body and
# formatted_body), nio writes JSON with \uXXXX escapes, and encryption adds base64 (x4/3) and
# an envelope; a 24 kB content budget stays well below the limit in every case.
CONTENT_BUDGET = 24_000
RAW_LIMIT = 12_000  # markup per chunk (UTF-16 units) before the budget check
MIN_RAW_LIMIT = 500

_PRE = re.compile(r"(<pre\b[^>]*>.*?</pre>)", re.DOTALL)


def matrix_html(markup: str) -> str:
    """Telegram-style HTML to Matrix HTML: newlines become ``<br>``, except inside ``<pre>``."""
    parts = _PRE.split(markup)
    return "".join(p if p.startswith("<pre") else p.replace("\n", "<br>") for p in parts)


def notice(markup: str) -> dict[str, Any]:
    """An ``m.notice`` (bots answer with notices, which bots ignore: no loops)."""
    return {"msgtype": "m.notice", "body": to_text(markup), "format": HTML_FORMAT,
            "formatted_body": matrix_html(markup), "m.mentions": {}}


def relation(reply_to: str | None, thread_root: str | None) -> dict[str, Any] | None:
    """``m.relates_to`` for a reply, in a thread when ``thread_root`` is given."""
    if thread_root is not None:
        # is_falling_back: clients without threads show a reply to the command, or to the root.
        return {"rel_type": "m.thread", "event_id": thread_root,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread_root}}
    if reply_to is not None:
        return {"m.in_reply_to": {"event_id": reply_to}}
    return None


def encoded_size(content: dict[str, Any]) -> int:
    """Bytes of the content as nio sends it (ASCII JSON)."""
    return len(json.dumps(content, separators=(",", ":")))


def fit(markup: str, limit: int = RAW_LIMIT) -> list[str]:
    """Cut markup into chunks whose notices fit the content budget."""
    chunks: list[str] = []
    for chunk in split(markup, limit, visible=False):
        if encoded_size(notice(chunk)) > CONTENT_BUDGET and limit > MIN_RAW_LIMIT:
            chunks.extend(fit(chunk, limit // 2))
        else:
            chunks.append(chunk)
    return chunks


def contents(message: Rendered, reply_to: str | None = None,
             thread_root: str | None = None) -> list[dict[str, Any]]:
    """The notices that carry ``message``, each related to the command or thread."""
    related = relation(reply_to, thread_root)
    out = []
    for chunk in fit(message.html):
        content = notice(chunk)
        if related is not None:
            content["m.relates_to"] = related
        out.append(content)
    return out
