"""The newsroom's figures on /metrics: each source's health, polls and candidates (on the
process registry of bot.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from bot.metrics import REGISTRY
from bot.store.newsroom import SourceHealth

POLLS = Counter(
    "bilat_source_polls_total", "Polls of watched sources, by source and result "
    "(ok, not_modified, error).", ("source", "result"), registry=REGISTRY)
LAST_SUCCESS = Gauge(
    "bilat_source_last_success_seconds", "When each source last answered (Unix time).",
    ("source",), registry=REGISTRY)
LAST_ERROR = Gauge(
    "bilat_source_last_error_seconds", "When each source last failed (Unix time).",
    ("source",), registry=REGISTRY)
FAILING = Gauge(
    "bilat_source_failures", "Failed polls in a row, by source (0 when healthy).",
    ("source",), registry=REGISTRY)
CANDIDATES = Counter(
    "bilat_candidates_total", "Articles found in sources, by outcome (drafted, duplicate, "
    "failed).", ("state",), registry=REGISTRY)


def observe_poll(source: str, result: str, health: SourceHealth | None) -> None:
    """Count one poll and publish the source's health line."""
    POLLS.labels(source, result).inc()
    if health is None:
        return
    if health.last_success is not None:
        LAST_SUCCESS.labels(source).set(health.last_success.timestamp())
    if health.last_error_at is not None:
        LAST_ERROR.labels(source).set(health.last_error_at.timestamp())
    FAILING.labels(source).set(health.failures)


def observe_candidate(state: str) -> None:
    """Count one candidate's outcome."""
    CANDIDATES.labels(state).inc()
