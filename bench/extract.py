"""Drafting quality and speed: `bilat draft` against hand-annotated articles.

Reads a development set (default ``../shared/extract-dev`` beside the repository: texts and
``gold.yaml``), drafts each text as `bilat draft` does, and prints precision and recall per
kind of fact (trade figures, investments, counts, events, people), overall and per language,
then the articles drafted per second on one core once loaded.
A trade figure is right when its period, flow, value, unit and currency match; an investment
when its kind, value, unit and currency do; a count by its value; an event by its date and
precision and its kind (a visit, a meeting, a signing... when the annotation gives a type);
a person by name (endings and accents aside). Annotations without a value (ranges, shares) or
without a name are not scored.
Targets: figures precision >= 0.95 and recall >= 0.85; events and people recall >= 0.8;
>= 10 articles/s. Exit status 1 when one is missed.
Run: ``.venv/bin/python bench/extract.py [--set DIR] [--rounds N] [--blind] [--verbose]``
(``--verbose`` lists, per article, the annotated facts missed and the drafted ones that match
none).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.library import Library  # noqa: E402
from bot.draft.article import draft, known  # noqa: E402
from bot.draft.extract import Facts, Known  # noqa: E402
from bot.draft.names import same_person  # noqa: E402
from bot.draft.source import Page, SourceError  # noqa: E402
from bot.draft.when import event_dates  # noqa: E402

DEV = ROOT.parent / "shared" / "extract-dev"
KINDS = ("trade", "investments", "counts", "events", "people")
_PRECISION = {"day": "day", "month": "month", "year": "year", "day_range": "days",
              "relative_unspecified": "unknown", "before_date": "before"}
_KIND = {"cumulative_stock": "stock", "inflow": "inflow"}
# The draft's event kinds each annotated type of event covers; a type not listed (or none)
# is scored on the date alone.
_EVENT_KINDS = {
    "visit": {"state_visit", "official_visit", "visit"},
    "meeting": {"meeting", "talks", "commission", "ceremony"},
    "press_event": {"meeting", "talks"},
    "agreement_signing": {"signing", "ceremony"},
    "summit": {"forum", "meeting"},
    "forum": {"forum"},
    "anniversary_reference": {"other"},
}


@dataclass
class Score:
    """Matches, drafted and annotated counts of one kind."""

    right: int = 0
    drafted: int = 0
    gold: int = 0

    def add(self, other: Score) -> None:
        """Accumulate another article's counts."""
        self.right += other.right
        self.drafted += other.drafted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        """Share of drafted facts that are right (1 when nothing was drafted)."""
        return self.right / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        """Share of annotated facts drafted right (1 when none is annotated)."""
        return self.right / self.gold if self.gold else 1.0


@dataclass
class Table:
    """Scores per kind."""

    kinds: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in KINDS})


def published(article: dict[str, Any], text: str) -> date | None:
    """The publication day: annotated, the first day of the annotators' estimate, or the
    first full date the text itself prints (a dateline); None when there is none."""
    if article.get("published"):
        return date.fromisoformat(str(article["published"])[:10])
    found = re.search(r"\d{4}-\d{2}-\d{2}", str(article.get("published_estimate", "")))
    if found is not None:
        return date.fromisoformat(found.group())
    printed = [w.value for w in event_dates(text, article["language"], date(2100, 1, 1))
               if w.precision == "day" and w.year_given and w.value is not None]
    return printed[0] if printed else None


def _period(text: object) -> str:
    """Gold period (2023-01..2023-08, 2022, or a label holding one) in the data's form."""
    raw = str(text)
    if m := re.search(r"(\d{4}-\d{2})\.\.(\d{4}-\d{2})", raw):
        return f"{m[1]}/{m[2]}"
    return raw


def _money(item: dict[str, Any]) -> tuple[Decimal, str, str] | None:
    try:
        return (Decimal(str(item["value"])), str(item.get("unit") or "one"),
                str(item["currency"]))
    except (KeyError, ArithmeticError, ValueError):
        return None


def gold_keys(article: dict[str, Any]) -> dict[str, list[Any]]:
    """The scored facts of one annotated article, as comparable keys."""
    keys: dict[str, list[Any]] = {k: [] for k in KINDS}
    for t in article.get("trade") or []:
        if (money := _money(t)) is not None:
            keys["trade"].append((_period(t.get("period")), t.get("flow"), *money))
    for i in (article.get("investment") or article.get("investments") or []):
        if (money := _money(i)) is not None:
            keys["investments"].append((_KIND.get(i.get("kind"), i.get("kind")), *money))
    for c in article.get("counts") or []:
        try:
            keys["counts"].append(Decimal(str(c["value"])))
        except (KeyError, ArithmeticError, ValueError):
            continue
    for e in article.get("events") or []:
        precision = _PRECISION.get(str(e.get("precision")), "unknown")
        if precision != "unknown" and not e.get("date"):
            precision = "unknown"
        keys["events"].append((precision, None if precision == "unknown" else str(e["date"]),
                               str(e.get("type") or "")))
    for p in article.get("people") or []:
        if p.get("name") and p["name"] != "unnamed":
            keys["people"].append([p["name"], *(p.get("name_variants") or [])])
    return keys


def draft_keys(facts: Facts) -> dict[str, list[Any]]:
    """The same keys for a draft."""
    def money(f: dict[str, Any]) -> tuple[Decimal, str, str]:
        return (Decimal(f["value"]), f["unit"], f["currency"])

    def when(e: dict[str, Any]) -> tuple[str, str | None, str]:
        d = e["date"]
        return (d["precision"], None if d["precision"] == "unknown" else str(d.get("value")),
                str(e["kind"]))

    return {
        "trade": [(t["period"], t["flow"], *money(t)) for t in facts.trade],
        "investments": [(i["kind"], *money(i)) for i in facts.investments],
        "counts": [Decimal(c["value"]) for c in facts.counts],
        "events": [when(e) for e in facts.events],
        "people": [p["name"] for p in facts.people],
    }


