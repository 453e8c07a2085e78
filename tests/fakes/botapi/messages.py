"""Messages and files: sendMessage, sendPhoto, sendDocument, editMessageText and
editMessageReplyMarkup, each validated as Telegram validates them (HTML, 4096/1024 limits,
inline keyboards, replies, image dimensions)."""

from __future__ import annotations

import itertools
import mimetypes
import struct
from typing import TYPE_CHECKING, Any, Final

from tests.fakes.botapi.chats import access, target, throttle
from tests.fakes.botapi.errors import ApiError, bad_request
from tests.fakes.botapi.html import HtmlParseError, parse_html
from tests.fakes.botapi.params import Handler, Params
from tests.fakes.botapi.records import JSON, ChatState, SentRecord, StoredFile, Upload
from tests.fakes.botapi.world import now

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI

MAX_MESSAGE_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_DOCUMENT_BYTES: Final = 50 * 1024 * 1024
SEND_METHODS: Final = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)
NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_OTHER_IMAGE_MAGICS: Final = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


# ---- text and markup


def format_text(
    api: FakeBotAPI, text: str, parse_mode: str | None, entities: Any, *, caption: bool
) -> tuple[str, list[JSON]]:
    """The plain text and entities of ``text``, or Telegram's 400 for bad markup or length."""
    if not api.check_text:
        return text, []
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, parsed = parse_html(text, strict=api.strict_html)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode in {"", "markdown", "markdownv2"}:
        plain, parsed = text, (list(entities or []) if not mode else [])
    else:
        raise bad_request("unsupported parse_mode")
    stripped = plain.strip()
    if not stripped and not caption:
        raise bad_request("message text is empty")
    if len(stripped) > (MAX_CAPTION_LENGTH if caption else MAX_MESSAGE_LENGTH):
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, parsed


def _text(api: FakeBotAPI, p: Params) -> tuple[str, str, list[JSON]]:
    text = p.get_str("text") or ""
    if not text:
        raise bad_request("message text is empty")
    plain, entities = format_text(
        api, text, p.get_str("parse_mode"), p.get_json("entities"), caption=False
    )
    return text, plain, entities


def _caption(api: FakeBotAPI, p: Params) -> tuple[str | None, JSON]:
    caption = p.get_str("caption")
    if not caption:
        return None, {}
    plain, entities = format_text(
        api, caption, p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
    )
    content: JSON = {"caption": plain}
    if entities:
        content["caption_entities"] = entities
    return caption, content


def _reply_markup(p: Params) -> JSON | None:
    markup = p.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is not None:
        check_inline_keyboard(rows)
    return markup


def check_inline_keyboard(rows: Any) -> None:
    """Telegram's 400s for a malformed inline keyboard (text, one action, 1-64 byte data)."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("BUTTON_TEXT_INVALID")
        if not INLINE_BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")


def _reply_to(chat: ChatState, p: Params) -> JSON:
    params = p.get_json("reply_parameters") or {}
    message_id = params.get("message_id") if isinstance(params, dict) else None
    message_id = message_id or p.get_int("reply_to_message_id")
    if message_id is None:
        return {}
    if message_id in chat.messages:
        return {"reply_to_message": dict(chat.messages[message_id])}
    allow = p.get_bool("allow_sending_without_reply") or (
        isinstance(params, dict) and params.get("allow_sending_without_reply")
    )
    if allow:
        return {}
    raise bad_request("message to be replied not found")


def _set_optional(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


# ---- sending


def _deliver(
    api: FakeBotAPI, chat: ChatState, thread_id: int | None, content: JSON, markup: JSON | None
) -> JSON:
    if markup and "inline_keyboard" in markup:
        content = {**content, "reply_markup": {"inline_keyboard": markup["inline_keyboard"]}}
    is_channel = chat.type == "channel"
    message = api.new_message(
        chat, content, sender=None if is_channel else dict(api.bot_user),
        sender_chat=api.chat_json(chat) if is_channel else None, thread_id=thread_id,
    )
    chat.bot_message_ids.add(message["message_id"])
    return message


def send_message(api: FakeBotAPI, p: Params) -> JSON:
    """A text message, checked and stored; recorded for the tests."""
    chat, thread_id = target(api, p, "text")
    text, plain, entities = _text(api, p)
    markup = _reply_markup(p)
    content: JSON = {"text": plain, **({"entities": entities} if entities else {})}
    content.update(_reply_to(chat, p))
    throttle(api, chat)
    message = _deliver(api, chat, thread_id, content, markup)
    api.record(
        SentRecord(
            "sendMessage", chat.id, thread_id, message["message_id"],
            text, plain, p.get_str("parse_mode"), entities, markup, params=p.public(),
        )
    )
    return message


def _bot_message(chat: ChatState, message_id: int | None) -> JSON:
    """A message of the bot's own, which it may edit."""
    if message_id is None or message_id not in chat.messages:
        raise bad_request("message to edit not found")
    if message_id not in chat.bot_message_ids:
        raise bad_request("message can't be edited")
    return chat.messages[message_id]


