"""The loaded article data, indexed for the briefings: the one read model of the core."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from bot.core.facts import Article, CountryForms, Event, NameForms, Sector, TradeFigure
from bot.core.load import Dataset, load_dataset
from bot.core.review import servable

T = TypeVar("T")
Pair = tuple[str, str]
# Derived values kept per library. Some keys carry the time (events split per quarter-hour and
# zone), so while the data stays unchanged for months the memo must forget the oldest.
MEMO_SIZE = 1024


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A fact with the article it comes from."""

    fact: T
    article: Article


def pair_key(pair: Iterable[str]) -> frozenset[str]:
    """Order-free key of a country pair."""
    return frozenset(pair)


@dataclass(frozen=True)
class Library:
    """All articles, newest first, with their facts indexed by country pair."""

    articles: tuple[Article, ...]
    sectors: dict[str, Sector] = field(default_factory=dict)
    countries: dict[str, CountryForms] = field(default_factory=dict)
    # The deployment's default pairs (BILAT_DEFAULT_PAIRS): what a chat that never chose sees.
    defaults: tuple[Pair, ...] = ()
    names: dict[str, NameForms] = field(default_factory=dict)
    # Derived indexes, computed once per library: the data never changes under a Library.
    memo: OrderedDict[object, Any] = field(default_factory=OrderedDict, init=False,
                                           repr=False, compare=False, hash=False)

    def cached(self, key: object, build: Callable[[], T]) -> T:
        """``build()`` once per library and key, keeping the ``MEMO_SIZE`` latest used."""
        if key in self.memo:
            self.memo.move_to_end(key)
            return cast(T, self.memo[key])
        value = self.memo[key] = build()
        while len(self.memo) > MEMO_SIZE:
            self.memo.popitem(last=False)
        return value

    @classmethod
    def from_dataset(cls, data: Dataset, defaults: tuple[Pair, ...] = ()) -> Library:
        """Index a validated dataset, newest article first; drafts and unreviewed facts are
        left out, so the bot never serves them."""
        served = [a for a in map(servable, data.articles) if a is not None]
        ordered = sorted(served, key=lambda a: (a.source.published, a.id), reverse=True)
        return cls(tuple(ordered), data.sectors, data.countries, defaults, data.names)

    @classmethod
    def load(cls, root: Path, defaults: tuple[Pair, ...] = ()) -> Library:
        """Load and index a data directory (raises DataInvalid)."""
        return cls.from_dataset(load_dataset(root), defaults)

    @property
    def pairs(self) -> list[Pair]:
        """Country pairs covered, the most covered first, each in its usual order."""
        return self.cached("pairs", self._pairs)

    def _pairs(self) -> list[Pair]:
        counts = Counter(pair_key(a.countries[:2]) for a in self.articles)
        first: dict[frozenset[str], Pair] = {}
        for article in reversed(self.articles):
            first.setdefault(pair_key(article.countries[:2]),
                             (article.countries[0], article.countries[1]))
        return [first[key] for key, _ in counts.most_common()]

    def covered(self, pair: Iterable[str]) -> Pair | None:
        """``pair`` in its usual order, if articles cover it."""
        key = pair_key(pair)
        return next((p for p in self.pairs if pair_key(p) == key), None)

    def default_pairs(self) -> tuple[Pair, ...]:
        """What a chat that never chose sees: the configured pairs that are covered, else the
        pair most articles are about."""
        def build() -> tuple[Pair, ...]:
            chosen = tuple(dict.fromkeys(c for p in self.defaults if (c := self.covered(p))))
            return chosen or tuple(self.pairs[:1])
        return self.cached("default-pairs", build)

    def default_pair(self) -> Pair | None:
        """The first default pair."""
        pairs = self.default_pairs()
        return pairs[0] if pairs else None

    def about_any(self, pairs: Iterable[Pair]) -> list[Article]:
        """Articles on any of ``pairs``, newest first."""
        keys = frozenset(pair_key(p) for p in pairs)
        return self.cached(("about-any", keys), lambda: [
            a for a in self.articles if pair_key(a.countries[:2]) in keys])

    def about(self, pair: Pair) -> list[Article]:
        """Articles on ``pair``, newest first."""
        key = pair_key(pair)
        return self.cached(("about", key), lambda: [
            a for a in self.articles if pair_key(a.countries[:2]) == key])

    def find(self, ref: str, pair: Pair | None = None) -> Article | None:
        """An article by id, id prefix, or 1-based number in the newest-first list."""
        return self.find_in(ref, self.about(pair) if pair else list(self.articles))

    @staticmethod
    def find_in(ref: str, pool: list[Article]) -> Article | None:
        """An article of ``pool`` by id, id prefix, or 1-based number."""
        # ASCII digits only: str.isdigit accepts "²", which int refuses; and a few digits,
        # since int refuses thousands of them.
        if ref.isascii() and ref.isdigit():
            index = int(ref) - 1 if len(ref) <= 6 else -1
            return pool[index] if 0 <= index < len(pool) else None
        exact = [a for a in pool if a.id == ref]
        if exact:
            return exact[0]
        prefixed = [a for a in pool if a.id.startswith(ref)]
        return prefixed[0] if len(prefixed) == 1 else None

    def trade(self, pair: Pair) -> list[Sourced[TradeFigure]]:
        """Every trade figure on ``pair``, newest article first."""
        key = pair_key(pair)
        return self.cached(("trade", key), lambda: [
            Sourced(t, a) for a in self.about(pair) for t in a.trade
            if pair_key((t.reporter, t.partner)) == key])

    def events(self, pair: Pair) -> list[Sourced[Event]]:
        """Every event reported in articles on ``pair``."""
        return self.cached(("events", pair_key(pair)), lambda: [
            Sourced(e, a) for a in self.about(pair) for e in a.events])

    def first_published(self) -> date | None:
        """Publication day of the oldest article."""
        return self.articles[-1].source.published.date() if self.articles else None


def visible(library: Library, now: datetime) -> Library:
    """The library as it stood at ``now``: articles published later are left out."""
    # Articles are newest first, so what ``now`` sees is a suffix; views are cached by size.
    hidden = 0
    while hidden < len(library.articles) and library.articles[hidden].source.published > now:
        hidden += 1
    if hidden == 0:
        return library
    return library.cached(("visible", hidden), lambda: Library(
        library.articles[hidden:], library.sectors, library.countries, library.defaults,
        library.names))