def _same(kind: str, gold: Any, drafted: Any, honest: bool) -> bool:
    """True when a drafted fact matches an annotated one."""
    if kind == "people":
        return any(same_person(drafted, v) for v in gold)
    if kind == "events":
        covered = _EVENT_KINDS.get(gold[2])
        kind_ok = not honest or covered is None or drafted[2] in covered
        return tuple(gold[:2]) == tuple(drafted[:2]) and kind_ok
    return bool(gold == drafted)


@dataclass
class Outcome:
    """One article's scores, and what was missed or drafted wrong (for --verbose)."""

    table: Table
    missed: dict[str, list[Any]]
    wrong: dict[str, list[Any]]


def score(gold: dict[str, list[Any]], drafted: dict[str, list[Any]],
          honest: bool = True) -> Outcome:
    """Match drafted facts to annotated ones, each used once (an event by its kind too,
    unless ``honest`` is False: the date alone, as the first version scored)."""
    out = Outcome(Table(), {}, {})
    for kind in KINDS:
        s = out.table.kinds[kind]
        s.gold, s.drafted = len(gold[kind]), len(drafted[kind])
        left, wrong = list(gold[kind]), []
        for key in drafted[kind]:
            hit = next((g for g in left if _same(kind, g, key, honest)), None)
            if hit is None:
                wrong.append(key)
                continue
            left.remove(hit)
            s.right += 1
        out.missed[kind], out.wrong[kind] = left, wrong
    return out


def _facts(article: dict[str, Any], text: str, day: date, data: Known) -> Facts:
    """What `bilat draft` finds in one text (nothing when it finds no country pair)."""
    try:
        return draft(Page(text, language=article["language"]), data, published=day,
                     publisher=article.get("publisher")).facts
    except SourceError:
        return Facts([], [], [], [], [], [], [])


def _explain(name: str, outcome: Outcome) -> None:
    """Print an article's missed and wrongly drafted facts."""
    lines = [f"  {kind}: {label} {key}" for kind in KINDS
             for label, keys in (("missed", outcome.missed[kind]),
                                 ("wrong ", outcome.wrong[kind])) for key in keys]
    print(f"{name}: " + ("all right" if not lines else ""))
    for line in lines:
        print(line)


def main() -> int:
    """Draft every annotated article, print the scores and the speed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEV, help="folder with gold.yaml")
    parser.add_argument("--rounds", type=int, default=30, help="passes timed for speed")
    parser.add_argument("--blind", action="store_true",
                        help="draft without the bundled data's people, places and pairs")
    parser.add_argument("--verbose", action="store_true",
                        help="list each article's missed and wrongly drafted facts")
    parser.add_argument("--date-only-events", action="store_true",
                        help="match events by date alone, as the first version did")
    args = parser.parse_args()
    gold = yaml.safe_load((args.set / "gold.yaml").read_text(encoding="utf-8"))
    started = time.perf_counter()
    data = Known(sectors=Library.load(ROOT / "data").sectors) if args.blind else \
        known(Library.load(ROOT / "data"))
    items = []
    for article in gold["articles"]:
        text = (args.set / article["text_file"]).read_text(encoding="utf-8")
        day = published(article, text)
        if day is None:
            print(f"{article['id']}: no publication date known; left out")
            continue
        items.append((article, text, day))
    totals = Table()
    by_lang: dict[str, Table] = defaultdict(Table)
    for article, text, day in items:
        outcome = score(gold_keys(article), draft_keys(_facts(article, text, day, data)),
                        honest=not args.date_only_events)
        table = outcome.table
        if args.verbose:
            _explain(article["id"], outcome)
        for kind in KINDS:
            totals.kinds[kind].add(table.kinds[kind])
            by_lang[article["language"]].kinds[kind].add(table.kinds[kind])
    loaded = time.perf_counter() - started
    start = time.perf_counter()
    for _ in range(args.rounds):
        for article, text, day in items:
            _facts(article, text, day, data)
    rate = args.rounds * len(items) / (time.perf_counter() - start)
    print(f"development set: {len(items)} articles ({args.set.name}), "
          f"{'without' if args.blind else 'with'} the bundled data's knowledge")
    print(f"{'kind':<12} {'scope':<6} {'right':>5} {'drafted':>7} {'gold':>5} "
          f"{'precision':>9} {'recall':>7}")
    for kind in KINDS:
        rows = [("all", totals.kinds[kind]),
                *sorted((lang, t.kinds[kind]) for lang, t in by_lang.items())]
        for scope, s in rows:
            print(f"{kind:<12} {scope:<6} {s.right:>5} {s.drafted:>7} {s.gold:>5} "
                  f"{s.precision:>9.2f} {s.recall:>7.2f}")
    print(f"loading and first pass: {loaded:.2f} s; speed: {rate:.1f} articles/s "
          f"(over {args.rounds} passes on one core)")
    trade = totals.kinds["trade"]
    missed = [name for name, ok in (
        ("figures precision >= 0.95", trade.precision >= 0.95),
        ("figures recall >= 0.85", trade.recall >= 0.85),
        ("events recall >= 0.8", totals.kinds["events"].recall >= 0.8),
        ("people recall >= 0.8", totals.kinds["people"].recall >= 0.8),
        (">= 10 articles/s", rate >= 10)) if not ok]
    print("targets: " + ("all met" if not missed else "MISSED " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
