"""Who may manage a chat's subscription: administrators, anonymous ones included.

In a group, an anonymous administrator posts as the group itself (``sender_chat`` is the chat),
and a channel post comes from the channel: both are administrators by construction. Anyone
else is asked about with ``getChatMember``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from telegram import Bot, ChatMember, Message
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


def is_admin(member: ChatMember) -> bool:
    """True for the chat's owner or an administrator."""
    return member.status in ADMIN_STATUSES


def can_post(member: ChatMember, chat_type: str) -> bool:
    """True when the bot, as ``member``, may post in a chat of ``chat_type``."""
    if member.status == ChatMemberStatus.OWNER:
        return True
    if chat_type == ChatType.CHANNEL:
        return member.status == ChatMemberStatus.ADMINISTRATOR and bool(
            getattr(member, "can_post_messages", False))
    return member.status in (*ADMIN_STATUSES, ChatMemberStatus.MEMBER) or bool(
        getattr(member, "can_send_messages", False))


async def sender_is_admin(bot: Bot, message: Message) -> bool:
    """True when the message's author administers its chat (private chats: always)."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous admin, or the channel itself
    user = message.from_user
    if user is None:
        return False
    try:
        return is_admin(await bot.get_chat_member(chat.id, user.id))
    except TelegramError as exc:
        log.warning("getChatMember(%s, %s) failed: %s", chat.id, user.id, exc)
        return False


class Refusal(Enum):
    """Why a user may not manage a channel from a private chat."""

    NOT_FOUND = "not_found"
    USER_NOT_ADMIN = "user_not_admin"
    BOT_CANNOT_POST = "bot_cannot_post"


@dataclass(frozen=True)
class RemoteChat:
    """A channel (or group) managed from a private chat, after both checks passed."""

    id: int
    type: str
    title: str


async def check_remote(bot: Bot, handle: str, user_id: int) -> RemoteChat | Refusal:
    """Check that ``user_id`` administers ``@handle`` and that the bot can post there."""
    try:
        chat = await bot.get_chat(handle)
    except (BadRequest, Forbidden) as exc:
        log.info("getChat(%s) refused: %s", handle, exc)
        return Refusal.NOT_FOUND
    if chat.type == ChatType.PRIVATE:
        return Refusal.NOT_FOUND
    # Bilat's own rights first: a bot that is not a channel's administrator cannot even
    # list its members, and would otherwise blame the user.
    try:
        me = await bot.get_chat_member(chat.id, bot.id)
    except (BadRequest, Forbidden):
        return Refusal.BOT_CANNOT_POST
    if not can_post(me, chat.type):
        return Refusal.BOT_CANNOT_POST
    try:
        user = await bot.get_chat_member(chat.id, user_id)
    except (BadRequest, Forbidden):
        return Refusal.USER_NOT_ADMIN
    if not is_admin(user):
        return Refusal.USER_NOT_ADMIN
    return RemoteChat(chat.id, chat.type, chat.title or handle)
