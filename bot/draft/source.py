"""An article's text and what the page says about it (title, date, site, language).

HTML goes through trafilatura, which finds the main text and the page's metadata; plain
text is taken as it is. Both libraries are imported only when a draft is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<article|<div|<p[ >])",
                   re.IGNORECASE)
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "was", "with", "for", "on", "that"},
    "fr": {"le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour", "au", "qui"},
}


class SourceError(ValueError):
    """The input cannot be drafted from, with what to do about it."""


@dataclass(frozen=True)
class Page:
    """The text of an article and its metadata, each None when the page does not say."""

    text: str
    title: str | None = None
    published: date | None = None
    publisher: str | None = None
    url: str | None = None
    language: str | None = None


def read(raw: str, url: str | None = None) -> Page:
    """The article in ``raw``: HTML through trafilatura, anything else as plain text."""
    if not _HTML.match(raw):
        return Page(raw.replace("\r\n", "\n"), url=url)
    import trafilatura  # heavy: only for web pages

    found = trafilatura.bare_extraction(raw, url=url, with_metadata=True,
                                        include_comments=False, include_tables=False)
    # trafilatura 2 returns a Document (its ``as_dict`` argument is deprecated), or None
    doc: dict[str, Any] = {} if found is None else \
        found if isinstance(found, dict) else found.as_dict()
    if not doc.get("text"):
        raise SourceError("no article text found in this page")
    published = None
    if doc.get("date"):
        try:
            published = date.fromisoformat(str(doc["date"])[:10])
        except ValueError:
            published = None
    lang = doc.get("language")
    return Page(str(doc["text"]), doc.get("title"), published,
                doc.get("sitename") or doc.get("hostname"), url or doc.get("url"),
                lang if lang in ("en", "fr", "ru") else None)


def language(text: str) -> str:
    """``ru`` for Cyrillic text, else ``fr`` or ``en`` by their commonest small words."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum("\u0400" <= ch <= "\u04ff" for ch in letters) > len(letters) / 3:
        return "ru"
    words = re.findall(r"[a-zà-ÿ]+", text.casefold())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    return max(scores, key=lambda lang: scores[lang])


def published_day(text: str) -> date:
    """A publication day given on the command line: ISO, or words in any language."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        pass
    import dateparser  # heavy: only when the date is written in words

    found = dateparser.parse(text, settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                             "PREFER_DAY_OF_MONTH": "first"})
    if found is None:
        raise SourceError(f"{text!r} is not a date (write it as 2025-05-28 or 28 mai 2025)")
    day: date = found.date()
    return day
