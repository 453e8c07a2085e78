"""The items a feed or sitemap lists: feeds through feedparser, sitemaps through defusedxml
(a publisher's XML is untrusted: no entity expansion)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from urllib.parse import urljoin, urlsplit

import feedparser
from defusedxml import ElementTree

MAX_ITEMS = 500  # per fetch: a feed listing more is cut (the newest come first)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class ItemsError(ValueError):
    """A body that is not a feed or sitemap; the message says why."""


@dataclass(frozen=True)
class Item:
    """One entry: where the article is, and what the listing says of it."""

    url: str
    title: str
    summary: str = ""
    published: datetime | None = None

    @property
    def text(self) -> str:
        """Title and summary, for deciding whether the item concerns a covered pair."""
        return f"{self.title}\n{self.summary}"


def _instant(value: struct_time | None) -> datetime | None:
    """feedparser's UTC time tuple as an aware instant."""
    return None if value is None else datetime(*value[:6], tzinfo=UTC)


def feed_items(body: bytes, base: str, content_type: str = "") -> list[Item]:
    """The entries of an RSS or Atom feed; ItemsError when it is malformed and no entry with
    a link could be read from it (feedparser reads what it can of a slightly broken feed)."""
    headers = {"content-location": base, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    found: list[Item] = []
    for entry in parsed.entries[:MAX_ITEMS]:
        link = entry.get("link")
        if not link:
            continue
        found.append(Item(urljoin(base, link), str(entry.get("title", "")).strip(),
                          str(entry.get("summary", "")).strip(),
                          _instant(entry.get("published_parsed") or entry.get("updated_parsed"))))
    benign = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    if parsed.bozo and not benign and not found:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")()
        raise ItemsError(f"not a valid feed{f' ({reason})' if reason else ''}")
    return found


def _slug_title(url: str) -> str:
    """A readable title from a URL's last path segment (sitemaps without news titles)."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")


def sitemap_items(body: bytes) -> list[Item]:
    """The pages a sitemap lists, with their Google News titles where given."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ItemsError(f"not a valid sitemap ({exc})") from None
    except Exception as exc:  # defusedxml's refusals (entities, DTDs)
        raise ItemsError(f"sitemap refused ({type(exc).__name__})") from None
    if root.tag != f"{SITEMAP}urlset":
        raise ItemsError("not a sitemap of pages (urlset)")
    found: list[Item] = []
    for node in root.findall(f"{SITEMAP}url")[:MAX_ITEMS]:
        loc = (node.findtext(f"{SITEMAP}loc") or "").strip()
        if not loc:
            continue
        title = (node.findtext(f"{NEWS}news/{NEWS}title") or "").strip() or _slug_title(loc)
        found.append(Item(loc, title))
    return found
