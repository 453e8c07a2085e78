"""Load article data from YAML into facts; every error names its file, line and field.

Loading is all or nothing: one bad file and nothing is returned, so a half-loaded library
never reaches users. Loading is also bounded, whatever the files hold: at most ``MAX_FILES``
article files of ``MAX_FILE_BYTES`` each, nesting at most ``MAX_DEPTH`` deep, and no YAML
aliases (a few hundred bytes of nested aliases expand to gigabytes), so a hostile or broken
file costs a located error, never the process's memory or stack.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.core.facts import Article, CountryForms, NameForms, Sector

Path_ = tuple[str | int, ...]

MAX_FILES = 2000  # article files in one data directory
MAX_FILE_BYTES = 256 * 1024  # one article file (the largest bundled one is 12 KB)
MAX_DEPTH = 20  # nesting of mappings and lists (articles need 5)
MESSAGE_MAX = 300  # characters of one error message


@dataclass(frozen=True)
class DataError:
    """One problem in a data file, located as precisely as the YAML allows."""

    file: str
    line: int
    field: str
    message: str

    def __post_init__(self) -> None:
        # A value pasted by mistake may be quoted: cut it in the middle, keep the sentence.
        if len(self.message) > MESSAGE_MAX:
            head, tail = MESSAGE_MAX * 2 // 3, MESSAGE_MAX // 3
            object.__setattr__(self, "message",
                               f"{self.message[:head]} … {self.message[-tail:]}")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class DataInvalid(Exception):
    """Raised with every error found, when any data file is invalid."""

    def __init__(self, errors: list[DataError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps decimals exact, leaves dates to the models, and is bounded."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose as SafeLoader does, refusing aliases and deep nesting."""
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in data files; write the value "
                "out", self._mark())
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self._mark())
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _mark(self) -> yaml.Mark | None:
        """Where the next event starts."""
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        return event.start_mark  # type: ignore[return-value]  # the C and Python marks


def _decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    """Build a Decimal from the printed digits, so 4.20 keeps its trailing zero."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a number", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
# Timestamps stay strings: PyYAML would raise a bare ValueError on 2025-02-30 without a field.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _field(path: Path_) -> str:
    """Render a path as ``events[1].date``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def field_name(path: Path_) -> str:
    """A path as written in messages: ``events[1].date``."""
    return _field(path)


def _index_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int],
                 problems: list[tuple[Path_, int, str]]) -> None:
    """Record the line of every key and item, and report duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = (*path, key)
            if key in seen:
                problems.append((here, key_node.start_mark.line + 1, "duplicate key"))
            seen.add(key)
            lines[here] = key_node.start_mark.line + 1
            _index_lines(value_node, here, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _index_lines(item, (*path, index), lines, problems)


@dataclass(frozen=True)
class _Parsed:
    """A YAML document with the line of each of its paths."""

    data: Any
    lines: dict[Path_, int]


def _read(path: Path, label: str) -> tuple[str | None, list[DataError]]:
    """The text of one file, if it is readable, UTF-8 and not too large."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [DataError(label, 1, "", f"file is {size} bytes; at most "
                                    f"{MAX_FILE_BYTES} are allowed")]
        with path.open("rb") as stream:  # at most the cap, even if it grew since the stat
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None, [DataError(label, 1, "", f"file is over {MAX_FILE_BYTES} bytes")]
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [DataError(label, 1, "", f"not UTF-8 text: {exc.reason} at byte "
                                f"{exc.start}")]
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        return None, [DataError(label, 1, "", f"cannot read file: {exc}")]


def _unprintable(text: str, error: yaml.reader.ReaderError) -> DataError:
    """Where the reader met a character YAML does not allow."""
    before = text[:error.position]
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
    return DataError("", line, "", f"character U+{error.character:04X} at column {column} is "
                     "not allowed in YAML (a control character?)")


