"""Kept tiles: built by refreshes, read instead of summarising the source, same answers.

Hypothesis cases (known-time rule, created times before, at and long after events) on every
warehouse: tiles rebuilt at one watermark, then brought forward incrementally to a later one;
the tiled formulation reading them equals the pandas reference for entity rows at any time up
to that watermark, including rows whose tiles hold rows known only after them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tests.aggregate.cases import AggregateCase, AggregateSpec, aggregate_cases, instant
from tests.aggregate.helpers import (
    CUSTOMER,
    TEST_POLICY,
    assert_rows_match,
    case_view,
    create_source,
    drop_source,
    expected,
)
from virtualfs import Aggregation, Source
from virtualfs.catalog import Catalog
from virtualfs.compile.aggregate import AggregateColumn, AggregateRequest, Tiled, build_aggregate_select
from virtualfs.compile.aggregate.kept_tiles import KeptTiles, plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.request import EntityRelation
from virtualfs.context import ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.definitions import DType, FeatureView
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.dialects.render import to_sql
from virtualfs.refresh.keep_tiles import keep_tiles
from virtualfs.warehouses.base import Warehouse, uploaded

EXAMPLES = {"duckdb": 80, "postgres": 15, "snowflake": 8, "spark": 3}
SHOP = FeatureSchema.of("features", "shop")


def context(warehouse: Warehouse, catalog: Catalog, schema: str, project: str) -> ProjectContext:
    return ProjectContext(project, warehouse, catalog, StoredCopies(FeatureSchema.of(schema, project), "test"))
_projects = itertools.count()


@pytest.fixture
def schema(shared_warehouse):
    name = f"vfs_tiles_{uuid.uuid4().hex[:8]}"
    schema = exp.Table(this=warehouse_table(name, shared_warehouse.dialect).this)
    shared_warehouse.execute(exp.Create(this=schema, kind="SCHEMA", exists=True))
    yield name
    shared_warehouse.execute(exp.Drop(this=schema, kind="SCHEMA", exists=True, cascade=True))


def test_kept_tiles_give_the_reference(shared_warehouse, schema, tmp_path):
    warehouse = shared_warehouse
    catalog = Catalog(f"sqlite:///{tmp_path}/catalog.db", "shop")

    @settings(max_examples=EXAMPLES[warehouse.dialect], deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=aggregate_cases().filter(lambda c: c.has_created), rule=st.sampled_from(["known", "event"]),
           cut=st.integers(-2, 30), pick=st.integers(0, 20), late=st.lists(st.integers(0, 17), max_size=4))
    def check(case: AggregateCase, rule: str, cut: int, pick: int, late: list[int]) -> None:
        # the read finds the tiles built to just before some row landed, past the cut; it asks
        # for the entity rows up to then, among them some just after the ``late`` rows' events,
        # which land after it
        landed = sorted(case.rows["created_ts"].dropna())
        read_at = instant(cut)
        if landed:
            read_at = max(read_at, landed[pick % len(landed)].to_pydatetime() - timedelta(microseconds=pick % 2))
        rows, seen = case.rows.copy(), []
        for index in (i for i in late if i < len(rows)):
            rows.loc[index, "created_ts"] = pd.Timestamp(read_at + timedelta(seconds=1 + index % 3))
            event = rows.loc[index, "event_ts"]
            if not pd.isna(event) and event <= pd.Timestamp(read_at):
                seen.append((rows.loc[index, "customer_id"], min(event + timedelta(seconds=pick % 4), read_at)))
        times = case.entities["event_timestamp"]
        entities = pd.concat([case.entities[times.isna() | (times <= read_at)], pd.DataFrame({
            "customer_id": pd.array([c for c, _ in seen], dtype="Int64"),
            "event_timestamp": pd.to_datetime([t for _, t in seen], utc=True).astype("datetime64[us, UTC]")})])
        case = replace(case, rows=rows, rule=rule, entities=entities.reset_index(drop=True))
        if case.entities.empty:
            return
        table = create_source(warehouse, case.rows, case.naive)
        project = f"p{next(_projects)}"
        view = replace(case_view(case, table), materialize="incremental")
        kept = plan_kept_tiles(view, FeatureSchema.of(schema, project), TEST_POLICY)
        try:
            # built whole at the cut, then brought forward to 1.5 s after ``read_at``, and read
            # as if the read had found them built only to ``read_at`` (a refresh ran meanwhile):
            # under the event-time rule the rows landing after it are read apart, tiles holding
            # them (those landing 1 s after it) row by row
            for known_by, rebuild in ((instant(cut), True), (read_at + timedelta(seconds=1.5), False)):
                keep_tiles(context(warehouse, catalog, schema, project), view, known_by, rebuild, TEST_POLICY)
            kept = tuple(replace(k, known_by=read_at) for k in kept)
            rows, sql = _run(warehouse, view, case.entities, kept, case.rule)
            assert_rows_match(rows, expected(case), f"{warehouse.dialect} kept tiles, {case.rule} rule")
            if kept:
                assert warehouse_table(kept[0].table, warehouse.dialect).name in sql
        finally:
            drop_source(warehouse, table)
            for tiles in kept:
                warehouse.execute(exp.Drop(this=warehouse_table(tiles.table, warehouse.dialect), kind="TABLE",
                                           exists=True))

    check()


def test_a_tile_holding_a_row_known_after_the_label_is_read_row_by_row(shared_warehouse, schema, tmp_path):
    """Tile [10 s, 12 s) holds a row known at once and one known at 30 s; a label at 14 s over
    5 s sees only the first, though the tiles (built at 40 s) hold both."""
    case = _customer_case([(10, 0, 10), (10, 500_000, 30), (12, 0, 12)], [14, 31], "known")
    got, _ = _read_kept(shared_warehouse, schema, tmp_path, case, instant(40), instant(40))
    # at 14 s: the rows at 10 s and 12 s (2.0 lands at 30 s); at 31 s: none in the window
    assert got == [{"o0": 2, "o1": 5.0, "o2": 4}, {"o0": 0, "o1": None, "o2": None}]
    assert_rows_match(got, expected(case), f"{shared_warehouse.dialect} late row")


def test_event_rule_reads_rows_landing_after_the_watermark_apart(shared_warehouse, schema, tmp_path):
    """A read decided with tiles built to 20 s while a refresh brought them to 40 s: the tile
    that gained a row landing at 30 s is read row by row, and that row once, from the rows
    landing after 20 s; the row landing at 45 s is in no tile."""
    case = _customer_case([(10, 0, 10), (10, 500_000, 30), (12, 0, 12), (13, 0, 45)], [14, 20], "event")
    got, sql = _read_kept(shared_warehouse, schema, tmp_path, case, instant(40), instant(20))
    assert "__tiles_" in sql.lower()
    # at 14 s: every row with 9 < e <= 14 (count), 6 < e <= 14 (sum, max), whenever it landed
    assert got[0] == {"o0": 4, "o1": 15.0, "o2": 8}
    assert_rows_match(got, expected(case), f"{shared_warehouse.dialect} event rule")


def _customer_case(events: list[tuple[int, int, int]], labels: list[int], rule: str) -> AggregateCase:
    """Customer 1's rows (event second, microseconds, landing second) with amounts and
    quantities 1, 2, 4, 8, ...; a 5 s count, a 5 s (known) or 8 s (event) sum, an 8 s max."""
    values = [2 ** i for i in range(len(events))]
    rows = pd.DataFrame({
        "customer_id": pd.array([1] * len(events), dtype="Int64"),
        "event_ts": pd.to_datetime([instant(e, nudge) for e, nudge, _ in events], utc=True),
        "created_ts": pd.to_datetime([instant(c) for _, _, c in events], utc=True),
        "amount": pd.array(values, dtype="Float64"), "qty": pd.array(values, dtype="Int64"),
        "status": pd.array(["a"] * len(events), dtype="string"),
    }).astype({"event_ts": "datetime64[us, UTC]", "created_ts": "datetime64[us, UTC]"})
    entities = pd.DataFrame({"customer_id": pd.array([1] * len(labels), dtype="Int64"),
                             "event_timestamp": pd.to_datetime([instant(t) for t in labels], utc=True)})
    specs = (AggregateSpec("count", "amount", 5, None),
             AggregateSpec("sum", "amount", 5 if rule == "known" else 8, None), AggregateSpec("max", "qty", 8, None))
    return AggregateCase(rows, True, False, entities, specs, rule)


def _read_kept(warehouse: Warehouse, schema: str, tmp_path, case: AggregateCase, built: datetime,
               known_by: datetime) -> tuple[list[dict], str]:
    """``case`` read through tiles built to ``built``, as a read that found them built to ``known_by``."""
    table = create_source(warehouse, case.rows, naive=False)
    view = replace(case_view(case, table), materialize="incremental")
    try:
        catalog = Catalog(f"sqlite:///{tmp_path}/c.db", "one")
        keep_tiles(context(warehouse, catalog, schema, "one"), view, built, True, TEST_POLICY)
        kept = tuple(replace(k, known_by=known_by)
                     for k in plan_kept_tiles(view, FeatureSchema.of(schema, "one"), TEST_POLICY))
        return _run(warehouse, view, case.entities, kept, case.rule)
    finally:
        drop_source(warehouse, table)


def test_tiles_are_planned_only_where_a_watermark_bounds_them():
    events = Source("events", table="events", timestamp="event_ts", created="created_ts")
    month = [Aggregation("n_30d", "count", "amount", "30d"), Aggregation("s_30d", "sum", "amount", "30d"),
             Aggregation("d_30d", "count_distinct", "status", "30d"), Aggregation("n_1h", "count", "amount", "1h"),
             Aggregation("n_90d", "max", "qty", "90d", filter="status = 'a'")]
    view = FeatureView("activity", [CUSTOMER], events, [], aggregations=month, materialize="incremental")
    kept = plan_kept_tiles(view, SHOP)
    # 1-day tiles for the 30-day count and sum, 7-day tiles for the 90-day max; none for the rest
    assert [(k.size, [a.name for a in k.aggregations]) for k in kept] == [
        (timedelta(days=1), ["n_30d", "s_30d"]), (timedelta(days=7), ["n_90d"])]
    assert kept[0].stats == (("n", "s", "r"),) and kept[1].stats == (("hi",),)
    assert all(k.table.startswith("features.shop__activity__tiles_") for k in kept)
    assert len({k.table for k in kept}) == 2 and len({k.digest for k in kept}) == 2
    assert plan_kept_tiles(replace(view, materialize="view"), SHOP) == ()
    assert plan_kept_tiles(replace(view, source=replace(events, created=None)), SHOP) == ()
    # tiles holding the same summaries are shared; other summaries are other tiles
    same = replace(view, aggregations=[*month[:1], Aggregation("a_30d", "avg", "amount", "30d")])
    assert plan_kept_tiles(same, SHOP)[0].table == kept[0].table
    wider = replace(view, aggregations=[*month[:2], Aggregation("sd_30d", "stddev", "amount", "30d")])
    assert plan_kept_tiles(wider, SHOP)[0].table != kept[0].table
    moved = replace(view, source=replace(events, table="events_v2"))
    assert plan_kept_tiles(moved, SHOP)[0].table != kept[0].table


def _run(warehouse: Warehouse, view: FeatureView, entities: pd.DataFrame,
         kept: tuple[KeptTiles, ...], rule: str = "known") -> tuple[list[dict], str]:
    frame = pa.Table.from_pandas(entities, preserve_index=False)
    frame = frame.append_column("_vfs_row", pa.array(range(frame.num_rows), pa.int64()))
    source = warehouse.schema_of(warehouse_table(view.source.table, warehouse.dialect))
    with uploaded(warehouse, "_vfs_entities", frame) as table:
        relation = EntityRelation(table, "event_timestamp", (("customer_id", "customer_id"),), ())
        columns = tuple(AggregateColumn(a, a.name, a.output_dtype(_dtype(source, a.column)))
                        for a in view.aggregations)
        request = AggregateRequest(view, columns, relation, rule, kept=kept)
        query = build_aggregate_select(request, warehouse.dialect, Tiled(TEST_POLICY))
        result = warehouse.fetch_arrow(query)
    assert result.column("_vfs_row").to_pylist() == list(range(frame.num_rows))
    return result.drop(["_vfs_row"]).to_pylist(), to_sql(query, warehouse.dialect)


def _dtype(schema: pa.Schema, column: str) -> DType:
    names = {name.lower(): name for name in schema.names}
    return dtype_of_arrow(schema.field(names[column.lower()]).type) or DType.STRING
