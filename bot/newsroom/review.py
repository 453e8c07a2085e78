"""A draft under review: its facts numbered for chat, and the article file it becomes once
the editor has kept or dropped each fact and written the title and key points."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.load import _Loader

# The draft's own writer: decimals as printed, sentences on one line, the same as drafts.
from bot.draft.article import _dump as dump_article

# The draft's sections that hold reviewable facts, in the order chat shows them.
SECTIONS = ("trade", "investments", "counts", "events", "people", "quotes")
VALUE_FIELDS = ("name", "speaker", "flow", "kind", "period", "value", "unit", "currency",
                "reporter", "partner", "investor", "host", "what")


class ReviewError(ValueError):
    """A draft that cannot be read or finished; the message says why."""


@dataclass(frozen=True)
class Fact:
    """One fact of a draft, as the editor sees it."""

    number: int  # 1-based, across sections, as chat shows it
    section: str
    id: str
    summary: str  # its values on one line
    evidence: str


@dataclass(frozen=True)
class Edits:
    """What the editor decided: dropped facts, the title and key points (fr, en)."""

    dropped: frozenset[int] = frozenset()
    title: tuple[str, str] | None = None
    key_points: tuple[tuple[str, str], ...] = ()


def body(draft: str) -> dict[str, Any]:
    """The draft's YAML mapping (numbers as decimals, as the data loader reads them)."""
    try:
        found = yaml.load(draft, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ReviewError(f"the draft is not valid YAML ({exc})") from None
    if not isinstance(found, dict):
        raise ReviewError("the draft is not a mapping of fields")
    return found


def _summary(fact: dict[str, Any]) -> str:
    """``flow turnover · period 2024 · value 5.1 · unit billion · currency USD``."""
    parts = [f"{k} {fact[k]}" for k in VALUE_FIELDS if k in fact and fact[k] is not None]
    title = fact.get("title")
    if isinstance(title, dict) and title.get("en"):
        parts.insert(0, str(title["en"]))
    date = fact.get("date")
    if isinstance(date, dict) and date.get("value"):
        parts.append(f"date {date['value']}")
    return " · ".join(parts)


def facts(draft: str) -> list[Fact]:
    """The draft's facts, numbered across sections."""
    found = body(draft)
    out: list[Fact] = []
    for section in SECTIONS:
        for item in found.get(section) or []:
            if isinstance(item, dict):
                # a quotation has no id: its speaker; its words are its own evidence
                out.append(Fact(len(out) + 1, section,
                                str(item.get("id", item.get("speaker", "?"))), _summary(item),
                                str(item.get("evidence", item.get("text", "")))))
    return out


def _without_marks(items: Iterable[Any], keep: set[int], start: int) -> tuple[list[Any], int]:
    """The kept items of one section, without their ``unreviewed`` marks."""
    kept = []
    number = start
    for item in items:
        if isinstance(item, dict):
            number += 1
            if number in keep:
                kept.append({k: v for k, v in item.items() if k != "unreviewed"})
    return kept, number


def finished(draft: str, edits: Edits, note: str = "") -> str:
    """The article file: dropped facts gone, the rest reviewed, the editor's title and key
    points in place, no draft mark. ReviewError when the title or key points are missing."""
    if edits.title is None:
        raise ReviewError("write the title first (fr and en)")
    if not edits.key_points:
        raise ReviewError("write at least one key point first (fr and en)")
    found = body(draft)
    keep = {f.number for f in facts(draft)} - set(edits.dropped)
    number = 0
    for section in SECTIONS:
        if section in found:
            found[section], number = _without_marks(found[section] or [], keep, number)
            if not found[section]:
                del found[section]
    people = {str(p.get("id")) for p in found.get("people") or [] if isinstance(p, dict)}
    quotes = [q for q in found.get("quotes") or [] if str(q.get("speaker")) in people]
    if quotes:  # a quotation goes with its dropped speaker
        found["quotes"] = quotes
    else:
        found.pop("quotes", None)
    found.pop("draft", None)
    found["title"] = {"fr": edits.title[0], "en": edits.title[1]}
    found["key_points"] = [{"fr": fr, "en": en} for fr, en in edits.key_points]
    header = f"# {note}\n" if note else ""
    return header + dump_article(found)
