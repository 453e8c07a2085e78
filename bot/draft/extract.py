"""Facts from article text: trade figures, investments, counts, events, people, sectors.

Each fact keeps the sentence it comes from, verbatim; a fact the patterns cannot pin down
(no period, a range, a figure in brackets) is left out rather than guessed.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from bot.core.facts import CountryForms, Person, Place, Sector
from bot.draft import amounts
from bot.draft.amounts import Number
from bot.draft.lexicon import (
    COUNT_LABELS,
    EVENT_FAMILIES,
    EVENT_TITLES,
    LEXICONS,
    SECTORS_RU,
    Lexicon,
)
from bot.draft.names import Countries, Found, People, Places, named, role_of, same_person
from bot.draft.quotes import quotations
from bot.draft.text import Sentence, fold, sentences
from bot.draft.when import Span, When, dateline, event_dates, period

Fact = dict[str, Any]
_CLAUSE = re.compile(r"[,;:]\s|\s[-–—]\s|\((?:[^)]*)\)|\swhere\s|\swith\s|\sincluding\s|"
                     r"\sdont\s|\sиз них\s")


@dataclass(frozen=True)
class Known:
    """What the data already knows: people, places, sectors, countries and usual pair order."""

    people: tuple[Person, ...] = ()
    places: tuple[Place, ...] = ()
    sectors: dict[str, Sector] = field(default_factory=dict)
    countries: dict[str, CountryForms] = field(default_factory=dict)
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass
class Facts:
    """Everything drafted from one text."""

    countries: list[str]
    sectors: list[str]
    people: list[Fact]
    trade: list[Fact]
    investments: list[Fact]
    counts: list[Fact]
    events: list[Fact]
    quotes: list[Fact] = field(default_factory=list)


@cache
def _flows(lang: str) -> re.Pattern[str]:
    lex = LEXICONS[lang]
    return re.compile(
        rf"(?<!\w)(?:(?P<investment>{lex.investment})|(?P<exports>{lex.exports})|"
        rf"(?P<imports>{lex.imports})|(?P<turnover>{lex.turnover}))", re.IGNORECASE)


def _words(pattern: str, text: str) -> list[re.Match[str]]:
    """Whole-word matches of ``pattern``, in any case."""
    return list(re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE))


def _stem(word: str) -> str:
    """A label word's stem, so "énergie" finds "énergétique" and "culture" "cultural"."""
    return word[:max(5, len(word) - 2)] if len(word) > 5 else word


def _cased(pattern: str, text: str) -> bool:
    """True when ``pattern`` occurs as written (EU, not "eu" inside a word)."""
    return re.search(rf"(?<!\w)(?:{pattern})(?!\w)", text) is not None


def _clause_bounds(text: str, at: int) -> tuple[int, int]:
    """The clause of ``text`` around position ``at`` (commas, dashes, "with"...)."""
    start, end = 0, len(text)
    for m in _CLAUSE.finditer(text):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            end = m.start()
            break
    return start, end


def _flow_of(text: str, number: Number, lang: str) -> str | None:
    """The flow an amount belongs to: the nearest flow word before it in its clause, else
    after it, else the only kind of flow word the sentence has."""
    start, end = _clause_bounds(text, number.start)
    words = [(m.start(), k) for m in _flows(lang).finditer(text)
             for k, v in m.groupdict().items() if v is not None]
    before = [(s, k) for s, k in words if start <= s < number.start]
    if before:
        return before[-1][1]
    after = [(s, k) for s, k in words if number.end <= s < end]
    if after:
        return after[0][1]
    kinds = {k for _, k in words}
    if "investment" in kinds:
        return "investment" if len(kinds - {"investment"}) == 0 else None
    if len(kinds) == 1:
        return kinds.pop()
    return "turnover" if "turnover" in kinds else None


def _inside_brackets(text: str, at: int) -> bool:
    """True when position ``at`` is inside brackets: an aside, a base value, a share."""
    return text.count("(", 0, at) > text.count(")", 0, at)


def _in_range(text: str, n: Number, lang: str) -> bool:
    """True when an amount is one end of a range ("from $2.5 billion to $6.5 billion")."""
    lex = LEXICONS[lang]
    before = text[max(0, n.start - 14):n.start]
    joiner = r"\s*(?:to|and|à|et|до|-|–|—)\s*"
    units = "|".join(lex.units.values())
    if re.search(rf"\d(?:\s*(?:{units}))?{joiner}[$€£₸]?$", before, re.IGNORECASE):
        return True
    if re.search(rf"(?<!\w)(?:{lex.range_words})\s*[$€£₸]?$", before, re.IGNORECASE) and \
            re.match(rf"{joiner}[$€£₸]?\s*\d", text[n.end:], re.IGNORECASE):
        return True
    return bool(re.match(rf"{joiner}[$€£₸]?\s*\d", text[n.end:]))


