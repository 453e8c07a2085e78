"""Answers to queries: answerInlineQuery (results checked as Telegram checks them) and
answerCallbackQuery, each query answered once and before it expires."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any, Final

from tests.fakes.botapi.errors import bad_request
from tests.fakes.botapi.messages import check_inline_keyboard, format_text
from tests.fakes.botapi.params import Handler, Params
from tests.fakes.botapi.records import SentRecord

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI

MAX_INLINE_RESULTS: Final = 50
INLINE_RESULT_TYPES: Final = frozenset(
    {
        "article", "audio", "contact", "document", "game", "gif", "location", "mpeg4_gif", "photo",
        "sticker", "venue", "video", "voice",
    }
)


def _take_query(api: FakeBotAPI, query_id: str | None, kind: str) -> None:
    query = api.open_queries.get(query_id or "")
    expired = query is None or monotonic() - query.created > api.query_ttl
    if query is None or expired or query.answered or query.kind != kind:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    query.answered = True


def answer_inline_query(api: FakeBotAPI, p: Params) -> bool:
    """Up to 50 valid results, kept in ``api.inline_answers`` under the query's id."""
    results = p.get_json("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_inline_result(api, result, seen)
    query_id = p.get_str("inline_query_id") or ""
    _take_query(api, query_id, "inline")
    api.inline_answers[query_id] = results
    api.record(
        SentRecord(
            "answerInlineQuery", extra={"inline_query_id": query_id, "results": results},
            params=p.public(),
        )
    )
    return True


def _check_inline_result(api: FakeBotAPI, result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
        raise bad_request("RESULT_TYPE_INVALID")
    result_id = str(result.get("id") or "")
    if not result_id or len(result_id.encode()) > 64:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        format_text(
            api, str(content["message_text"]), content.get("parse_mode"), content.get("entities"),
            caption=False,
        )
    if result.get("caption"):
        format_text(
            api, str(result["caption"]), result.get("parse_mode"), result.get("caption_entities"),
            caption=True,
        )
    if "reply_markup" in result:
        check_inline_keyboard(result["reply_markup"].get("inline_keyboard", []))


def answer_callback_query(api: FakeBotAPI, p: Params) -> bool:
    """The answer to a button press (a notification, an alert or nothing)."""
    query_id = p.get_str("callback_query_id")
    _take_query(api, query_id, "callback")
    extra = {
        "callback_query_id": query_id, "text": p.get_str("text"),
        "show_alert": p.get_bool("show_alert"), "url": p.get_str("url"),
    }
    api.record(SentRecord("answerCallbackQuery", extra=extra, params=p.public()))
    return True


HANDLERS: Final[dict[str, Handler]] = {
    "answerInlineQuery": answer_inline_query, "answerCallbackQuery": answer_callback_query,
}
