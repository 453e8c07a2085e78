"""The operations endpoint: ``/healthz`` and ``/metrics`` on BILAT_HTTP_HOST:BILAT_HTTP_PORT."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot import metrics as instruments
from bot.config import ConfigError
from bot.ops.admin import collect
from bot.ops.health import Health
from bot.store.db import Database

log = logging.getLogger(__name__)

HEALTH: web.AppKey[Health] = web.AppKey("health", Health)
DATABASE: web.AppKey[Database] = web.AppKey("database", Database)


async def healthz(request: web.Request) -> web.Response:
    """200 when ready, else 503; the details as JSON either way."""
    verdict = await request.app[HEALTH].verdict()
    return web.json_response(verdict.body, status=200 if verdict.ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Every metric, the database figures counted afresh."""
    await refresh(request.app[DATABASE])
    return web.Response(body=instruments.exposition(),
                        headers={"Content-Type": instruments.CONTENT_TYPE})


async def refresh(db: Database) -> None:
    """Set the gauges that come from the database (outbox depth, subscriptions, chats)."""
    stats = await collect(db)
    states = ("pending", "sending", "sent", "failed", "dropped")
    instruments.replace(instruments.OUTBOX, ((s, stats.outbox.get(s, 0)) for s in states))
    instruments.replace(instruments.SUBSCRIPTIONS, [("active", stats.subscriptions_active),
                                                    ("stopped", stats.subscriptions_stopped)])
    instruments.replace(instruments.CHATS, stats.chats.items())


def application(health: Health, db: Database) -> web.Application:
    """The aiohttp application with both routes."""
    app = web.Application()
    app[HEALTH] = health
    app[DATABASE] = db
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


@asynccontextmanager
async def serving(host: str, port: int, health: Health, db: Database) -> AsyncIterator[None]:
    """Serve both routes for the duration of the block (nothing when ``port`` is 0)."""
    if port == 0:
        yield
        return
    runner = web.AppRunner(application(health, db), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise ConfigError(f"BILAT_HTTP_PORT: cannot listen on {host}:{port} "
                              f"({exc.strerror or exc})") from None
        log.info("operations endpoint on http://%s:%d (/healthz, /metrics)", host, port)
        yield
    finally:
        await runner.cleanup()
