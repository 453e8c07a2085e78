"""Pushes per pair: a chat's digest covers each pair it follows in one message; a happening
reported for two of its pairs is alerted and listed once; a chat that never chose gets the
default pair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import chat_pairs, outbox
from bot.store.db import Database
from tests.core.test_pairs import KZ_DE, UZ_FR, summit_library
from tests.support.delivery import subscribe, tick_through


async def test_one_alert_and_one_listing_for_a_summit_on_two_pairs(
        db: Database, library: Library) -> None:
    both = summit_library(library)
    clock = FixedClock(datetime(2025, 6, 20, 0, 0, tzinfo=UTC))
    chat = await subscribe(db, clock, "two", settings=PushSettings(always=True))
    await chat_pairs.put(db, chat.id, (KZ_DE, UZ_FR), clock.now())
    french = await subscribe(db, clock, "deux", locale="fr", settings=PushSettings(
        always=True))
    await chat_pairs.put(db, french.id, (KZ_DE, UZ_FR), clock.now())
    planned = await tick_through(Scheduler(db, lambda: both, clock), clock,
                                 datetime(2025, 6, 25, 0, 0, tzinfo=UTC), timedelta(minutes=30))
    alerts = sorted(k for k in planned if k.startswith("alert:") and f":{chat.id}:" in k)
    assert alerts == [f"alert:{both.articles[0].id}/summit:{chat.id}:7d:2025-07-01"]
    rows = {r.key: r for r in await outbox.rows(db)}
    # The alert is titled with both followed pairs the summit is on, in each language.
    alert = rows[alerts[0]].text
    assert alert.startswith("Kazakhstan–Germany, Uzbekistan–France: reminder\n"), alert
    french_alert = rows[f"alert:{both.articles[0].id}/summit:{french.id}:7d:2025-07-01"].text
    assert french_alert.startswith("Kazakhstan–Allemagne, Ouzbékistan–France\u202f: rappel\n")
    digest = rows[f"digest:{chat.id}:2025-06-21"].text
    assert digest.index("Kazakhstan–Germany") < digest.index("Uzbekistan–France")
    # The summit (titled like the forum it was copied from) is listed under the first pair only.
    assert digest.count("Kazakh-German business forum in Astana") == 1


async def test_a_chat_that_never_chose_gets_the_default_pair(db: Database,
                                                             library: Library) -> None:
    chosen = Library(library.articles, library.sectors, library.countries, (UZ_FR,))
    clock = FixedClock(datetime(2025, 3, 11, 4, 0, tzinfo=UTC))
    chat = await subscribe(db, clock, "default", settings=PushSettings(alerts=False))
    planned = await tick_through(Scheduler(db, lambda: chosen, clock), clock,
                                 datetime(2025, 3, 12, 4, 0, tzinfo=UTC), timedelta(hours=1))
    assert list(planned) == [f"digest:{chat.id}:2025-03-12"]
    [row] = await outbox.rows(db)
    assert "Uzbekistan–France" in row.text and "Kazakhstan–France" not in row.text
