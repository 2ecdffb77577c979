"""Entity rows of a request: a pandas DataFrame, a pyarrow Table, or a SELECT run in the warehouse.

Checked before anything runs: the timestamp column exists and holds timestamps, every view's
join keys are there, no feature would overwrite an input column. In-memory rows keep their
columns exactly as given; only the columns the join needs travel to the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.compile import names
from virtualfs.compile.request import ViewLookup
from virtualfs.dialects.identifiers import resolve_column
from virtualfs.errors import RequestError
from virtualfs.instants import to_utc
from virtualfs.registry import suggest
from virtualfs.sqltext import parse_read_only_query, request_fault

if TYPE_CHECKING:
    import pandas as pd

    from virtualfs.warehouses.base import Warehouse


_TIMESTAMP_ROLE = "the timestamp column; name another with timestamp_column="
NULL_TIMESTAMP_CHOICES = ("error", "null")


@dataclass(frozen=True, eq=False)
class EntityInput:
    """The entity rows: in memory (``table``, and ``frame`` when given as pandas), ``query``, or
    ``stored``: a warehouse table already numbered by ``_vfs_row`` (a saved dataset's entity
    rows, replayed), its times stored as uploaded ones when ``stored_from_frame``.

    ``columns`` are the input's columns in order; ``timestamp`` and ``keys`` (join key ->
    column) name columns among them.
    """

    columns: tuple[str, ...]
    timestamp: str
    keys: tuple[tuple[str, str], ...]
    table: pa.Table | None = None
    frame: pd.DataFrame | None = None
    query: exp.Query | None = None
    stored: exp.Table | None = None
    stored_from_frame: bool = False
    # request field (of on-demand features) -> the column holding it
    requests: tuple[tuple[str, str], ...] = ()

    @property
    def uploaded_times(self) -> bool:
        """Whether the entity times are UTC instants virtualfs uploaded (not a query's own)."""
        return self.table is not None or (self.stored is not None and self.stored_from_frame)

    def join_columns(self) -> list[str]:
        """The columns the joins read: join keys, the timestamp, request fields, each once."""
        requests = (column for _, column in self.requests)
        return list(dict.fromkeys([*(column for _, column in self.keys), self.timestamp, *requests]))

    def latest_time(self) -> datetime | None:
        """The latest entity time, in UTC, of rows in memory (None for a query, or no times)."""
        if self.table is None:
            return None
        import pyarrow.compute as pc

        latest = pc.max(self.table.column(self.timestamp)).as_py()
        return to_utc(latest) if latest is not None else None


def read_entities(entity_df: Any, warehouse: Warehouse, timestamp_column: str,
                  lookups: Sequence[ViewLookup], on_null_timestamp: str = "error",
                  request_fields: Sequence[str] = ()) -> EntityInput:
    """Check ``entity_df`` against the request; errors name the column and what was expected.
    ``request_fields``: columns the request's on-demand features read from it.

    A ``date`` column is taken as midnight UTC. Rows with a null timestamp are an error unless
    ``on_null_timestamp="null"``, which gives them null features on purpose.
    """
    if on_null_timestamp not in NULL_TIMESTAMP_CHOICES:
        raise RequestError(f"on_null_timestamp must be one of {', '.join(NULL_TIMESTAMP_CHOICES)}; "
                           f"got {on_null_timestamp!r}")
    if isinstance(entity_df, str):
        query = _parse_query(entity_df, warehouse.dialect)
        schema = warehouse.schema_of(query)
        columns = schema.names
        resolve = _resolver(columns, warehouse.dialect)
        timestamp = _find(resolve, timestamp_column, columns, _TIMESTAMP_ROLE)
        found = schema.field(timestamp).type
        if not (pa.types.is_timestamp(found) or pa.types.is_date(found)):
            raise _not_a_timestamp(timestamp, found)
        if on_null_timestamp == "error":
            _refuse_nulls(timestamp, _count_nulls(warehouse, query, timestamp))
        inputs = EntityInput(tuple(columns), timestamp, _keys(lookups, resolve, columns), query=query,
                             requests=_requests(request_fields, resolve, columns))
    else:
        frame, table = _as_arrow(entity_df)
        columns = table.column_names
        resolve = _exact(columns)
        timestamp = _find(resolve, timestamp_column, columns, _TIMESTAMP_ROLE)
        table = _timestamps_checked(table, timestamp)
        if on_null_timestamp == "error":
            _refuse_nulls(timestamp, table.column(timestamp).null_count)
        inputs = EntityInput(tuple(columns), timestamp, _keys(lookups, resolve, columns),
                             table=table, frame=frame, requests=_requests(request_fields, resolve, columns))
    _check_outputs(lookups, columns)
    return inputs


def _count_nulls(warehouse: Warehouse, query: exp.Query, column: str) -> int:
    counted = (exp.select(exp.Count(this=exp.Star()).as_("_vfs_n"))
               .from_(query.subquery("_vfs_q"))
               .where(exp.column(names.identifier(column)).is_(exp.null())))
    table = warehouse.fetch_arrow(counted)
    return int(table.column(0)[0].as_py() or 0)


def _refuse_nulls(column: str, nulls: int) -> None:
    if nulls:
        raise RequestError(f"entity frame column {column!r} is null in {nulls} row(s): a row without a time "
                           "has no point in time to join at; drop those rows, or pass "
                           "on_null_timestamp='null' to give them null features")


def with_row_ids(table: pa.Table, columns: Iterable[str]) -> pa.Table:
    """``columns`` of ``table`` plus ``_vfs_row``, each row's position."""
    chosen = table.select(list(columns))
    return chosen.append_column(names.ROW, pa.array(range(table.num_rows), pa.int64()))


def _as_arrow(entity_df: Any) -> tuple[pd.DataFrame | None, pa.Table]:
    if isinstance(entity_df, pa.Table):
        return None, entity_df
    import pandas as pd

    if isinstance(entity_df, pd.DataFrame):
        try:
            return entity_df, pa.Table.from_pandas(entity_df, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as error:
            raise RequestError(f"entity frame cannot be read: {error}") from None
    raise RequestError(
        "entity_df must be a pandas DataFrame, a pyarrow Table or a SELECT statement; "
        f"got {type(entity_df).__name__}"
    )


def _parse_query(text: str, dialect: str) -> exp.Query:
    query = parse_read_only_query(text, dialect, request_fault("entity query"))
    # written as SQL is written by hand: unquoted names fold the way the warehouse folds them
    return normalize_identifiers(query, dialect=dialect)


def _exact(available: list[str]):
    return lambda name: name if name in available else None


def _resolver(available: list[str], dialect: str):
    return lambda name: resolve_column(name, available, dialect)


def _find(resolve, name: str, available: list[str], role: str) -> str:
    found = resolve(name)
    if found is None:
        raise RequestError(
            f"entity frame has no column {name!r} ({role}){suggest(name, available)}; "
            f"it has {', '.join(available) or 'no columns'}"
        )
    return found


def _timestamps_checked(table: pa.Table, column: str) -> pa.Table:
    found = table.schema.field(column).type
    if pa.types.is_timestamp(found):
        return table
    index = table.schema.get_field_index(column)
    if pa.types.is_date(found):  # a day: its midnight, UTC
        return table.set_column(index, column, table.column(column).cast(pa.timestamp("us", tz="UTC")))
    if table.num_rows == 0 or pa.types.is_null(found):  # no values: nothing to misread
        return table.set_column(index, column, pa.nulls(table.num_rows, pa.timestamp("us", tz="UTC")))
    raise _not_a_timestamp(column, found)


def _not_a_timestamp(column: str, found: pa.DataType) -> RequestError:
    return RequestError(
        f"entity frame column {column!r} must hold timestamps (naive ones are taken as UTC) or dates; "
        f"found {found}"
    )


def _keys(lookups: Sequence[ViewLookup], resolve, available: list[str]) -> tuple[tuple[str, str], ...]:
    keys: dict[str, str] = {}
    for lookup in lookups:
        for key in lookup.view.join_keys:
            if key not in keys:
                role = f"a join key of feature view {lookup.view.name!r}"
                keys[key] = _find(resolve, key, available, role)
    return tuple(keys.items())


def _requests(fields: Sequence[str], resolve, available: list[str]) -> tuple[tuple[str, str], ...]:
    role = "a request field of the on-demand features asked for"
    return tuple((field, _find(resolve, field, available, role)) for field in fields)


def _check_outputs(lookups: Sequence[ViewLookup], available: list[str]) -> None:
    taken = {column.lower(): column for column in available}
    for lookup in lookups:
        for feature in lookup.features:
            if feature.output.lower() in taken:
                raise RequestError(
                    f"feature {lookup.view.name}:{feature.name} would be output as {feature.output!r}, "
                    f"but the entity frame already has column {taken.get(feature.output.lower())!r}; "
                    "rename the column or pass full_feature_names=True"
                )
    for column in available:
        if column.lower().startswith("_vfs_"):
            raise RequestError(f"entity frame column {column!r}: names starting with _vfs_ are reserved")
