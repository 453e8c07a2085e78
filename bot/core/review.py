"""What an editor has not reviewed yet: drafts and unreviewed facts, which are never served."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.facts import PLACEHOLDER, Article, Localized

Path_ = tuple[str | int, ...]
_LISTS = ("trade", "investments", "counts", "events")


@dataclass(frozen=True)
class Pending:
    """One thing left to review in an article: where, and what to do."""

    path: Path_
    message: str


def servable(article: Article) -> Article | None:
    """The article as users may see it: None for a draft, unreviewed facts left out."""
    if article.draft:
        return None
    people = tuple(p for p in article.people if not p.unreviewed)
    if len(people) == len(article.people) and not any(
            f.unreviewed for name in (*_LISTS, "quotes") for f in getattr(article, name)):
        return article
    kept = {p.id for p in people}
    events = tuple(e.model_copy(update={"participants": tuple(
        w for w in e.participants if w in kept)}) for e in article.events if not e.unreviewed)
    return article.model_copy(update={
        "people": people,
        "quotes": tuple(q for q in article.quotes if q.speaker in kept and not q.unreviewed),
        "trade": tuple(t for t in article.trade if not t.unreviewed),
        "investments": tuple(i for i in article.investments if not i.unreviewed),
        "counts": tuple(c for c in article.counts if not c.unreviewed),
        "events": events,
    })


def pending(article: Article) -> list[Pending]:
    """Everything left to review in ``article``, in file order."""
    out: list[Pending] = []
    if article.draft:
        out.append(Pending(("draft",), "a draft: delete `draft: true` once all below is done"))
    if article.id.startswith(PLACEHOLDER.lower()):
        out.append(Pending(("id",), "give the article its id: publisher-date-subject"))
    if article.source.publisher.startswith(PLACEHOLDER):
        out.append(Pending(("source", "publisher"), "name the publisher"))
    if _placeholder(article.title):
        out.append(Pending(("title",), "write our headline in French and English"))
    for i, point in enumerate(article.key_points):
        if _placeholder(point):
            out.append(Pending(("key_points", i), "write this key point in French and English"))
    for i, person in enumerate(article.people):
        if person.unreviewed:
            out.append(Pending(("people", i), f"check {person.name!r} and the role, then delete"
                                              " `unreviewed: true`"))
    for i, quote in enumerate(article.quotes):
        if quote.unreviewed:
            out.append(Pending(("quotes", i), f"check that {quote.speaker!r} said this, word for"
                                              " word, add our translation, then delete"
                                              " `unreviewed: true`"))
    for name in _LISTS:
        for i, fact in enumerate(getattr(article, name)):
            if fact.unreviewed:
                out.append(Pending((name, i), f"check {fact.id!r} against its evidence, then"
                                              " delete `unreviewed: true`"))
    return out


def _placeholder(text: Localized) -> bool:
    return text.fr.startswith(PLACEHOLDER) or text.en.startswith(PLACEHOLDER)
