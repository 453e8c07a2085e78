"""A PNG chart of the turnover series (matplotlib, Agg), labelled in the chat's language.

One horizontal bar per period and value, oldest first as in the /trade text, each labelled with
the amount exactly as printed (``5,5 milliards $US``) and its source. Amounts in different
currencies keep their own colour and are never converted.
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
    return f"{p.money(bar.figure)} · {bar.sources[0].source.publisher}{more}"


def turnover_png(scope: Scope) -> bytes | None:
    """The chart as PNG bytes, or None when the pair has no turnover figure."""
    rows = bars(scope)
    if not rows:
        return None
    # The object API with an explicit Agg canvas: no pyplot global state, safe in a thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    p = scope.phrases
    currencies = list(dict.fromkeys(b.figure.currency for b in rows))
    figure = Figure(figsize=(8, 1.6 + 0.42 * len(rows)), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]  # oldest at the top, as in the text
    values = [float(b.figure.absolute) for b in rows]
    colours = [COLOURS[currencies.index(b.figure.currency) % len(COLOURS)] for b in rows]
    axes.barh(positions, values, color=colours, height=0.62)
    axes.set_yticks(positions, [p.period(b.figure.period) for b in rows], fontsize=9)
    top = max(values)
    for y, value, bar in zip(positions, values, rows, strict=True):
        axes.text(value + top * 0.01, y, label(bar, scope), va="center", fontsize=8)
    axes.set_xlim(0, top * 1.9)  # room for the labels right of the bars
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_title(i18n.gettext(scope.locale, TITLE).format(pair=p.pair(scope.pair)),
                   loc="left", fontsize=12, fontweight="bold")
    _legend(axes, currencies, scope.locale)
    figure.text(0.01, 0.01, i18n.gettext(scope.locale, FOOTNOTE), fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _legend(axes: Axes, currencies: list[str], locale: str) -> None:
    """A colour key when more than one currency is shown."""
    if len(currencies) < 2:
        return
    from babel.numbers import get_currency_symbol
    from matplotlib.patches import Patch

    handles = [Patch(color=COLOURS[i % len(COLOURS)], label=get_currency_symbol(c, locale))
               for i, c in enumerate(currencies)]
    axes.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)


def caption(locale: str) -> str:
    """The photo's short caption."""
    return i18n.gettext(locale, CAPTION)
