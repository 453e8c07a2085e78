"""Fake Telegram Bot API server for tests, split by concern.

``FakeBotAPI`` runs an aiohttp server on 127.0.0.1 that speaks the Bot API over HTTP the
way api.telegram.org does: ``/bot<token>/<method>`` (method names case-insensitive),
parameters from the query string, a JSON body, a form-urlencoded body or a multipart body,
and answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}`` with Telegram's status codes and wording.
The real python-telegram-bot stack (HTTPX networking included) can therefore be pointed
at it with ``base_url=api.base_url``.

It answers the methods Bilat calls, and no other (a 404, as Telegram answers an unknown
method): ``server`` routes them to ``updates`` (getMe, getUpdates, webhooks), ``messages``
(sending and editing text, photos and documents), ``chats`` (who may post where, getChat,
getChatMember), ``queries`` (inline and callback answers) and ``commands`` (the bot's
commands and descriptions). ``world`` holds users, chats and memberships and injects the
updates a test plays; ``html`` validates Telegram's HTML as the server does.

Tests inspect everything the bot sent (``api.sent``, ``api.messages()``,
``await api.wait_for(...)``) and inject failures (blocked users, kicked bots, migrated
groups, closed topics, 429 flood limits, 5xx).

Example::

    async with FakeBotAPI(token="123:ABC") as api:
        api.add_user(42, "Ada")
        app = Application.builder().token(api.token).base_url(api.base_url).build()
        ...  # start polling
        api.send_message(42, 42, "/start")
        [reply] = await api.wait_for_messages(42)

Deliberate differences from Telegram (see ``strict_html``): a bare ``&`` that does not
start an HTML entity is rejected, as the Bot API documentation requires, although the
real server tolerates it. Markdown parse modes are accepted but not validated.
"""

from tests.fakes.botapi.html import HtmlParseError, parse_html
from tests.fakes.botapi.records import JSON, ApiCall, SentRecord, StoredFile
from tests.fakes.botapi.server import FakeBotAPI

__all__ = [
    "JSON", "ApiCall", "FakeBotAPI", "HtmlParseError", "SentRecord", "StoredFile", "parse_html",
]
