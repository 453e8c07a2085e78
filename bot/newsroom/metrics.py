"""The newsroom's figures on /metrics: each source's health, polls and candidates."""

from __future__ import annotations

from bot.ops.instruments import REGISTRY
from bot.store.newsroom import SourceHealth

POLLS = REGISTRY.counter(
    "bilat_source_polls_total", "Polls of watched sources, by source and result "
    "(ok, not_modified, error).", ("source", "result"))
LAST_SUCCESS = REGISTRY.gauge(
    "bilat_source_last_success_seconds", "When each source last answered (Unix time).",
    ("source",))
LAST_ERROR = REGISTRY.gauge(
    "bilat_source_last_error_seconds", "When each source last failed (Unix time).",
    ("source",))
FAILING = REGISTRY.gauge(
    "bilat_source_failures", "Failed polls in a row, by source (0 when healthy).", ("source",))
CANDIDATES = REGISTRY.counter(
    "bilat_candidates_total", "Articles found in sources, by outcome (drafted, duplicate, "
    "failed).", ("state",))


def observe_poll(source: str, result: str, health: SourceHealth | None) -> None:
    """Count one poll and publish the source's health line."""
    POLLS.inc(source=source, result=result)
    if health is None:
        return
    if health.last_success is not None:
        LAST_SUCCESS.set(health.last_success.timestamp(), source=source)
    if health.last_error_at is not None:
        LAST_ERROR.set(health.last_error_at.timestamp(), source=source)
    FAILING.set(health.failures, source=source)


def observe_candidate(state: str) -> None:
    """Count one candidate's outcome."""
    CANDIDATES.inc(state=state)
