"""``bilat run`` with editors: the sources are polled, the editor is told of the draft, and
/metrics shows each source's health."""

from __future__ import annotations

from pathlib import Path

from bot.newsroom import sources as sources_file
from bot.newsroom.sources import Source
from tests.fakes.botapi import FakeBotAPI
from tests.newsroom.conftest import BODY, TITLE
from tests.newsroom.site import Entry, Site, article_html
from tests.support.net import free_port
from tests.support.process import bilat_run, environment, samples
from tests.support.telegram import BOB


async def test_bilat_run_polls_the_sources_and_tells_the_editor(
        api: FakeBotAPI, tmp_path: Path, site: Site) -> None:
    site.pages["/news/kz-fr"] = article_html(TITLE, BODY)
    site.feeds["news"] = [Entry("/news/kz-fr", TITLE, "Twelve agreements signed.")]
    sources = tmp_path / "sources.yaml"
    feed = site.url("/feeds/news")
    sources_file.save(sources, [Source(feed, "Loopback News"), Source(site.url("/error.xml"))])
    port = free_port()
    env = environment(api, tmp_path / "bilat.sqlite3", port, BILAT_EDITORS=f"telegram:{BOB}",
                      BILAT_SOURCES=str(sources), BILAT_NOW="2025-06-11")
    async with bilat_run(env, tmp_path / "bot.log") as bot:
        await bot.ready()
        [told] = await api.wait_for_messages(BOB, 1, timeout=60)
        assert (told.plain_text or "").startswith(f"Draft 1 · Loopback News\n{TITLE}\n")
        status, metrics = await bot.get("/metrics")
        found = samples(metrics)
        assert status == 200
        assert found[f'bilat_source_polls_total{{result="ok",source="{feed}"}}'] == 1
        assert found[f'bilat_source_failures{{source="{site.url("/error.xml")}"}}'] == 1
        assert found['bilat_candidates_total{state="drafted"}'] == 1