def edit_message_text(api: FakeBotAPI, p: Params) -> JSON | bool:
    """New text (and keyboard) for a bot's message; 400 when nothing changes."""
    markup = _reply_markup(p)
    inline_id = p.get_str("inline_message_id")
    if inline_id:
        text, plain, entities = _text(api, p)
        api.record(
            SentRecord(
                "editMessageText", text=text, plain_text=plain, parse_mode=p.get_str("parse_mode"),
                entities=entities, reply_markup=markup, extra={"inline_message_id": inline_id},
                params=p.public(),
            )
        )
        return True
    chat = access(api, p, sending=False)
    message = _bot_message(chat, p.get_int("message_id"))
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, plain, entities = _text(api, p)
    new_markup = markup.get("inline_keyboard") if markup else None
    old_markup = message.get("reply_markup", {}).get("inline_keyboard")
    if (message["text"], message.get("entities", []), old_markup) == (plain, entities, new_markup):
        raise bad_request(NOT_MODIFIED)
    throttle(api, chat)
    message.update(text=plain, edit_date=now())
    _set_optional(message, "entities", entities)
    _set_optional(message, "reply_markup", {"inline_keyboard": new_markup} if new_markup else None)
    api.record(
        SentRecord(
            "editMessageText", chat.id, message.get("message_thread_id"), message["message_id"],
            text, plain, p.get_str("parse_mode"), entities, markup, params=p.public(),
        )
    )
    return dict(message)


def edit_message_reply_markup(api: FakeBotAPI, p: Params) -> JSON | bool:
    """A new inline keyboard (none: removed) for a bot's message; 400 when it is the same."""
    markup = _reply_markup(p)
    inline_id = p.get_str("inline_message_id")
    if inline_id:
        api.record(
            SentRecord(
                "editMessageReplyMarkup", reply_markup=markup,
                extra={"inline_message_id": inline_id}, params=p.public(),
            )
        )
        return True
    chat = access(api, p, sending=False)
    message = _bot_message(chat, p.get_int("message_id"))
    new_markup = markup.get("inline_keyboard") if markup else None
    if message.get("reply_markup", {}).get("inline_keyboard") == new_markup:
        raise bad_request(NOT_MODIFIED)
    throttle(api, chat)
    message["edit_date"] = now()
    _set_optional(message, "reply_markup", {"inline_keyboard": new_markup} if new_markup else None)
    api.record(
        SentRecord(
            "editMessageReplyMarkup", chat.id, message.get("message_thread_id"),
            message["message_id"], reply_markup=markup, params=p.public(),
        )
    )
    return dict(message)


# ---- files


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` for supported images (PNG exact, others nominal)."""
    if data.startswith(_PNG_MAGIC) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if is_webp or data.startswith(_OTHER_IMAGE_MAGICS):
        return 800, 600
    return None


def send_photo(api: FakeBotAPI, p: Params) -> JSON:
    """A photo (an image Telegram can process, of sane dimensions) with its caption."""
    chat, thread_id = target(api, p, "photos")
    stored = _input_file(api, p, "photo", "photos")
    size = _image_size(stored.data) if stored.url is None else (800, 600)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    if sum(size) > 10_000 or max(size) > 20 * max(min(size), 1):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    photo = {
        "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
        "file_size": stored.size, "width": size[0], "height": size[1],
    }
    return _send_media(api, p, chat, thread_id, "sendPhoto", {"photo": [photo]}, stored)


def send_document(api: FakeBotAPI, p: Params) -> JSON:
    """A document (any non-empty file up to 50 MB) with its caption."""
    chat, thread_id = target(api, p, "documents")
    stored = _input_file(api, p, "document", "documents")
    document: JSON = {
        "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    _set_optional(document, "file_name", stored.file_name)
    _set_optional(document, "mime_type", stored.mime_type)
    return _send_media(api, p, chat, thread_id, "sendDocument", {"document": document}, stored)


def _send_media(
    api: FakeBotAPI, p: Params, chat: ChatState, thread_id: int | None, method: str, content: JSON,
    stored: StoredFile,
) -> JSON:
    caption, caption_content = _caption(api, p)
    markup = _reply_markup(p)
    content = {**content, **caption_content, **_reply_to(chat, p)}
    throttle(api, chat)
    message = _deliver(api, chat, thread_id, content, markup)
    api.record(
        SentRecord(
            method, chat.id, thread_id, message["message_id"],
            caption, caption_content.get("caption"), p.get_str("parse_mode"),
            caption_content.get("caption_entities", []), markup, [stored], params=p.public(),
        )
    )
    return message


def _input_file(api: FakeBotAPI, p: Params, name: str, folder: str) -> StoredFile:
    value = p.input_file(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if isinstance(value, Upload):
        return _store_upload(api, value, folder)
    if value in api.files:
        return api.files[value]
    if value.startswith(("http://", "https://")):
        return _store_file(api, b"", folder, None, None, url=value)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _store_upload(api: FakeBotAPI, upload: Upload, folder: str) -> StoredFile:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    guessed = mimetypes.guess_type(upload.filename, strict=False)[0]
    mime = guessed or upload.content_type or "application/octet-stream"
    return _store_file(api, upload.data, folder, upload.filename, mime)


def _store_file(
    api: FakeBotAPI, data: bytes, folder: str, file_name: str | None, mime_type: str | None, *,
    url: str | None = None,
) -> StoredFile:
    number = next(api.file_ids)
    suffix = mimetypes.guess_extension(mime_type or "") or ""
    stored = StoredFile(
        file_id=f"BQACAgQAAxkDAAI{number:08d}", file_unique_id=f"AgAD{number:06d}",
        file_path=f"{folder}/file_{number}{suffix}", data=data, file_name=file_name,
        mime_type=mime_type, url=url,
    )
    api.files[stored.file_id] = stored
    return stored


HANDLERS: Final[dict[str, Handler]] = {
    "sendMessage": send_message, "sendPhoto": send_photo, "sendDocument": send_document,
    "editMessageText": edit_message_text, "editMessageReplyMarkup": edit_message_reply_markup,
}
