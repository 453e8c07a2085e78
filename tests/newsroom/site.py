"""A publisher's web site on loopback: feeds that change, honour validators, fail, stall, move,
grow too large or break; article pages; a sitemap. Every request is counted."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from aiohttp import web
from aiohttp.typedefs import Handler

RSS = "application/rss+xml"


@dataclass
class Entry:
    """One feed item."""

    path: str
    title: str
    summary: str = ""


def rss(entries: list[Entry], base: str) -> bytes:
    """An RSS 2.0 document listing ``entries`` (newest first)."""
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{base}{e.path}</link>"
        f"<description>{escape(e.summary)}</description>"
        f"<pubDate>{format_datetime(datetime(2025, 6, 10, 9, tzinfo=UTC))}</pubDate></item>"
        for e in reversed(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Test</title><link>{base}/</link><description>t</description>"
            f"{items}</channel></rss>").encode()


def article_html(title: str, body: str, published: str = "2025-06-10") -> str:
    """A news page as publishers write them: metadata in the head, paragraphs in the body."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>"
            f'<meta property="og:site_name" content="Loopback News">'
            f'<meta property="article:published_time" content="{published}T09:00:00+00:00">'
            f"</head><body><article><h1>{escape(title)}</h1>{paragraphs}</article>"
            f"</body></html>")


@dataclass
class Site:
    """The site's content (tests change it) and what was asked of it."""

    base: str = ""
    feeds: dict[str, list[Entry]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    sitemap: list[str] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    agents: set[str] = field(default_factory=set)
    slow_seconds: float = 30.0
    huge_bytes: int = 5_000_000

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this site."""
        return self.base + path

    def feed_body(self, name: str) -> bytes:
        return rss(self.feeds[name], self.base)

    async def feed(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in self.feeds:
            raise web.HTTPNotFound()
        body = self.feed_body(name)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified[request.path] += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type=RSS, headers={"ETag": etag})

    async def page(self, request: web.Request) -> web.Response:
        text = self.pages.get(request.path)
        if text is None:
            raise web.HTTPNotFound()
        return web.Response(text=text, content_type="text/html")

    async def slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.slow_seconds)
        return web.Response(body=rss([], self.base), content_type=RSS)

    async def error(self, request: web.Request) -> web.Response:
        return web.Response(status=500, text="internal error")

    async def huge(self, request: web.Request) -> web.StreamResponse:
        answer = web.StreamResponse(headers={"Content-Type": RSS})
        await answer.prepare(request)
        chunk = b"<!-- " + b"x" * 65_000 + b" -->"
        sent = 0
        while sent < self.huge_bytes:
            await answer.write(chunk)
            sent += len(chunk)
        return answer

    async def malformed(self, request: web.Request) -> web.Response:
        return web.Response(body=b"<rss><channel><item><title>broken", content_type=RSS)

    async def moved(self, request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(location="/feeds/" + request.match_info["name"])

    async def sitemap_xml(self, request: web.Request) -> web.Response:
        urls = "".join(
            f"<url><loc>{self.base}{path}</loc><news:news><news:title>{escape(title)}"
            f"</news:title></news:news></url>" for path, title in
            ((p, self.title_of(p)) for p in self.sitemap))
        body = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f"{urls}</urlset>")
        return web.Response(text=body, content_type="application/xml")

    def title_of(self, path: str) -> str:
        for entries in self.feeds.values():
            for entry in entries:
                if entry.path == path:
                    return entry.title
        return path

    def app(self) -> web.Application:
        @web.middleware
        async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.hits[request.path] += 1
            self.agents.add(request.headers.get("User-Agent", ""))
            return await handler(request)

        app = web.Application(middlewares=[count])
        app.add_routes([
            web.get("/feeds/{name}", self.feed), web.get("/old/{name}", self.moved),
            web.get("/slow.xml", self.slow), web.get("/error.xml", self.error),
            web.get("/huge.xml", self.huge), web.get("/malformed.xml", self.malformed),
            web.get("/sitemap.xml", self.sitemap_xml), web.get("/{tail:.*}", self.page)])
        return app


@asynccontextmanager
async def serving(site: Site) -> AsyncIterator[Site]:
    """Serve ``site`` on a free loopback port for the duration."""
    runner = web.AppRunner(site.app(), shutdown_timeout=0.1)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    site.base = f"http://127.0.0.1:{port}"
    try:
        yield site
    finally:
        await runner.cleanup()
