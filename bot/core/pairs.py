"""Country pairs as readers name them: ``DE``, ``Allemagne``, ``Kazakhstan-Germany``, ``KZ-DE``,
``franco-kazakh``, ``Kazakh-German``... resolved against the pairs the articles cover.

The words come from data/countries.yaml (adjectives, compound prefixes, other names) and from
CLDR (every territory's English and French name, and its ISO code), compared without case or
accents. A single country stands for the covered pair it belongs to; when it belongs to
several, the chat's own pairs decide, or the reader is asked which.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from babel import Locale

from bot.core.facts import LOCALES
from bot.core.library import Library, Pair, pair_key

Problem = Literal["unknown", "not_covered", "ambiguous"]
_SEPARATORS = re.compile(r"\s*[-\u2010-\u2015/+&,]\s*|\s+(?:and|et|with|avec)\s+|\s+")
_ARTICLES = re.compile(r"^(?:(?:the|le|la|les|de|du|des)\s+|l'|d')")


def fold(text: str) -> str:
    """Lower-case, without accents, one apostrophe: ``L’Ouzbékistan`` -> ``l'ouzbekistan``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u02bb", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _bare(name: str) -> str:
    """A folded name without its leading article(s): ``les etats-unis`` -> ``etats-unis``."""
    folded = fold(name)
    while (stripped := _ARTICLES.sub("", folded, count=1)) != folded:
        folded = stripped
    return folded


def _cldr_names() -> dict[str, str]:
    """Every territory's English and French name and ISO code, folded, to its code."""
    names: dict[str, str] = {}
    for locale in LOCALES:
        for code, name in Locale(locale).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                names.setdefault(_bare(name), code)
                names.setdefault(code.casefold(), code)
    return names


def vocabulary(library: Library) -> dict[str, str]:
    """Folded country words -> ISO code, the data's own words first (computed once a library)."""
    def build() -> dict[str, str]:
        words: dict[str, str] = {}
        for code, forms in library.countries.items():
            found = [forms.en, forms.fr, *forms.aliases]
            for localized in (forms.adjective, forms.prefix):
                if localized is not None:
                    found += [localized.en, localized.fr]
            for word in found:
                words[_bare(word)] = code
        for word, code in _cldr_names().items():
            words.setdefault(word, code)
        return words
    return library.cached("pair-vocabulary", build)


def countries_in(library: Library, text: str) -> tuple[str, ...] | None:
    """The one or two countries ``text`` names, in its order; None if it names none."""
    words = vocabulary(library)
    whole = _bare(text)
    if whole in words:
        return (words[whole],)
    # Try each separator as the place where the first country's name ends.
    for match in _SEPARATORS.finditer(whole):
        first, second = _bare(whole[:match.start()]), _bare(whole[match.end():])
        if first in words and second in words and words[first] != words[second]:
            return (words[first], words[second])
    return None


@dataclass(frozen=True)
class Resolution:
    """What a pair argument names: the pairs found, or why none."""

    text: str
    pairs: tuple[Pair, ...] = ()
    countries: tuple[str, ...] = ()
    problem: Problem | None = None

    @property
    def pair(self) -> Pair | None:
        """The one pair found, if exactly one."""
        return self.pairs[0] if self.problem is None and len(self.pairs) == 1 else None


def resolve(library: Library, text: str, preferred: Iterable[Pair] = ()) -> Resolution:
    """The covered pair ``text`` names; ``preferred`` (the chat's pairs) settles a lone
    country that belongs to several covered pairs."""
    countries = countries_in(library, text)
    if countries is None:
        return Resolution(text, problem="unknown")
    if len(countries) == 2:
        pair = library.covered(countries)
        if pair is None:
            return Resolution(text, countries=countries, problem="not_covered")
        return Resolution(text, (pair,), countries)
    matching = tuple(p for p in library.pairs if countries[0] in p)
    if not matching:
        return Resolution(text, countries=countries, problem="not_covered")
    if len(matching) > 1:
        keys = {pair_key(p) for p in preferred}
        chosen = tuple(p for p in matching if pair_key(p) in keys)
        if len(chosen) != 1:
            return Resolution(text, matching, countries, "ambiguous")
        matching = chosen
    return Resolution(text, matching, countries)
