"""Countries, places and people named in a text, matched to what the data already knows.

Country names come from data/countries.yaml and CLDR (through Babel) in the article's
language; adjectives (French, Kazakh, казахстанский) from the lexicon or from sharing the
name's first letters. People are runs of capitalised words next to a role word, or people
the data knows; places are the data's known places and CLDR's time-zone cities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel import Locale

from bot.core.facts import CountryForms, Person, Place
from bot.draft.lexicon import DEMONYMS, LEXICONS, ROLE_LABELS
from bot.draft.text import fold

_WORD = r"[^\W\d_]"


@dataclass(frozen=True)
class Mention:
    """A country named at ``start`` in a sentence."""

    code: str
    start: int
    end: int


@cache
def _territories(lang: str) -> dict[str, str]:
    """CLDR's name of every ISO 3166-1 alpha-2 territory (and the EU) in ``lang``."""
    names = Locale(lang).territories
    return {code: name for code, name in names.items()
            if re.fullmatch(r"[A-Z]{2}", code) and code not in ("ZZ", "UN", "EZ", "QO")}


_LETTERS = re.compile(r"[^\W\d_]+")


class Countries:
    """Finds countries in sentences of one language, by dictionary look-up of words."""

    def __init__(self, lang: str, forms: dict[str, CountryForms]) -> None:
        self.lang = lang
        names: dict[str, str] = {}  # folded name -> code
        for code, name in _territories(lang).items():
            names.setdefault(fold(name), code)
        if lang != "en":
            for code, name in _territories("en").items():
                names.setdefault(fold(name), code)
        for code, form in forms.items():
            names[fold(form.en)] = code
            names[fold(re.sub(r"^(le |la |les |l['’])", "", form.fr))] = code
        self.exact = {n: c for n, c in names.items() if len(n) >= 4}
        # Prefixes: adjectives (Kazakh..., français...) and, in Russian, case endings.
        self.prefixes: dict[str, str] = {}
        self.endings: dict[str, str] = {}  # Russian stems: at most three letters more
        for code, pattern in DEMONYMS.get(lang, {}).items():
            for alt in pattern.split("|"):
                if alt.endswith(r"\w*"):
                    self.prefixes[fold(alt[:-3])] = code
                else:
                    self.exact.setdefault(fold(alt), code)
        if lang == "ru":
            for name, code in names.items():
                if " " not in name and len(name) > 4:
                    stem = name[:-1] if name[-1] in "аяьй" else name
                    self.endings.setdefault(stem, code)
        self.longest = max((n.count(" ") + 1 for n in self.exact), default=1)
        # Adjectives sharing a long name's first six letters: German, Russian, Kyrgyz...
        self.stems = {n[:6]: (c, len(n)) for n, c in self.exact.items()
                      if len(n) >= 7 and " " not in n}

    def _prefix(self, word: str) -> str | None:
        for size in range(len(word), 3, -1):
            code = self.prefixes.get(word[:size])
            if code is None and len(word) - size <= 3:
                code = self.endings.get(word[:size])
            if code is not None:
                return code
        return None

    def find(self, text: str) -> list[Mention]:
        """The countries named in ``text``, in order."""
        words = list(_LETTERS.finditer(text))
        folded = [fold(w.group()) for w in words]
        out: list[Mention] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                key = " ".join(folded[i:i + n])
                code = self.exact.get(key) or (self._single(key) if n == 1 else None)
                if code is not None:
                    out.append(Mention(code, words[i].start(), words[i + n - 1].end()))
                    i += n
                    break
            else:
                i += 1
        return out

    def _single(self, word: str) -> str | None:
        """The country one folded word names: a prefix, a case ending or a shared stem."""
        found = self._prefix(word)
        if found is None and len(word) >= 6 and word[:6] in self.stems:
            code, size = self.stems[word[:6]]
            found = code if len(word) <= size + 4 else None
        return found

    def of_word(self, word: str) -> str | None:
        """The country a single word names or qualifies ("Kazakh", "Germany's"), if any."""
        bare = fold(re.sub(r"['’]s$", "", word))
        return self.exact.get(bare) or self._single(bare)


