"""Consistency checks across figures: sums, stated growth, and sources that disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from bot.core.facts import Article, TradeFigure
from bot.core.library import Library, Pair, Sourced, pair_key

# Growth is printed rounded and computed from rounded figures: allow a point either way.
GROWTH_TOLERANCE = Decimal(1)


@dataclass(frozen=True)
class SumMismatch:
    """Exports plus imports do not make the stated turnover."""

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
    """The stated growth is not what the figures give."""

    article: Article
    figure: TradeFigure
    base: Sourced[TradeFigure]
    computed: Decimal


@dataclass(frozen=True)
class Disagreement:
    """Two or more sources give different values for the same period and flow."""

    period: str
    flow: str
    figures: tuple[Sourced[TradeFigure], ...]


Finding = SumMismatch | GrowthMismatch | Disagreement


def _interval(fig: TradeFigure) -> tuple[Decimal, Decimal]:
    """The values a printed figure can stand for, given its digits and qualifier."""
    low, high = fig.absolute - fig.half_ulp, fig.absolute + fig.half_ulp
    if fig.qualifier == "more_than":
        return (fig.absolute, Decimal("Infinity"))
    if fig.qualifier == "less_than":
        return (Decimal(0), fig.absolute)
    if fig.qualifier in ("nearly", "approximately"):
        return (low * Decimal("0.9"), high * Decimal("1.1"))
    return (low, high)


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


def _trade_index(library: Library, pair: Pair) -> dict[TradeKey, Sourced[TradeFigure]]:
    """The newest figure for each period, flow, pair and currency."""
    def build() -> dict[TradeKey, Sourced[TradeFigure]]:
        index: dict[TradeKey, Sourced[TradeFigure]] = {}
        for s in library.trade(pair):
            index.setdefault(_key(s.fact), s)
        return index
    return library.cached(("trade-index", pair_key(pair)), build)


def _base_for(fig: TradeFigure, article: Article, library: Library) -> Sourced[TradeFigure] | None:
    """The previous period's figure for the same flow, from the same article if it has one."""
    wanted = _key(fig, fig.period.previous_year().key)
    own = next((Sourced(t, article) for t in article.trade if _key(t) == wanted), None)
    return own or _trade_index(library, (fig.reporter, fig.partner)).get(wanted)


def growth_mismatches(article: Article, library: Library) -> list[GrowthMismatch]:
    """Stated growth rates more than a point away from what the figures give."""
    found = []
    for fig in article.trade:
        if fig.growth is None:
            continue
        base = _base_for(fig, article, library)
        if base is None or base.fact.absolute == 0:
            continue
        computed = (fig.absolute / base.fact.absolute - 1) * 100
        if abs(computed - fig.growth.percent) > GROWTH_TOLERANCE:
            found.append(GrowthMismatch(article, fig, base, computed.quantize(Decimal("0.1"))))
    return found


def disagreements(library: Library, pair: Pair) -> list[Disagreement]:
    """Periods and flows for which sources give values that cannot all be true."""
    groups: dict[tuple[str, str, object, str], list[Sourced[TradeFigure]]] = defaultdict(list)
    for item in library.trade(pair):
        t = item.fact
        who: object = pair_key(t.direction) if t.flow == "turnover" else t.direction
        flow = "turnover" if t.flow == "turnover" else "exports"
        groups[(t.period.key, flow, who, t.currency)].append(item)
    found = []
    for (period, _, _, _), items in groups.items():
        if len({i.article.id for i in items}) < 2:
            continue
        ranges = [_interval(i.fact) for i in items]
        if max(lo for lo, _ in ranges) > min(hi for _, hi in ranges):
            found.append(Disagreement(period, items[0].fact.flow, tuple(items)))
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
