"""/sources through Telegram's real HTTP stack: editors list, add and remove sources and see
each one's health; everyone else is refused; bad input gets a specific answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.newsroom import sources as sources_file
from bot.newsroom.poller import Poller
from bot.newsroom.service import Newsroom
from bot.newsroom.sources import Source
from bot.ops.admin import Operator
from bot.ops.reload import DataReloader
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from tests.conftest import DATA, ZONE
from tests.fakes.botapi import FakeBotAPI, SentRecord
from tests.newsroom.site import Site
from tests.support.telegram import ADA, BOB, ask, settings_for


@pytest.fixture
async def editing(api: FakeBotAPI, db: Database, sources_path: Path, clock: FixedClock,
                  library: Library) -> AsyncIterator[Newsroom]:
    """The Telegram bot with Bob as its one editor (Ada is not one)."""
    newsroom = Newsroom(db, sources_path, {f"telegram:{BOB}"})
    ops = Operator(db, DataReloader.load(DATA, interval=0), (), newsroom=newsroom)
    session = Session(lambda: library, clock, "en", ZONE, ops)
    bot = TelegramBot(settings_for(api), session, TelegramChats(db, clock))
    await bot.start()
    try:
        yield newsroom
    finally:
        await bot.stop()


def written(path: Path) -> bytes | None:
    """The sources file as the bot left it (None when never written)."""
    return path.read_bytes() if path.exists() else None


def lines(records: list[SentRecord]) -> list[str]:
    """The text lines of the one message a command answered with."""
    [record] = records
    return (record.plain_text or "").splitlines()


async def test_an_editor_adds_lists_and_removes_sources(
        api: FakeBotAPI, editing: Newsroom, sources_path: Path) -> None:
    first = lines(await ask(api, BOB, BOB, "/sources"))  # a chat's first answer: + the pairs
    assert first[0] == "No sources are watched. Add one with /sources add URL."
    assert lines(await ask(api, BOB, BOB, "/sources add https://astanatimes.com/feed/")) == [
        "Now watching 1. astanatimes.com."]
    await ask(api, BOB, BOB, "/sources add https://www.gov.kz/sitemap.xml sitemap")
    assert sources_file.load(sources_path) == [
        Source("https://astanatimes.com/feed/"),
        Source("https://www.gov.kz/sitemap.xml", kind="sitemap")]
    assert lines(await ask(api, BOB, BOB, "/sources")) == [
        "Watched sources",
        "1. astanatimes.com (feed) https://astanatimes.com/feed/",
        "   never polled successfully",
        "2. www.gov.kz (sitemap) https://www.gov.kz/sitemap.xml",
        "   never polled successfully"]
    assert lines(await ask(api, BOB, BOB, "/sources remove 1")) == [
        "No longer watching astanatimes.com."]
    assert [s.url for s in sources_file.load(sources_path)] == ["https://www.gov.kz/sitemap.xml"]


async def test_bad_input_gets_a_specific_answer_and_changes_nothing(
        api: FakeBotAPI, editing: Newsroom, sources_path: Path) -> None:
    await ask(api, BOB, BOB, "/sources add https://astanatimes.com/feed/")  # the first answer
    before = written(sources_path)
    assert lines(await ask(api, BOB, BOB, "/sources add astanatimes.com/feed")) == [
        "astanatimes.com/feed is not a web address (it must start with https://)"]
    assert lines(await ask(api, BOB, BOB, "/sources add https://astanatimes.com/feed/")) == [
        "https://astanatimes.com/feed/ is already watched"]
    assert lines(await ask(api, BOB, BOB, "/sources remove 7")) == [
        "There is no source 7; the list has 1."]
    assert lines(await ask(api, BOB, BOB, "/sources add https://a.example/feed podcast")) == [
        "podcast is not feed or sitemap.", "Usage: /sources [add URL [sitemap] | remove N]"]
    assert written(sources_path) == before


async def test_others_are_refused_in_their_language(
        api: FakeBotAPI, editing: Newsroom, sources_path: Path) -> None:
    refusal = lines(await ask(api, ADA, ADA, "/sources add https://astanatimes.com/feed/"))
    assert refusal[0] == "Désolé, cette commande est réservée aux rédacteurs de Bilat."
    assert written(sources_path) is None


async def test_the_health_line_after_polls(
        api: FakeBotAPI, editing: Newsroom, poller: Poller, site: Site,
        sources_path: Path) -> None:
    site.feeds["ok"] = []
    sources_file.save(sources_path, [Source(site.url("/feeds/ok"), "Loopback News"),
                                     Source(site.url("/error.xml"))])
    for source in sources_file.load(sources_path):
        await poller.poll(source)
        await poller.poll(source)
    await ask(api, BOB, BOB, "/help")  # the chat's first answer, with the pairs
    assert lines(await ask(api, BOB, BOB, "/sources"))[1:] == [
        f"1. Loopback News (feed) {site.url('/feeds/ok')}",
        "   last success 11 June 2025 23:59",
        f"2. 127.0.0.1 (feed) {site.url('/error.xml')}",
        "   never polled successfully; last error 11 June 2025 23:59: HTTP 500; "
        "2 failures in a row"]