@dataclass(frozen=True)
class Found:
    """A person found in a sentence: name as printed, role as printed, and where."""

    name: str
    role: str
    start: int
    end: int
    country: str | None
    known: Person | None


_BARE = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'.]*(?:[-–][\w’'.]+)*"
_ELISION = r"(?:[dlDL]['’]|qu['’])?"
_RUN = re.compile(rf"{_ELISION}{_BARE}(?:\s+{_ELISION}{_BARE})*")
_TOK = re.compile(rf"{_ELISION}(?P<t>{_BARE})")
_CLAUSE = re.compile(r"[,;:(]|\sand\s|\set\s|\sи\s")


@cache
def _org_words(lang: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{LEXICONS[lang].org_words}|{LEXICONS['en'].org_words})$",
                      re.IGNORECASE)


@cache
def _roles(lang: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{_WORD})(?:{LEXICONS[lang].roles})(?:s|es)?(?!{_WORD})",
                      re.IGNORECASE)


def role_labels(printed: str) -> tuple[str, str] | None:
    """(en, fr) labels of the role word in ``printed``, if the lexicon knows it."""
    for pattern, en, fr in ROLE_LABELS:
        if re.search(pattern, printed, re.IGNORECASE):
            return en, fr
    return None


class People:
    """Finds people in sentences of one language, knowing the people of the data."""

    def __init__(self, lang: str, countries: Countries, known: Iterable[Person],
                 places: Iterable[str]) -> None:
        self.lang = lang
        self.countries = countries
        self.known = {fold(p.name): p for p in known}
        self.places = {fold(p) for p in places}
        self.org = _org_words(lang)
        self.roles = _roles(lang)

    def _skip(self, token: str) -> bool:
        """True for a capitalised word that is not part of a name."""
        bare = re.sub(r"['’]s$", "", token).rstrip(".")
        parts = re.split(r"[-–]", bare)
        return (not any(ch.islower() for ch in bare)
                or all(self.org.match(part) for part in parts)
                or self.countries.of_word(bare) is not None or fold(bare) in self.places)

    def find(self, text: str) -> list[Found]:
        """People named in ``text`` with their role, known people first matched."""
        out: list[Found] = []
        for run in _RUN.finditer(text):
            tokens = list(_TOK.finditer(run.group()))
            first = 0
            while first < len(tokens) and self._skip(tokens[first]["t"]):
                first += 1
            last = len(tokens)
            while last > first and self._skip(tokens[last - 1]["t"]):
                last -= 1
            if not 2 <= last - first <= 3:
                continue
            start = run.start() + tokens[first].start("t")
            end = run.start() + tokens[last - 1].end("t")
            name = text[start:end].rstrip(".")
            known = self.match(name)
            lead = text[run.start():start]
            after = self._apposition(text, start + len(name))
            role = after if after and not self.roles.search(lead) else \
                self._role(text, run.start(), start, lead)
            if not role:  # "François Mitterrand a été le premier chef d'État à..."
                role = after = self._predicate(text, start + len(name))
            if known is None and not role:
                continue
            country = known.country if known else self._country(
                text, run.start(), after if role == after else lead)
            out.append(Found(name, role, start, start + len(name), country, known))
        return out

    def _role(self, text: str, run_start: int, start: int, lead: str) -> str:
        """The role printed before a name: in its own capitalised run, or just before it."""
        if self.roles.search(lead):
            words = [w for w in lead.split() if self.countries.of_word(w) is None]
            return " ".join(words).strip(" ,")
        window = text[max(0, run_start - 70):start]
        clauses = list(_CLAUSE.finditer(window))
        tail = window[clauses[-1].end():] if clauses else window
        found = self.roles.search(tail)
        if found is None:
            matches = list(self.roles.finditer(window))
            if not matches or len(window) - matches[-1].start() > 60:
                return ""
            found_start = matches[-1].start()
            return window[found_start:].strip(" ,")
        return tail[found.start():].strip(" ,")

    def _apposition(self, text: str, end: int) -> str:
        """A role written after the name: "Emmanuel Macron, President of France, said"."""
        found = re.match(r",\s+(?:the\s+|le\s+|la\s+|l['’])?", text[end:], re.IGNORECASE)
        if found is None:
            return ""
        clause = re.split(r"[,;:()]|\s[-–—]\s", text[end + found.end():], maxsplit=1)[0]
        head = " ".join(clause.split()[:3])
        return clause.strip()[:80] if self.roles.search(head) else ""

    def _predicate(self, text: str, end: int) -> str:
        """A role said of the name by a verb of being, within four words: "X was the first
        president to...", "X a été le premier chef d'État", "X является послом"."""
        copula = LEXICONS[self.lang].copula
        found = re.match(rf"\s+(?:{copula})\s+((?:\S+\s+){{0,4}}?)(?={self.roles.pattern})",
                         text[end:], re.IGNORECASE)
        if copula == "" or found is None:
            return ""
        rest = text[end + found.end():]
        # the role ends where a place or an aim begins: "to Kazakhstan", "au Kazakhstan"
        role = re.split(r"[,;:()]|\s(?:to|in|at|à|au|aux|en|dans|de l['’]|of the|в|во)\s|"
                        r"\s[-–—]\s", rest, maxsplit=1)[0]
        words = role.split()[:4]
        return " ".join(words).strip(" .") if words else ""

    def _country(self, text: str, run_start: int, lead: str) -> str | None:
        """The country a role names ("Kazakh Prime Minister", "канцлер Германии")."""
        window = lead if lead.strip() else text[max(0, run_start - 40):run_start]
        found = self.countries.find(window)
        return found[-1].code if found else None

    def match(self, name: str) -> Person | None:
        """The known person a printed name stands for (same words, endings aside); a name
        in Cyrillic is compared through its romanisation (Токаева: Tokayev)."""
        words = fold(name).replace("–", "-").split()
        for key, person in self.known.items():
            theirs = key.split()
            if len(theirs) == len(words) and all(_same_word(a, b) for a, b in zip(words, theirs,
                                                                                  strict=True)):
                return person
        if not _CYRILLIC.search(name):
            return None
        latin = [latin_key(w) for w in romanised(name).replace("–", "-").split()]
        for key, person in self.known.items():
            theirs = [latin_key(w) for w in key.split()]
            if len(theirs) == len(latin) and all(_same_word(a, b) for a, b in zip(latin, theirs,
                                                                                  strict=True)):
                return person
        return None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Spellings of one sound across romanisations (BGN/PCGN, French, German, the people's own
# passports): Kassym-Jomart and Kasym-Zhomart, Scholz and Sholts, Tokaïev and Tokayev.
_SOUNDS = (("dzh", "j"), ("zh", "j"), ("dj", "j"), ("tsch", "ch"), ("sch", "sh"),
           ("kh", "h"), ("tz", "z"), ("ts", "z"), ("ou", "u"), ("w", "v"), ("ph", "f"),
           ("y", "i"))


def romanised(text: str) -> str:
    """Cyrillic text in Latin letters, as English-language news writes Russian names (the
    Wikipedia romanisation, through iuliia's kept schema tables)."""
    import iuliia  # an optional drafting dependency, like trafilatura

    return str(iuliia.WIKIPEDIA.translate(text))


def latin_key(word: str) -> str:
    """A name word reduced to its sounds, so two romanisations of it compare equal."""
    key = re.sub(r"['’ʹ]", "", fold(word))
    for spelled, sound in _SOUNDS:
        key = key.replace(spelled, sound)
    key = re.sub(r"(\w)\1", r"\1", key)  # doubled letters: Kassym, Kasym
    # a glide between vowels is written or not: Tokayev, Tokaev, Tokaïev
    return re.sub(r"(?<=[aeiou])i(?=[aeiou])", "", key)


def _same_word(a: str, b: str) -> bool:
    """Two spellings of one name word: equal, or the same stem with another case ending."""
    if a == b:
        return True
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared]:
        shared += 1
    return shared >= max(3, max(len(a), len(b)) - 2)


