"""The .ics of upcoming events (bot/core/event_calendar.py): all-day entries, known days."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar

from bot.core.briefings import Scope
from bot.core.event_calendar import upcoming_calendar
from bot.core.facts import BeforeDate
from bot.core.library import Library
from tests.conftest import ZONE


def test_day_events_become_all_day_entries(seed_library: Library, may7: datetime) -> None:
    found = upcoming_calendar(Scope.make(seed_library, "fr", may7, ZONE))
    assert found is not None and (found.included, found.skipped) == (3, 0)
    calendar = Calendar.from_ical(found.data)
    assert str(calendar["X-WR-CALNAME"]) == "Bilat\u202f: événements Kazakhstan–France"
    ceremony, journee, forum = calendar.walk("VEVENT")
    assert journee.decoded("DTSTART") == date(2025, 5, 28)
    assert ceremony.decoded("DTSTART") == date(2025, 5, 8)
    assert ceremony.decoded("DTEND") == date(2025, 5, 9)  # exclusive: one whole day
    assert str(ceremony["LOCATION"]) == "Astana"
    assert str(ceremony["UID"]) == \
        "lagazette-2025-05-07-kazakhstan-france/victory-day-ceremony-2025@bilat"
    assert str(forum["SUMMARY"]) == "Forum international d'Astana"
    assert (forum.decoded("DTSTART"), forum.decoded("DTEND")) == (date(2025, 5, 29),
                                                                  date(2025, 5, 31))
    description = str(forum["DESCRIPTION"])
    assert description.startswith("29–30 mai 2025 · Astana\n")
    assert description.endswith("Sources\u202f: La Gazette, 7 mai 2025")
    assert "dans 3 semaines" not in description  # nothing that goes stale in a calendar


def test_english_and_the_caption(seed_library: Library, may7: datetime) -> None:
    found = upcoming_calendar(Scope.make(seed_library, "en", may7, ZONE))
    assert found is not None
    forum = Calendar.from_ical(found.data).walk("VEVENT")[2]
    assert str(forum["SUMMARY"]) == "Astana International Forum"
    assert found.caption("en") == "Upcoming events with a known day, to add to a calendar."
    # An event known only to come "before" a day is left out, and the caption says so.
    article = seed_library.articles[0]
    vague = tuple(e.model_copy(update={"date": BeforeDate(
        precision="before", value=date(2025, 5, 28), after=date(2025, 5, 7))})
        if e.id == "journee-francaise-2025" else e for e in article.events)
    library = Library((article.model_copy(update={"events": vague}),), seed_library.sectors,
                      seed_library.countries)
    some = upcoming_calendar(Scope.make(library, "en", may7, ZONE))
    assert some is not None and (some.included, some.skipped) == (2, 1)
    assert some.caption("en") == ("Upcoming events with a known day, to add to a calendar. "
                                  "Events known only to the month, or less precisely, are "
                                  "left out.")
    attachment = found.attachment(Scope.make(seed_library, "en", may7, ZONE))
    assert (attachment.filename, attachment.mime) == ("bilat-events-kz-fr.ics", "text/calendar")


def test_nothing_upcoming_gives_no_calendar(seed_library: Library, june15: datetime) -> None:
    assert upcoming_calendar(Scope.make(seed_library, "en", june15, ZONE)) is None
