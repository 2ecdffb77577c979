"""``POST /v1/push``: the body checked, the caller's right to push, and the push run on a thread.

The body, as JSON (columnar, like the read API)::

    {"view": "card_tx",
     "rows": {"card_id": ["c1", "c2"], "tx_at": ["2026-12-05T10:00:00Z", "2026-12-05T10:00:01Z"],
              "amount": [12.5, 3.0]},
     "to": "both"}                                   # optional: online | offline | both

A caller pushes only with a grant to (``access.roles.<role>.push``, or a token's ``push: true``
without an ``access:`` policy); a server without tokens takes pushes from anyone, as it serves
reads to anyone. Offline pushes share the warehouse connection, so they run one at a time.

A small online push (a few rows, to a view whose column types are known) is checked and encoded
on the event loop, without I/O, and its batch written together with those of the pushes that
arrived with it: one store write on a thread for a burst of pushes (``WriteBatcher``), as reads
are batched (``server.batch``). Its ``online_keys`` then counts the keys it wrote, whether or
not a newer stored row kept its place (newer-wins). Other pushes run whole on a thread.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from virtualfs.errors import (
    AccessDeniedError,
    NotFoundError,
    OnlineStoreError,
    RequestError,
    WarehouseError,
)
from virtualfs.online.base import WriteBatch
from virtualfs.push import TARGETS
from virtualfs.server.problems import Problem, bad_request, too_large, unavailable
from virtualfs.server.schemas import load_json

if TYPE_CHECKING:
    from virtualfs.push import PushResult, PushTargets
    from virtualfs.registry import Registry
    from virtualfs.server.config import TokenGrant
    from virtualfs.server.state import ServerState

PUSH_FIELDS = ("view", "rows", "to")


@dataclass(frozen=True)
class PushRequest:
    """A valid push body: the view, its rows as columns, and where they go."""

    view: str
    rows: dict[str, list]
    count: int
    to: str = "both"


def parse_push_request(body: bytes, max_rows: int) -> PushRequest:
    """Validate a push body; more than ``max_rows`` rows is a 413.

    >>> parse_push_request(b'{"view": "tx", "rows": {"id": [1, 2]}, "to": "online"}', 10).count
    2
    """
    data = load_json(body)
    if type(data) is not dict:
        raise bad_request("the body must be a JSON object", "body")
    unknown = sorted(data.keys() - set(PUSH_FIELDS))
    if unknown:
        raise bad_request(f"unknown field; expected {', '.join(PUSH_FIELDS)}", unknown[0])
    view = data.get("view")
    if type(view) is not str or not view:
        raise bad_request("must be the name of a feature view", "view")
    to = data.get("to", "both")
    if to not in TARGETS:
        raise bad_request(f"must be one of {', '.join(TARGETS)}", "to")
    rows = data.get("rows")
    if type(rows) is not dict or not rows:
        raise bad_request("must be an object of columns, e.g. {\"card_id\": [\"c1\"], ...}", "rows")
    count = -1
    for name, values in rows.items():
        if type(values) is not list or not values:
            raise bad_request("must be a non-empty list of values", f"rows.{name}")
        if count >= 0 and len(values) != count:
            raise bad_request(f"has {len(values)} values but the first column has {count}; columns must "
                              "have the same length", f"rows.{name}")
        count = len(values)
    if count > max_rows:
        raise too_large(f"{count:,} rows in one push; this server takes at most {max_rows:,} "
                        "(server.max_push_rows)", "rows")
    return PushRequest(view, rows, count, to)


class Pusher:
    """The server's pushes: who may push, and the pushes themselves (on threads)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._targets: PushTargets | None = None  # made on the first push: reads never load the compiler
        self.offline = threading.Lock()
        self.writes = WriteBatcher(lambda batch: self.state.store.online.write(batch))

    def authorize(self, grant: TokenGrant | None, view: str) -> None:
        """403 (counted in the audit log) unless the caller may push; the view need not exist."""
        policy = self.state.policy
        if policy is None or grant is None:
            return
        try:
            policy.check_action(grant.who, "push", view)
        except AccessDeniedError as error:
            self.state.audit.count(grant.who, "push", "(refused)", "denied")
            raise Problem(403, str(error), "view") from None

    async def push(self, grant: TokenGrant | None, registry: Registry, request: PushRequest) -> PushResult:
        """Run the push on a thread; its errors as 400 (naming the column), 404 or 503."""
        try:
            view = registry.view(request.view)
        except NotFoundError as error:
            raise Problem(404, str(error), "view") from None
        try:
            result = await self._online(view, request) if request.to == "online" else None
            if result is None:
                result = await run_in_threadpool(self._push, view, request)
        except RequestError as error:
            column = getattr(error, "field", None)
            where = f"rows.{column}" if column and column != "rows" else "rows"
            raise bad_request(str(error), where) from None
        except OnlineStoreError as error:
            raise unavailable("online_store", "the online store does not answer; nothing was pushed",
                              str(error)) from None
        except WarehouseError as error:
            raise unavailable("warehouse", "the warehouse does not answer; nothing was pushed",
                              str(error)) from None
        if grant is not None and self.state.policy is not None:
            self.state.audit.count(grant.who, "push", view.name)
        return result

    async def _online(self, view: Any, request: PushRequest) -> PushResult | None:
        """A small online push, checked on the loop and written with others; None: not small."""
        from virtualfs.push import prepare_online_push

        prepared = prepare_online_push(view, request.rows, self.state.store.project, self.targets())
        if prepared is None:
            return None
        await self.writes.write(prepared.batch)
        return prepared.result

    def targets(self) -> PushTargets:
        """The pushes' shared state (one push clock for the process), made on the first push."""
        from virtualfs.push import PushTargets

        if self._targets is None:
            with self.offline:
                self._targets = self._targets or PushTargets()
        return self._targets

    def _push(self, view: Any, request: PushRequest) -> PushResult:
        from virtualfs.push import needs_warehouse, push_rows

        store, targets = self.state.store, self.targets()
        online = store.online_context if request.to != "offline" else None
        context = store.context if needs_warehouse(view, request.to) else None
        if request.to == "online":
            return push_rows(context, online, view, request.rows, request.to, targets)
        with self.offline:
            return push_rows(context, online, view, request.rows, request.to, targets)


