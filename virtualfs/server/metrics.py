"""Prometheus metrics in the text exposition format, kept in plain dicts (one process's view).

- ``virtualfs_http_requests_total{route, method, status}``: a counter per outcome
- ``virtualfs_http_request_duration_seconds{route}``: a latency histogram per route
- ``virtualfs_online_store_reads_total``: reads sent to the online store (one serves a whole batch)
- ``virtualfs_online_store_errors_total{store}``: reads and pings the online store failed
- ``virtualfs_registry_version``: the catalog version being served
- ``virtualfs_served_log_requests_total{outcome}``: sampled requests written to the served log, or
  dropped because its queue was full or its sink failed (``logging:``; ``virtualfs.servedlog``)
- ``virtualfs_served_log_sink_errors_total``: writes the served log's sink refused

Every update is a few dict and list operations on the event loop's thread, so no locks are needed.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from virtualfs.servedlog import ServedLogger

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
METHODS = frozenset({"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Histogram:
    """Counts per bucket (not cumulative; summed when rendered), a sum and a count."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        """Count one duration in its bucket."""
        self.counts[bisect_left(BUCKETS, seconds)] += 1
        self.sum += seconds


class Metrics:
    """The server's counters; ``render`` gives the text Prometheus scrapes."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, Histogram] = {}
        self.store_errors: dict[str, int] = {}
        self.store_reads = 0
        self.registry_version: int | None = None
        self.served_log: ServedLogger | None = None  # its counts are read when scraped
        self.started = time.time()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished request and its duration."""
        if method not in METHODS:  # a client picks the method: keep the label set bounded
            method = "OTHER"
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.latency.get(route)
        if histogram is None:
            histogram = self.latency[route] = Histogram()
        histogram.observe(seconds)

    def store_error(self, store: str) -> None:
        """Count one failed call to the online store."""
        self.store_errors[store] = self.store_errors.get(store, 0) + 1

    def render(self) -> str:
        """The Prometheus text exposition of every metric."""
        return "".join(line + "\n" for line in self._lines())

    def _lines(self) -> Iterator[str]:
        yield "# HELP virtualfs_http_requests_total HTTP requests served, by route, method and status."
        yield "# TYPE virtualfs_http_requests_total counter"
        for (route, method, status), count in sorted(self.requests.items()):
            labels = _labels(route=route, method=method, status=status)
            yield f"virtualfs_http_requests_total{{{labels}}} {count}"
        yield "# HELP virtualfs_http_request_duration_seconds Time to serve a request, by route."
        yield "# TYPE virtualfs_http_request_duration_seconds histogram"
        for route, histogram in sorted(self.latency.items()):
            yield from _histogram_lines("virtualfs_http_request_duration_seconds", route, histogram)
        yield "# HELP virtualfs_online_store_reads_total Reads sent to the online store (one per batch)."
        yield "# TYPE virtualfs_online_store_reads_total counter"
        yield f"virtualfs_online_store_reads_total {self.store_reads}"
        yield "# HELP virtualfs_online_store_errors_total Online store calls that failed."
        yield "# TYPE virtualfs_online_store_errors_total counter"
        for store, count in sorted(self.store_errors.items()):
            yield f"virtualfs_online_store_errors_total{{{_labels(store=store)}}} {count}"
        if self.registry_version is not None:
            yield "# HELP virtualfs_registry_version The catalog version whose definitions are served."
            yield "# TYPE virtualfs_registry_version gauge"
            yield f"virtualfs_registry_version {self.registry_version}"
        if self.served_log is not None:
            yield from _served_log_lines(self.served_log)
        yield "# HELP process_start_time_seconds When this server process started (Unix time)."
        yield "# TYPE process_start_time_seconds gauge"
        yield f"process_start_time_seconds {self.started:.3f}"


def _served_log_lines(logger: ServedLogger) -> Iterator[str]:
    counts = logger.counts
    yield "# HELP virtualfs_served_log_requests_total Sampled requests written to the served log or dropped."
    yield "# TYPE virtualfs_served_log_requests_total counter"
    for outcome, count in (("written", counts.written), ("dropped_queue_full", counts.dropped_queue_full),
                           ("dropped_sink_failed", counts.dropped_sink_failed)):
        yield f"virtualfs_served_log_requests_total{{{_labels(outcome=outcome)}}} {count}"
    yield "# HELP virtualfs_served_log_sink_errors_total Writes the served log's sink refused."
    yield "# TYPE virtualfs_served_log_sink_errors_total counter"
    yield f"virtualfs_served_log_sink_errors_total {counts.sink_errors}"


def _histogram_lines(name: str, route: str, histogram: Histogram) -> Iterator[str]:
    total = 0
    for bound, count in zip((*BUCKETS, float("inf")), histogram.counts, strict=True):
        total += count
        le = "+Inf" if bound == float("inf") else repr(bound)
        yield f"{name}_bucket{{{_labels(route=route, le=le)}}} {total}"
    yield f"{name}_sum{{{_labels(route=route)}}} {histogram.sum:.6f}"
    yield f"{name}_count{{{_labels(route=route)}}} {total}"


def _labels(**labels: object) -> str:
    return ",".join(f'{key}="{_escape(str(value))}"' for key, value in labels.items())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