def named(text: str, names: list[str]) -> bool:
    """True when a sentence names a person: in full, or by surname (Macron, Tokayev's)."""
    return mention(text, names) is not None


def mention(text: str, names: list[str]) -> int | None:
    """Where ``text`` last names a person (in full, or by the surname's stem), else None."""
    found = [text.rfind(n) for n in names if n in text]
    surname = names[0].split()[-1]
    stem = surname[:-2] if len(surname) > 6 else surname
    if len(stem) >= 4:
        found += [m.start() for m in re.finditer(rf"(?<!\w){re.escape(stem)}", text)]
    return max(found) if found else None


def same_person(a: str, b: str) -> bool:
    """True when two printed names are spellings of one person's name."""
    x, y = fold(a).replace("–", "-").split(), fold(b).replace("–", "-").split()
    return len(x) == len(y) and all(_same_word(p, q) for p, q in zip(x, y, strict=True))


class Places:
    """Places the data knows (with their time zones) and CLDR's time-zone cities."""

    def __init__(self, lang: str, known: Iterable[Place]) -> None:
        self.by_name: dict[str, Place] = {}
        for zone, info in Locale(lang).time_zones.items():
            city = info.get("city")
            if city and "/" in zone and not zone.startswith("Etc/"):
                self.by_name.setdefault(fold(city), Place(name={"fr": city, "en": city},
                                                          timezone=zone))
        from zoneinfo import available_timezones

        # CLDR leaves out the cities a zone's id already names (Europe/Berlin): add them.
        for zone in sorted(available_timezones()):
            city = zone.rsplit("/", 1)[-1].replace("_", " ")
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
                self.by_name.setdefault(fold(city), Place(name={"fr": city, "en": city},
                                                          timezone=zone))
        for place in known:
            self.by_name[fold(place.name.en)] = place
            self.by_name[fold(place.name.fr)] = place

    def find(self, text: str, lang: str) -> Place | None:
        """The first known place the sentence puts something in or at."""
        preps = {"en": r"in|to|at", "fr": r"à|au|en|dans", "ru": r"в|во"}[lang]
        for m in re.finditer(rf"\b(?:{preps})\s+(?:the\s+)?(?:city of\s+|города\s+)?"
                             rf"([A-ZÀ-ÖØ-ÞА-ЯЁ][\w-]+)", text):
            word = fold(m.group(1))
            place = self.by_name.get(word)
            if place is None and lang == "ru":
                place = next((p for n, p in self.by_name.items()
                              if len(n) >= 5 and _same_word(word, n)), None)
            if place is None and lang == "ru":  # "в Астане": Astana, through its romanisation
                latin = latin_key(romanised(m.group(1)))
                place = next((p for n, p in self.by_name.items() if len(n) >= 5
                              and not _CYRILLIC.search(n) and _same_word(latin, latin_key(n))),
                             None)
            if place is not None:
                return place
        return None


def role_of(found: Found, lang: str) -> dict[str, str]:
    """The person's role in both interface languages: printed in one, a label in the other."""
    printed = found.role[:1].upper() + found.role[1:] if found.role else ""
    labels = role_labels(found.role) if found.role else None
    if found.known is not None and not printed:
        return {"fr": found.known.role.fr, "en": found.known.role.en}
    en, fr = labels if labels else (printed or "TODO", printed or "TODO")
    if lang == "en" and printed:
        en = printed
    if lang == "fr" and printed:
        fr = printed
    return {"fr": fr, "en": en}
