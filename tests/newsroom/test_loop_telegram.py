"""The newsroom loop on Telegram, through PTB's real HTTP stack and the fake Bot API: a feed
gains an item, the editor is told of the draft, drops a fact with a button, writes the key
points, publishes; the article is in the data and valid; the next digest of a subscribed chat
names it once. The bot restarts in the middle of the review."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.delivery.scheduler import Scheduler
from bot.newsroom import sources as sources_file
from bot.newsroom.desk import Desk
from bot.newsroom.notify import EditorNotifier
from bot.newsroom.poller import Poller
from bot.newsroom.service import Newsroom, ReviewDesk
from bot.newsroom.sources import Source
from bot.ops.admin import Operator
from bot.ops.reload import DataReloader
from bot.store import newsroom as store
from bot.store import outbox
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from tests.conftest import DATA, ZONE
from tests.fakes.botapi import FakeBotAPI, SentRecord
from tests.newsroom.conftest import FAST
from tests.newsroom.site import Entry, Site, article_html
from tests.support.delivery import subscribe
from tests.support.telegram import ADA, BOB, ask, settings_for
from tests.support.wait import eventually

TITLE = "Kazakhstan and France sign twelve agreements in Astana"
BODY = ("Kazakhstan and France signed twelve agreements in Astana on 10 June 2025, the Kazakh "
        "foreign ministry said.\n\n"
        "Trade between Kazakhstan and France reached $5.1 billion in 2024, up 12% from a year "
        "earlier.\n\n"
        "French investment in Kazakhstan totalled $19 billion since 2005.")
EDIT = ("/edit 1 fr: Douze accords signés à Astana | en: Twelve agreements signed in Astana"
        " | fr: Le commerce a atteint 5,1 milliards de dollars en 2024"
        " | en: Trade reached $5.1 billion in 2024")
MORE = (" | fr: Douze accords signés pendant la visite | en: Twelve agreements signed during"
        " the visit | fr: Astana accueillait la délégation | en: Astana hosted the delegation")


@dataclass
class Newsdesk:
    """A running bot with its newsroom: Bob is the editor."""

    bot: TelegramBot
    poller: Poller
    data: DataReloader
    db: Database


@asynccontextmanager
async def newsdesk(api: FakeBotAPI, db_path: Path, data_dir: Path, sources: Path,
                   clock: FixedClock) -> AsyncIterator[Newsdesk]:
    """Bilat with Telegram and the newsroom, as ``bilat run`` wires them."""
    async with await Database.open(db_path) as db:
        data = DataReloader.load(data_dir, interval=0)
        drafting = Desk(data)
        holder: list[TelegramBot] = []
        notifier = EditorNotifier(db, {f"telegram:{BOB}"},
                                  lambda: {"telegram": holder[0].transport}, "en")
        poller = Poller(db, sources, drafting, clock.now, FAST, notify=notifier)
        newsroom = Newsroom(db, sources, {f"telegram:{BOB}"}, poller.wake,
                            ReviewDesk(data_dir, data, data.reload, drafting, clock.now))
        ops = Operator(db, data, (), newsroom=newsroom)
        bot = TelegramBot(settings_for(api), Session(data, clock, "en", ZONE, ops),
                          TelegramChats(db, clock))
        holder.append(bot)
        await bot.start()
        try:
            await store.recover(db)
            await notifier.catch_up()
            async with poller.opened():
                yield Newsdesk(bot, poller, data, db)
        finally:
            await bot.stop()


def keyboard(record: SentRecord | dict[str, object]) -> dict[str, str]:
    """Button label -> callback data."""
    markup = record.reply_markup if isinstance(record, SentRecord) else record["reply_markup"]
    rows = (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_the_newsroom_loop_on_telegram_across_a_restart(
        api: FakeBotAPI, tmp_path: Path, site: Site) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir)
    sources = data_dir / "sources.yaml"
    db_path = tmp_path / "bilat.sqlite3"
    clock = FixedClock(datetime(2025, 6, 11, 5, tzinfo=UTC))
    site.feeds["news"] = [Entry("/news/weather", "Sunny weekend ahead in Lyon")]
    sources_file.save(sources, [Source(site.url("/feeds/news"), "Loopback News")])

    async with newsdesk(api, db_path, data_dir, sources, clock) as desk:
        reader = await subscribe(desk.db, clock, str(ADA), network="telegram")
        scheduler = Scheduler(desk.db, desk.data, clock)
        await scheduler.tick()  # the bundled articles are known from here
        [source] = sources_file.load(sources)
        await desk.poller.poll(source)
        assert await store.candidates(desk.db) == []  # nothing on a covered pair yet

        # The feed gains an item: the editor is told, in his private chat.
        site.pages["/news/kz-fr"] = article_html(TITLE, BODY)
        site.feeds["news"].append(Entry("/news/kz-fr", TITLE, "Twelve agreements signed."))
        told = len(api.messages(BOB))
        await desk.poller.poll(source)
        await api.wait_for_messages(BOB, told + 1)
        notice = api.messages(BOB)[-1].plain_text or ""
        assert notice.startswith("Draft 1 · Loopback News\n" + TITLE + "\nLanguage: en")
        assert "✓ 1. turnover-2024" not in notice  # facts by their values, not their ids
        assert "✓ 1. flow turnover · period 2024 · value 5.1" in notice
        assert "   Trade between Kazakhstan and France reached $5.1 billion in 2024" in notice

        # The editor asks for it and drops the investment figure with its button.
        [shown] = await ask(api, BOB, BOB, "/draft")
        buttons = keyboard(shown)
        assert {"Keep 1", "Drop 2", "Publish", "Drop the draft"} <= set(buttons)
        api.callback_query(BOB, BOB, shown.message_id or 0, buttons["Drop 2"])
        await eventually(lambda: "✗ 2." in api.get_message(BOB, shown.message_id or 0)["text"])
        # Ada is no editor: the same command is refused.
        [refused] = await ask(api, ADA, ADA, "/publish 1")
        assert refused.plain_text == "Sorry, this command is for Bilat’s editors only."

    # Restart in the middle of the review: the draft and the dropped fact are kept.
    async with newsdesk(api, db_path, data_dir, sources, clock) as desk:
        [shown] = await ask(api, BOB, BOB, "/draft 1")
        assert "✗ 2." in (shown.plain_text or "") and "✓ 1." in (shown.plain_text or "")
        [refusal] = await ask(api, BOB, BOB, "/publish 1")
        assert refusal.plain_text == ("Not published: write the title first (fr and en)")
        [edited] = await ask(api, BOB, BOB, EDIT)
        api.callback_query(BOB, BOB, edited.message_id or 0, keyboard(edited)["Publish"])
        await eventually(lambda: api.get_message(BOB, edited.message_id or 0)["text"] == (
            "Not published: articles/loopback-news-2025-06-10-kz-fr.yaml:14: key_points: "
            "needs at least 3 items, has 1"))
        [edited] = await ask(api, BOB, BOB, EDIT + MORE)
        assert "Title: Douze accords signés à Astana / Twelve agreements signed in Astana" in (
            edited.plain_text or "")
        api.callback_query(BOB, BOB, edited.message_id or 0, keyboard(edited)["Publish"])
        await eventually(lambda: "Published as" in api.get_message(
            BOB, edited.message_id or 0)["text"])
        [again] = await ask(api, BOB, BOB, "/publish 1")  # a second editor, or a second tap
        assert again.plain_text == "Draft 1 is no longer under review (published)."

        [written] = [p for p in (data_dir / "articles").glob("*.yaml")
                     if "Reviewed in chat" in p.read_text(encoding="utf-8")]
        text = written.read_text(encoding="utf-8")
        assert "unreviewed" not in text and "draft:" not in text and "TODO" not in text
        assert "stock-fr" not in text and "turnover-2024" in text
        reloaded = Library.load(data_dir)  # valid, and in service in the running bot
        assert any(a.title.en == "Twelve agreements signed in Astana" for a in reloaded.articles)
        assert any(a.title.en == "Twelve agreements signed in Astana"
                   for a in desk.data().articles)
        assert not list((data_dir / "articles").glob(".*.part"))

        # The next digest of the subscribed chat names it, once.
        scheduler = Scheduler(desk.db, desk.data, clock)
        clock.set(datetime(2025, 6, 12, 3, tzinfo=UTC))  # 08:00 in Almaty
        await scheduler.tick()
        digest = await outbox.get(desk.db, f"digest:{reader.id}:2025-06-12")
        assert digest is not None
        assert digest.text.count("Twelve agreements signed in Astana") == 1
        clock.set(datetime(2025, 6, 13, 3, tzinfo=UTC))
        await scheduler.tick()
        assert await outbox.get(desk.db, f"digest:{reader.id}:2025-06-13") is None
