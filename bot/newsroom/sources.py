"""The sources file (data/sources.yaml): the feeds and sitemaps Bilat watches.

Operators edit it by hand or editors from chat (``/sources add``, ``/sources remove``); both
end in the same file, written atomically so the poller never reads half of it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from bot.core.newsroom import NewsroomError
from bot.core.phrases import N_

SourceKind = Literal["feed", "sitemap"]
KINDS: tuple[SourceKind, ...] = ("feed", "sitemap")
MAX_SOURCES = 200
MAX_FILE_BYTES = 256_000
HEADER = """\
# The feeds (RSS/Atom) and sitemaps Bilat watches for articles on the pairs it covers.
# Each entry: url, and optionally name (shown in /sources) and kind (feed or sitemap;
# sitemap for publishers without a feed). Editors change this list from chat with
# /sources add URL and /sources remove N; the bot rewrites this file, keeping no comments
# but this header.
"""


class SourcesError(NewsroomError):
    """The sources file or a URL is unusable; the message says why in plain words."""


@dataclass(frozen=True)
class Source:
    """One watched source."""

    url: str
    name: str = ""
    kind: SourceKind = "feed"

    @property
    def label(self) -> str:
        """The name if any, else the URL's host."""
        return self.name or urlsplit(self.url).hostname or self.url


def _broken(problem: str) -> SourcesError:
    """A problem with the file itself, in the operator's words (English, as in the log)."""
    return SourcesError(N_("The sources file is unusable: {problem}"), problem=problem)


def check_url(text: str) -> str:
    """``text`` as a fetchable http(s) URL, or SourcesError saying what is wrong."""
    url = text.strip().strip("<>")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SourcesError(N_("{url} is not a web address (it must start with https://)"),
                           url=url)
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        raise SourcesError(N_("{url} names no web site"), url=url)
    return url


def _entry(raw: Any, index: int) -> Source:
    """One list entry as a Source (a bare URL string is allowed)."""
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise _broken(f"entry {index + 1}: needs a url")
    kind = raw.get("kind", "feed")
    if kind not in KINDS:
        raise _broken(f"entry {index + 1}: kind {kind!r} is not feed or sitemap")
    unknown = set(raw) - {"url", "name", "kind"}
    if unknown:
        raise _broken(f"entry {index + 1}: unknown field {sorted(unknown)[0]!r}"
                           " (url, name and kind are allowed)")
    return Source(check_url(raw["url"]), str(raw.get("name") or ""), kind)


def load(path: Path) -> list[Source]:
    """The sources listed in ``path`` (none when it does not exist)."""
    if not path.is_file():
        return []
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _broken(f"{path.name}: larger than {MAX_FILE_BYTES} bytes")
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise _broken(f"{path.name}: not valid YAML ({exc})") from None
    entries = body.get("sources") if isinstance(body, dict) else None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise _broken(f"{path.name}: 'sources' must be a list")
    if len(entries) > MAX_SOURCES:
        raise _broken(f"{path.name}: more than {MAX_SOURCES} sources")
    found = [_entry(raw, i) for i, raw in enumerate(entries)]
    seen: set[str] = set()
    for source in found:
        if source.url in seen:
            raise _broken(f"{path.name}: {source.url} is listed twice")
        seen.add(source.url)
    return found


def save(path: Path, sources: list[Source]) -> None:
    """Write the list atomically (a temporary file renamed over the old one)."""
    entries = [{k: v for k, v in (("url", s.url), ("name", s.name), ("kind", s.kind))
                if v and not (k == "kind" and v == "feed")} for s in sources]
    text = HEADER + yaml.safe_dump({"sources": entries}, sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def add(path: Path, url: str, kind: SourceKind = "feed") -> Source:
    """Add a source to the file; SourcesError if it is already listed or unusable."""
    sources = load(path)
    source = Source(check_url(url), kind=kind)
    if any(s.url == source.url for s in sources):
        raise SourcesError(N_("{url} is already watched"), url=source.url)
    if len(sources) >= MAX_SOURCES:
        raise SourcesError(N_("Already {count} sources; remove one first."),
                           count=MAX_SOURCES)
    save(path, [*sources, source])
    return source


def remove(path: Path, number: int) -> Source:
    """Remove the ``number``-th source (1-based, as /sources lists them)."""
    sources = load(path)
    if not 1 <= number <= len(sources):
        raise SourcesError(N_("There is no source {number}; the list has {count}."),
                           number=number, count=len(sources))
    gone = sources.pop(number - 1)
    save(path, sources)
    return gone
