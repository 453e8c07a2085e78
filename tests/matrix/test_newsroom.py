"""The newsroom loop on Matrix, against the real Synapse the tests start: the editor reviews a
draft from a feed with !draft, !drop, !edit and !publish; the article is in the data and valid;
the next digest of the subscribed room names it once."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.delivery.scheduler import Scheduler
from bot.matrix.client import MatrixBot
from bot.matrix.login import connect
from bot.matrix.rooms import RoomStore
from bot.newsroom import sources as sources_file
from bot.newsroom.desk import Desk
from bot.newsroom.poller import Poller
from bot.newsroom.service import Newsroom, ReviewDesk
from bot.newsroom.sources import Source
from bot.ops.admin import Operator
from bot.ops.reload import DataReloader
from bot.store import outbox
from bot.store.db import Database
from tests.conftest import DATA
from tests.fakes.synapse import Synapse
from tests.matrix.conftest import MakeHuman, unique
from tests.matrix.helpers import WAIT, BotRun, Human
from tests.newsroom.conftest import BODY, FAST, TITLE
from tests.newsroom.conftest import site as site  # the loopback publisher fixture
from tests.newsroom.site import Entry, Site, article_html
from tests.newsroom.test_loop_telegram import MORE

EDIT = ("!edit fr: Douze accords signés à Astana | en: Twelve agreements signed in Astana"
        " | fr: Le commerce a atteint 5,1 milliards de dollars en 2024"
        " | en: Trade reached $5.1 billion in 2024" + MORE)


class NewsroomRun(BotRun):
    """The Matrix bot with the newsroom's services beside it, on data a test may change."""

    data: DataReloader
    newsroom: Newsroom

    async def start_with(self, data: DataReloader, sources: Path, editor: str) -> Poller:
        """Start the bot with ``editor`` as its one editor; the poller, opened by the test."""
        settings = self.settings()
        self.db = await Database.open(self.home / "bilat.sqlite3")
        drafting = Desk(data)
        poller = Poller(self.db, sources, drafting, self.clock.now, FAST)
        self.newsroom = Newsroom(self.db, sources, {editor}, poller.wake, ReviewDesk(
            data.root, data, data.reload, drafting, self.clock.now))
        ops = Operator(self.db, data, (), newsroom=self.newsroom)
        store = RoomStore(self.db, self.clock, settings.user_id, "en", "Asia/Almaty")
        self.bot = MatrixBot(await connect(settings), settings, store,
                             Session(data, self.clock, "en", "Asia/Almaty", ops),
                             decrypt_grace=1.0,
                             sync_timeout_ms=2000)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.bot.run(self.stop))
        await asyncio.wait_for(self.bot.ready.wait(), WAIT)
        return poller


@pytest.fixture
async def newsroom_bot(synapse: Synapse, tmp_path: Path, library: Library
                       ) -> AsyncIterator[NewsroomRun]:
    """A registered (not yet started) Bilat bot; stopped after the test."""
    account = await synapse.register(unique("bilat"), secrets.token_hex(8))
    run = NewsroomRun(synapse, account, tmp_path / "bot", library,
                      FixedClock(datetime(2025, 6, 11, 5, tzinfo=UTC)))
    yield run
    await run.halt()


async def ask(human: Human, room: str, line: str) -> str:
    """Send a command; the plain text of the bot's one reply."""
    sent = await human.send(room, line)
    [reply] = await human.reply(room, sent)
    return str(reply["content"]["body"])


async def test_the_newsroom_loop_on_matrix(newsroom_bot: NewsroomRun, people: MakeHuman,
                                           site: Site, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir)
    sources = data_dir / "sources.yaml"
    sources_file.save(sources, [Source(site.url("/feeds/news"), "Loopback News")])
    site.pages["/news/kz-fr"] = article_html(TITLE, BODY)
    site.feeds["news"] = [Entry("/news/kz-fr", TITLE, "Twelve agreements signed.")]
    data = DataReloader.load(data_dir, interval=0)
    editor = await people("editor")
    poller = await newsroom_bot.start_with(data, sources, f"matrix:{editor.user_id}")
    room = await editor.create_room(newsroom_bot.account.user_id)
    await editor.wait_member(room, newsroom_bot.account.user_id)
    assert newsroom_bot.db is not None
    clock = newsroom_bot.clock
    assert isinstance(clock, FixedClock)
    assert (await ask(editor, room, "!subscribe")).startswith("Subscribed.")
    scheduler = Scheduler(newsroom_bot.db, data, clock)
    await scheduler.tick()  # the bundled articles are known from here

    async with poller.opened():
        await poller.poll(sources_file.load(sources)[0])
    shown = await ask(editor, room, "!draft")
    assert shown.startswith(f"Draft 1 · Loopback News\n{TITLE}\nLanguage: en")
    assert "✓ 2. kind stock" in shown
    assert "✗ 2. kind stock" in await ask(editor, room, "!drop 2")
    assert "Title: Douze accords" in await ask(editor, room, EDIT)
    published = await ask(editor, room, "!publish")
    assert "Published as loopback-news-2025-06-10-kz-fr.yaml." in published
    assert await ask(editor, room, "!publish 1") == (
        "Draft 1 is no longer under review (published).")
    reloaded = Library.load(data_dir)
    assert any(a.title.en == "Twelve agreements signed in Astana" for a in reloaded.articles)

    clock.set(datetime(2025, 6, 12, 3, tzinfo=UTC))  # 08:00 in Almaty
    await scheduler.tick()
    rows = [r for r in await outbox.rows(newsroom_bot.db) if r.kind == "digest"]
    assert [r.text.count("Twelve agreements signed in Astana") for r in rows] == [1]
    clock.set(datetime(2025, 6, 13, 3, tzinfo=UTC))
    await scheduler.tick()
    assert len([r for r in await outbox.rows(newsroom_bot.db) if r.kind == "digest"]) == 1
