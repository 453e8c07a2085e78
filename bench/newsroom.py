"""From a new item in a feed to the editor's review message, and the poller's memory.

Ten feeds, each on its own loopback host (127.0.0.1 to 127.0.0.10, so the per-host gap
applies as in service), polled every ``--interval`` seconds by the real poller: conditional
requests, relevance, one fetch of each page, drafting with ``bot.draft``, the draft stored,
then the editor's message handed to a recording network. Each round adds one item on a
covered pair to every feed (50 items over 5 rounds). Latency runs from the moment the site
first served a feed listing the item (the item is seen) to the editor's message.
Prints the median and worst latency and the resident memory after each round.
Target: worst under 5 s at a 60 s interval; memory flat from the second round on.
Run: ``make bench`` or ``.venv/bin/python bench/newsroom.py [--interval S] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bot.core.library import Library
from bot.core.network import Attachment, ChatRef, Limits
from bot.core.render import Rendered
from bot.newsroom import sources as sources_file
from bot.newsroom.desk import Desk
from bot.newsroom.notify import EditorNotifier
from bot.newsroom.poller import Poller, PollSettings
from bot.newsroom.sources import Source
from bot.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
FEEDS = 10
EDITOR = "telegram:1"
TARGET_SECONDS = 5.0
BODY = ("Kazakhstan and France signed {n} agreements in Astana on 10 June 2025, the Kazakh "
        "foreign ministry said in report {key}.\n\nTrade between Kazakhstan and France "
        "reached ${n}.1 billion in 2024, up 12% from a year earlier.\n\nFrench investment "
        "in Kazakhstan totalled ${n} billion since 2005.")


class Publisher:
    """The ten feeds and their pages; notes when each item was first served."""

    def __init__(self) -> None:
        self.items: dict[int, list[int]] = {f: [] for f in range(FEEDS)}
        self.seen: dict[str, float] = {}  # item path -> first time a feed listing it was served

    def add(self, feed: int, number: int) -> None:
        self.items[feed].append(number)

    async def feed(self, request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        base = f"http://{request.host}"
        entries = []
        now = time.perf_counter()
        for n in reversed(self.items[feed]):
            path = f"/news/{feed}-{n}"
            self.seen.setdefault(path, now)
            entries.append(
                f"<item><title>Kazakhstan and France sign agreements, report {feed}-{n}</title>"
                f"<link>{base}{path}</link><description>Agreements signed.</description>"
                f"<pubDate>{format_datetime(datetime(2025, 6, 10, tzinfo=UTC))}</pubDate>"
                "</item>")
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f"<link>{base}/</link><description>d</description>{''.join(entries)}"
                "</channel></rss>")
        tag = f'"{feed}-{len(self.items[feed])}"'
        if request.headers.get("If-None-Match") == tag:
            return web.Response(status=304, headers={"ETag": tag})
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": tag})

    async def page(self, request: web.Request) -> web.Response:
        feed, n = int(request.match_info["feed"]), int(request.match_info["n"])
        title = f"Kazakhstan and France sign agreements, report {feed}-{n}"
        text = BODY.format(n=n, key=f"{feed}-{n}")
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
        return web.Response(content_type="text/html", text=(
            f'<html lang="en"><head><title>{title}</title><meta property="og:site_name" '
            'content="Bench News"><meta property="article:published_time" '
            f'content="2025-06-10T09:00:00+00:00"></head><body><article><h1>{title}</h1>'
            f"{paragraphs}</article></body></html>"))


class Editor:
    """A network that records when each draft reached the editor."""

    network = "telegram"
    limits = Limits()

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        self.received.append((time.perf_counter(), message.text))
        return str(len(self.received))

    def is_group(self, chat: ChatRef) -> bool:
        return False


def rss_mb() -> float:
    """The process's resident memory now (MB)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


async def bench(interval: float, rounds: int) -> int:
    publisher = Publisher()
    app = web.Application()
    app.add_routes([web.get("/feeds/{feed}", publisher.feed),
                    web.get(r"/news/{feed}-{n:\d+}", publisher.page)])
    runner = web.AppRunner(app)
    await runner.setup()
    port = 0
    for host in range(1, FEEDS + 1):
        site = web.TCPSite(runner, f"127.0.0.{host}", port)
        await site.start()
        port = port or runner.addresses[0][1]
    editor = Editor()
    library = Library.load(ROOT / "data")
    with tempfile.TemporaryDirectory() as scratch:
        sources = Path(scratch) / "sources.yaml"
        sources_file.save(sources, [Source(f"http://127.0.0.{f + 1}:{port}/feeds/{f}")
                                    for f in range(FEEDS)])
        async with await Database.open(Path(scratch) / "bench.sqlite3") as db:
            notifier = EditorNotifier(db, {EDITOR}, lambda: {"telegram": editor}, "en")
            poller = Poller(db, sources, Desk(lambda: library),
                            lambda: datetime.now(UTC), PollSettings(interval=interval),
                            notify=notifier)
            stop = asyncio.Event()
            task = asyncio.create_task(poller.run(stop))
            memory = []
            for r in range(rounds):
                for feed in range(FEEDS):
                    publisher.add(feed, r + 1)
                await asyncio.sleep(interval + 2.0)
                memory.append(rss_mb())
            stop.set()
            await task
    await runner.cleanup()
    latencies = []
    for at, text in editor.received:
        key = re.search(r"report (\d+-\d+)", text)
        if key is not None:
            latencies.append(at - publisher.seen[f"/news/{key[1]}"])
    expected = rounds * FEEDS
    print(f"newsroom: {FEEDS} feeds on {FEEDS} hosts, poll interval {interval:g} s, "
          f"{expected} items over {rounds} rounds")
    if not latencies:
        print("  no draft reached the editor")
        return 1
    print(f"  drafts told to the editor: {len(editor.received)} of {expected}")
    print(f"  item seen -> editor's message: median {statistics.median(latencies):.2f} s, "
          f"worst {max(latencies):.2f} s")
    print("  resident memory after each round (MB): "
          + ", ".join(f"{m:.0f}" for m in memory))
    growth = memory[-1] - memory[1] if len(memory) > 2 else 0.0
    print(f"  growth from round 2 to round {len(memory)}: {growth:+.1f} MB")
    met = max(latencies) < TARGET_SECONDS
    print(f"  target (worst < {TARGET_SECONDS:g} s after the item is seen): "
          f"{'met' if met else 'NOT met'}")
    return 0 if met else 1


def main() -> int:
    """Run the benchmark; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=60.0, help="poll interval (s)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of one item per feed")
    args = parser.parse_args()
    return asyncio.run(bench(args.interval, args.rounds))


if __name__ == "__main__":
    sys.exit(main())
