"""An iCalendar (.ics) file of upcoming events, for any chat network to attach.

Only events known to the day (or to a range of days) become entries, as all-day events: a
calendar cannot hold "May 2025" or "before 28 May" without inventing a day, so those are left
out and counted, and the caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.core import i18n
from bot.core.briefings import EventItem, Scope, split_events
from bot.core.facts import DayDate, DaysDate
from bot.core.network import Attachment
from bot.core.phrases import N_

CALENDAR_NAME = N_("Bilat: {pair} events")
SOURCES = N_("Sources: {sources}")
CAPTION = N_("Upcoming events with a known day, to add to a calendar.")
CAPTION_SKIPPED = N_("Events known only to the month, or less precisely, are left out.")
MIME = "text/calendar"


@dataclass(frozen=True)
class EventsCalendar:
    """The .ics bytes and how many upcoming events it holds or leaves out."""

    data: bytes
    included: int
    skipped: int

    def attachment(self, scope: Scope) -> Attachment:
        """The file to send, named after the pair (``bilat-events-kz-fr.ics``)."""
        name = "-".join(code.lower() for code in scope.pair)
        return Attachment(f"bilat-events-{name}.ics", MIME, self.data,
                          self.caption(scope.locale))

    def caption(self, locale: str) -> str:
        """A short caption saying what the file holds."""
        text = i18n.gettext(locale, CAPTION)
        if self.skipped:
            text += " " + i18n.gettext(locale, CAPTION_SKIPPED)
        return text


def _entry(item: EventItem, scope: Scope) -> Event | None:
    """An all-day VEVENT for a day-precision event, else None."""
    event = item.event
    when = event.date
    if isinstance(when, DayDate):
        start, end = when.value, when.value
    elif isinstance(when, DaysDate):
        start, end = when.start, when.end
    else:
        return None
    entry = Event()
    entry.add("uid", f"{item.key}@bilat")
    entry.add("dtstamp", scope.now.astimezone(ZoneInfo("UTC")))
    entry.add("dtstart", start)
    entry.add("dtend", end + timedelta(days=1))  # DTEND of an all-day event is exclusive
    entry.add("summary", event.title.get(scope.locale))
    if event.place:
        entry.add("location", event.place.name.get(scope.locale))
    entry.add("description", _description(item, scope))
    url = next((a.source.url for a in item.sources if a.source.url), None)
    if url:
        entry.add("url", url)
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return entry


def _description(item: EventItem, scope: Scope) -> str:
    """The event's date line, note and sources, as plain text."""
    p, event = scope.phrases, item.event
    # No "tomorrow" or "in 3 weeks": a calendar entry outlives the day it was made.
    when = p.when(event)
    if event.time:
        when += f", {event.time} {p._('local time')}"
    if event.place:
        when += f" · {event.place.name.get(scope.locale)}"
    lines = [when]
    if item.event.note:
        lines.append(item.event.note.get(scope.locale))
    sources = "; ".join(p.source(a) for a in item.sources)
    lines.append(i18n.gettext(scope.locale, SOURCES).format(sources=sources))
    return "\n".join(lines)


def upcoming_calendar(scope: Scope) -> EventsCalendar | None:
    """The upcoming events known to the day as a calendar; None when there is none."""
    upcoming, _ = split_events(scope)
    entries = [e for item in upcoming if (e := _entry(item, scope)) is not None]
    if not entries:
        return None
    calendar = Calendar()
    calendar.add("prodid", "-//Bilat//Bilat briefings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", i18n.gettext(scope.locale, CALENDAR_NAME).format(
        pair=scope.phrases.pair(scope.pair)))
    for entry in entries:
        calendar.add_component(entry)
    return EventsCalendar(calendar.to_ical(), len(entries), len(upcoming) - len(entries))
