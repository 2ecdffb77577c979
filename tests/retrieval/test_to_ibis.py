"""``RetrievalJob.to_ibis``: the training frame as a lazy ibis table on the warehouse's own
connection, aggregated there and compared with the pandas reference of the same frame."""

from __future__ import annotations

import dataclasses
import gc

import ibis
import pandas as pd
import pytest
from sqlglot import exp

from tests.reference.pit import ReferenceView, reference_frame
from tests.retrieval.helpers import ENTITIES, entities, orders_frame, orders_view, python_values
from virtualfs import Feature, FeatureView, Source, UnsupportedError
from virtualfs.dialects.identifiers import temp_table, warehouse_table
from virtualfs.errors import WarehouseError
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features

ROWS = [(1, "2024-05-01 09:00", "2024-05-01 09:05", 10.0), (1, "2024-05-01 10:00", "2024-05-01 13:00", 11.0),
        (2, "2024-05-01 08:00", "2024-05-01 08:00", 20.0), (3, "2024-05-01 11:00", "2024-05-01 11:30", 30.5),
        (2, "2024-05-01 11:30", "2024-05-01 11:31", 21.0)]
LABELS = [(1, "2024-05-01 12:00", "a"), (2, "2024-05-01 12:00", "a"), (3, "2024-05-01 11:10", "b"),
          (3, "2024-05-01 12:00", "b"), (1, "2024-05-01 09:30", "b"), (4, "2024-05-01 12:00", "a"),
          (2, "2024-05-01 11:45", "c")]
NOT_ON_FAKESNOW = pytest.mark.notimpl(["snowflake"], raises=UnsupportedError,
                                      reason="ibis's Snowflake backend does not run on fakesnow")


def labelled() -> pd.DataFrame:
    frame = entities(*[(c, t) for c, t, _ in LABELS])
    frame["segment"] = [s for *_, s in LABELS]
    return frame


