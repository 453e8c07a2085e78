"""A Bot API request recorder for unit-level Telegram tests: no server, no socket.

In the style of python-telegram-bot's own test suite (its ``OfflineRequest``), a
``telegram.request.BaseRequest`` that PTB's ``Bot`` uses instead of HTTPX: each call is
recorded (method, parameters, uploaded files) and answered with Bot API JSON, either a canned
answer queued by the test (``answer``/``fail``) or a plausible default (``getMe`` gives the
bot, a send gives the message it would create, anything else ``true``). PTB parses those
answers and raises its errors exactly as it does for api.telegram.org.

End-to-end tests keep the fake server (``tests.fakes.botapi``) over real HTTP.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

JSON = dict[str, Any]
BOT_USER: JSON = {"id": 123456, "is_bot": True, "first_name": "Bilat",
                  "username": "BilatTestBot"}
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made: its method, parameters and uploaded files by name."""

    method: str
    params: JSON
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        """The text (or caption) sent, as the bot wrote it."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)


class RecordingRequest(BaseRequest):
    """Records every call; answers with the queued canned answer or a default one."""

    def __init__(self, bot_user: JSON | None = None) -> None:
        self.bot_user = bot_user or BOT_USER
        self.calls: list[Call] = []
        self._queued: defaultdict[str, deque[tuple[int, JSON]]] = defaultdict(deque)
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """No network, no waiting."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def answer(self, method: str, result: Any) -> None:
        """Answer the next call of ``method`` with ``{"ok": true, "result": result}``."""
        self._queued[method].append((200, {"ok": True, "result": result}))

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Answer the next call of ``method`` with a Bot API error, as Telegram words it."""
        body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self._queued[method].append((status, body))

    def sent(self, method: str | None = None) -> list[Call]:
        """The calls that sent something (of one method, if given), in order."""
        return [c for c in self.calls if c.method == method or (method is None
                                                                 and c.method in SENDS)]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Record the call, then answer it."""
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            for part in request_data.multipart_data.values():
                filename, content = str(part[0]), part[1]
                files[filename] = content if isinstance(content, bytes) else content.read()
        self.calls.append(Call(name, params, files))
        queue = self._queued.get(name)
        status, body = queue.popleft() if queue else (200, self._default(name, params))
        return status, json.dumps(body).encode()

    def _default(self, method: str, params: JSON) -> JSON:
        if method == "getMe":
            return {"ok": True, "result": self.bot_user}
        if method in SENDS:
            return {"ok": True, "result": self._message(params)}
        return {"ok": True, "result": True}

    def _message(self, params: JSON) -> JSON:
        """The message a successful send creates (enough for PTB to parse it)."""
        chat_id = params.get("chat_id", 0)
        chat: JSON = {"id": chat_id if isinstance(chat_id, int) else -1,
                      "type": "private" if isinstance(chat_id, int) and chat_id > 0
                      else "supergroup"}
        message: JSON = {"message_id": next(self._message_ids), "date": int(time.time()),
                         "chat": chat, "from": self.bot_user}
        if "text" in params:
            message["text"] = params["text"]
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
        return message


def recording_bot(token: str = "123456:TEST-token") -> tuple[Bot, RecordingRequest]:
    """A PTB ``Bot`` whose every request goes to a new recorder (initialize it before use)."""
    request = RecordingRequest()
    return Bot(token, request=request, get_updates_request=request), request
