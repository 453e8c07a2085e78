"""Consistency checks across figures: sums, stated growth, sources that disagree, mislabels.

Every check works on what was printed: a figure stands for the interval its digits allow
("4" is 3.5 to 4.5), and a note is raised only when those intervals cannot be reconciled.
Figures in different currencies are compared through the bundled annual average rates
(``bot.core.fx``), as an indication only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from bot.core import fx
from bot.core.facts import Article, TradeFigure
from bot.core.library import Library, Pair, Sourced, pair_key

Interval = tuple[Decimal, Decimal]
INFINITY = Decimal("Infinity")


@dataclass(frozen=True)
class SumMismatch:
    """Exports plus imports do not make the stated turnover, whatever the rounding."""

    article: Article
    turnover: TradeFigure
    exports: TradeFigure
    imports: TradeFigure

    @property
    def total(self) -> Decimal:
        """Exports + imports, in the turnover's unit."""
        return self.exports.value + self.imports.value


@dataclass(frozen=True)
class GrowthMismatch:
    """The stated growth lies outside every growth the printed figures allow."""

    article: Article
    figure: TradeFigure
    base: Sourced[TradeFigure]
    low: Decimal
    high: Decimal
    decider: Sourced[TradeFigure] | None = None  # a more precise base that settles it


@dataclass(frozen=True)
class Converted:
    """A figure in another currency, converted at its year's average rate (indicative)."""

    figure: Sourced[TradeFigure]
    currency: str
    value: Decimal  # in currency units of ``currency``


@dataclass(frozen=True)
class Disagreement:
    """Sources give values for the same period and flow that cannot all be true."""

    period: str
    flow: str
    figures: tuple[Sourced[TradeFigure], ...]
    converted: tuple[Converted, ...] = ()  # indicative conversions into the main currency


@dataclass(frozen=True)
class Mislabel:
    """The same number and growth as another source, in another currency: likely mislabelled."""

    figure: Sourced[TradeFigure]
    twin: Sourced[TradeFigure]


Finding = SumMismatch | GrowthMismatch | Disagreement | Mislabel


def interval(fig: TradeFigure) -> Interval:
    """The values a printed figure can stand for, given its digits and qualifier."""
    low, high = fig.absolute - fig.half_ulp, fig.absolute + fig.half_ulp
    if fig.qualifier == "more_than":
        return (fig.absolute, INFINITY)
    if fig.qualifier == "less_than":
        return (Decimal(0), fig.absolute)
    if fig.qualifier in ("nearly", "approximately"):
        return (low * Decimal("0.9"), high * Decimal("1.1"))
    return (low, high)


