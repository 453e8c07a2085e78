"""The fake server's world: users, chats, memberships, topics, and the updates tests inject."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from time import monotonic
from typing import Final

from tests.fakes.botapi.records import JSON, ChatState, Query

ANONYMOUS_ADMIN_ID: Final = 1087968824
ANONYMOUS_ADMIN: Final[JSON] = {
    "id": ANONYMOUS_ADMIN_ID, "is_bot": True, "first_name": "Group",
    "username": "GroupAnonymousBot",
}

CHAT_TYPES: Final = frozenset({"private", "group", "supergroup", "channel"})
MEMBER_STATUSES: Final = frozenset(
    {"creator", "administrator", "member", "restricted", "left", "kicked"}
)

TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?")


class Signal:
    """A broadcast wake-up that can be fired from synchronous code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next notify() or until ``seconds`` elapse."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await event.wait()



def now() -> int:
    """The current Unix time, as message dates carry it."""
    return int(time.time())


def _admin_rights(chat_type: str) -> JSON:
    rights: JSON = {
        "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
        "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
        "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
        "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    }
    if chat_type == "channel":
        rights.update(can_post_messages=True, can_edit_messages=True)
    else:
        rights.update(can_pin_messages=True, can_manage_topics=chat_type == "supergroup")
    return rights


def _restricted_rights() -> JSON:
    names = (
        "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
        "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
        "can_manage_topics", "can_send_audios", "can_send_documents", "can_send_photos",
        "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_edit_tag",
    )
    return {"is_member": True, "until_date": 0, **dict.fromkeys(names, True)}


def member_fields(status: str, chat_type: str, rights: dict[str, bool]) -> JSON:
    """Return the ChatMember fields (without ``user``) for ``status``."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown member status {status!r}")
    body: JSON = {"status": status}
    if status == "creator":
        body["is_anonymous"] = False
    elif status == "administrator":
        body.update(_admin_rights(chat_type))
    elif status == "restricted":
        body.update(_restricted_rights())
    elif status == "kicked":
        body["until_date"] = 0
    body.update(rights)
    return body


# --------------------------------------------------------------------------- world


class World:
    """Users, chats, memberships, stored messages and the update queue (no HTTP)."""

    def __init__(self, token: str, bot_username: str, bot_name: str, first_update_id: int) -> None:
        if not TOKEN_RE.fullmatch(token):
            raise ValueError(f"malformed bot token {token!r}")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username,
        }
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, ChatState] = {}
        self.delivered_at: dict[int, float] = {}
        self.unconfirmed: list[JSON] = []
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self.open_queries: dict[str, Query] = {}
        self.updates_signal = Signal()

    # ---- users and chats

    def add_user(
        self, id: int, first_name: str, language_code: str | None = "fr",
        username: str | None = None, *, last_name: str | None = None, is_bot: bool = False,
        private_chat: bool = True,
    ) -> JSON:
        """Register a user (and, by default, the private chat they opened with the bot)."""
        user: JSON = {"id": id, "is_bot": is_bot, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self.users[id] = user
        if private_chat and id not in self.chats:
            self.add_chat(id, "private", username=username)
        return user

    def add_chat(
        self, id: int, type: str, title: str | None = None, is_forum: bool = False,
        username: str | None = None, *, bot_status: str | None = None, **bot_rights: bool,
    ) -> JSON:
        """Create a chat; the bot is a member (an admin that can post, in channels)."""
        if type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}")
        info: JSON = {"id": id, "type": type}
        if type == "private":
            user = self.users.get(id, {"first_name": f"User {id}"})
            info.update({k: user[k] for k in ("first_name", "last_name") if k in user})
        else:
            info["title"] = title or f"Chat {id}"
        if username:
            info["username"] = username
        if is_forum and type == "supergroup":
            info["is_forum"] = True
        chat = self.chats[id] = ChatState(info)
        default_status = "administrator" if type == "channel" else "member"
        self._set_status(chat, self.bot_id, bot_status or default_status, bot_rights)
        if type == "private":
            self._set_status(chat, id, "member", {})
        return dict(info)

    def set_member(self, chat_id: int, user_id: int, status: str, **rights: bool) -> JSON:
        """Set a user's (or the bot's) membership; admin rights via keyword flags."""
        chat = self.chat(chat_id)
        self._set_status(chat, user_id, status, rights)
        return self.member_json(chat, user_id)

    def _set_status(self, chat: ChatState, user_id: int, status: str, rights: JSON) -> None:
        chat.members[user_id] = member_fields(status, chat.type, rights)

    def chat(self, chat_id: int) -> ChatState:
        """Return the state of a chat the test created."""
        if chat_id not in self.chats:
            raise KeyError(f"unknown chat {chat_id}; call add_chat()/add_user() first")
        return self.chats[chat_id]

    def user(self, user_id: int) -> JSON:
        """Return a registered user (the bot included)."""
        if user_id == self.bot_id:
            return dict(self.bot_user)
        if user_id == ANONYMOUS_ADMIN_ID:
            return dict(ANONYMOUS_ADMIN)
        if user_id not in self.users:
            raise KeyError(f"unknown user {user_id}; call add_user() first")
        return dict(self.users[user_id])

    def bot_member(self, chat: ChatState) -> JSON:
        """Return the bot's membership fields in ``chat``."""
        return chat.members.get(self.bot_id, {"status": "left"})

    def member_json(self, chat: ChatState, user_id: int) -> JSON:
        """Return the Bot API ``ChatMember`` of ``user_id`` in ``chat``."""
        fields = chat.members.get(user_id) or member_fields("left", chat.type, {})
        return {**fields, "user": self.user(user_id)}

    def chat_json(self, chat: ChatState) -> JSON:
        """Return the Bot API ``Chat`` object."""
        return dict(chat.info)

    def add_topic(self, chat_id: int, thread_id: int, name: str = "Topic") -> None:
        """Declare a forum topic; sends to undeclared threads then fail."""
        self.chat(chat_id).topics[thread_id] = name

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a forum topic: sends into it fail with TOPIC_CLOSED."""
        self.chat(chat_id).closed_topics.add(thread_id)

    def block(self, chat_id: int, *, notify: bool = False) -> None:
        """Make the user of a private chat block the bot (403 on send)."""
        chat = self.chat(chat_id)
        if chat.type != "private":
            raise ValueError("block() is for private chats; use kick() for groups")
        self._change_bot_status(chat, chat_id, "kicked", notify=notify)

    def kick(self, chat_id: int, *, by_user_id: int | None = None, notify: bool = False) -> None:
        """Remove the bot from a group, supergroup or channel (403 on send)."""
        chat = self.chat(chat_id)
        if chat.type == "private":
            raise ValueError("kick() is for groups and channels; use block() for users")
        self._change_bot_status(chat, by_user_id, "kicked", notify=notify)

    def _change_bot_status(
        self, chat: ChatState, by_user_id: int | None, status: str, *, notify: bool
    ) -> None:
        old = self.bot_member(chat)["status"]
        if notify:
            actor = by_user_id if by_user_id is not None else self._some_admin(chat)
            self.my_chat_member(chat.id, actor, old, status)
        else:
            self._set_status(chat, self.bot_id, status, {})

    def _some_admin(self, chat: ChatState) -> int:
        for user_id, member in chat.members.items():
            if member["status"] in {"creator", "administrator"} and user_id != self.bot_id:
                return user_id
        return next(iter(self.users), ANONYMOUS_ADMIN_ID)

    # ---- updates

    def push_update(self, kind: str, payload: JSON) -> JSON:
        """Queue a raw update of type ``kind``; return it with its update_id."""
        update = {"update_id": next(self._update_ids), kind: payload}
        self.unconfirmed.append(update)
        self.updates_signal.notify()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        """Return the updates not yet confirmed by getUpdates offset."""
        return list(self.unconfirmed)

    def get_message(self, chat_id: int, message_id: int) -> JSON:
        """Return the current state of a stored message."""
        return self.chat(chat_id).messages[message_id]

    def new_message(
        self, chat: ChatState, content: JSON, *, sender: JSON | None,
        sender_chat: JSON | None = None, thread_id: int | None = None,
    ) -> JSON:
        """Store a new message in ``chat`` and return it."""
        message: JSON = {"message_id": chat.next_message_id(), "date": now()}
        if sender is not None:
            message["from"] = sender
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        message["chat"] = self.chat_json(chat)
        if thread_id is not None and chat.is_forum:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        message.update(content)
        chat.messages[message["message_id"]] = message
        return message

    def send_message(
        self, chat_id: int, from_user_id: int | None, text: str,
        message_thread_id: int | None = None, *, anonymous: bool = False,
        entities: list[JSON] | None = None, reply_to_message_id: int | None = None,
    ) -> JSON:
        """Inject a text message from a user (or an anonymous admin); return the update."""
        chat = self._live_chat(chat_id)
        if anonymous:
            sender, sender_chat = dict(ANONYMOUS_ADMIN), self.chat_json(chat)
        else:
            if from_user_id is None:
                raise ValueError("from_user_id is required unless anonymous=True")
            sender, sender_chat = self.user(from_user_id), None
            if from_user_id not in chat.members:
                self._set_status(chat, from_user_id, "member", {})
        content = self._text_content(text, entities)
        if reply_to_message_id is not None:
            content["reply_to_message"] = chat.messages[reply_to_message_id]
        message = self.new_message(
            chat, content, sender=sender, sender_chat=sender_chat, thread_id=message_thread_id
        )
        return self.push_update("message", message)

    def _live_chat(self, chat_id: int) -> ChatState:
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        return chat

    @staticmethod
    def _text_content(text: str, entities: list[JSON] | None) -> JSON:
        content: JSON = {"text": text}
        if entities is None:
            match = _COMMAND_RE.match(text)
            command = {"type": "bot_command", "offset": 0, "length": match.end() if match else 0}
            entities = [command] if match else []
        if entities:
            content["entities"] = entities
        return content

    def send_channel_post(self, chat_id: int, text: str) -> JSON:
        """Inject a channel post; return the update."""
        chat = self._live_chat(chat_id)
        content = self._text_content(text, None)
        message = self.new_message(chat, content, sender=None, sender_chat=self.chat_json(chat))
        return self.push_update("channel_post", message)

    def edit_message(self, chat_id: int, message_id: int, text: str) -> JSON:
        """Inject an edit of a stored message; return the edited_* update."""
        chat = self.chat(chat_id)
        message = chat.messages[message_id]
        message.pop("entities", None)
        message.update(self._text_content(text, None), edit_date=now())
        kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
        return self.push_update(kind, dict(message))

    def inline_query(
        self, from_user_id: int, query: str, chat_type: str = "group", offset: str = ""
    ) -> str:
        """Inject an inline query; return its id (for answerInlineQuery)."""
        query_id = self._new_query("inline")
        payload: JSON = {
            "id": query_id, "from": self.user(from_user_id), "query": query, "offset": offset,
            "chat_type": chat_type,
        }
        self.push_update("inline_query", payload)
        return query_id

    def callback_query(self, from_user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Inject a button press on a stored message; return the callback query id."""
        query_id = self._new_query("callback")
        payload: JSON = {
            "id": query_id, "from": self.user(from_user_id),
            "message": self.get_message(chat_id, message_id),
            "chat_instance": str(abs(chat_id) * 7919), "data": data,
        }
        self.push_update("callback_query", payload)
        return query_id

    def _new_query(self, kind: str) -> str:
        query_id = str(4_000_000_000_000 + next(self._query_ids))
        self.open_queries[query_id] = Query(kind, monotonic())
        return query_id

    def my_chat_member(
        self, chat_id: int, from_user_id: int, old_status: str, new_status: str, **rights: bool
    ) -> JSON:
        """Change the bot's membership and inject the my_chat_member update."""
        chat = self.chat(chat_id)
        old = {**member_fields(old_status, chat.type, {}), "user": dict(self.bot_user)}
        self._set_status(chat, self.bot_id, new_status, rights)
        payload: JSON = {
            "chat": self.chat_json(chat), "from": self.user(from_user_id), "date": now(),
            "old_chat_member": old, "new_chat_member": self.member_json(chat, self.bot_id),
        }
        return self.push_update("my_chat_member", payload)

    def migrate(
        self, chat_id: int, new_chat_id: int, from_user_id: int | None = None
    ) -> list[JSON]:
        """Upgrade a group to a supergroup and inject both service messages."""
        old = self._live_chat(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        actor = self.user(from_user_id if from_user_id is not None else self._some_admin(old))
        self.add_chat(new_chat_id, "supergroup", title=old.info.get("title"))
        new = self.chats[new_chat_id]
        for user_id, member in old.members.items():
            self._set_status(new, user_id, member["status"], {})
        to_msg = self.new_message(old, {"migrate_to_chat_id": new_chat_id}, sender=actor)
        old.migrated_to = new_chat_id
        from_msg = self.new_message(
            new, {"migrate_from_chat_id": chat_id},
            sender=dict(ANONYMOUS_ADMIN), sender_chat=self.chat_json(new),
        )
        return [self.push_update("message", to_msg), self.push_update("message", from_msg)]
