"""A PNG chart of the turnover series (matplotlib, Agg), labelled in the chat's language.

Full years only on the main panels, one panel (and one axis) per currency, so that dollars and
euros are never read on one scale; partial periods (Jan-Aug...) get panels of their own, hatched
and titled as not comparable, so that a partial figure never reads as a fall. Each bar is
labelled with the amount exactly as printed (``5,5 milliards de dollars``) and its source.
Amounts are never converted.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core import i18n
from bot.core.briefings import Scope
from bot.core.facts import Article, TradeFigure
from bot.core.phrases import N_

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TITLE = N_("{pair}: turnover by period")
FULL_YEARS = N_("Full years, in {currency}")
PARTIAL = N_("Partial periods, in {currency} (not comparable with full years)")
FOOTNOTE = N_("Amounts as each source printed them; currencies are not converted.")
CAPTION = N_("Turnover by period, as the sources printed it.")
COLOURS = ("#1f5aa6", "#d9822b", "#3b8f5a", "#8c4fa3")
DPI = 100


@dataclass(frozen=True)
class Bar:
    """One bar: a period's value, with the sources that give it."""

    figure: TradeFigure
    sources: tuple[Article, ...]


def bars(scope: Scope) -> list[Bar]:
    """The turnover values of the scope's pair, oldest period first, agreeing sources merged."""
    merged: dict[tuple[object, ...], list[tuple[TradeFigure, Article]]] = defaultdict(list)
    for s in scope.library.trade(scope.pair):
        f = s.fact
        if f.flow == "turnover":
            merged[(f.period.start, f.period.end, f.absolute, f.currency, f.qualifier)].append(
                (f, s.article))
    ordered = sorted(merged.items(), key=lambda item: item[0][:3])
    return [Bar(items[0][0], tuple(dict.fromkeys(a for _, a in items))) for _, items in ordered]


def label(bar: Bar, scope: Scope) -> str:
    """``5,5 milliards $US · La Gazette`` (first source, ``+1`` for the others)."""
    p = scope.phrases
    more = f" +{len(bar.sources) - 1}" if len(bar.sources) > 1 else ""
    return f"{p.money(bar.figure)} · {p.publisher(bar.sources[0])}{more}"


@dataclass(frozen=True)
class Panel:
    """Bars drawn on one axis: one currency, full years or partial periods."""

    currency: str
    partial: bool
    bars: tuple[Bar, ...]


def panels(scope: Scope) -> list[Panel]:
    """Full years per currency first, then partial periods per currency."""
    rows = bars(scope)
    currencies = list(dict.fromkeys(b.figure.currency for b in rows))
    out = []
    for partial in (False, True):
        for currency in currencies:
            chosen = tuple(b for b in rows if b.figure.currency == currency
                           and b.figure.period.is_year != partial)
            if chosen:
                out.append(Panel(currency, partial, chosen))
    return out


def turnover_png(scope: Scope) -> bytes | None:
    """The chart as PNG bytes, or None when the pair has no turnover figure."""
    drawn = panels(scope)
    if not drawn:
        return None
    # The object API with an explicit Agg canvas: no pyplot global state, safe in a thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    p = scope.phrases
    sizes = [len(panel.bars) + 1 for panel in drawn]
    figure = Figure(figsize=(8, 1.2 + 0.42 * sum(sizes)), dpi=DPI)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(drawn), 1, height_ratios=sizes)
    currencies = list(dict.fromkeys(panel.currency for panel in drawn))
    for index, panel in enumerate(drawn):
        axes = figure.add_subplot(grid[index])
        colour = COLOURS[currencies.index(panel.currency) % len(COLOURS)]
        _draw(axes, panel, colour, scope)
        title = PARTIAL if panel.partial else FULL_YEARS
        axes.set_title(i18n.gettext(scope.locale, title).format(
            currency=p.currency_name(panel.currency)), loc="left", fontsize=9,
            color="#555555" if panel.partial else "#000000")
    figure.suptitle(i18n.gettext(scope.locale, TITLE).format(pair=p.pair(scope.pair)),
                    x=0.01, ha="left", fontsize=12, fontweight="bold")
    figure.text(0.01, 0.01, i18n.gettext(scope.locale, FOOTNOTE), fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.03, 1, 0.97))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw(axes: Axes, panel: Panel, colour: str, scope: Scope) -> None:
    """One panel's bars, oldest at the top, each labelled as printed."""
    p = scope.phrases
    positions = list(range(len(panel.bars)))[::-1]
    values = [float(b.figure.absolute) for b in panel.bars]
    axes.barh(positions, values, color=colour, height=0.62,
              hatch="//" if panel.partial else None, alpha=0.55 if panel.partial else 1.0)
    axes.set_yticks(positions, [p.period(b.figure.period) for b in panel.bars], fontsize=9)
    top = max(values)
    for y, value, bar in zip(positions, values, panel.bars, strict=True):
        axes.text(value + top * 0.01, y, label(bar, scope), va="center", fontsize=8)
    axes.set_xlim(0, top * 1.9)  # room for the labels right of the bars
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def caption(locale: str) -> str:
    """The photo's short caption."""
    return i18n.gettext(locale, CAPTION)
