"""Polling real HTTP on loopback: validators, failures and back-off, moves, limits, sitemaps,
and each article found once however it is reached."""

from __future__ import annotations

import pytest

from bot.metrics import exposition
from bot.newsroom.poller import Poller, backoff
from bot.newsroom.sources import Source
from bot.store import newsroom as store
from bot.store.db import Database
from tests.newsroom.conftest import BODY, FAST, TITLE
from tests.newsroom.site import Entry, Site, article_html

OTHER = Entry("/news/weather", "Sunny weekend ahead in Lyon", "Temperatures up to 25 degrees.")


def publish(site: Site, path: str, title: str = TITLE, body: str = BODY) -> Entry:
    """Put an article page on the site; the feed entry that points to it."""
    site.pages[path] = article_html(title, body)
    return Entry(path, title, "Twelve agreements signed during the visit.")


async def test_an_item_on_a_covered_pair_is_fetched_once_and_drafted(
        site: Site, poller: Poller, db: Database) -> None:
    site.feeds["main"] = [OTHER, publish(site, "/news/kz-fr-agreements")]
    source = Source(site.url("/feeds/main"), "Loopback News")
    assert await poller.poll(source) == FAST.interval
    [found] = await store.candidates(db)
    assert (found.title, found.countries, found.state) == (TITLE, ("FR", "KZ"), "drafted")
    assert found.url == site.url("/news/kz-fr-agreements")
    assert found.draft is not None and "turnover-2024" in found.draft
    assert "unreviewed: true" in found.draft
    assert site.hits["/news/weather"] == 0  # not about a covered pair: never fetched
    # The next poll sends the validators, gets 304, and fetches no page again.
    await poller.poll(source)
    assert site.not_modified["/feeds/main"] == 1
    assert site.hits["/news/kz-fr-agreements"] == 1
    assert len(await store.candidates(db)) == 1
    assert any(agent.startswith("Bilat/") for agent in site.agents)


async def test_one_article_through_two_feeds_and_two_addresses_is_one_candidate(
        site: Site, poller: Poller, db: Database) -> None:
    entry = publish(site, "/news/kz-fr-agreements")
    site.feeds["a"] = [entry]
    site.feeds["b"] = [Entry(entry.path + "/?utm_source=rss&utm_medium=feed", entry.title)]
    site.pages["/mirror/kz-fr"] = site.pages[entry.path]  # the same text, another address
    site.feeds["c"] = [Entry("/mirror/kz-fr", entry.title)]
    for name in ("a", "b", "c"):
        await poller.poll(Source(site.url(f"/feeds/{name}")))
    states = sorted(c.state for c in await store.candidates(db))
    assert states == ["drafted", "duplicate"]
    assert site.hits["/news/kz-fr-agreements"] == 1


async def test_a_failing_source_backs_off_and_shows_its_last_error(
        site: Site, poller: Poller, db: Database) -> None:
    source = Source(site.url("/error.xml"))
    first = await poller.poll(source)
    second = await poller.poll(source)
    assert (first, second) == (FAST.interval, 2 * FAST.interval)
    health = await store.health(db, source.url)
    assert health is not None
    assert (health.last_error, health.failures, health.last_success) == ("HTTP 500", 2, None)
    metrics = exposition().decode()
    assert f'bilat_source_failures{{source="{source.url}"}} 2' in metrics
    assert f'bilat_source_last_error_seconds{{source="{source.url}"}}' in metrics
    # Success again clears the failures and records the instant.
    site.feeds["x"] = [OTHER]
    await poller.poll(Source(site.url("/feeds/x")))
    ok = await store.health(db, site.url("/feeds/x"))
    assert ok is not None and ok.last_success is not None and ok.failures == 0


@pytest.mark.parametrize(("path", "error"), [
    ("/slow.xml", "no complete answer within 1 s"),
    ("/huge.xml", "too large: more than 1000000 bytes"),
    ("/malformed.xml", "not a valid feed"),
    ("/missing.xml", "HTTP 404"),
])
async def test_what_each_broken_source_is_told(site: Site, poller: Poller, db: Database,
                                               path: str, error: str) -> None:
    await poller.poll(Source(site.url(path)))
    health = await store.health(db, site.url(path))
    assert health is not None and health.last_error is not None
    assert health.last_error.startswith(error)


async def test_a_feed_that_moved_for_good_is_polled_at_its_new_address(
        site: Site, poller: Poller, db: Database) -> None:
    site.feeds["new"] = [OTHER]
    source = Source(site.url("/old/new"))
    await poller.poll(source)
    await poller.poll(source)
    health = await store.health(db, source.url)
    assert health is not None and health.fetch_url == site.url("/feeds/new")
    assert site.hits["/old/new"] == 1
    assert site.not_modified["/feeds/new"] == 1


async def test_a_sitemap_lists_articles_for_publishers_without_a_feed(
        site: Site, poller: Poller, db: Database) -> None:
    site.feeds["titles"] = [OTHER, publish(site, "/news/kz-fr-agreements")]
    site.sitemap = ["/news/weather", "/news/kz-fr-agreements"]
    await poller.poll(Source(site.url("/sitemap.xml"), kind="sitemap"))
    [found] = await store.candidates(db)
    assert (found.title, found.state) == (TITLE, "drafted")


def test_backoff_doubles_up_to_six_hours_and_honours_retry_after() -> None:
    assert [backoff(60, n) for n in (0, 1, 2, 3)] == [60, 60, 120, 240]
    assert backoff(900, 20) == 6 * 3600
    assert backoff(60, 1, retry_after=600) == 600
