"""Telegram-like flood limits: token buckets per private chat, per group and globally."""

from __future__ import annotations

import math
from dataclasses import dataclass
from time import monotonic


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimitConfig:
    """Flood limits applied to sending methods when ``enabled``."""

    enabled: bool = False
    per_chat_per_second: float = 1.0
    private_burst: int = 3
    per_group_per_minute: int = 20
    global_per_second: int = 30


class RateLimiter:
    """Token buckets per private chat, per group and globally."""

    def __init__(self) -> None:
        self.config = RateLimitConfig()
        self._buckets: dict[tuple[str, int], _Bucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def _bucket(self, kind: str, key: int, now: float) -> _Bucket:
        if (kind, key) not in self._buckets:
            capacity, rate = self._shape(kind)
            self._buckets[kind, key] = _Bucket(capacity, rate, capacity, now)
        return self._buckets[kind, key]

    def _shape(self, kind: str) -> tuple[float, float]:
        config = self.config
        if kind == "private":
            return float(config.private_burst), config.per_chat_per_second
        if kind == "group":
            return float(config.per_group_per_minute), config.per_group_per_minute / 60
        return float(config.global_per_second), float(config.global_per_second)

    def acquire(self, chat_id: int, private: bool) -> int | None:
        """Take a token for ``chat_id``; return retry_after seconds when over the limit."""
        if not self.config.enabled:
            return None
        now = monotonic()
        buckets = [
            self._bucket("private" if private else "group", chat_id, now),
            self._bucket("global", 0, now),
        ]
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
