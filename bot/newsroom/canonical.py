"""One article, one key: canonical URLs (two feeds, two addresses) and content hashes (two
addresses, the same text)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track readers and never change the article.
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|_ga|ref|from|rss|amp)$",
                      re.IGNORECASE)


def canonical_url(url: str) -> str:
    """The URL's key: https, lower-case host without www., no port 80/443, no fragment,
    no tracking parameters, the rest of the query sorted, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def content_hash(text: str) -> str:
    """A hash of the article's words, blind to spacing and case."""
    words = " ".join(text.casefold().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()
