"""A small metrics registry: counters, gauges and histograms in the Prometheus text format.

Enough of the Prometheus data model for one process (text exposition format 0.0.4), without
a dependency: each metric has a name, a help line and label names; each label combination
is a series. Everything runs on one event loop, so no locking is needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

Labels = tuple[str, ...]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    """A label value as the text format wants it: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """A sample value: integers without a fraction, infinities as +Inf/-Inf."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _series(name: str, names: Sequence[str], values: Sequence[str]) -> str:
    """``name{a="x",b="y"}`` (just ``name`` without labels)."""
    if not names:
        return name
    pairs = ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))
    return f"{name}{{{pairs}}}"


class Metric:
    """What every metric shares: its name, help line, type and label names."""

    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help
        self.labels = tuple(labels)

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.labels):
            raise ValueError(f"{self.name} takes labels {self.labels}, not {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.labels)

    def header(self) -> Iterator[str]:
        """The ``# HELP`` and ``# TYPE`` lines."""
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"

    def samples(self) -> Iterator[str]:
        """The sample lines."""
        return iter(())


class Counter(Metric):
    """A count that only goes up (restarts at zero with the process)."""

    kind = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self.values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add ``amount`` to the series named by ``labels``."""
        key = self._key(labels)
        self.values[key] = self.values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        """The current count of one series."""
        return self.values.get(self._key(labels), 0.0)

    def samples(self) -> Iterator[str]:
        """One line per series."""
        for key, value in sorted(self.values.items()):
            yield f"{_series(self.name, self.labels, key)} {_number(value)}"


class Gauge(Counter):
    """A value that goes up and down (set at scrape time for database figures)."""

    kind = "gauge"

    def set(self, value: float, **labels: str) -> None:
        """Set the series named by ``labels``."""
        self.values[self._key(labels)] = value

    def replace(self, values: Iterable[tuple[dict[str, str], float]]) -> None:
        """Set every series at once, forgetting series no longer present."""
        self.values = {self._key(labels): value for labels, value in values}


class Histogram(Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help: str, labels: Sequence[str] = (),
                 buckets: Sequence[float] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
                 ) -> None:
        super().__init__(name, help, labels)
        self.buckets = tuple(sorted(buckets))
        self.series: dict[Labels, list[float]] = {}  # bucket counts..., sum, count

    def observe(self, value: float, **labels: str) -> None:
        """Count one observation."""
        key = self._key(labels)
        row = self.series.setdefault(key, [0.0] * (len(self.buckets) + 2))
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                row[index] += 1
        row[-2] += value
        row[-1] += 1

    def count(self, **labels: str) -> float:
        """How many observations one series has."""
        row = self.series.get(self._key(labels))
        return row[-1] if row else 0.0

    def samples(self) -> Iterator[str]:
        """Buckets (cumulative, then +Inf), sum and count of each series."""
        names = (*self.labels, "le")
        for key, row in sorted(self.series.items()):
            for bound, count in zip(self.buckets, row, strict=False):
                yield f"{_series(self.name + '_bucket', names, (*key, _number(bound)))} " \
                      f"{_number(count)}"
            yield f"{_series(self.name + '_bucket', names, (*key, '+Inf'))} {_number(row[-1])}"
            yield f"{_series(self.name + '_sum', self.labels, key)} {_number(row[-2])}"
            yield f"{_series(self.name + '_count', self.labels, key)} {_number(row[-1])}"


class Registry:
    """The metrics of one process, rendered together."""

    def __init__(self) -> None:
        self.metrics: dict[str, Metric] = {}

    def add(self, metric: Metric) -> Metric:
        """Register a metric (names are unique)."""
        if metric.name in self.metrics:
            raise ValueError(f"metric {metric.name} is registered twice")
        self.metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        """A new registered counter."""
        metric = Counter(name, help, labels)
        self.add(metric)
        return metric

    def gauge(self, name: str, help: str, labels: Sequence[str] = ()) -> Gauge:
        """A new registered gauge."""
        metric = Gauge(name, help, labels)
        self.add(metric)
        return metric

    def histogram(self, name: str, help: str, labels: Sequence[str] = (),
                  buckets: Sequence[float] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
                  ) -> Histogram:
        """A new registered histogram."""
        metric = Histogram(name, help, labels, buckets)
        self.add(metric)
        return metric

    def render(self) -> str:
        """Every metric in the text exposition format."""
        lines: list[str] = []
        for metric in self.metrics.values():
            lines.extend(metric.header())
            lines.extend(metric.samples())
        return "\n".join(lines) + "\n"