class WriteBatcher:
    """Concurrent online pushes' batches sent as one store write (on a thread).

    The first push of a batch waits two loop iterations for others to join (as ``ReadBatcher``),
    then writes every batch at once and settles each push with the outcome; a push alone in its
    batch is written as it is. A store error fails every push of the batch: none was written
    for sure, and a retry is harmless (newer-wins).
    """

    def __init__(self, write: Any) -> None:
        self.write_now = write
        self.pending: list[tuple[WriteBatch, asyncio.Future | None]] | None = None

    async def write(self, batch: WriteBatch) -> None:
        loop = asyncio.get_running_loop()
        if self.pending is not None:
            joined = loop.create_future()
            self.pending.append((batch, joined))
            await joined
            return
        batches = self.pending = [(batch, None)]
        ready = loop.create_future()
        loop.call_soon(loop.call_soon, _settle, ready)
        try:
            await ready
        finally:
            self.pending = None
        keys = [key for part, _ in batches for key in part.keys]
        values = [value for part, _ in batches for value in part.values]
        try:
            await run_in_threadpool(self.write_now, WriteBatch(keys, values) if len(batches) > 1 else batch)
        except BaseException as error:
            for _, follower in batches[1:]:
                if follower is not None and not follower.done():
                    follower.set_exception(error if isinstance(error, Exception) else OnlineStoreError(
                        "the write was cancelled"))
            raise
        for _, follower in batches[1:]:
            if follower is not None and not follower.done():
                follower.set_result(None)


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def push_json(result: PushResult) -> dict[str, Any]:
    """The response body of a push."""
    return {"view": result.view, "rows": result.rows, "pushed_at": result.pushed_at.isoformat(),
            "offline_rows": result.offline_rows, "online_keys": result.online_keys}
