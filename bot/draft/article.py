"""A draft article file: the facts found, in the data schema, every one marked unreviewed;
titles and key points left as placeholders for the editor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import yaml

from bot.core.facts import PLACEHOLDER
from bot.core.library import Library
from bot.draft.extract import Extractor, Facts, Known, slug
from bot.draft.source import Page, SourceError, language

HEADER = """\
# Draft written by `bilat draft`{origin}.
# Nothing here is served until it is reviewed:
# - check each fact marked `unreviewed: true` against its evidence sentence, correct it or
#   delete it, then delete the mark;
# - write the title and the key points (ours, in French and English, never copied) where
#   they say {placeholder};
# - then delete `draft: true`. `bilat check THIS-FILE` lists what is left to do.
{title}"""


@dataclass(frozen=True)
class Draft:
    """A drafted article: its file text and the facts it holds."""

    id: str
    text: str
    facts: Facts


def known(library: Library) -> Known:
    """What the loaded data knows that helps a draft: people, places, sectors, pair order."""
    people = {p.id: p for a in reversed(library.articles) for p in a.people}
    places = {e.place.name.en: e.place for a in library.articles for e in a.events if e.place}
    return Known(tuple(people.values()), tuple(places.values()), library.sectors,
                 library.countries, tuple(library.pairs))


_EXTRACTORS: dict[tuple[str, int], Extractor] = {}


def extractor(lang: str, data: Known) -> Extractor:
    """An extractor for ``lang``, built once per language and knowledge (patterns compile)."""
    key = (lang, id(data))
    if key not in _EXTRACTORS:
        if len(_EXTRACTORS) > 8:
            _EXTRACTORS.clear()
        _EXTRACTORS[key] = Extractor(lang, data)
    return _EXTRACTORS[key]


def draft(page: Page, data: Known, *, published: date | None = None,
          publisher: str | None = None, url: str | None = None,
          origin: str = "") -> Draft:
    """Draft an article file from ``page``; raise SourceError when the date is unknown."""
    day = published or page.published
    if day is None:
        raise SourceError("the text gives no publication date: pass --published YYYY-MM-DD")
    lang = page.language or language(page.text)
    facts = extractor(lang, data).facts(page.text, day)
    if len(facts.countries) < 2:
        raise SourceError("the text names fewer than two countries: no pair to draft for")
    who = publisher or page.publisher or f"{PLACEHOLDER}: publisher"
    article_id = "-".join(filter(None, (slug(who if who[:4] != PLACEHOLDER else "draft")[:30],
                                        day.isoformat(), *(c.lower() for c in
                                                           facts.countries[:2]))))
    body: dict[str, Any] = {
        "id": article_id,
        "draft": True,
        "source": {"publisher": who,
                   **({"url": url or page.url} if url or page.url else {}),
                   "published": f"{day.isoformat()}T00:00:00+00:00",
                   "language": lang},
        "countries": facts.countries,
        "title": {"fr": f"{PLACEHOLDER}: notre titre", "en": f"{PLACEHOLDER}: our headline"},
        "key_points": [{"fr": f"{PLACEHOLDER}: point clé {i}",
                        "en": f"{PLACEHOLDER}: key point {i}"} for i in (1, 2, 3)],
        "sectors": facts.sectors,
        "people": facts.people,
        "trade": facts.trade,
        "investments": facts.investments,
        "counts": facts.counts,
        "events": [_event(e) for e in facts.events],
    }
    body = {k: v for k, v in body.items() if v != [] or k in ("countries",)}
    title = " ".join(page.title.split()) if page.title else ""
    header = HEADER.format(origin=f" from {origin}" if origin else "", placeholder=PLACEHOLDER,
                           title=f"# The page's own title, for reference: {title}\n"
                           if title else "")
    return Draft(article_id, header + _dump(body), facts)


def _event(event: dict[str, Any]) -> dict[str, Any]:
    """An event without an empty participants list."""
    return {k: v for k, v in event.items() if v != []}


class _Dumper(yaml.SafeDumper):
    """Writes decimals as printed, long sentences on one line, and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Repeat shared values in full: the loader refuses aliases (``*id001``)."""
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _decimal)


def _dump(body: dict[str, Any]) -> str:
    return yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000,
                     default_flow_style=False)
