"""Chats and members: who may post where (blocked, kicked, migrated, closed topics), getChat,
getChatMember."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from tests.fakes.botapi.errors import bad_request, forbidden, too_many_requests
from tests.fakes.botapi.params import Handler, Params
from tests.fakes.botapi.records import JSON, ChatState
from tests.fakes.botapi.world import ANONYMOUS_ADMIN_ID

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI


def find_chat(api: FakeBotAPI, ref: int | str) -> ChatState:
    """The chat with this id or ``@username`` (400 "chat not found" otherwise)."""
    if isinstance(ref, int) and ref in api.chats:
        return api.chats[ref]
    if isinstance(ref, str):
        username = ref.removeprefix("@").lower()
        for chat in api.chats.values():
            if str(chat.info.get("username", "")).lower() == username:
                return chat
    raise bad_request("chat not found")


def access(api: FakeBotAPI, p: Params, *, sending: bool, content: str | None = None
           ) -> ChatState:
    """The call's chat, if the bot may read it (and, when ``sending``, post ``content``)."""
    chat = find_chat(api, p.chat_ref())
    if chat.migrated_to is not None:
        raise bad_request(
            "group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    member = api.bot_member(chat)
    if chat.type == "private":
        if sending and member["status"] == "kicked":
            raise forbidden("bot was blocked by the user")
        return chat
    if member["status"] == "kicked":
        raise forbidden(f"bot was kicked from the {chat.type} chat")
    if member["status"] == "left":
        raise forbidden(f"bot is not a member of the {chat.type} chat")
    if sending:
        _check_send_rights(chat, member, content)
    return chat


def _check_send_rights(chat: ChatState, member: JSON, content: str | None) -> None:
    status = member["status"]
    if chat.type == "channel":
        if status != "creator" and not member.get("can_post_messages"):
            raise bad_request("need administrator rights in the channel chat")
        return
    if status != "restricted" or content is None:
        return
    right, label = (
        ("can_send_messages", "text messages")
        if content == "text"
        else (f"can_send_{content}", content)
    )
    if not member.get(right, True):
        raise bad_request(f"not enough rights to send {label} to the chat")


def _check_thread(chat: ChatState, thread_id: int | None) -> None:
    if thread_id is None or not chat.is_forum:
        return
    if thread_id in chat.closed_topics:
        raise bad_request("TOPIC_CLOSED")
    if chat.topics and thread_id not in chat.topics and thread_id != 1:
        raise bad_request("message thread not found")


def target(api: FakeBotAPI, p: Params, content: str | None) -> tuple[ChatState, int | None]:
    """Where a send goes: the chat (checked for ``content``) and its forum topic."""
    chat = access(api, p, sending=True, content=content)
    thread_id = p.get_int("message_thread_id")
    _check_thread(chat, thread_id)
    return chat, thread_id


def throttle(api: FakeBotAPI, chat: ChatState) -> None:
    """A 429 with retry_after when the flood limits (if on) are exceeded for ``chat``."""
    retry_after = api.limiter.acquire(chat.id, chat.type == "private")
    if retry_after is not None:
        raise too_many_requests(retry_after)


def get_chat(api: FakeBotAPI, p: Params) -> JSON:
    """The full ``ChatFullInfo`` of a chat the bot can see."""
    chat = access(api, p, sending=False)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **api.chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def get_chat_member(api: FakeBotAPI, p: Params) -> JSON:
    """A user's membership in a chat the bot can see."""
    chat = access(api, p, sending=False)
    user_id = p.get_int("user_id")
    if user_id is None:
        raise bad_request("invalid user_id specified")
    known = user_id in api.users or user_id in {api.bot_id, ANONYMOUS_ADMIN_ID}
    if not known:
        raise bad_request("user not found")
    return api.member_json(chat, user_id)


HANDLERS: Final[dict[str, Handler]] = {"getChat": get_chat, "getChatMember": get_chat_member}
