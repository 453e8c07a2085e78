"""Receiving updates: getMe, long polling with getUpdates, and the webhook switch."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any, Final

from tests.fakes.botapi.errors import ApiError, bad_request
from tests.fakes.botapi.params import Handler, Params
from tests.fakes.botapi.records import JSON

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI

UPDATE_TYPES: Final = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
)
DEFAULT_ALLOWED_UPDATES: Final = frozenset(UPDATE_TYPES) - {
    "chat_member", "message_reaction", "message_reaction_count",
}


def get_me(api: FakeBotAPI, _: Params) -> JSON:
    """The bot's own user, with what it may do."""
    return {
        **api.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
        "supports_inline_queries": True,
    }


async def get_updates(api: FakeBotAPI, p: Params) -> list[JSON]:
    """Long polling: confirm up to ``offset``, then wait up to ``timeout`` for a batch."""
    if api.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    _set_allowed_updates(api, p.get_json("allowed_updates"))
    offset = p.get_int("offset")
    if offset:
        _confirm(api, offset)
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    deadline = monotonic() + max(p.get_float("timeout") or 0.0, 0.0)
    api.poll_generation += 1
    generation = api.poll_generation
    api.updates_signal.notify()
    while not (batch := _next_batch(api, limit)) and not api.closing:
        if generation != api.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if deadline <= monotonic():
            break
        await api.updates_signal.wait(deadline - monotonic())
    now = monotonic()
    for update in batch:
        api.delivered_at.setdefault(update["update_id"], now)
    return batch


def _set_allowed_updates(api: FakeBotAPI, allowed: Any) -> None:
    if allowed is None:
        return
    if not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    api.allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES


def _confirm(api: FakeBotAPI, offset: int) -> None:
    if offset < 0:
        api.unconfirmed = api.unconfirmed[offset:]
    else:
        api.unconfirmed = [u for u in api.unconfirmed if u["update_id"] >= offset]


def _next_batch(api: FakeBotAPI, limit: int) -> list[JSON]:
    api.unconfirmed = [u for u in api.unconfirmed if _update_kind(u) in api.allowed_updates]
    return api.unconfirmed[:limit]


def _update_kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def delete_webhook(api: FakeBotAPI, p: Params) -> bool:
    """Back to polling (``drop_pending_updates`` forgets what is queued)."""
    api.webhook = None
    if p.get_bool("drop_pending_updates"):
        api.unconfirmed.clear()
    return True


def set_webhook(api: FakeBotAPI, p: Params) -> bool:
    """Remember the webhook (https only); an empty URL removes it."""
    url = p.get_str("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if p.get_bool("drop_pending_updates"):
        api.unconfirmed.clear()
    api.webhook = (
        {
            "url": url, "secret_token": p.get_str("secret_token"),
            "max_connections": p.get_int("max_connections"),
            "allowed_updates": p.get_json("allowed_updates"),
        }
        if url
        else None
    )
    return True


HANDLERS: Final[dict[str, Handler]] = {
    "getMe": get_me, "getUpdates": get_updates, "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
}
