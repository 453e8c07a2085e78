"""Two ``bilat run`` replicas on one PostgreSQL: only the one holding the scheduler's lease
polls the sources and tells the editors, so the editor hears of a draft once; when it stops,
the other takes the newsroom over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.delivery.election import SCHEDULER
from bot.newsroom import sources as sources_file
from bot.newsroom.sources import Source
from bot.store import replicas
from bot.store.db import Database
from tests.fakes.botapi import FakeBotAPI
from tests.newsroom.conftest import BODY, TITLE
from tests.newsroom.site import Entry, Site, article_html
from tests.pgserver import PostgresServer
from tests.support.net import free_port
from tests.support.process import bilat_run, environment
from tests.support.telegram import BOB
from tests.support.wait import eventually

FEED = "/feeds/news"


async def leader(url: str) -> str | None:
    """The replica holding the scheduler's lease now."""
    async with await Database.open(url) as db:
        return await replicas.holder(db, SCHEDULER, datetime.now(UTC))


def told(api: FakeBotAPI) -> list[str]:
    """The texts the editor received."""
    return [r.plain_text or "" for r in api.sent if r.method == "sendMessage"
            and r.chat_id == BOB]


async def test_only_the_leader_polls_and_tells_the_editor(
        api: FakeBotAPI, postgres: PostgresServer, tmp_path: Path, site: Site) -> None:
    url = postgres.create("newsroom_replicas")
    site.pages["/news/kz-fr"] = article_html(TITLE, BODY)
    site.feeds["news"] = [Entry("/news/kz-fr", TITLE, "Twelve agreements signed.")]
    sources = tmp_path / "sources.yaml"
    sources_file.save(sources, [Source(site.url(FEED), "Loopback News")])
    env = {"BILAT_DB": url, "BILAT_EDITORS": f"telegram:{BOB}", "BILAT_SOURCES": str(sources),
           "BILAT_NOW": "2025-06-11"}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    async with bilat_run(environment(api, tmp_path / "x", free_port(), **env), logs[0]) as a, \
            bilat_run(environment(api, tmp_path / "x", free_port(), **env), logs[1]) as b:
        await a.ready()
        await b.ready()
        await eventually(lambda: len(told(api)) >= 1, within=60, what="the editor told")
        # Several heartbeats later: still one poll of the feed, one page fetch, one notice.
        await asyncio.sleep(6)
        assert site.hits[FEED] == 1
        assert site.hits["/news/kz-fr"] == 1
        [notice] = told(api)
        assert notice.startswith(f"Draft 1 · Loopback News\n{TITLE}\n")

        # The leader stops: the other replica takes the newsroom over and polls at once,
        # but the editor is not told again of a draft already told.
        first = await leader(url)
        assert first is not None
        running, other = (a, b) if f"replica {first} now runs" in a.output() else (b, a)
        await running.stop()
        await eventually(lambda: site.hits[FEED] >= 2, within=30,
                         what="the survivor polling")
        await asyncio.sleep(2)
        assert site.hits["/news/kz-fr"] == 1  # the article is known: not fetched again
        assert len(told(api)) == 1
        assert other.process.returncode is None
