"""One push: validated rows, stamped with the push time, into the warehouse and the online store.

Offline, the rows are uploaded once and inserted into the view's pushed table in one
transaction: all of them or none (a process killed half way commits nothing). Online, they are
one ``OnlineStore.write`` (newer-wins per key, like materialization: a pushed row older than
the stored one by (event, created) time never replaces it). With ``to="both"`` the warehouse is
written first; when the online write then fails, the rows of this push (told apart by their
push time, unique per push in this process) are deleted from the pushed table again, and the
error is raised: the call changed nothing. A reader may see them in that short moment, as it
would a push that succeeded.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from virtualfs.definitions import DType, FeatureView
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.dialects.times import timestamp_literal
from virtualfs.dialects.types import sql_type
from virtualfs.errors import RequestError, VirtualfsError
from virtualfs.instants import utc_now
from virtualfs.online.base import WriteBatch
from virtualfs.online.keys import stored_parts
from virtualfs.online.rows import ViewRows
from virtualfs.push import TARGETS
from virtualfs.push.rows import pushed_frame
from virtualfs.push.small import small_columns, small_write
from virtualfs.push.tables import build_create_pushed, pushed_table, pushed_types
from virtualfs.warehouses.base import uploaded

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.context import OnlineContext, ProjectContext

UPLOAD_NAME = "_vfs_pushed_rows"


@dataclass(frozen=True)
class PushResult:
    """What one push did: ``rows`` pushed at ``pushed_at`` (their created time), ``offline_rows``
    inserted into the pushed table, ``online_keys`` changed in the online store (a key whose
    stored row is newer keeps it)."""

    view: str
    rows: int
    pushed_at: datetime
    offline_rows: int = 0
    online_keys: int = 0


@dataclass
class PushTargets:
    """What pushes in one process learn once per view definition: its pushed table's column
    types (read from the warehouse), whether the table was made sure of, its online writer."""

    types: dict[int, tuple[FeatureView, dict[str, DType]]] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)
    writers: dict[int, tuple[FeatureView, ViewRows]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    learning: threading.Lock = field(default_factory=threading.Lock)  # one warehouse read at a time
    last: datetime | None = None

    def push_time(self) -> datetime:
        """Now, but always after the previous push of this process: each push has its own time."""
        with self.lock:
            now = utc_now()
            if self.last is not None and now <= self.last:
                now = self.last + timedelta(microseconds=1)
            self.last = now
            return now


def needs_warehouse(view: FeatureView, to: str) -> bool:
    """Whether a push needs the warehouse: to write its rows, or to learn their types (a source
    that is not push-only is typed by its own columns). An online push to a push-only view does
    not: a server worker pushing there never opens the warehouse."""
    return to != "online" or not view.source.push_only


def push_rows(context: ProjectContext | None, online: OnlineContext | None, view: FeatureView, rows: Any,
              to: str = "both", targets: PushTargets | None = None) -> PushResult:
    """Push ``rows`` to ``view`` (``to``: ``online``, ``offline`` or ``both``); see the module.
    ``context`` may be None when the push does not need the warehouse (:func:`needs_warehouse`).

    Example::

        push_rows(context, online, registry.view("card_tx"), [{"card_id": "c1", "tx_at": t, "amount": 9.5}])
        # -> PushResult(view='card_tx', rows=1, pushed_at=..., offline_rows=1, online_keys=1)
    """
    targets = targets if targets is not None else PushTargets()
    writer = _check(view, to, targets, online.store.project if online is not None else None)
    types = _types(targets, context, view)
    columns = small_columns(view, rows, types)
    frame = pushed_frame(view, rows, types) if columns is None else None
    pushed_at = targets.push_time()
    stamped = None
    if frame is not None or to != "online":  # a small online push never needs Arrow
        typed = frame if frame is not None else _small_frame(columns or {}, types)
        stamped = _stamped(view, typed, pushed_at)
    inserted = _insert(context, targets, view, stamped) if stamped is not None and to != "online" else 0
    try:
        changed = 0
        if writer is not None and online is not None:
            batch = small_write(writer, columns, pushed_at) if columns is not None \
                else _latest_batch(writer, stamped)
            changed = online.store.write(batch)
    except BaseException:
        if inserted:
            _remove(context, view, pushed_at)
        raise
    count = frame.num_rows if frame is not None else len(columns[view.source.timestamp])  # type: ignore[index]
    return PushResult(view.name, count, pushed_at, inserted, changed)


@dataclass(frozen=True)
class OnlinePush:
    """A small online push checked and encoded, not yet written: its result (``online_keys``:
    the keys it writes) and its batch, for a writer that sends several pushes' batches at once."""

    result: PushResult
    batch: WriteBatch


def prepare_online_push(view: FeatureView, rows: Any, project: str,
                        targets: PushTargets) -> OnlinePush | None:
    """``rows`` pushed online to ``view``, checked and encoded without any I/O, or None when that
    takes more (a large push, a DataFrame or Arrow table, types still to be read from the warehouse).
    Its push time is taken now; the caller writes ``batch`` (newer-wins makes the order of
    several such writes harmless)."""
    writer = _check(view, "online", targets, project)
    known = targets.types.get(id(view))
    if not view.source.push_only and (known is None or known[0] is not view):
        return None  # its types are read from the warehouse first
    columns = small_columns(view, rows, _types(targets, None, view))
    if columns is None or writer is None:
        return None
    pushed_at = targets.push_time()
    batch = small_write(writer, columns, pushed_at)
    count = len(columns[view.source.timestamp])
    return OnlinePush(PushResult(view.name, count, pushed_at, 0, len(batch)), batch)


