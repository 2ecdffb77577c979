"""RetrievalJob: a compiled training-frame query, run when its result is asked for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.entities import build_numbered_entities
from virtualfs.compile.historical import CompiledRetrieval, build_retrieval
from virtualfs.compile.pit import PitStrategy
from virtualfs.compile.request import ColumnMask, EntityRelation, PitRequest, Rule, ViewLookup
from virtualfs.dialects import naive_timestamp
from virtualfs.dialects.identifiers import temp_table, warehouse_table
from virtualfs.errors import RequestError, UnsupportedError, WarehouseError
from virtualfs.retrieval.entities import EntityInput, with_row_ids
from virtualfs.sqltext import request_fault
from virtualfs.warehouses.arrow import conform
from virtualfs.warehouses.base import Warehouse, uploaded

if TYPE_CHECKING:
    import pandas as pd

    from virtualfs.compile.aggregate.kept_tiles import KeptTiles
    from virtualfs.datasets import Dataset
    from virtualfs.retrieval.on_demand import OnDemandPlan
    from virtualfs.retrieval.origin import JobOrigin

# rows of a frame handed to an on-demand view's Python body at once
_FUNCTION_BATCH_ROWS = 65_536


@dataclass(frozen=True, eq=False)
class RetrievalJob:
    """Entity rows with their point-in-time features, computed in the warehouse on demand.

    Example::

        job = get_historical_features(warehouse, registry, frame, ["orders:total"])
        job.to_pandas().columns.tolist()
        # -> ['customer_id', 'event_timestamp', 'total']
    """

    warehouse: Warehouse = field(repr=False)
    lookups: tuple[ViewLookup, ...]
    entities: EntityInput = field(repr=False)
    rule: Rule
    strategy: PitStrategy
    kept_tiles: tuple[KeptTiles, ...] = ()
    # read only the source rows landed by then (a saved dataset, recreated)
    known_by: datetime | None = None
    # the project and request this frame came from (what ``save`` records); None outside a project
    origin: JobOrigin | None = field(default=None, repr=False)
    # PII features the principal reads masked: masked in the SQL itself (``compile.mask``)
    masks: tuple[ColumnMask, ...] = ()
    # on-demand features: computed in the SQL (expressions) or on the fetched rows (functions)
    on_demand: OnDemandPlan | None = None

    @property
    def sql(self) -> str:
        """The SQL the warehouse runs (parts first when the request is split), input columns kept."""
        return self._full.render(self.warehouse.dialect, pretty=True)

    @property
    def feature_names(self) -> list[str]:
        """The output feature columns, in request order (on-demand features last)."""
        plan = self.on_demand
        looked_up = [f.output for lookup in self.lookups for f in lookup.features]
        if plan is None:
            return looked_up
        return [name for name in looked_up if name not in plan.hidden] + plan.outputs

    def to_arrow(self) -> pa.Table:
        """Input columns then features; one row per input row, in input order."""
        if self.entities.table is None:
            return self._fetch(self._full, self.entities.columns)
        table = self.entities.table
        features = self._fetch(self._features_only, self.entities.join_columns())
        for name in features.column_names:
            table = table.append_column(name, features.column(name))
        return table

    def to_pandas(self) -> pd.DataFrame:
        """:meth:`to_arrow` as pandas: nullable Int64/boolean/string features, UTC timestamps.

        A DataFrame given as input comes back as it was (index included) with features added.
        """
        from virtualfs.retrieval.frames import features_to_pandas

        if self.entities.frame is None:
            table = self.to_arrow()
            inputs = table.select(list(self.entities.columns)).to_pandas()
            return features_to_pandas(inputs, table.select(self.feature_names))
        features = self._fetch(self._features_only, self.entities.join_columns())
        return features_to_pandas(self.entities.frame, features)

    def to_ibis(self) -> Any:
        """The frame as a lazy ibis table on the warehouse's own connection (DuckDB, PostgreSQL,
        Snowflake, Spark, or an ibis warehouse): filter, join and aggregate it there, and download only
        the result. Needs the ``ibis`` extra; see ``virtualfs.retrieval.lazy``.

        Example::

            job.to_ibis().group_by("segment").agg(spend=_.amount.sum()).to_pandas()
        """
        from virtualfs.retrieval.lazy import lazy_table

        return lazy_table(self)

    def to_table(self, name: str, overwrite: bool = False) -> exp.Table:
        """Write the result into warehouse table ``name`` (named as in hand-written SQL), not
        downloading it. An existing table is an error unless ``overwrite``, which replaces it
        all at once (readers see the old rows or the new ones)."""
        target = warehouse_table(name, self.warehouse.dialect, request_fault("to_table name"))
        exists = table_exists(self.warehouse, target)
        if exists and not overwrite:
            raise RequestError(f"to_table: table {name!r} already exists; pass overwrite=True to replace it")
        written = _staging_for(target) if exists else target
        self.write(written)
        if exists:
            replace_with(self.warehouse, target, written)
        return target

    def save(self, name: str, description: str = "", tags: dict[str, str] | None = None,
             overwrite: bool = False) -> Dataset:
        """Save the frame as dataset ``name``: its rows in the feature schema, written in the
        warehouse, and a manifest in the catalog saying how to rebuild them (``virtualfs.datasets``).
        A name already saved is an error unless ``overwrite`` (the old manifest stays in history).

        Example::

            job = store.get_historical_features(labels, "churn")
            dataset = job.save("churn_train_v1", tags={"team": "growth"})
        """
        from virtualfs.datasets import SaveRequest, save_dataset

        return save_dataset(self, SaveRequest(name, description, dict(tags or {}), overwrite))

    def write(self, target: exp.Table, row_ids: bool = False, entities: exp.Table | None = None) -> None:
        """``CREATE TABLE target AS`` the result, in the warehouse: input columns, features and,
        with ``row_ids``, ``_vfs_row`` (each row's input position). With ``entities``, also
        ``CREATE TABLE entities AS`` the entity rows as read, with ``_vfs_row``."""
        self.check_in_warehouse("written to a table")
        compiled = self.compiled(row_ids)
        with self._staged(self.entities.columns), _prepared(self.warehouse, compiled):
            self.warehouse.execute(exp.Create(this=target.copy(), kind="TABLE", expression=compiled.query))
            if entities is not None:
                rows = exp.select(exp.Star()).from_(self._entity_table())
                self.warehouse.execute(exp.Create(this=entities.copy(), kind="TABLE", expression=rows))

    def check_in_warehouse(self, what: str) -> None:
        """UnsupportedError when a feature is computed in Python, so the frame cannot be ``what``
        without downloading it."""
        if self.on_demand is not None and self.on_demand.functions:
            names = ", ".join(step.view.name for step in self.on_demand.functions)
            raise UnsupportedError(f"the frame cannot be {what}: on demand view {names} computes its "
                                   "features in Python; fetch it with to_pandas()/to_arrow()")

    def compiled(self, row_ids: bool = False) -> CompiledRetrieval:
        """The statements of the whole result (input columns, features; ``_vfs_row`` with ``row_ids``)."""
        return self._with_row_ids if row_ids else self._full

    @cached_property
    def _full(self) -> CompiledRetrieval:
        return self._compile(self.entities.columns)

    @cached_property
    def _with_row_ids(self) -> CompiledRetrieval:
        return self._compile((*self.entities.columns, names.ROW))

    @cached_property
    def _features_only(self) -> CompiledRetrieval:
        return self._compile(())

    def _compile(self, carry: Sequence[str]) -> CompiledRetrieval:
        # uploaded times are UTC instants; a query's times are compared as the warehouse has them
        time_type = naive_timestamp(self.warehouse.dialect) if self.entities.uploaded_times else None
        relation = EntityRelation(self._entity_table(), self.entities.timestamp, self.entities.keys,
                                  tuple(carry), time_type, self.entities.table)
        plan = self.on_demand
        derived, hidden = ((), frozenset()) if plan is None else (plan.derived, plan.dropped_in_sql)
        request = PitRequest(self.lookups, relation, self.rule, self.kept_tiles, known_by=self.known_by,
                             masks=self.masks, derived=derived, hidden=hidden)
        return build_retrieval(request, self.warehouse.dialect, self.warehouse.capabilities, self.strategy)

    def _entity_table(self) -> exp.Table:
        """Where the entity rows are read from: a stored table, or the one ``_staged`` makes."""
        return self.entities.stored.copy() if self.entities.stored is not None else temp_table(names.ENTITIES)

    def _fetch(self, compiled: CompiledRetrieval, columns: Sequence[str]) -> pa.Table:
        with self._staged(columns), _prepared(self.warehouse, compiled):
            fetched = self.warehouse.fetch_arrow(compiled.query)
        types = {f.output: f.dtype.to_arrow() for lookup in self.lookups for f in lookup.features}
        types.update({mask.output: pa.string() for mask in self.masks if mask.method == "hash"})
        if self.on_demand is not None:
            types.update({d.output: d.dtype.to_arrow() for d in self.on_demand.derived})
        schema = pa.schema([(f.name, types.get(f.name, f.type)) for f in fetched.schema])
        return self._run_functions(conform(fetched, schema))

    def _run_functions(self, fetched: pa.Table) -> pa.Table:
        """The Python bodies of on-demand features run on ``fetched`` a batch at a time, then
        their hidden inputs dropped."""
        plan = self.on_demand
        if plan is None or not plan.functions:
            return fetched
        chunks = fetched.to_batches(max_chunksize=_FUNCTION_BATCH_ROWS)
        frames = [pa.Table.from_batches([chunk]) for chunk in chunks] or [fetched]  # no rows: one empty frame
        batches, offset = [], 0
        for frame in frames:
            rows = self.entities.table
            entities = None if rows is None else rows.slice(offset, frame.num_rows)
            offset += frame.num_rows
            for step in plan.functions:
                for name, values in step.run(frame, entities).items():
                    frame = frame.append_column(name, values)
            batches.append(frame)
        table = pa.concat_tables(batches)
        return table.drop_columns([c for c in table.column_names if c in plan.hidden])

    @contextmanager
    def _staged(self, columns: Sequence[str]) -> Iterator[None]:
        """The entity rows as temporary table ``_vfs_entities`` with ``_vfs_row``, dropped after
        (stored entity rows are read where they are)."""
        if self.entities.stored is not None:
            yield
            return
        if self.entities.table is not None:
            with uploaded(self.warehouse, names.ENTITIES, with_row_ids(self.entities.table, columns)):
                yield
            return
        target = temp_table(names.ENTITIES)
        numbered = build_numbered_entities(self.entities.query)
        create = exp.Create(this=target.copy(), kind="TABLE", expression=numbered,
                            properties=exp.Properties(expressions=[exp.TemporaryProperty()]))
        drop = exp.Drop(this=target.copy(), kind="TABLE", exists=True)
        self.warehouse.execute(drop)
        self.warehouse.execute(create)
        with _cleaned_up(self.warehouse, (drop,)):
            yield


@contextmanager
def _prepared(warehouse: Warehouse, compiled: CompiledRetrieval) -> Iterator[None]:
    """``compiled.setup`` run (the parts of a wide request); ``compiled.cleanup`` run after."""
    with _cleaned_up(warehouse, compiled.cleanup):
        for statement in compiled.setup:
            warehouse.execute(statement)
        yield


@contextmanager
def _cleaned_up(warehouse: Warehouse, statements: Sequence[exp.Expression]) -> Iterator[None]:
    """Run ``statements`` when the block ends; their errors never hide the block's own."""
    try:
        yield
    except BaseException:
        for statement in statements:
            with suppress(WarehouseError):
                warehouse.execute(statement)
        raise
    for statement in statements:
        warehouse.execute(statement)


def table_exists(warehouse: Warehouse, table: exp.Table) -> bool:
    """Whether ``table`` exists (and can be read)."""
    try:
        warehouse.schema_of(table)
    except WarehouseError:
        return False
    return True


def _staging_for(table: exp.Table) -> exp.Table:
    staged = table.copy()
    staged.set("this", exp.to_identifier(f"_vfs_stage_{table.name}"[:63], quoted=True))
    return staged


def replace_with(warehouse: Warehouse, target: exp.Table, staged: exp.Table) -> None:
    """Put ``staged`` in ``target``'s place in one step: a rename inside a transaction where DDL
    is transactional, else ``CREATE OR REPLACE`` (one atomic statement on Snowflake)."""
    drop = exp.Drop(this=target.copy(), kind="TABLE", exists=True)
    try:
        if warehouse.capabilities.supports_transactional_ddl:
            rename = exp.Alter(this=staged.copy(), kind="TABLE",
                               actions=[exp.AlterRename(this=exp.Table(this=target.this.copy()))])
            warehouse.execute_atomic([drop, rename])
        else:
            rows = exp.select(exp.Star()).from_(staged.copy())
            warehouse.execute(exp.Create(this=target.copy(), kind="TABLE", replace=True, expression=rows))
    finally:
        warehouse.execute(exp.Drop(this=staged.copy(), kind="TABLE", exists=True))