def percent_interval(value: Decimal) -> Interval:
    """The values a printed percentage can stand for (``31`` is 30.5 to 31.5)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    half = Decimal(5).scaleb(exponent - 1)
    return (value - half, value + half)


def growth_interval(base: TradeFigure, value: TradeFigure) -> Interval | None:
    """Every growth in percent that the two printed figures allow; None if unbounded."""
    b_lo, b_hi = interval(base)
    v_lo, v_hi = interval(value)
    if b_lo <= 0 or INFINITY in (b_hi, v_hi):
        return None
    return ((v_lo / b_hi - 1) * 100, (v_hi / b_lo - 1) * 100)


def _disjoint(a: Interval, b: Interval) -> bool:
    return a[1] < b[0] or b[1] < a[0]


def _same_unit(a: TradeFigure, b: TradeFigure) -> bool:
    return a.unit == b.unit and a.currency == b.currency


def sum_mismatches(article: Article) -> list[SumMismatch]:
    """Turnovers that differ from exports + imports by more than rounding allows."""
    found = []
    by_key = {(t.period.key, t.flow, pair_key((t.reporter, t.partner))): t for t in article.trade}
    for fig in article.trade:
        if fig.flow != "turnover":
            continue
        key = fig.period.key, pair_key((fig.reporter, fig.partner))
        exp, imp = by_key.get((key[0], "exports", key[1])), by_key.get((key[0], "imports", key[1]))
        if not exp or not imp or not (_same_unit(fig, exp) and _same_unit(fig, imp)):
            continue
        slack = fig.half_ulp + exp.half_ulp + imp.half_ulp
        if abs(exp.absolute + imp.absolute - fig.absolute) > slack:
            found.append(SumMismatch(article, fig, exp, imp))
    return found


TradeKey = tuple[str, str, frozenset[str], str]


def _key(t: TradeFigure, period: str | None = None) -> TradeKey:
    return (period or t.period.key, t.flow, pair_key((t.reporter, t.partner)), t.currency)


def _candidates(library: Library, pair: Pair) -> dict[TradeKey, list[Sourced[TradeFigure]]]:
    """Every figure by period, flow, pair and currency, newest article first."""
    def build() -> dict[TradeKey, list[Sourced[TradeFigure]]]:
        index: dict[TradeKey, list[Sourced[TradeFigure]]] = defaultdict(list)
        for s in library.trade(pair):
            index[_key(s.fact)].append(s)
        return index
    return library.cached(("trade-candidates", pair_key(pair)), build)


def _bases(fig: TradeFigure, article: Article, library: Library) -> list[Sourced[TradeFigure]]:
    """The previous period's figures for the same flow: the article's own first."""
    wanted = _key(fig, fig.period.previous_year().key)
    own = [Sourced(t, article) for t in article.trade if _key(t) == wanted]
    others = _candidates(library, (fig.reporter, fig.partner)).get(wanted, [])
    return own + [s for s in others if s.article != article]


def growth_mismatches(article: Article, library: Library) -> list[GrowthMismatch]:
    """Stated growth rates that no value allowed by the printed figures can give."""
    found = []
    for fig in article.trade:
        if fig.growth is None:
            continue
        bases = _bases(fig, article, library)
        if not bases:
            continue
        stated = percent_interval(fig.growth.percent)
        first = bases[0]
        allowed = growth_interval(first.fact, fig)
        if allowed is None:
            continue
        # A more precise base that fits the first one's interval decides the question.
        precise = [b for b in bases[1:] if b.fact.half_ulp < first.fact.half_ulp
                   and not _disjoint(interval(b.fact), interval(first.fact))]
        decider = min(precise, key=lambda b: b.fact.half_ulp) if precise else None
        if decider is not None:
            allowed = growth_interval(decider.fact, fig) or allowed
        if _disjoint(stated, allowed):
            low, high = (x.quantize(Decimal("0.1")) for x in allowed)
            found.append(GrowthMismatch(article, fig, decider or first, low, high, decider))
    return found


def _main_currency(library: Library, pair: Pair) -> str:
    """The currency most of the pair's figures use (its statistics' usual currency)."""
    counts: dict[str, int] = defaultdict(int)
    for s in library.trade(pair):
        counts[s.fact.currency] += 1
    return max(counts, key=lambda c: (counts[c], c))


def _convert(s: Sourced[TradeFigure], target: str) -> tuple[Interval, Converted | None] | None:
    """A figure's interval in ``target`` at its year's average rate; None without a rate."""
    lo, hi = interval(s.fact)
    if s.fact.currency == target:
        return (lo, hi), None
    factor = fx.rates().factor(s.fact.currency, target, s.fact.period.end.year)
    if factor is None:
        return None
    return (lo * factor, hi * factor), Converted(s, target, s.fact.absolute * factor)


def mislabels(items: list[Sourced[TradeFigure]], main: str) -> list[Mislabel]:
    """Figures outside ``main`` with another source's number, unit and growth in ``main``."""
    found = []
    for s in items:
        f = s.fact
        if f.growth is None or f.currency == main:
            continue
        twin = next((t for t in items if t.fact.currency == main and t.article != s.article
                     and (t.fact.value, t.fact.unit) == (f.value, f.unit) and t.fact.growth
                     and t.fact.growth.percent == f.growth.percent), None)
        if twin is not None:
            found.append(Mislabel(s, twin))
    return found


def _groups(library: Library, pair: Pair) -> dict[tuple[str, str, object],
                                                  list[Sourced[TradeFigure]]]:
    """Figures by period, flow and direction, every currency together."""
    groups: dict[tuple[str, str, object], list[Sourced[TradeFigure]]] = defaultdict(list)
    for item in library.trade(pair):
        t = item.fact
        who: object = pair_key(t.direction) if t.flow == "turnover" else t.direction
        flow = "turnover" if t.flow == "turnover" else "exports"
        groups[(t.period.key, flow, who)].append(item)
    return groups


def disagreements(library: Library, pair: Pair) -> list[Finding]:
    """Values for one period and flow that cannot all be true, across currencies; mislabels."""
    found: list[Finding] = []
    main = _main_currency(library, pair) if library.trade(pair) else ""
    for (period, _, _), items in _groups(library, pair).items():
        if len({i.article.id for i in items}) < 2:
            continue
        odd = mislabels(items, main)
        found.extend(odd)
        kept = [i for i in items if all(m.figure is not i for m in odd)]
        ranges, converted = [], []
        for s in kept:
            got = _convert(s, main)
            if got is None:
                continue
            ranges.append(got[0])
            if got[1] is not None:
                converted.append(got[1])
        if ranges and max(lo for lo, _ in ranges) > min(hi for _, hi in ranges):
            ordered = sorted(kept, key=lambda s: s.fact.currency != main)
            found.append(Disagreement(period, items[0].fact.flow, tuple(ordered),
                                      tuple(converted)))
    return found


def findings(library: Library, pair: Pair) -> list[Finding]:
    """Every consistency finding for ``pair``, article by article, then across sources."""
    return library.cached(("findings", pair_key(pair)), lambda: _findings(library, pair))


def _findings(library: Library, pair: Pair) -> list[Finding]:
    out: list[Finding] = []
    for article in library.about(pair):
        out += sum_mismatches(article)
        out += growth_mismatches(article, library)
    out += disagreements(library, pair)
    return out


def all_findings(library: Library) -> list[Finding]:
    """Findings for every pair in the library."""
    return [f for pair in library.pairs for f in findings(library, pair)]


def period_of(finding: Finding) -> str:
    """The period key a finding is about."""
    if isinstance(finding, Disagreement):
        return finding.period
    if isinstance(finding, Mislabel):
        return finding.figure.fact.period.key
    return (finding.turnover if isinstance(finding, SumMismatch) else finding.figure).period.key
