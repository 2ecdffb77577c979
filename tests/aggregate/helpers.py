"""Running aggregation cases in a warehouse, and comparing results with the reference."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pyarrow as pa
from sqlglot import exp

from tests.aggregate.cases import FILTERS, AggregateCase, AggregateSpec
from tests.reference.aggregate import OneOf, ReferenceSource, reference_aggregates
from virtualfs import Aggregation, Entity, FeatureView, Source
from virtualfs.compile.aggregate import (
    AggregateColumn,
    AggregateRequest,
    Formulation,
    RangeJoin,
    Tiled,
    TilePolicy,
    build_aggregate_select,
)
from virtualfs.compile.request import EntityRelation
from virtualfs.definitions import DType
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import frame_column, warehouse_column, warehouse_table
from virtualfs.warehouses.base import Warehouse, uploaded

CUSTOMER = Entity("customer", ["customer_id"])
# Test-sized tiles, several events wide: 1s and 3s windows read raw rows, 5s uses 2-second tiles,
# 8s and 12s 3-second ones; every key is routed to tiles, or (MIXED) keys with a few entity rows.
TEST_POLICY = TilePolicy(raw_below=timedelta(seconds=2), sizes=(timedelta(seconds=2), timedelta(seconds=3)),
                         min_tiles=2, dense_ratio=0.0)
MIXED_POLICY = replace(TEST_POLICY, dense_ratio=1.5)
# Compiled with the entity rows in memory: a window whose dense keys hold under half the rows is
# read in raw buckets for every key, decided before the query (compile/aggregate/density.py).
ROWS_KNOWN = Tiled(replace(MIXED_POLICY, min_dense_share=0.5), name="tiled_rows_known")
FORMULATIONS: tuple[Formulation, ...] = (RangeJoin(), Tiled(TEST_POLICY), Tiled(MIXED_POLICY, name="tiled_mixed"),
                                         ROWS_KNOWN, Tiled())
_tables = itertools.count()


def formulations_for(warehouse: Warehouse) -> list[Formulation]:
    return [f for f in FORMULATIONS if f.supports(warehouse.capabilities)]


def create_source(warehouse: Warehouse, rows: pd.DataFrame, naive: bool) -> str:
    """``rows`` as a new table, named as by hand; time columns naive TIMESTAMP if asked."""
    name = f"agg_events_{next(_tables)}"
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with uploaded(warehouse, "_vfs_seed", table) as staged:
        columns = []
        for field in table.schema:
            value: exp.Expression = exp.column(frame_column(field.name))
            if naive and pa.types.is_timestamp(field.type):
                value = exp.cast(value, exp.DataType.build("TIMESTAMP"))
            columns.append(exp.alias_(value, warehouse_column(field.name, warehouse.dialect)))
        target = warehouse_table(name, warehouse.dialect)
        warehouse.execute(exp.Create(this=target, kind="TABLE", expression=exp.select(*columns).from_(staged)))
    return name


def drop_source(warehouse: Warehouse, name: str) -> None:
    warehouse.execute(exp.Drop(this=warehouse_table(name, warehouse.dialect), kind="TABLE", exists=True))


def aggregation(index: int, spec: AggregateSpec) -> Aggregation:
    text = None if spec.filter is None else FILTERS[spec.filter][0]
    return Aggregation(f"o{index}", spec.function, spec.column, timedelta(seconds=spec.window), filter=text)


def case_view(case: AggregateCase, table: str) -> FeatureView:
    source = Source("events", table=table, timestamp="event_ts",
                    created="created_ts" if case.has_created else None)
    return FeatureView("activity", [CUSTOMER], source, [],
                       aggregations=[aggregation(i, s) for i, s in enumerate(case.specs)])


def run_case(warehouse: Warehouse, case: AggregateCase, formulations: Sequence[Formulation]) -> dict[str, list]:
    """Each formulation's rows for ``case``, by formulation name."""
    table = create_source(warehouse, case.rows, case.naive)
    try:
        view = case_view(case, table)
        schema = pa.Table.from_pandas(case.rows, preserve_index=False).schema
        return {f.name: run_view(warehouse, view, case.entities, case.rule, f, schema) for f in formulations}
    finally:
        drop_source(warehouse, table)


def run_view(warehouse: Warehouse, view: FeatureView, entities: pd.DataFrame, rule: str,
             formulation: Formulation, schema: pa.Schema) -> list[dict]:
    """The view's aggregations for ``entities`` (one dict per row, in order) by ``formulation``."""
    frame = pa.Table.from_pandas(entities, preserve_index=False)
    frame = frame.append_column("_vfs_row", pa.array(range(frame.num_rows), pa.int64()))
    with uploaded(warehouse, "_vfs_entities", frame) as table:
        rows = frame if formulation is ROWS_KNOWN else None
        relation = EntityRelation(table, "event_timestamp", tuple((k, k) for k in view.join_keys), (), rows=rows)
        columns = tuple(
            AggregateColumn(a, a.name, a.output_dtype(_dtype(schema, a.column))) for a in view.aggregations
        )
        query = build_aggregate_select(AggregateRequest(view, columns, relation, rule), warehouse.dialect,
                                       formulation)
        result = warehouse.fetch_arrow(query)
    assert result.column("_vfs_row").to_pylist() == list(range(frame.num_rows))
    return result.drop(["_vfs_row"]).to_pylist()


def expected(case: AggregateCase) -> list[dict]:
    source = ReferenceSource(case.rows, ("customer_id",), "event_ts", "created_ts" if case.has_created else None)
    aggregations = [spec.reference(f"o{i}") for i, spec in enumerate(case.specs)]
    return reference_aggregates(case.entities, source, aggregations, case.rule)


def assert_rows_match(actual: list[dict], wanted: list[dict], label: str) -> None:
    assert len(actual) == len(wanted), label
    for row, (got, want) in enumerate(zip(actual, wanted, strict=True)):
        for column, value in want.items():
            assert same(got[column], value), f"{label}: row {row} {column}: got {got[column]!r}, want {value!r}"


def same(got, want) -> bool:
    """Equal as values: floats to 1e-9 relative, timestamps as UTC instants, OneOf membership."""
    if isinstance(want, OneOf):
        return any(same(got, option) for option in want.values)
    if got is None or want is None:
        return got is None and want is None
    if isinstance(want, float) or isinstance(got, float):
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, pd.Timestamp) or hasattr(got, "tzinfo"):
        return pd.Timestamp(got) == pd.Timestamp(want)
    return got == want and type(got) is type(want)


def _dtype(schema: pa.Schema, column: str) -> DType:
    return dtype_of_arrow(schema.field(column).type) or DType.STRING