class Extractor:
    """Drafts facts from texts in one language, knowing the data."""

    def __init__(self, lang: str, known: Known) -> None:
        self.lang = lang
        self.lex: Lexicon = LEXICONS[lang]
        self.known = known
        self.countries = Countries(lang, known.countries)
        self.places = Places(lang, known.places)
        names = [fold(p.name.en) for p in known.places]
        self.people = People(lang, self.countries, known.people, names)

    # -- the whole text ---------------------------------------------------------------------

    def facts(self, text: str, published: date) -> Facts:
        """Every fact the patterns find in ``text``."""
        cut = sentences(text)
        pair = self.pair(cut)
        people = self._people(cut)
        out = Facts(list(pair), self.sectors(text), [p for p, _ in people], [], [], [], [])
        if len(pair) < 2:
            return out
        out.quotes = quotations(text, self.lang, [(p["id"], names) for p, names in people])
        for sentence in cut:
            self._money(sentence, pair, published, out)
            self._counts(sentence, published, out)
        self._events(cut, people, published, out)
        return out

    def pair(self, cut: list[Sentence]) -> tuple[str, ...]:
        """The two countries most named, in the data's usual order for that pair."""
        mentions = [m for s in cut for m in self.countries.find(s.text)]
        counted = Counter(m.code for m in mentions)
        first = {m.code: i for i, m in reversed(list(enumerate(mentions)))}
        top = sorted(counted, key=lambda c: (-counted[c], first[c]))[:2]
        if len(top) < 2:
            return tuple(top)
        for known in self.known.pairs:
            if set(known) == set(top):
                return known
        return (top[0], top[1]) if first[top[0]] < first[top[1]] else (top[1], top[0])

    def sectors(self, text: str) -> list[str]:
        """Codes of ``sectors.yaml`` whose label (English or French: every word of it) or
        Russian stem the text names."""
        folded = fold(text)
        found = []
        for code, sector in self.known.sectors.items():
            labels = [[_stem(w) for w in fold(label).split() if len(w) >= 4]
                      for label in (sector.label.en, sector.label.fr)]
            russian = SECTORS_RU.get(code) if self.lang == "ru" else None
            if any(stems and all(re.search(rf"(?<!\w){re.escape(s)}", folded) for s in stems)
                   for stems in labels) or (russian and _words(rf"(?:{russian})\w*", text)):
                found.append(code)
        return found

    # -- money: trade and investment --------------------------------------------------------

    def _money(self, s: Sentence, pair: tuple[str, ...], published: date, out: Facts) -> None:
        numbers = amounts.money(s.text, self.lang)
        if not numbers or (self.lex.whole_trade and _words(self.lex.whole_trade, s.text)):
            return
        span = period(s.text, self.lang, published)
        if span is not None and span.start > (published.year, published.month):
            span = None
        for n in numbers:
            if _inside_brackets(s.text, n.start) or _in_range(s.text, n, self.lang) \
                    or self._other_country(s.text, n, pair):
                continue
            flow = _flow_of(s.text, n, self.lang)
            if flow == "investment":
                self._investment(s, n, pair, span, published, out)
            elif flow is not None and span is not None:
                self._trade(s, n, flow, pair, span, numbers, out)

    def _other_country(self, text: str, n: Number, pair: tuple[str, ...]) -> bool:
        """True when the amount's clause is about something else than the pair's figures:
        another country or region, a goal or forecast, the value of agreements."""
        start, end = _clause_bounds(text, n.start)
        clause = text[start:end]
        named = {m.code for m in self.countries.find(clause)}
        lex = self.lex
        return bool(named - set(pair)) or any(
            pattern and _cased(pattern, clause) for pattern in (lex.elsewhere,)) or any(
            pattern and _words(pattern, clause) for pattern in (lex.target, lex.deals))

    def _trade(self, s: Sentence, n: Number, flow: str, pair: tuple[str, ...], span: Span,
               numbers: list[Number], out: Facts) -> None:
        reporter, partner = self._direction(s.text, n, flow, pair)
        fact: Fact = {"id": _unique(out.trade, f"{flow}-{span.key.replace('/', '-')}"),
                      "period": span.key, "flow": flow, "reporter": reporter,
                      "partner": partner, **_money_fields(n)}
        growth = self._growth(s.text, n, numbers, span)
        if growth:
            fact["growth"] = growth
        if any(_same_figure(f, fact) for f in out.trade):
            return
        out.trade.append(_evidenced(fact, s))

    def _direction(self, text: str, n: Number, flow: str,
                   pair: tuple[str, ...]) -> tuple[str, str]:
        """(reporter, partner): from "exports from A to B", "A's exports", else the pair."""
        a, b = pair[0], pair[1]
        if flow == "turnover":
            return a, b
        start, end = _clause_bounds(text, n.start)
        clause = text[start:end]
        origin = self._after(clause, {"en": r"from", "fr": r"de|du|des", "ru": r"из"})
        goal = self._after(clause, {"en": r"to|into", "fr": r"vers|en|au|à", "ru": r"в|во"})
        if flow == "exports":
            src = origin or (self._other(goal, pair) if goal else None) or \
                self._owner(text[start:n.start]) or a
            return src, self._other(src, pair) or b
        dst = goal or (self._other(origin, pair) if origin else None) or a
        return dst, self._other(dst, pair) or b

    def _after(self, text: str, preps: dict[str, str]) -> str | None:
        for m in re.finditer(rf"(?<!\w)(?:{preps[self.lang]})\s+(?:the\s+)?", text,
                             re.IGNORECASE):
            found = self.countries.find(text[m.end():m.end() + 30])
            if found and found[0].start == 0:
                return found[0].code
        return None

    def _owner(self, text: str) -> str | None:
        found = self.countries.find(text)
        return found[-1].code if found else None

    @staticmethod
    def _other(code: str | None, pair: tuple[str, ...]) -> str | None:
        if code not in pair[:2]:
            return None
        return pair[1] if code == pair[0] else pair[0]

    def _growth(self, text: str, n: Number, numbers: list[Number],
                span: Span) -> dict[str, Any] | None:
        """Stated growth with a stated base, the percentage nearest this amount."""
        lex = self.lex
        whole = span.start[1] == 1 and span.end[1] == 12
        stated = _words(lex.base_year, text)
        years = {int(y) for m in stated for y in re.findall(r"(?:19|20)\d{2}", m.group())}
        if _words(lex.base_same_period, text) or years == {span.start[0] - 1}:
            base = "previous_year" if whole else "same_period_previous_year"
        elif _words(lex.base_previous_year, text) and whole:
            base = "previous_year"
        else:
            return None
        best: tuple[int, Number] | None = None
        for p in amounts.percents(text, self.lang):
            if _inside_brackets(text, p.start) or p.qualifier != "exact":
                continue
            nearest = min(numbers, key=lambda m: abs(m.start - p.start))
            if nearest is not n:
                continue
            distance = abs(p.start - n.start)
            if best is None or distance < best[0]:
                best = (distance, p)
        if best is None:
            return None
        p = best[1]
        around = text[max(0, p.start - 40):p.end + 25]
        if _words(lex.fall, around) and not _words(lex.rise, around):
            return {"percent": -p.value, "base": base}
        if not _words(lex.rise, around):
            return None
        return {"percent": p.value, "base": base}

    def _investment(self, s: Sentence, n: Number, pair: tuple[str, ...], span: Span | None,
                    published: date, out: Facts) -> None:
        host = self._after(s.text, {"en": r"in|into", "fr": r"au|en|dans", "ru": r"в|во"})
        if host is None:
            origin = self._after(s.text, {"en": r"from", "fr": r"de|du|des", "ru": r"из"})
            host = self._other(origin, pair)
        investor = self._other(host, pair)
        if host is None or investor is None:
            return
        stock = bool(_words(self.lex.stock, s.text))
        fact: Fact = {"id": "", "kind": "stock" if stock else "inflow",
                      "investor": investor, "host": host, **_money_fields(n)}
        if stock:
            if since := re.search(r"(?:since|depuis|с)\s+((?:19|20)\d{2})", s.text):
                fact["since"] = int(since.group(1))
            fact["as_of"] = published.isoformat()
        elif span is not None:
            fact["period"] = span.key
        else:
            return
        fact["id"] = _unique(out.investments, f"{fact['kind']}-{investor.lower()}")
        out.investments.append(_evidenced(fact, s))

    # -- counts -----------------------------------------------------------------------------

    def _counts(self, s: Sentence, published: date, out: Facts) -> None:
        for n, code in amounts.counts(s.text, self.lang):
            if _inside_brackets(s.text, n.start):
                continue
            en, fr, topic = COUNT_LABELS[code]
            worth = None
            if code == "agreements" and _words(self.lex.events["signing"], s.text):
                en, fr, topic = "agreements signed", "accords signés", "economy"
                worth = self._worth(s.text, n)
            fact: Fact = {"id": _unique(out.counts, code), "what": {"fr": fr, "en": en},
                          "value": n.value, "qualifier": n.qualifier, "topic": topic,
                          "as_of": published.isoformat()}
            if worth is not None:
                fact["worth"] = _money_fields(worth)
            out.counts.append(_evidenced(fact, s))

    def _worth(self, text: str, count: Number) -> Number | None:
        """The total value of counted agreements: the sum right after them, joined by
        "worth", "d'un montant de", "на сумму" (not a sum of another clause)."""
        qualifiers = "|".join(self.lex.qualifiers.values())
        for m in amounts.money(text, self.lang):
            gap = text[count.end:m.start]
            if m.start > count.end and len(gap) <= 60 and not re.search(r"[;.]\s", gap) and \
                    re.search(rf"(?<!\w)(?:{self.lex.worth})\s*(?:(?:{qualifiers})\s*)?$",
                              text[:m.start].rstrip(), re.IGNORECASE) is not None:
                return m
        return None

    # -- people and events ------------------------------------------------------------------

    def _people(self, cut: list[Sentence]) -> list[tuple[Fact, list[str]]]:
        """One entry per person (first, best-described mention), with every spelling seen."""
        people: list[tuple[Fact, list[str]]] = []
        for s in cut:
            for found in self.people.find(s.text):
                same = next((p for p in people
                             if any(same_person(found.name, n) for n in p[1])), None)
                if same is not None:
                    same[1].append(found.name)
                    continue
                people.append((self._person(found, people), [found.name]))
        return people

    def _person(self, found: Found, people: list[tuple[Fact, list[str]]]) -> Fact:
        pid = found.known.id if found.known else _slug(found.name.split()[-1])
        fact: Fact = {"id": _unique([p for p, _ in people], pid), "name": found.name}
        if found.country:
            fact["country"] = found.country
        fact["role"] = role_of(found, self.lang)
        fact["unreviewed"] = True
        return fact

    def _events(self, cut: list[Sentence], people: list[tuple[Fact, list[str]]],
                published: date, out: Facts) -> None:
        opening = dateline(cut[0].text, self.lang, published) if cut else None
        lex = self.lex
        for index, s in enumerate(cut):
            kinds = self._event_kinds(s.text)
            if not kinds:
                continue
            future = bool(_words(lex.future, s.text)) or bool(_words(lex.soon, s.text))
            dates = event_dates(s.text, self.lang, published, future)
            if not dates and opening and s.paragraph == cut[0].paragraph and index > 0:
                dates = [When("day", opening, False)]
            who = [p["id"] for p, names in people if named(s.text, names)]
            place = self.places.find(s.text, self.lang)
            if not dates:
                if not (who or place):
                    continue
                dates = [When("unknown")]
            if _words(lex.arrival, s.text):  # met at the airport: the arrival, a visit
                kinds = ["visit" if _family(k) == "meeting" else k for k in kinds]
            pairs = [(kinds[0], d) for d in dates] if len(dates) > 1 else \
                [(k, dates[0]) for k in kinds]
            for kind, when in pairs:
                self._event(s, kind, when, who, place, future, published, out)

    def _event_kinds(self, text: str) -> list[str]:
        """The kinds of event a sentence reports: one visit-like and one meeting-like at most."""
        found = [k for k, p in self.lex.events.items() if _words(p, text)]
        visits = [k for k in found if k in ("state_visit", "official_visit", "visit")]
        # a commission's session is the commission meeting, not a second event
        talks = [k for k in found if k in ("talks", "meeting") and "commission" not in found]
        rest = [k for k in found if k not in visits and k not in talks]
        return visits[:1] + talks[:1] + rest[:1]

    def _event(self, s: Sentence, kind: str, when: When, who: list[str], place: Place | None,
               future: bool, published: date, out: Facts) -> None:
        date_field: dict[str, Any]
        note = None
        if when.precision == "unknown" or when.value is None:
            date_field = {"precision": "unknown"}
            status = "planned" if future else "held"
            note = {"fr": "L'article ne donne pas la date.",
                    "en": "The article does not give the date."}
        else:
            if not when.year_given and (when.value > published) != future and \
                    abs((when.value - published).days) > 7:
                # "on 12 March" in a past-tense report after March: last year's; and
                # a future one before the publication day: next year's
                shift = 1 if future else -1
                with contextlib.suppress(ValueError):
                    when = replace(when, value=when.value.replace(year=when.value.year + shift),
                                   end=when.end and when.end.replace(year=when.end.year + shift))
            assert when.value is not None
            date_field = _date_field(when, published)
            last = when.end or when.value
            if when.precision == "before" or when.value > published:
                status = "planned"
            elif last < published and when.precision in ("day", "days"):
                status = "held"
            else:
                status = "planned" if future else "held"
        en, fr = EVENT_TITLES[kind]
        if place is not None:  # a start for the editor: "Official visit, Astana"
            en, fr = f"{en}, {place.name.en}", f"{fr}, {place.name.fr}"
        fact: Fact = {"id": "", "kind": kind, "title": {"fr": fr, "en": en},
                      "date": date_field}
        if place is not None:
            fact["place"] = {"name": {"fr": place.name.fr, "en": place.name.en},
                             "timezone": place.timezone}
        fact["participants"] = who
        fact["status"] = status
        if note:
            fact["note"] = note
        if _told_already(out.events, kind, date_field, status):
            return
        same = next((e for e in out.events if _family(e["kind"]) == _family(kind)
                     and e["date"] == date_field and _overlap(e["participants"], who)), None)
        if same is not None:  # the talks of a meeting already drafted: one event
            same["participants"] += [p for p in who if p not in same["participants"]]
            return
        fact["id"] = _unique(out.events, f"{kind.replace('_', '-')}-"
                             f"{date_field.get('value', date_field.get('start', 'undated'))}")
        out.events.append(_evidenced(fact, s))


