"""Load article data from YAML into facts; every error names its file, line and field.

Loading is all or nothing: one bad file and nothing is returned, so a half-loaded library
never reaches users. Loading is also bounded, whatever the files hold: at most ``MAX_FILES``
article files of ``MAX_FILE_BYTES`` each, nesting at most ``MAX_DEPTH`` deep, and no YAML
aliases (a few hundred bytes of nested aliases expand to gigabytes), so a hostile or broken
file costs a located error, never the process's memory or stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.core.facts import Article, CountryForms, Sector

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


def _message(error: Any) -> str:
    """Turn a pydantic error into a sentence an editor can act on."""
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        what = "date" if kind.startswith("date_") else "date and time"
        return f"{value} is not a valid {what}"
    if kind == "literal_error":
        return f"{value!r} is not one of {error['ctx']['expected']}"
    if kind == "union_tag_invalid":
        return f"precision {error['ctx']['tag']!r} is not one of {error['ctx']['expected_tags']}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not have the expected form"
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
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return str(error["msg"])


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


def _cross_checks(article: Article, parsed: _Parsed, label: str,
                  sectors: dict[str, Sector]) -> list[DataError]:
    """Check ids and references the models cannot see alone."""
    errors: list[DataError] = []

    def err(path: Path_, message: str) -> None:
        errors.append(DataError(label, parsed.lines.get(path, 1), _field(path), message))

    people = {p.id for p in article.people}
    for field in ("people", "trade", "investments", "counts", "events"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(article, field)):
            if item.id in seen:
                err((field, i, "id"), f"duplicate id {item.id!r}")
            seen.add(item.id)
    if sectors:
        for i, code in enumerate(article.sectors):
            if code not in sectors:
                err(("sectors", i), f"unknown sector {code!r} (see data/sectors.yaml)")
    for i, quote in enumerate(article.quotes):
        if quote.speaker not in people:
            err(("quotes", i, "speaker"), f"unknown person {quote.speaker!r}")
    for i, event in enumerate(article.events):
        for j, who in enumerate(event.participants):
            if who not in people:
                err(("events", i, "participants", j), f"unknown person {who!r}")
    return errors


def _dangling_same_as(articles: list[Article], owners: dict[str, str]) -> list[DataError]:
    """``same_as`` must name an event of another loaded article."""
    known = {f"{a.id}/{e.id}" for a in articles for e in a.events}
    return [
        DataError(owners[a.id], 1, f"events[{i}].same_as", f"no event {e.same_as!r} is loaded")
        for a in articles for i, e in enumerate(a.events)
        if e.same_as and (e.same_as not in known or e.same_as.startswith(f"{a.id}/"))
    ]


def load_dataset(root: Path) -> Dataset:
    """Load and validate every file under ``root``; raise DataInvalid listing all errors."""
    errors: list[DataError] = []
    base = root if root.is_dir() else root.parent.parent
    sectors: dict[str, Sector] = _vocabulary(base, "sectors.yaml", Sector, errors)
    countries: dict[str, CountryForms] = _vocabulary(base, "countries.yaml", CountryForms, errors)
    articles: list[Article] = []
    owners: dict[str, str] = {}
    files = list(_article_files(root))
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
        if parsed is None or problems:
            continue
        if not isinstance(parsed.data, dict):
            errors.append(DataError(label, 1, "", "expected a mapping (an article)"))
            continue
        article, errs = _validate(Article, parsed, label)
        errors.extend(errs)
        if article is None:
            continue
        errors.extend(_cross_checks(article, parsed, label, sectors))
        if article.id in owners:
            errors.append(DataError(label, parsed.lines.get(("id",), 1), "id",
                                    f"duplicate article id {article.id!r} "
                                    f"(also in {owners[article.id]})"))
        owners[article.id] = label
        articles.append(article)
    errors.extend(_dangling_same_as(articles, owners))
    if errors:
        raise DataInvalid(errors)
    return Dataset(tuple(articles), sectors, countries)