def _parse(path: Path, label: str) -> tuple[_Parsed | None, list[DataError]]:
    """Parse one YAML file, or say where it is not YAML."""
    text, unread = _read(path, label)
    if text is None:
        return None, unread
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        found = _unprintable(text, exc)
        return None, [DataError(label, found.line, "", found.message)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [DataError(label, 1, "", "file is empty")]
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        problems: list[tuple[Path_, int, str]] = []
        _index_lines(node, (), lines, problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [DataError(label, line, "", f"not valid YAML: {exc.problem or exc}")]
    except yaml.reader.ReaderError as exc:  # met while reading on (a stream's later part)
        found = _unprintable(text, exc)
        return None, [DataError(label, found.line, "", found.message)]
    except yaml.YAMLError as exc:
        return None, [DataError(label, 1, "", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    errors = [DataError(label, line, _field(p), msg) for p, line, msg in problems]
    return _Parsed(data, lines), errors


def _locate(parsed: _Parsed, loc: Iterable[str | int]) -> tuple[Path_, int]:
    """Map a validation location to a path in the file, and the line to report."""
    found: Path_ = ()
    node: Any = parsed.data
    for part in loc:
        if _has(node, part):
            node, found = node[part], (*found, part)
        elif isinstance(part, str) and part in _UNION_TAGS:
            continue  # pydantic names the union member it tried; the file has no such key
        else:
            return (*found, part), parsed.lines.get(found, 1)
    return found, parsed.lines.get(found, 1)


def _has(node: Any, part: str | int) -> bool:
    """True when ``node[part]`` exists in the parsed document."""
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


_UNION_TAGS = frozenset({"day", "days", "month", "year", "before", "unknown"})


# The shape each field expects, in the words of data/README.md, for messages an editor
# can act on (pydantic's own say "Input should be a valid dictionary").
_SHAPES = {
    "title": "a French and an English text, e.g. {fr: ..., en: ...}",
    "role": "a French and an English text, e.g. {fr: Président, en: President}",
    "what": "a French and an English label, e.g. {fr: entreprises, en: companies}",
    "note": "a French and an English text, e.g. {fr: ..., en: ...}",
    "attributed_to": "a French and an English text, e.g. {fr: ..., en: ...}",
    "name": "a text, or for a place {fr: ..., en: ...}",
    "key_points": "a list of 3 to 5 items, each {fr: ..., en: ...}",
    "source": "publisher, url, published and language, each on its own line",
    "place": "{name: {fr: ..., en: ...}, timezone: Europe/Paris}",
    "date": "{precision: day, value: 2025-05-08} (or days, month, year, before, unknown)",
    "growth": "{percent: 7.7, base: previous_year}",
    "period": "a year (2024) or a month range (2023-01/2023-08)",
    "published": "a date and time with its UTC offset, e.g. 2025-05-07T19:41:00+01:00",
    "countries": "a list of ISO country codes, e.g. [KZ, FR]",
    "sectors": "a list of codes from data/sectors.yaml, e.g. [energy, trade]",
    "participants": "a list of people ids, e.g. [macron, tokayev]",
    "value": "a number as printed, e.g. 5.5",
    "percent": "a number, e.g. 7.7",
    "since": "a year, e.g. 2005",
    "as_of": "a date, e.g. 2025-05-07",
    "unreviewed": "true or false",
    "draft": "true or false",
    "fr": "the text in French",
    "en": "the text in English",
    "id": "a short name of lower-case letters, digits and dashes, e.g. turnover-2024",
    "evidence": "the source sentence the fact comes from, verbatim",
    "flow": "turnover, exports or imports",
    "unit": "one, thousand, million or billion",
    "currency": "an ISO 4217 code such as USD",
    "reporter": "an ISO country code such as KZ",
    "partner": "an ISO country code such as FR",
    "investor": "an ISO country code such as FR",
    "host": "an ISO country code such as KZ",
    "kind": "one of the kinds listed in data/README.md",
    "status": "planned, held or cancelled",
    "publisher": "who published the article",
    "language": "an ISO 639-1 code such as fr",
    "timezone": "an IANA time zone such as Asia/Almaty",
    "speaker": "a people id",
    "text": "the quotation, verbatim",
    "same_as": "<article-id>/<event-id> of another article",
    "time": "a local time as HH:MM, e.g. 18:30",
}
_KINDS = {
    "dict_type": "a mapping (key: value lines)", "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list", "tuple_type": "a list", "string_type": "a text",
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "decimal_type": "a number",
    "decimal_parsing": "a number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
}


def _shape(loc: Iterable[str | int]) -> str:
    """The expected shape of the field at ``loc``, named by its last named part."""
    names = [p for p in loc if isinstance(p, str) and p not in _UNION_TAGS]
    return _SHAPES.get(names[-1], "") if names else ""


def _message(error: Any) -> str:
    """Turn a pydantic error into a sentence an editor can act on."""
    kind, value = error["type"], error.get("input")
    shape = _shape(error["loc"])
    if kind == "extra_forbidden":
        return "unknown field (see data/README.md for the fields of each list)"
    if kind == "missing":
        return "required field is missing" + (f": expected {shape}" if shape else "")
    if kind.startswith("date_") or kind.startswith("datetime_"):
        what = "date (2025-05-07)" if kind.startswith("date_") else \
            "date and time with its UTC offset (2025-05-07T19:41:00+01:00)"
        return f"{value} is not a valid {what}"
    if kind == "literal_error":
        return f"{value!r} is not one of {error['ctx']['expected']}"
    if kind == "union_tag_invalid":
        return f"precision {error['ctx']['tag']!r} is not one of {error['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        return f"expected {shape or 'a precision'}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not have the expected form" + (f": {shape}" if shape else
                                                             _pattern_hint(error))
    if kind == "string_too_long":
        return (f"is {len(str(value))} characters long; at most "
                f"{error['ctx']['max_length']} are allowed")
    if kind == "decimal_max_digits":
        return f"{value} has more than {error['ctx']['max_digits']} digits"
    if kind == "decimal_max_places":
        return f"{value} has more than {error['ctx']['decimal_places']} decimal places"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        limit = error["ctx"]["min_length" if kind == "too_short" else "max_length"]
        return f"needs {bound} {limit} items, has {error['ctx']['actual_length']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "at least" if kind == "greater_than_equal" else "at most"
        limit = error["ctx"]["ge" if kind == "greater_than_equal" else "le"]
        return f"{value} is out of range: must be {word} {limit}"
    if kind in _KINDS:
        expected = shape or _KINDS[kind]
        return f"expected {expected}, found {_found(value)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return str(error["msg"])


def _pattern_hint(error: Any) -> str:
    pattern = str(error.get("ctx", {}).get("pattern", ""))
    if "https?" in pattern:
        return ": a web address starting with http:// or https://"
    return ""


def _found(value: Any) -> str:
    """Describe what the file holds instead, in plain words."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _validate(model: type[BaseModel], parsed: _Parsed, label: str,
              base: Path_ = ()) -> tuple[Any, list[DataError]]:
    """Validate ``parsed`` (or the part at ``base``) into ``model``."""
    data = parsed.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            path, line = _locate(parsed, (*base, *err["loc"]))
            errors.append(DataError(label, line, _field(path), _message(err)))
        return None, errors


def _label(path: Path, root: Path) -> str:
    """Name a file relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path if path.is_absolute() else root / path)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return str(path)


@dataclass(frozen=True)
class Dataset:
    """Everything loaded from a data directory, validated together."""

    articles: tuple[Article, ...]
    sectors: dict[str, Sector]
    countries: dict[str, CountryForms]
    # article id -> (file label, line of each path): where `bilat check` points an editor.
    located: dict[str, tuple[str, dict[Path_, int]]] = field(default_factory=dict)
    names: dict[str, NameForms] = field(default_factory=dict)


def _vocabulary(root: Path, name: str, model: type[BaseModel],
                errors: list[DataError]) -> dict[str, Any]:
    """Load a ``code: {...}`` vocabulary file such as sectors.yaml."""
    path = root / name
    if not path.exists():
        return {}
    label = _label(path, root)
    parsed, problems = _parse(path, label)
    errors.extend(problems)
    if parsed is None:
        return {}
    if not isinstance(parsed.data, dict):
        errors.append(DataError(label, 1, "", "expected a mapping of codes"))
        return {}
    out: dict[str, Any] = {}
    for code, body in parsed.data.items():
        body = {"code": code, **body} if isinstance(body, dict) else body
        item, errs = _validate(model, _Parsed({code: body}, parsed.lines), label, (code,))
        errors.extend(errs)
        if item is not None:
            out[str(code)] = item
    return out


def _article_files(root: Path) -> Iterator[Path]:
    """The article files under ``root``: articles/*.yaml, or ``root`` itself if a file."""
    if root.is_file():
        yield root
        return
    folder = root / "articles" if (root / "articles").is_dir() else root
    yield from sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def _items(data: Any, name: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of list ``name`` in a raw article, with their index."""
    items = data.get(name) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _cross_checks(data: Any, parsed: _Parsed, label: str,
                  sectors: dict[str, Sector]) -> list[DataError]:
    """Check ids and references the models cannot see alone (on the raw file, so they come
    in the same round as the field errors)."""
    errors: list[DataError] = []

    def err(path: Path_, message: str) -> None:
        errors.append(DataError(label, parsed.lines.get(path, 1), _field(path), message))

    people = {str(p.get("id")) for _, p in _items(data, "people")}
    for name in ("people", "trade", "investments", "counts", "events"):
        seen: set[str] = set()
        for i, item in _items(data, name):
            if "id" in item and str(item["id"]) in seen:
                err((name, i, "id"), f"duplicate id {item['id']!r}")
            seen.add(str(item.get("id")))
    codes = data.get("sectors") if isinstance(data, dict) else None
    if sectors and isinstance(codes, list):
        for i, code in enumerate(codes):
            if str(code) not in sectors:
                err(("sectors", i), f"unknown sector {code!r} (see data/sectors.yaml)")
    for i, quote in _items(data, "quotes"):
        if "speaker" in quote and str(quote["speaker"]) not in people:
            err(("quotes", i, "speaker"), f"unknown person {quote['speaker']!r}")
    for i, event in _items(data, "events"):
        who = event.get("participants")
        for j, person in enumerate(who if isinstance(who, list) else []):
            if str(person) not in people:
                err(("events", i, "participants", j), f"unknown person {person!r}")
    return errors


def _dangling_same_as(articles: list[Article], owners: dict[str, str]) -> list[DataError]:
    """``same_as`` must name an event of another loaded article."""
    known = {f"{a.id}/{e.id}" for a in articles for e in a.events}
    return [
        DataError(owners[a.id], 1, f"events[{i}].same_as", f"no event {e.same_as!r} is loaded")
        for a in articles for i, e in enumerate(a.events)
        if e.same_as and (e.same_as not in known or e.same_as.startswith(f"{a.id}/"))
    ]


def load_dataset(root: Path, extra: Iterable[Path] = ()) -> Dataset:
    """Load and validate every file under ``root`` (and the ``extra`` article files); raise
    DataInvalid listing all errors."""
    errors: list[DataError] = []
    base = root if root.is_dir() else root.parent.parent
    sectors: dict[str, Sector] = _vocabulary(base, "sectors.yaml", Sector, errors)
    countries: dict[str, CountryForms] = _vocabulary(base, "countries.yaml", CountryForms, errors)
    names: dict[str, NameForms] = _vocabulary(base, "names.yaml", NameForms, errors)
    articles: list[Article] = []
    owners: dict[str, str] = {}
    located: dict[str, tuple[str, dict[Path_, int]]] = {}
    files = list(_article_files(root))
    # os.path.realpath, unlike Path.resolve, does not raise on a symbolic link loop.
    seen = {os.path.realpath(p) for p in files}
    files += [p for p in extra if os.path.realpath(p) not in seen]
    if not files and not root.exists():
        errors.append(DataError(str(root), 1, "", "no such file or directory"))
    if len(files) > MAX_FILES:
        errors.append(DataError(str(root), 1, "", f"{len(files)} article files; at most "
                                f"{MAX_FILES} are allowed"))
        files = []
    for path in files:
        label = _label(path, base)
        parsed, problems = _parse(path, label)
        errors.extend(problems)
        if parsed is None:
            continue
        if not isinstance(parsed.data, dict):
            errors.append(DataError(label, 1, "", "expected a mapping (an article)"))
            continue
        article, errs = _validate(Article, parsed, label)
        errors.extend(errs)
        errors.extend(_cross_checks(parsed.data, parsed, label, sectors))
        if article is None:
            continue
        if article.id in owners:
            errors.append(DataError(label, parsed.lines.get(("id",), 1), "id",
                                    f"duplicate article id {article.id!r} "
                                    f"(also in {owners[article.id]})"))
        owners[article.id] = label
        located[article.id] = (label, parsed.lines)
        articles.append(article)
    errors.extend(_dangling_same_as(articles, owners))
    if errors:
        raise DataInvalid(errors)
    return Dataset(tuple(articles), sectors, countries, located, names)


def file_label(path: Path, root: Path) -> str:
    """How errors name ``path`` when ``root`` is loaded."""
    return _label(path, root if root.is_dir() else root.parent.parent)