def _family(kind: str) -> str:
    """The family of an event kind: kinds of one family on one day are one event."""
    return EVENT_FAMILIES.get(kind, kind)


def _overlap(drafted: list[str], who: list[str]) -> bool:
    """True when two mentions may be of one event: a shared participant, or one names none
    (two meetings of the same day with different people are two events)."""
    return not drafted or not who or bool(set(drafted) & set(who))


def _told_already(events: list[Fact], kind: str, date_field: dict[str, Any],
                  status: str) -> bool:
    """True for an undated mention of an event of a family the article has already dated:
    news gives the main event's date once and then refers back to it ("during the
    meeting", "la visite"), so an undated repeat is more likely the same event than another
    (an undated plan after a held event is kept: that is news of its own)."""
    if date_field["precision"] != "unknown":
        return False
    return any(_family(e["kind"]) == _family(kind) and e["status"] == status
               for e in events)


def _date_field(when: When, published: date) -> dict[str, Any]:
    """An event's ``date`` in the data schema, from what the text gives."""
    assert when.value is not None
    if when.precision == "days" and when.end is not None:
        return {"precision": "days", "start": when.value.isoformat(),
                "end": when.end.isoformat()}
    if when.precision == "before":
        after = {"after": published.isoformat()} if published < when.value else {}
        return {"precision": "before", "value": when.value.isoformat(), **after}
    if when.precision == "month":
        return {"precision": "month", "value": when.value.strftime("%Y-%m")}
    if when.precision == "year":
        return {"precision": "year", "value": when.value.year}
    return {"precision": "day", "value": when.value.isoformat()}


def _money_fields(n: Number) -> dict[str, Any]:
    return {"value": n.value, "unit": n.unit, "currency": n.currency, "qualifier": n.qualifier}


def _same_figure(a: Fact, b: Fact) -> bool:
    keys = ("period", "flow", "value", "unit", "currency")
    return all(a.get(k) == b.get(k) for k in keys)


def _evidenced(fact: Fact, s: Sentence) -> Fact:
    """Close a fact with its evidence sentence and the unreviewed mark."""
    return {**fact, "evidence": s.text, "unreviewed": True}


def _unique(existing: Iterable[Fact], base: str) -> str:
    """``base`` as a slug, with -2, -3... when the list has it already."""
    taken = {f["id"] for f in existing}
    slug = _slug(base) or "fact"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m",
                      "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch",
                      "", "y", "", "e", "yu", "ya"], strict=True))


def _slug(text: str) -> str:
    """A lower-case ASCII slug (Cyrillic transliterated)."""
    folded = "".join(_TRANSLIT.get(ch, ch) for ch in fold(text))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60]


def slug(text: str) -> str:
    """Public form of the slug rule, for article ids."""
    return _slug(text)