def _check(view: FeatureView, to: str, targets: PushTargets, project: str | None) -> ViewRows | None:
    """The view's online writer (None for an offline push); RequestError for a push it refuses."""
    if to not in TARGETS:
        raise RequestError(f"push to feature view {view.name!r}: to must be one of {', '.join(TARGETS)}, "
                           f"got {to!r}")
    if not view.push:
        raise RequestError(f"push to feature view {view.name!r}: the view does not take pushed rows; "
                           "declare it with push=True and apply")
    if to == "offline":
        return None
    writer = _writer(targets, view, project) if project is not None else None
    if writer is None:
        raise RequestError(f"push to feature view {view.name!r}: " + (
            "no online store is open" if project is None else
            "it has only aggregations, which reach the online store when materialized; push to='offline'"))
    return writer


def _small_frame(columns: dict[str, list], types: dict[str, DType]) -> pa.Table:
    """Checked Python columns as a table (cheap for a few rows; the warehouse wants Arrow)."""
    import pyarrow as pa

    return pa.table({name: pa.array(values, types[name].to_arrow()) for name, values in columns.items()})


def _types(targets: PushTargets, context: ProjectContext | None, view: FeatureView) -> dict[str, DType]:
    known = targets.types.get(id(view))
    if known is None or known[0] is not view:
        with targets.learning:
            warehouse = context.warehouse if context is not None else None
            known = targets.types[id(view)] = (view, pushed_types(warehouse, view))
    return known[1]


def _writer(targets: PushTargets, view: FeatureView, project: str) -> ViewRows | None:
    known = targets.writers.get(id(view))
    if known is None or known[0] is not view:
        parts = [part for part in stored_parts(view) if part.features]
        if not parts:
            return None
        known = targets.writers[id(view)] = (view, ViewRows(parts[0], project))
    return known[1]


def _stamped(view: FeatureView, frame: pa.Table, pushed_at: datetime) -> pa.Table:
    import pyarrow as pa

    stamp = pa.array([pushed_at] * frame.num_rows, type=pa.timestamp("us", tz="UTC"))
    return frame.append_column(view.source.created or "", stamp)


def _insert(context: ProjectContext | None, targets: PushTargets, view: FeatureView,
            stamped: pa.Table) -> int:
    """Insert ``stamped`` into the view's pushed table in one transaction; return the row count."""
    assert context is not None, "an offline push needs the warehouse"
    warehouse, schema, dialect = context.warehouse, context.copies.schema, context.warehouse.dialect
    types = _types(targets, context, view)
    if id(view) not in targets.created:  # DDL outside the insert's transaction (Snowflake commits DDL)
        for statement in build_create_pushed(schema, view, types, dialect):
            warehouse.execute(statement)
        targets.created.add(id(view))
    with uploaded(warehouse, UPLOAD_NAME, stamped) as rows:
        warehouse.execute_atomic([build_insert(pushed_table(schema, view, dialect), rows, types, dialect)])
    return stamped.num_rows


def build_insert(table: exp.Table, rows: exp.Table, types: dict[str, DType], dialect: str) -> exp.Insert:
    """``INSERT INTO table (c, ...) SELECT CAST(c AS type), ... FROM rows``."""
    columns = [warehouse_column(name, dialect) for name in types]
    values = [exp.Cast(this=exp.column(exp.to_identifier(name, quoted=True)), to=sql_type(dtype, dialect))
              for name, dtype in types.items()]
    select = exp.select(*values).from_(rows.copy())
    return exp.Insert(this=exp.Schema(this=table, expressions=columns), expression=select)


def _remove(context: ProjectContext | None, view: FeatureView, pushed_at: datetime) -> None:
    """Delete the rows of the push stamped ``pushed_at`` (the online write after it failed)."""
    assert context is not None
    dialect = context.warehouse.dialect
    created = exp.column(warehouse_column(view.source.created or "", dialect))
    delete = exp.delete(pushed_table(context.copies.schema, view, dialect),
                        where=created.eq(timestamp_literal(pushed_at)))
    # the online store's error is the one to raise; if this fails too, the rows stay (said in the log)
    with contextlib.suppress(VirtualfsError):
        context.warehouse.execute_atomic([delete])


def _latest_batch(writer: ViewRows, stamped: pa.Table) -> WriteBatch:
    """The latest row per key of ``stamped`` (ties on event time: the later row), encoded."""
    import pyarrow as pa

    view = writer.view
    latest = _latest_per_key(stamped, view) if stamped.num_rows > 1 else stamped
    names = [*view.join_keys, view.source.timestamp, view.source.created or "", *view.feature_names]
    batch = pa.RecordBatch.from_arrays([latest.column(n).combine_chunks() for n in names], names=names)
    return writer.write_batch(batch)


def _latest_per_key(table: pa.Table, view: FeatureView) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    keys, event = list(view.join_keys), view.source.timestamp
    numbered = pa.table({**{k: table.column(k) for k in keys}, event: table.column(event),
                         "_vfs_i": pa.array(range(table.num_rows))})
    order = pc.sort_indices(numbered, [*((k, "ascending") for k in keys), (event, "ascending"),
                                       ("_vfs_i", "ascending")])
    ranked = numbered.take(order)
    same_as_next = None
    for key in keys:
        column = ranked.column(key).combine_chunks()
        equal = pc.equal(column.slice(0, len(column) - 1), column.slice(1))
        same_as_next = equal if same_as_next is None else pc.and_(same_as_next, equal)
    last = pc.invert(pc.fill_null(same_as_next, False)).to_pylist() + [True]
    return table.take(pc.filter(ranked.column("_vfs_i"), pa.array(last)))
