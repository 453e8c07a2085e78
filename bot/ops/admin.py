"""The operator services behind /stats and /reload (bot.core.operator.OperatorPort)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.newsroom import Newsroom
from bot.core.operator import ReloadOutcome, Stats
from bot.metrics import FAILURES, by_label
from bot.ops.reload import DataReloader
from bot.store import stats
from bot.store.db import Executor


async def collect(db: Executor, max_failures: int = 3) -> Stats:
    """The database's figures and the failures counted since start."""
    return replace(await stats.collect(db, max_failures), errors=errors_since_start())


def errors_since_start() -> dict[str, int]:
    """Failures counted since the process started, by kind, all networks together."""
    return {kind: int(count) for kind, count in sorted(by_label(FAILURES, "kind").items())}


class Operator:
    """Answers operators' commands; knows who the operators are."""

    def __init__(self, db: Executor, data: DataReloader, admins: Iterable[str],
                 max_failures: int = 3, newsroom: Newsroom | None = None) -> None:
        self.db = db
        self.newsroom = newsroom
        self.data = data
        self.admins = frozenset(admins)
        self.max_failures = max_failures

    def is_admin(self, sender: str | None) -> bool:
        """True for a sender listed in BILAT_ADMINS."""
        return sender is not None and sender in self.admins

    async def stats(self) -> Stats:
        """The database's figures and the articles in service."""
        found = await collect(self.db, self.max_failures)
        return replace(found, articles=len(self.data().articles))

    async def reload(self) -> ReloadOutcome:
        """Reload the data now."""
        return await self.data.reload()
