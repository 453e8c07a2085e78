"""Bilat's metrics (prometheus-client), on one registry per process (what ``/metrics`` serves).

A leaf module: the core, delivery, the adapters and ops all count here and it imports none of
them. A process-wide registry, as prometheus-client has by default: the counters are fed from
deep inside the adapters, delivery and rendering, and threading a registry through all of them
would buy nothing for a single-process bot. Tests read differences, never absolute values.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# ``*_created`` series double the page for nothing a single process needs.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST

COMMANDS_ANSWERED = Counter(
    "bilat_commands_total", "Commands answered, by command and network.",
    ("command", "network"), registry=REGISTRY)
SENT = Counter(
    "bilat_messages_sent_total",
    "Messages sent, by network and kind (reply, digest, alert).", ("network", "kind"),
    registry=REGISTRY)
FAILURES = Counter(
    "bilat_failures_total",
    "Failures by network and kind: delivery errors (rate_limited, terminal, migrated, "
    "transient, unknown) and handler errors.", ("network", "kind"), registry=REGISTRY)
PACING = Histogram(
    "bilat_pacing_delay_seconds",
    "Time a pushed message waited for the network's rate limits.", ("network",),
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY)
RENDER = Histogram(
    "bilat_render_seconds", "Time to render a message from its template.", ("template",),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY)
TICKS = Histogram(
    "bilat_scheduler_tick_seconds", "Time each scheduler tick took to plan pushes.",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0), registry=REGISTRY)
RELOADS = Counter(
    "bilat_data_reloads_total", "Data reloads, by result (loaded or refused).", ("result",),
    registry=REGISTRY)
OUTBOX = Gauge(
    "bilat_outbox_messages", "Messages in the outbox, by state.", ("state",),
    registry=REGISTRY)
SUBSCRIPTIONS = Gauge(
    "bilat_subscriptions", "Subscriptions, by state (active or stopped).", ("state",),
    registry=REGISTRY)
CHATS = Gauge("bilat_chats", "Chats the bot is in, by network.", ("network",),
              registry=REGISTRY)
ARTICLES = Gauge("bilat_articles", "Articles in the data in service.", registry=REGISTRY)
READY = Gauge("bilat_ready", "1 when /healthz answers 200, else 0.", registry=REGISTRY)
STARTED = Gauge("bilat_start_time_seconds", "When the process started (Unix time).",
                registry=REGISTRY)
STARTED.set(time.time())


def exposition() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)


def value(name: str, **labels: str) -> float:
    """The current value of one sample (0 when the series does not exist yet)."""
    found = REGISTRY.get_sample_value(name, labels)
    return found if found is not None else 0.0


def replace(gauge: Gauge, values: Iterable[tuple[str, float]]) -> None:
    """Set a one-label gauge's series all at once, forgetting those no longer present."""
    gauge.clear()
    for label, amount in values:
        gauge.labels(label).set(amount)


def by_label(counter: Counter, label: str) -> dict[str, float]:
    """A counter's totals grouped by one of its labels (``kind`` of failures, say)."""
    totals: dict[str, float] = {}
    for metric in counter.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                key = sample.labels[label]
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


@cache
def _render_series(template: str) -> Histogram:
    # Looking a labelled series up takes a lock; rendering is the hot path, so keep each one.
    return RENDER.labels(template)


@contextmanager
def rendering(template: str) -> Iterator[None]:
    """Time one render into ``bilat_render_seconds``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        _render_series(template).observe(time.perf_counter() - started)