def expected_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The pandas reference of the frame (known-time rule), independent of the compiler."""
    view = ReferenceView(orders_frame(ROWS), ("customer_id",), "ordered_at", "loaded_at", (("total", "total"),))
    return reference_frame(frame, [view], "known")


@NOT_ON_FAKESNOW
def test_to_ibis_group_by_runs_in_the_warehouse_and_matches_the_reference(warehouse) -> None:
    frame = labelled()
    with orders_view(warehouse, ROWS) as registry:
        table = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_ibis()
        summary = (table.group_by("segment")
                   .agg(spend=table.total.sum(), seen=table.total.count(), rows=table.count())
                   .order_by("segment").to_pandas())
    reference = expected_frame(frame).astype({"total": "float64"})
    wanted = (reference.groupby("segment").agg(spend=("total", "sum"), seen=("total", "count"),
                                               rows=("total", "size")).reset_index())
    assert python_values(summary) == python_values(wanted)


@NOT_ON_FAKESNOW
def test_to_ibis_rows_are_the_frame_in_input_order(warehouse) -> None:
    frame = labelled()
    with orders_view(warehouse, ROWS, query=True) as registry:
        table = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_ibis()
        assert table.columns == ("customer_id", "event_timestamp", "segment", "total")
        lazy = table.to_pandas()
    assert python_values(lazy) == python_values(expected_frame(frame))


@NOT_ON_FAKESNOW
def test_two_lazy_frames_keep_their_own_entity_rows(warehouse) -> None:
    with orders_view(warehouse, ROWS) as registry:
        first = get_historical_features(warehouse, registry, entities((1, "2024-05-01 12:00")), ["orders:total"])
        second = get_historical_features(warehouse, registry, entities((2, "2024-05-01 12:00"), (3, "2024-05-01 12:00")),
                                         ["orders:total"])
        one, two = first.to_ibis(), second.to_ibis()
        assert one.total.to_pandas().tolist() == [10.0]
        assert two.total.to_pandas().tolist() == [21.0, 30.5]


@NOT_ON_FAKESNOW
def test_entity_rows_given_as_a_query_stay_lazy_too(warehouse) -> None:
    with orders_view(warehouse, ROWS) as registry:
        query = ("SELECT 3 AS customer_id, CAST('2024-05-01 11:10:00' AS TIMESTAMP) AS event_timestamp "
                 "UNION ALL SELECT 1, CAST('2024-05-01 12:00:00' AS TIMESTAMP) ORDER BY customer_id")
        table = get_historical_features(warehouse, registry, query, ["orders:total"]).to_ibis()
        assert table.total.to_pyarrow().to_pylist() == [10.0, None]


def test_the_staged_entity_rows_go_with_the_last_expression_built_on_them(duckdb_warehouse) -> None:
    warehouse = duckdb_warehouse
    with orders_view(warehouse, ROWS) as registry:
        table = get_historical_features(warehouse, registry, labelled(), ["orders:total"]).to_ibis()
        derived = table.filter(table.segment == "a").total.sum()
        staged = _temporary_tables(warehouse)
        assert len(staged) == 1 and staged[0].startswith("_vfs_entities_")
        del table
        gc.collect()
        assert derived.to_pandas() == pytest.approx(31.0)  # still there: the derived one reads it
        del derived
        gc.collect()
        assert _temporary_tables(warehouse) == []
        with pytest.raises(WarehouseError):
            warehouse.schema_of(temp_table(staged[0]))


def test_a_wide_request_is_computed_once_and_read_in_input_order(duckdb_warehouse) -> None:
    warehouse = duckdb_warehouse
    frame = labelled()
    with orders_view(warehouse, ROWS) as registry:
        wide = [dataclasses.replace(registry.views["orders"], name=f"orders_{i}") for i in range(45)]
        job = get_historical_features(warehouse, Registry.from_objects(wide), frame,
                                      [f"orders_{i}:total" for i in range(45)], full_feature_names=True)
        assert job.compiled().setup  # split into parts
        lazy = job.to_ibis().to_pandas()
    reference = python_values(expected_frame(frame))["total"]
    assert lazy.columns.tolist()[:3] == ["customer_id", "event_timestamp", "segment"]
    assert all(python_values(lazy)[f"orders_{i}__total"] == reference for i in (0, 44))


def test_to_ibis_on_fakesnow_says_why_not(snowflake) -> None:
    with orders_view(snowflake, ROWS) as registry:
        job = get_historical_features(snowflake, registry, labelled(), ["orders:total"])
        with pytest.raises(UnsupportedError, match="fakesnow"):
            job.to_ibis()


def _temporary_tables(warehouse) -> list[str]:
    found = warehouse.fetch_arrow(exp.select("table_name").from_("duckdb_tables()").where("temporary"))
    return sorted(found.column(0).to_pylist())


@NOT_ON_FAKESNOW
def test_to_ibis_types_features_as_declared(warehouse) -> None:
    """A DECIMAL source column read as a float64 feature is a double in the ibis table too."""
    source = warehouse_table("decimal_orders", warehouse.dialect)
    rows = exp.select(exp.alias_(exp.Literal.number(1), "customer_id"),
                      exp.alias_(exp.cast(exp.Literal.string("2024-05-01 09:00:00"), "TIMESTAMP"), "ordered_at"),
                      exp.alias_(exp.cast(exp.Literal.number("1.25"), "DECIMAL(10, 2)"), "total"))
    warehouse.execute(exp.Create(this=source, kind="TABLE", expression=rows))
    try:
        view = FeatureView("orders", [ENTITIES["customer_id"]],
                           Source("orders", table="decimal_orders", timestamp="ordered_at"), [Feature("total", "float64")])
        table = get_historical_features(warehouse, Registry.from_objects([view]), entities((1, "2024-05-01 12:00")),
                                        ["orders:total"]).to_ibis()
        assert table.schema()["total"] == ibis.dtype("float64")
        assert table.total.to_pyarrow().to_pylist() == [1.25]
    finally:
        warehouse.execute(exp.Drop(this=source.copy(), kind="TABLE", exists=True))
