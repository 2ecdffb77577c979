"""ServedLogger: a sampled fraction of online requests, written in batches on a thread of its own.

The request path pays for one random number, and for a sampled request one ``append`` of the
objects the read already made to a bounded deque (no lock, no wake-up: the thread looks every
``flush_seconds``). Everything else — rows, JSON, Arrow, the sink's I/O — happens on
the logger's thread. The queue is bounded: when the sink is slow or down and the queue is full, a
request is dropped and counted, never waited for. A batch the sink refused is kept and retried at
the next flush, as long as what is kept stays within the queue's size; beyond that the oldest
batches are dropped and counted.

Example::

    logger = ServedLogger(ParquetSink("logs/served"), sample=0.01)
    if logger.sampled():
        logger.offer(ServedRequest(logger.next_number(), now_us, plan, response))
    logger.close()
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from virtualfs.servedlog.records import ServedRequest, to_columns

log = logging.getLogger("virtualfs.servedlog")
BATCH_REQUESTS = 1_000  # requests per write at most


class LogSink(Protocol):
    """Where logged rows go: one call per batch (columns of ``records.COLUMNS``, plain Python
    lists), all of the batch or an exception."""

    def write(self, columns: dict[str, list]) -> None:
        ...

    def close(self) -> None:
        ...


@dataclass(frozen=True)
class LogCounts:
    """What the logger did so far, in requests: sampled (offered to the queue), written, dropped
    because the queue was full, dropped because the sink failed; and the sink's failed writes."""

    sampled: int
    written: int
    dropped_queue_full: int
    dropped_sink_failed: int
    sink_errors: int

    @property
    def dropped(self) -> int:
        return self.dropped_queue_full + self.dropped_sink_failed


class ServedLogger:
    """Samples requests (``sample``: 0 to 1; ``seed`` makes it repeatable) and writes them to
    ``sink`` off the request path; at most ``queue_size`` requests wait."""

    def __init__(self, sink: LogSink, sample: float, queue_size: int = 10_000, flush_seconds: float = 2.0,
                 seed: int | None = None) -> None:
        self.sink, self.sample, self.flush_seconds = sink, float(sample), float(flush_seconds)
        self.queue_size = queue_size
        self._random = random.Random(seed).random  # in [0, 1): below 1.0 always, below 0.0 never
        self._pending: deque[ServedRequest] = deque()
        self._ids = itertools.count()
        self._prefix = f"{os.getpid():x}-{random.getrandbits(32):08x}-"
        self._writing = 0  # requests taken from the queue and not yet written or kept
        self._down = False  # whether the last write failed (said once per outage)
        self._failed: list[tuple[dict, int]] = []  # (columns, requests) the sink refused, oldest first
        self._counts = {"written": 0, "queue": 0, "sink": 0, "errors": 0}
        self._counting = threading.Lock()  # request threads and the logger's thread count together
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="virtualfs-served-log", daemon=True)
        self._thread.start()

    def sampled(self) -> bool:
        """Whether to log this request: true for a ``sample`` fraction of calls."""
        return self._random() < self.sample

    def next_number(self) -> int:
        """The next request's number (its id in the log: this logger's prefix and the number)."""
        return next(self._ids)

    def offer(self, request: ServedRequest) -> bool:
        """Queue ``request`` for writing; False (and counted) when the queue is full."""
        if len(self._pending) >= self.queue_size:
            self._count("queue")
            return False
        self._pending.append(request)  # atomic: request threads and the logger's never lock here
        return True

    @property
    def counts(self) -> LogCounts:
        """The counts so far; ``sampled`` is every request offered (written, dropped, or waiting)."""
        c = self._counts
        waiting = len(self._pending) + self._writing + sum(n for _, n in self._failed)
        sampled = c["written"] + c["queue"] + c["sink"] + waiting
        return LogCounts(sampled, c["written"], c["queue"], c["sink"], c["errors"])

    def flush(self, timeout: float = 10.0) -> bool:
        """Write what is queued now (and retry refused batches); True when nothing is left
        unwritten within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self._pending or self._writing or self._failed:
            if time.monotonic() >= deadline or not self._thread.is_alive():
                return False
            self._wake.set()
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 5.0) -> LogCounts:
        """Flush, stop the thread and close the sink; what could not be written in ``timeout``
        seconds (a sink that hangs or is down) is dropped and counted."""
        self.flush(timeout)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        lost = len(self._pending) + sum(n for _, n in self._failed)
        if self._thread.is_alive():  # a write that never returns: leave it, counted as lost
            writing, self._writing = self._writing, 0
            self._pending.clear()
            self._failed.clear()
            self._count("sink", by=lost + writing)
            return self.counts
        self._pending.clear()
        self._failed.clear()
        self._count("sink", by=lost)
        try:
            self.sink.close()
        except Exception as error:  # closing a broken sink must not fail a shutdown
            log.warning("closing the served log sink failed: %s", error)
        return self.counts

    def _count(self, *names: str, by: int = 1) -> None:
        with self._counting:
            for name in names:
                self._counts[name] += by

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self._retry_failed()
            while self._pending:
                self._write_next(BATCH_REQUESTS)

    def _write_next(self, most: int) -> None:
        """Take up to ``most`` queued requests and write them (or keep them for a retry)."""
        batch = []
        self._writing = len(self._pending)  # set first: a flush never sees them nowhere
        while len(batch) < most and self._pending:
            batch.append(self._pending.popleft())
        self._writing = len(batch)
        columns = to_columns(batch, self._prefix)
        if not self._write(columns, len(batch)):
            self._keep(columns, len(batch))
        self._writing = 0

    def _write(self, columns: dict, requests: int) -> bool:
        """Whether the sink took the batch (counted as written)."""
        try:
            self.sink.write(columns)
        except Exception as error:  # the sink is down: keep the batch for the next flush
            self._count("errors")
            if not self._down:  # once per outage, not once per retry
                log.warning("the served log's sink failed; batches are kept for a retry, and dropped "
                            "(counted) beyond %d requests: %s", self.queue_size, error)
            self._down = True
            return False
        if self._down:
            log.warning("the served log's sink writes again")
            self._down = False
        self._count("written", by=requests)
        return True

    def _keep(self, columns: dict, requests: int) -> None:
        self._failed.append((columns, requests))
        while sum(n for _, n in self._failed) > self.queue_size:
            _, lost = self._failed.pop(0)
            self._count("sink", by=lost)

    def _retry_failed(self) -> None:
        # oldest first; a batch leaves the list only once written, so a flush always sees it
        while self._failed:
            columns, requests = self._failed[0]
            if not self._write(columns, requests):
                return  # the sink is still down: try later
            self._failed.pop(0)
