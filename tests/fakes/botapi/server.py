"""The fake Bot API's HTTP side: lifecycle, routing to the method handlers, test controls."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable, Collection, Iterable
from http import HTTPStatus
from time import monotonic
from typing import Any, Final

from aiohttp import web

from tests.fakes.botapi import chats, commands, messages, queries, updates
from tests.fakes.botapi.errors import ApiError, too_many_requests
from tests.fakes.botapi.limits import RateLimitConfig, RateLimiter
from tests.fakes.botapi.messages import MAX_DOCUMENT_BYTES, SEND_METHODS
from tests.fakes.botapi.params import Params, read_params
from tests.fakes.botapi.records import JSON, ApiCall, FailurePlan, SentRecord, StoredFile
from tests.fakes.botapi.world import TOKEN_RE, Signal, World

MAX_REQUEST_BYTES: Final = MAX_DOCUMENT_BYTES + 5 * 1024 * 1024
_NGINX_PAGE: Final = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
# Every method the server answers, by concern; any other method is a 404, as on Telegram.
HANDLERS: Final = {**updates.HANDLERS, **messages.HANDLERS, **chats.HANDLERS,
                   **queries.HANDLERS, **commands.HANDLERS}


class FakeBotAPI(World):
    """An in-process Bot API server with a scriptable world; see the package docstring."""

    def __init__(
        self, token: str = "123456:TEST-token", *, bot_username: str = "BilatTestBot",
        bot_name: str = "Bilat", host: str = "127.0.0.1", port: int = 0,
        first_update_id: int = 100_000, strict_html: bool = True, query_ttl: float = 10.0,
    ) -> None:
        super().__init__(token, bot_username, bot_name, first_update_id)
        self.host = host
        self.port = port
        self.strict_html = strict_html
        self.check_text = True  # False skips markup and length checks (benchmarks only)
        self.query_ttl = query_ttl
        self.latency = 0.0
        self.sent: list[SentRecord] = []
        self.calls: list[ApiCall] = []
        self.files: dict[str, StoredFile] = {}
        self.inline_answers: dict[str, list[JSON]] = {}
        self.webhook: JSON | None = None
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.count_429 = 0
        self.limiter = RateLimiter()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.allowed_updates = updates.DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0
        self.closing = False
        self.file_ids = itertools.count(1)
        self._failures: list[FailurePlan] = []
        self._sent_signal = Signal()
        self._runner: web.AppRunner | None = None
        self._canonical = {name.lower(): name for name in HANDLERS}

    # ---- lifecycle

    @property
    def url(self) -> str:
        """Return the server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the value for PTB's ``base_url`` (``{url}/bot``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for PTB's ``base_file_url`` (``{url}/file/bot``; never served)."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Start listening (on a random free port unless one was given or already bound)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port, reuse_address=True).start()
        self.port = int(self._runner.addresses[0][1])
        self.closing = False

    async def stop(self) -> None:
        """Release pending long polls and stop the HTTP server (the world is kept)."""
        self.closing = True
        self.updates_signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> None:
        """Restart the HTTP server on the same port, keeping all state."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---- test controls

    def rate_limits(
        self, enabled: bool = True, *, per_chat_per_second: float | None = None,
        private_burst: int | None = None, per_group_per_minute: int | None = None,
        global_per_second: int | None = None,
    ) -> RateLimitConfig:
        """Enable/disable and tune Telegram-like flood limits (off by default)."""
        config = self.limiter.config
        config.enabled = enabled
        changes = {
            "per_chat_per_second": per_chat_per_second, "private_burst": private_burst,
            "per_group_per_minute": per_group_per_minute, "global_per_second": global_per_second,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(config, name, value)
        self.limiter.reset()
        return config

    def fail_next(
        self, n: int = 1, status: int = 500, *, methods: Collection[str] | None = None
    ) -> None:
        """Fail the next ``n`` matching requests with HTTP ``status``.

        ``methods=None`` means every method except getUpdates; include ``"*"`` for all.
        """
        self._failures.append(FailurePlan(status, _lower_set(methods), remaining=n))

    def fail_for(
        self, seconds: float, status: int = 502, *, methods: Collection[str] | None = None
    ) -> None:
        """Fail matching requests with HTTP ``status`` for ``seconds`` (see fail_next)."""
        plan = FailurePlan(status, _lower_set(methods), until=monotonic() + seconds)
        self._failures.append(plan)

    def commands_for(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """Return the commands set for exactly this scope and language."""
        key = (commands.scope_key(scope or {"type": "default"}), language_code)
        return list(self.commands.get(key, []))

    def messages(self, chat_id: int, thread_id: int | None = None) -> list[SentRecord]:
        """Return the messages the bot sent to a chat (optionally one forum topic)."""
        return [
            record
            for record in self.sent
            if record.method in SEND_METHODS
            and record.chat_id == chat_id
            and (thread_id is None or record.message_thread_id == thread_id)
        ]

    def record(self, record: SentRecord) -> None:
        """Keep what the bot sent or changed, and wake the tests waiting on it."""
        self.sent.append(record)
        self._sent_signal.notify()

    async def wait_for(
        self, predicate: Callable[[SentRecord], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        *, after: int = 0,
    ) -> SentRecord:
        """Wait until a record in ``sent[after:]`` matches ``predicate``; return it."""
        deadline = monotonic() + timeout
        while True:
            for record in self.sent[after:]:
                if predicate(record):
                    return record
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no sent record matched in {timeout}s; {self._summary()}")
            await self._sent_signal.wait(remaining)

    async def wait_for_messages(
        self, chat_id: int, count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        *, thread_id: int | None = None,
    ) -> list[SentRecord]:
        """Wait until the bot sent ``count`` messages to the chat; return them all."""
        deadline = monotonic() + timeout
        while len(found := self.messages(chat_id, thread_id)) < count:
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{len(found)}/{count} messages to {chat_id} in {timeout}s; {self._summary()}"
                )
            await self._sent_signal.wait(remaining)
        return found

    def _summary(self) -> str:
        failures = [f"{c.method}->{c.status} {c.description}" for c in self.calls if not c.ok]
        sent = [f"{r.method}({r.chat_id}): {r.text!r:.60}" for r in self.sent[-10:]]
        return f"last sent: {sent}; failed calls: {failures[-10:]}"

    # ---- HTTP

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token != self.token:
            valid = TOKEN_RE.fullmatch(token)
            code, text = (401, "Unauthorized") if valid else (404, "Not Found")
            return _json_response(ApiError(code, text).payload(), code)
        method = request.match_info["method"]
        name = self._canonical.get(method.lower(), method)
        try:
            params = await read_params(request)
        except ApiError as error:
            return self._error(name, Params({}, {}), error)
        if name.lower() not in self._canonical:
            return self._error(name, params, ApiError(404, "Not Found"))
        failure = self._take_failure(name)
        if failure is not None:
            return self._injected(name, params, failure)
        return await self._dispatch(name, params)

    async def _dispatch(self, name: str, params: Params) -> web.Response:
        if self.latency > 0 and name != "getUpdates":
            await asyncio.sleep(self.latency)
        try:
            result: Any = HANDLERS[name](self, params)
            if inspect.isawaitable(result):  # getUpdates long-polls
                result = await result
        except ApiError as error:
            return self._error(name, params, error)
        self.calls.append(ApiCall(name, params.public(), HTTPStatus.OK))
        return _json_response({"ok": True, "result": result})

    def _error(self, name: str, params: Params, error: ApiError) -> web.Response:
        self.count_429 += error.code == HTTPStatus.TOO_MANY_REQUESTS
        self.calls.append(ApiCall(name, params.public(), error.code, error.description))
        return _json_response(error.payload(), error.code)

    def _take_failure(self, name: str) -> int | None:
        now = monotonic()
        for plan in self._failures:
            if plan.matches(name.lower(), now):
                if plan.remaining is not None:
                    plan.remaining -= 1
                return plan.status
        return None

    def _injected(self, name: str, params: Params, status: int) -> web.Response:
        self.count_429 += status == HTTPStatus.TOO_MANY_REQUESTS
        self.calls.append(ApiCall(name, params.public(), status, "injected failure"))
        return _failure_response(status)


def _json_response(payload: JSON, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status)


def _failure_response(status: int) -> web.Response:
    """What Telegram's front answers on an outage: nginx pages for 502/504, JSON otherwise."""
    phrase = HTTPStatus(status).phrase
    if status in {HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT}:
        page = _NGINX_PAGE.format(code=status, phrase=phrase)
        return web.Response(status=status, text=page, content_type="text/html")
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return _json_response(too_many_requests(1).payload(), status)
    return _json_response(ApiError(status, phrase).payload(), status)


def _lower_set(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(method.lower() for method in methods)
