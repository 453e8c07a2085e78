"""Render time per briefing and language, on the bundled data (three country pairs) and on
1,000 generated articles spread over 20 pairs.

Each run renders one pair's briefing, the pairs taken in turn; "events xN" renders one event
list covering N pairs (a chat following several), held to the same target as the others (an
event's lines are rendered once a day per language, whichever lists hold it). Prints the
median and 99th percentile in milliseconds. Targets: median under 1 ms per briefing on the
bundled data, under 20 ms at 1,000 articles.
Run: ``make bench`` or ``.venv/bin/python bench/render.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import briefings
from bot.core.clock import parse_instant
from bot.core.facts import Article
from bot.core.library import Library, Pair
from bot.core.load import Dataset, load_dataset
from bot.core.render import Rendered

DATA = Path(__file__).resolve().parents[1] / "data"
BRIEFINGS: dict[str, Callable[[briefings.Scope], Rendered]] = {
    "summary": briefings.summary,
    "trade": briefings.trade,
    "events": briefings.events,
    "events all": lambda s: briefings.events(s, "all"),
    "brief": briefings.brief,
    "trade all": lambda s: briefings.trade(s, view="all"),
    "trade notes": lambda s: briefings.trade(s, view="notes"),
}


# 20 relationships for the generated data: five Central Asian countries and four partners.
GENERATED_PAIRS: tuple[Pair, ...] = tuple(
    (a, b) for a in ("KZ", "UZ", "KG", "TJ", "TM") for b in ("FR", "DE", "IT", "ES"))


def _on_pair(article: Article, pair: Pair) -> Article:
    """``article`` re-pointed at ``pair``: its countries, trade and investment sides."""
    old = article.countries[:2]
    swap = dict(zip(old, pair, strict=True))
    trade = tuple(t.model_copy(update={"reporter": swap.get(t.reporter, t.reporter),
                                       "partner": swap.get(t.partner, t.partner)})
                  for t in article.trade)
    investments = tuple(i.model_copy(update={"investor": swap.get(i.investor, i.investor),
                                             "host": swap.get(i.host, i.host)})
                        for i in article.investments)
    return article.model_copy(update={"countries": pair, "trade": trade,
                                      "investments": investments})


def generated(seed: Article, count: int, pairs: tuple[Pair, ...] = GENERATED_PAIRS
              ) -> list[Article]:
    """``count`` articles shaped like the seed, spread over the years before it and over
    ``pairs`` in turn."""
    out = []
    for i in range(count):
        shift = timedelta(days=3 * i)
        trade = tuple(t.model_copy(update={"id": f"{t.id}-{i}", "value": t.value + Decimal(i % 7)
                                           / 10}) for t in seed.trade)
        out.append(_on_pair(seed.model_copy(update={
            "id": f"generated-{i:04d}",
            "source": seed.source.model_copy(update={"published": seed.source.published
                                                      - shift}),
            "trade": trade,
        }), pairs[i % len(pairs)]))
    return out


def timings(library: Library, locale: str, now: datetime, runs: int,
            together: int) -> dict[str, list[float]]:
    """Milliseconds per render, per briefing: each run on the next pair; the last row on
    ``together`` pairs at once."""
    pairs = library.pairs
    out: dict[str, list[float]] = {}
    for name, render in BRIEFINGS.items():
        samples = []
        for run in range(runs):
            start = time.perf_counter()
            render(briefings.Scope.make(library, locale, now, "Asia/Almaty",
                                        pairs[run % len(pairs)]))
            samples.append((time.perf_counter() - start) * 1000)
        out[name] = samples
    samples = []
    for run in range(runs):
        chosen = tuple(pairs[(run + k) % len(pairs)] for k in range(together))
        start = time.perf_counter()
        briefings.events(briefings.Scope.make(library, locale, now, "Asia/Almaty",
                                              pairs=chosen), "all")
        samples.append((time.perf_counter() - start) * 1000)
    out[f"events x{together}"] = samples
    return out


def report(label: str, library: Library, runs: int, target_ms: float) -> None:
    """Print median and p99 per briefing and language."""
    now = parse_instant("2025-05-07", "Asia/Almaty")
    print(f"\n{label}: {len(library.articles)} articles on {len(library.pairs)} pairs, "
          f"{runs} runs each (target median < {target_ms:g} ms)")
    print(f"{'briefing':<12} {'lang':<4} {'median ms':>10} {'p99 ms':>9}")
    together = min(3, len(library.pairs))
    for locale in ("fr", "en"):
        timings(library, locale, now, 5 * len(library.pairs), together)  # warm caches
        for name, samples in timings(library, locale, now, runs, together).items():
            median = statistics.median(samples)
            p99 = statistics.quantiles(samples, n=100)[98]
            flag = "" if median < target_ms else "  over target"
            print(f"{name:<12} {locale:<4} {median:>10.3f} {p99:>9.3f}{flag}")


def main() -> None:
    """Measure on the bundled data, then on 1,000 generated articles over 20 pairs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    data = load_dataset(DATA)
    report("bundled data", Library.from_dataset(data), args.runs, 1.0)
    seed = next(a for a in data.articles if a.id.startswith("lagazette"))
    big = Dataset(tuple(generated(seed, 1000)), data.sectors, data.countries)
    report("generated", Library.from_dataset(big), max(20, args.runs // 10), 20.0)


if __name__ == "__main__":
    main()
