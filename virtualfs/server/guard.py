"""Online store reads with a deadline, and a breaker for a store that stops answering.

Each read is given ``server.read_timeout``. Redis is read by its async reader (one pipelined
connection, awaited, so the event loop never waits for it), the memory store is a dict lookup,
SQLite reads on the loop with each statement cut at the deadline (a thread hop would triple its
cost, and a local file that stalls holds the loop one deadline at most), and any other store on a
few threads. A read that misses the deadline is a 503 and marks the store unhealthy: reads and
/readyz then fail at once, without asking the store, until a background ping answers within the
deadline again (one every ``PROBE_SECONDS``). A stalled store so costs one deadline per outage,
not one per request. Errors that come back at once (connection refused) leave the breaker
closed: they already fail fast, and the next read tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from starlette.concurrency import run_in_threadpool

from virtualfs.errors import OnlineStoreError, OnlineStoreTimeout
from virtualfs.online.base import AsyncReader, OnlineStore, open_reader
from virtualfs.server.deadlines import Deadlines

PROBE_SECONDS = 0.5
logger = logging.getLogger("virtualfs.server")


class OutageLog:
    """Logs a component's failures once per outage (and when the reason changes), and its return."""

    def __init__(self, component: str) -> None:
        self.component, self.reason = component, None

    def failed(self, reason: str) -> None:
        if reason != self.reason:
            logger.warning("%s unavailable: %s", self.component, reason)
        self.reason = reason

    def answered(self) -> None:
        if self.reason is not None:  # a warning too: the end of an outage belongs next to its start
            logger.warning("%s answers again", self.component)
            self.reason = None


class StoreGuard:
    """Reads and pings of the online store, each within ``deadline`` seconds, behind a breaker.

    ``open_store`` gives the store (opening it may touch a file, so it runs on a thread, once).
    """

    def __init__(self, open_store: Callable[[], OnlineStore], deadline: float, name: str) -> None:
        self.open_store, self.deadline, self.name = open_store, deadline, name
        self.deadlines = Deadlines(deadline)
        self.reader: AsyncReader | None = None
        self.down: str | None = None  # why reads fail at once; None while the store is healthy
        self.log = OutageLog(f"the {name} online store")
        self._opening: asyncio.Task | None = None
        self._probe: asyncio.Task | None = None

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """The stored values of ``keys``; OnlineStoreError when the store fails or misses the deadline."""
        if self.down is not None:
            raise OnlineStoreError(self.down)
        try:
            found = await self.deadlines.run(self._read(keys))
        except (asyncio.TimeoutError, OnlineStoreTimeout):
            raise self._trip("read") from None
        except OnlineStoreError as error:
            self.log.failed(str(error))
            raise
        self.log.answered()
        return found

    async def ping(self) -> None:
        """OnlineStoreError unless the store answers a ping within the deadline (at once while down)."""
        if self.down is not None:
            raise OnlineStoreError(self.down)
        try:
            await self.deadlines.run(self._ping())
        except (asyncio.TimeoutError, OnlineStoreTimeout):
            raise self._trip("ping") from None
        except OnlineStoreError as error:
            self.log.failed(str(error))
            raise
        self.log.answered()

    def close(self) -> None:
        """Stop probing and close the reader."""
        self.deadlines.close()
        for task in (self._probe, self._opening):
            if task is not None:
                task.cancel()
        if self.reader is not None:
            self.reader.close()

    async def _read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        reader = self.reader or await self._open()
        return await reader.read(keys)

    async def _ping(self) -> None:
        reader = self.reader or await self._open()
        await reader.ping()

    async def _open(self) -> AsyncReader:
        # Shared and shielded: a caller out of time must not cancel the opening for the others.
        if self._opening is None:
            self._opening = asyncio.get_running_loop().create_task(
                run_in_threadpool(lambda: open_reader(self.open_store(), self.deadline)))
            self._opening.add_done_callback(self._opened)
        return await asyncio.shield(self._opening)

    def _opened(self, task: asyncio.Task) -> None:
        self._opening = None
        if not task.cancelled() and task.exception() is None:
            self.reader = task.result()

    def _trip(self, action: str) -> OnlineStoreError:
        self.down = (f"the {self.name} online store did not answer a {action} within "
                     f"{self.deadline * 1000:g} ms (server.read_timeout); reads fail until it answers a ping")
        self.log.failed(self.down)
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._recover())
        return OnlineStoreError(self.down)

    async def _recover(self) -> None:
        while True:
            await asyncio.sleep(PROBE_SECONDS)
            try:
                await self.deadlines.run(self._ping())
            except (asyncio.TimeoutError, OnlineStoreError):
                continue
            self.down = None
            self.log.answered()
            return
