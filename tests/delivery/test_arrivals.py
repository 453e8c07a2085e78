"""Digests report what is new to Bilat: an article counts from when this instance first
loaded it, not from its publication date, and is named once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.core.clock import FixedClock
from bot.core.facts import Localized
from bot.core.library import Library
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import outbox
from bot.store.db import Database
from tests.support.delivery import subscribe


def utc(month: int, day: int, hour: int = 0) -> datetime:
    """A UTC instant in 2025."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


def with_late_article(seed: Library) -> Library:
    """The seed and a second article, published on 7 May but added to the data later."""
    article = seed.articles[0]
    late = article.model_copy(update={
        "id": "late-2025-05-07-kazakhstan-france",
        "title": Localized(en="A late addition on trade", fr="Un ajout tardif sur le commerce"),
        "source": article.source.model_copy(update={"published": utc(5, 7, 12)}),
        "trade": (), "investments": (), "counts": (), "events": ()})
    return Library((article, late), seed.sectors, seed.countries)


async def test_an_article_added_after_the_digest_is_announced_once(
        db: Database, seed_library: Library) -> None:
    clock = FixedClock(utc(5, 6))
    chat = await subscribe(db, clock, "en")
    current = [seed_library]
    scheduler = Scheduler(db, lambda: current[0], clock)
    clock.set(utc(5, 8, 3))
    await scheduler.tick()
    first = await outbox.get(db, f"digest:{chat.id}:2025-05-08")
    assert first is not None and "A late addition" not in first.text
    clock.set(utc(5, 9, 2))
    current[0] = with_late_article(seed_library)  # published 7 May, loaded 9 May
    clock.set(utc(5, 9, 3))
    await scheduler.tick()
    second = await outbox.get(db, f"digest:{chat.id}:2025-05-09")
    assert second is not None
    assert "\n• A late addition on trade · La Gazette" in second.text
    assert "Astana and Paris aim to widen cooperation" not in second.text.split(
        "In the next 30 days")[0]
    clock.set(utc(5, 10, 3))
    await scheduler.tick()
    assert await outbox.get(db, f"digest:{chat.id}:2025-05-10") is None  # nothing new


async def test_a_sector_filter_keeps_the_digest_to_its_sectors(
        db: Database, seed_library: Library) -> None:
    clock = FixedClock(utc(5, 6))
    energy = await subscribe(db, clock, "energy", settings=PushSettings(sectors=("energy",)))
    defence = await subscribe(db, clock, "defence",
                              settings=PushSettings(sectors=("defence",), always=True))
    scheduler = Scheduler(db, lambda: seed_library, clock)
    clock.set(utc(5, 8, 3))
    await scheduler.tick()
    listed = await outbox.get(db, f"digest:{energy.id}:2025-05-08")
    assert listed is not None and "Astana and Paris aim to widen cooperation" in listed.text
    other = await outbox.get(db, f"digest:{defence.id}:2025-05-08")
    assert other is not None and "No new article." in other.text  # not a defence article


async def test_a_figure_changed_in_a_known_article_reads_as_a_change(
        db: Database, seed_library: Library) -> None:
    clock = FixedClock(utc(5, 6))
    chat = await subscribe(db, clock, "en")
    current = [seed_library]
    scheduler = Scheduler(db, lambda: current[0], clock)
    clock.set(utc(5, 8, 3))
    await scheduler.tick()
    article = seed_library.articles[0]
    [turnover] = [f for f in article.trade if f.id == "turnover-2024"]
    fixed = article.model_copy(update={"trade": tuple(
        f.model_copy(update={"value": Decimal("5.6")}) if f is turnover else f
        for f in article.trade)})
    current[0] = Library((fixed,), seed_library.sectors, seed_library.countries)
    clock.set(utc(5, 9, 3))
    await scheduler.tick()
    row = await outbox.get(db, f"digest:{chat.id}:2025-05-09")
    assert row is not None
    text = row.text.replace("\u00a0", " ")
    assert "No new article." in text
    assert "• Bilateral trade, 2024: $5.6 billion" in text
    assert "Earlier reported: $5.5 billion (La Gazette, 7 May 2025)" in text
    clock.set(utc(5, 10, 3))
    await scheduler.tick()
    assert await outbox.get(db, f"digest:{chat.id}:2025-05-10") is None  # told once
