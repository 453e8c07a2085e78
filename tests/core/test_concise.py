"""Short by default, details on demand: word budgets, views, typography, names and links.

Budgets are counted on the plain text a reader gets (console, Matrix ``body``), in both
languages, for every bundled article and a range of dates: a reader's screen, not a benchmark.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.core import briefings
from bot.core.briefings import BUDGETS, Scope, words
from bot.core.chat_settings import MemoryChat
from bot.core.clock import parse_instant
from bot.core.facts import Period
from bot.core.library import Library
from bot.core.pushes import (
    PushSettings,
    alert_moments,
    pair_digest,
    planned_events,
    render_alert,
    render_digest,
)
from bot.core.render import Rendered
from tests.support import asking

ZONE = "Asia/Almaty"
PAIR = ("KZ", "FR")
DAYS = ("2019-11-12", "2022-12-01", "2023-11-01", "2023-11-03", "2025-05-07", "2025-05-28",
        "2025-06-15", "2026-01-01")
NB, NN = "\u00a0", "\u202f"


async def ask(library: Library, command: str, locale: str, day: str,
              prefix: str = "/") -> Rendered:
    """What a chat reads after typing ``command`` on ``day``."""
    reply = await asking.ask(library, parse_instant(day, ZONE), command, locale, prefix=prefix)
    assert reply is not None
    message: Rendered = reply.message
    return message


def _scope(library: Library, day: str, locale: str) -> Scope:
    return Scope.make(library, locale, parse_instant(day, ZONE), ZONE)


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("day", DAYS)
async def test_default_answers_fit_their_budget(library: Library, locale: str,
                                                day: str) -> None:
    for command, budget in (("/trade", "trade"), ("/events", "events"), ("/brief", "brief"),
                            ("/summary", "summary")):
        got = await ask(library, command, locale, day)
        assert words(got) <= BUDGETS[budget], (command, words(got), got.text)
    for pair in library.pairs:
        code = "-".join(pair)
        for command, budget in ((f"/trade {code}", "trade"), (f"/events {code}", "events"),
                                (f"/brief {code}", "brief")):
            got = await ask(library, command, locale, day)
            assert words(got) <= BUDGETS[budget], (command, words(got), got.text)
        for n in range(1, len(library.about(pair)) + 1):
            got = await ask(library, f"/summary {n} {code}", locale, day)
            assert words(got) <= BUDGETS["summary"], (n, code, words(got), got.text)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_digests_and_alerts_fit_their_budget(library: Library, locale: str) -> None:
    zone = ZoneInfo(ZONE)
    for article in library.articles:
        since = article.source.published - timedelta(days=400)  # many new articles at once
        now = article.source.published + timedelta(hours=1)
        scope = Scope.make(library, locale, now, ZONE, PAIR)
        part = pair_digest(scope.library, PAIR, now.date(), since, frozenset())
        digest = render_digest(scope, [part], since, "weekly")
        assert words(digest) <= BUDGETS["digest"], digest.text
    alerts = [a for item in planned_events(library, PAIR)
              for a in alert_moments(PAIR, item, PushSettings(), zone)]
    assert alerts
    for due in alerts:
        got = render_alert(library, due, locale, due.moment, ZONE)
        assert words(got) <= BUDGETS["alert"], got.text


async def test_trade_headlines_the_latest_full_year_with_notes_one_step_away(
        library: Library) -> None:
    for locale, headline in (("en", f"$5.5{NB}billion, up 31% on 2023"),
                             ("fr", f"5,5{NB}milliards de dollars, en hausse de 31{NB}% par "
                                    "rapport à 2023")):
        short = await ask(library, "/trade", locale, "2025-05-07")
        assert headline in short.text
        notes_command = "/trade notes" if locale == "en" else "/commerce notes"
        assert notes_command in short.text
        notes = await ask(library, notes_command, locale, "2025-05-07")
        assert ("add up to $5.1" if locale == "en" else "font 5,1") in notes.text
        assert "2022" in notes.text and "€5.3" in notes.text.replace("5,3" + NB + "milliards "
                                                                         "d’euros", "€5.3")


async def test_a_figure_with_a_note_says_where_the_note_is(library: Library) -> None:
    mislabelled = (await ask(library, "/summary economiematin", "en", "2025-05-07")).text
    assert f"Bilateral trade, 2022: €4{NB}billion, up 30% on 2021 ⚠ /trade notes" in mislabelled
    clean = (await ask(library, "/summary kazinform", "en", "2025-05-07")).text
    assert "⚠" not in clean


async def test_a_later_partial_period_never_headlines(library: Library) -> None:
    article = library.articles[0]
    q1 = next(t for t in article.trade if t.id == "turnover-2024").model_copy(update={
        "id": "turnover-2025-q1", "period": Period.model_validate("2025-01/2025-03"),
        "value": Decimal("1.9"), "growth": None})
    later = Library((article.model_copy(update={"trade": (*article.trade, q1)}),
                     *library.articles[1:]), library.sectors, library.countries,
                    names=library.names)
    short = (await ask(later, "/trade", "en", "2025-05-07")).text
    assert short.startswith("Kazakhstan–France trade, 2024\n")
    assert f"Latest partial period: Jan–Mar 2025, $1.9{NB}billion" in short


async def test_detail_views_and_one_year(library: Library) -> None:
    every = (await ask(library, "/trade all", "en", "2025-05-07")).text
    assert "Full years, in US dollars\n2021:" in every
    assert "Full years, in euros\n2022: €5.3" in every
    assert "Partial periods (not comparable with full years)\nJan–Sept 2019" in every
    assert "(+21.1% on Jan–Aug 2022)" in every
    year = (await ask(library, "/trade 2023", "en", "2025-05-07")).text
    assert "2023: $4.2" in year and "2024" not in year.split("More:")[0]
    assert "2019" not in year and "2022:" not in year
    sources = await ask(library, "/trade sources", "fr", "2025-05-07")
    assert "https://www.lagazetteaz.fr/news/economie/20153.html" in sources.html
    full = (await ask(library, "/summary full", "en", "2025-05-07")).text
    assert "Key points" in full and words(Rendered(full, full)) > BUDGETS["summary"]
    past = (await ask(library, "/events all", "en", "2025-05-07")).text
    assert "Past" in past


@pytest.mark.parametrize("command", ["/trade", "/summary", "/events", "/brief",
                                     "/trade all", "/trade notes", "/summary full"])
@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_every_briefing_links_its_source_and_names_views_with_the_prefix(
        library: Library, command: str, locale: str) -> None:
    got = await ask(library, "!" + command[1:], locale, "2025-05-07", prefix="!")
    assert '<a href="https://' in got.html
    assert re.search(r"<https://\S+>", got.text), got.text
    last = got.text.splitlines()[-1]
    assert last.startswith("More: !" if locale == "en" else f"Plus{NN}: !"), last
    assert "/" not in last


def _without_links(text: str) -> str:
    """The words a reader reads, addresses left out."""
    return re.sub(r" <https?://\S+>", "", text)


async def test_french_reads_as_french(library: Library) -> None:
    text = _without_links("\n".join([(await ask(library, c, "fr", "2023-11-03")).text
                      for c in ("/events all", "/summary full 3", "/trade notes", "/brief")]))
    assert "1er novembre 2023" in text
    assert re.search(r"\b1 novembre", text) is None
    assert "'" not in text  # one apostrophe style: ’
    assert re.search(r"[^\u202f][;:!?](\s|$)", text) is None, "space before ; : ! ?"
    assert "«\u202f" in text and "\u202f»" in text and "\u202f\u202f" not in text
    assert "Tokaïev" in text and "Tokayev" not in text
    assert "$US" not in text and "milliards de dollars" in text


async def test_english_reads_as_british_english_with_translated_publishers(
        library: Library) -> None:
    text = _without_links("\n".join([(await ask(library, c, "en", "2023-11-03")).text
                      for c in ("/events all", "/summary full 2", "/trade notes")]))
    assert "1 November 2023" in text and "November 1, 2023" not in text
    assert "Tokaïev" not in text and "Mamine" not in text
    assert "Ministère" not in text and "Ministry of Foreign Affairs of Kazakhstan" in text


def test_times_read_the_locales_way(seed_library: Library) -> None:
    event = seed_library.articles[0].events[2].model_copy(update={"time": "18:30"})
    fr = _scope(seed_library, "2025-05-07", "fr").phrases.schedule(event, date(2025, 5, 7))
    en = _scope(seed_library, "2025-05-07", "en").phrases.schedule(event, date(2025, 5, 7))
    assert f"18{NB}h{NB}30" in fr and "18:30" in en


async def test_start_greets_a_new_chat_and_briefs_a_returning_one(library: Library) -> None:
    class Returning(MemoryChat):
        returning = True  # as a store says of a chat it had a row for

    now = datetime(2025, 5, 7, 20, tzinfo=UTC)
    new = await asking.ask(library, now, "/start")
    assert new is not None and "/trade" in new.message.text and "at a glance" not in \
        new.message.text
    back = await asking.ask(library, now, "/start", chat=Returning())
    assert back is not None and back.message.text.startswith("Kazakhstan–France at a glance")


def test_the_seed_names_its_url(seed_library: Library) -> None:
    assert seed_library.articles[0].source.url == \
        "https://www.lagazetteaz.fr/news/economie/20153.html"


async def test_bad_view_words_get_a_clear_answer(library: Library) -> None:
    got = (await ask(library, "/trade everything", "en", "2025-05-07")).text
    assert got.startswith("“everything” is not a year, all, notes or sources.")
    assert briefings.trade(_scope(library, "2025-05-07", "en"), 1990).text.startswith(
        "Kazakhstan–France trade\nNo trade figures for 1990.")
