"""Polite HTTP fetching for feeds and article pages: conditional requests, a clear
User-Agent, a size limit, time limits, and redirects followed by hand so that a feed that
moved for good (301, 308) is remembered at its new address."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp

USER_AGENT = "Bilat/0.1 (bilateral-relations briefing bot; newsroom feed reader)"
PERMANENT = frozenset({301, 308})
TEMPORARY = frozenset({302, 303, 307})
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Limits:
    """How much and how long one fetch may take."""

    max_bytes: int = 2_000_000
    connect_seconds: float = 5.0
    read_seconds: float = 10.0
    total_seconds: float = 20.0


@dataclass(frozen=True)
class Fetched:
    """A response worth reading: 200 with its body, or 304 (not modified) without one."""

    status: int
    url: str  # where the body came from, after redirects
    body: bytes
    etag: str | None
    last_modified: str | None
    moved_to: str | None  # the new address when every redirect on the way was permanent
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        """True for a 304: nothing new since the validators sent."""
        return self.status == 304


class FetchError(Exception):
    """A fetch that gave nothing usable; the message says what in plain words."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def session(limits: Limits = Limits()) -> aiohttp.ClientSession:
    """A client session with Bilat's User-Agent and time limits."""
    timeout = aiohttp.ClientTimeout(total=limits.total_seconds,
                                    sock_connect=limits.connect_seconds,
                                    sock_read=limits.read_seconds)
    return aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT})


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (dates are ignored)."""
    return float(value) if value and value.strip().isdigit() else None


async def _body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, refused once it grows past ``limit`` bytes."""
    declared = response.content_length
    if declared is not None and declared > limit:
        raise FetchError(f"too large: {declared} bytes (the limit is {limit})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65_536):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"too large: more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(client: aiohttp.ClientSession, url: str, *, etag: str | None = None,
                last_modified: str | None = None, limits: Limits = Limits()) -> Fetched:
    """GET ``url`` with the validators given; FetchError for anything but 200 or 304."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml, "
                         "text/xml, text/html;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current, permanent = url, True
    try:
        for _ in range(MAX_REDIRECTS + 1):
            async with client.get(current, headers=headers, allow_redirects=False) as response:
                if response.status in PERMANENT | TEMPORARY:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {response.status} without a Location")
                    permanent = permanent and response.status in PERMANENT
                    current = urljoin(current, location)
                    continue
                moved = current if permanent and current != url else None
                if response.status == 304:
                    return Fetched(304, current, b"", etag, last_modified, moved)
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status}",
                                     _retry_after(response.headers.get("Retry-After")))
                body = await _body(response, limits.max_bytes)
                return Fetched(200, current, body, response.headers.get("ETag"),
                               response.headers.get("Last-Modified"), moved,
                               response.headers.get("Content-Type", ""))
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError:
        raise FetchError(f"no complete answer within {limits.total_seconds:g} s") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"cannot reach the site ({type(exc).__name__})") from None
