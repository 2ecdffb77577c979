"""``Source(name, expr=...)``: a source written as an ibis expression (a filter, a join, a derived
column) gives the training frame the same SQL written by hand gives, and both equal the pandas
reference; its lineage reaches the warehouse columns; a bad expression names its source."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from sqlglot import exp

from tests.reference.pit import ReferenceView, reference_frame
from tests.repo_factory import write_repo
from tests.retrieval.helpers import create_source, entities, python_values
from virtualfs import (
    DefinitionError,
    Entity,
    Feature,
    FeatureStore,
    FeatureView,
    Source,
    ValidationError,
    table,
)
from virtualfs.compile.expressions import bind_source
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.governance import Carriers, lineage_of
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features

customer = Entity("customer", ["customer_id"])
FEATURES = [Feature("net", "float64"), Feature("region", "string")]
_names = itertools.count()


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


ORDERS = pd.DataFrame({
    "customer_id": [1, 1, 2, 2, 3, 3, 4],
    "ordered_at": [at(t) for t in ("2024-05-01 09:00", "2024-05-01 10:00", "2024-05-01 08:00",
                                   "2024-05-01 11:00", "2024-05-01 09:30", "2024-05-01 10:30", "2024-05-01 09:00")],
    "loaded_at": [at(t) for t in ("2024-05-01 09:05", "2024-05-01 13:00", "2024-05-01 08:00",
                                  "2024-05-01 11:01", "2024-05-01 09:31", "2024-05-01 10:31", "2024-05-01 09:00")],
    "amount": [10.0, 11.5, 20.0, 21.25, 30.0, 33.3, 40.0],
    "status": ["paid", "paid", "paid", "void", "paid", "paid", "paid"],
}).astype({"ordered_at": "datetime64[us, UTC]", "loaded_at": "datetime64[us, UTC]"})
CUSTOMERS = pd.DataFrame({"customer_id": [1, 2, 3], "region": ["dach", "nordics", "dach"]})
LABELS = entities((1, "2024-05-01 12:00"), (2, "2024-05-01 12:00"), (3, "2024-05-01 10:00"),
                  (3, "2024-05-01 12:00"), (4, "2024-05-01 12:00"), (1, "2024-05-01 09:30"))


def by_hand(orders: str, customers: str) -> str:
    return (f"SELECT o.customer_id, o.ordered_at, o.loaded_at, o.amount * 0.9 AS net, c.region "
            f"FROM {orders} AS o JOIN {customers} AS c ON o.customer_id = c.customer_id "
            f"WHERE o.status <> 'void'")


def as_expr(orders_name: str, customers_name: str):
    orders = table(orders_name, {"customer_id": "int64", "ordered_at": "timestamp('UTC')",
                                 "loaded_at": "timestamp('UTC')", "amount": "float64", "status": "string"})
    customers = table(customers_name, {"customer_id": "int64", "region": "string"})
    paid = orders.filter(orders.status != "void").join(customers, "customer_id")
    return paid.select("customer_id", "ordered_at", "loaded_at", "region", net=paid.amount * 0.9)


def reference_source() -> pd.DataFrame:
    """The source's rows computed in pandas: paid orders, joined to their customer, net of 10 %."""
    paid = ORDERS[ORDERS["status"] != "void"].merge(CUSTOMERS, on="customer_id")
    return paid.assign(net=paid["amount"] * 0.9)


def view(source: Source) -> FeatureView:
    return FeatureView("paid_orders", [customer], source, FEATURES)


@pytest.fixture
def tables(warehouse):
    names = (f"orders_{next(_names)}", f"customers_{next(_names)}")
    create_source(warehouse, names[0], ORDERS)
    create_source(warehouse, names[1], CUSTOMERS)
    yield names
    for name in names:
        warehouse.execute(exp.Drop(this=warehouse_table(name, warehouse.dialect), kind="TABLE", exists=True))


def test_an_expr_source_gives_the_frame_its_hand_written_query_gives(warehouse, tables) -> None:
    written = Source("paid", query=by_hand(*tables), timestamp="ordered_at", created="loaded_at")
    built = Source("paid", expr=as_expr(*tables), timestamp="ordered_at", created="loaded_at")
    frames = [get_historical_features(warehouse, Registry.from_objects([view(source)]), LABELS,
                                      ["paid_orders:net", "paid_orders:region"]).to_pandas()
              for source in (written, built)]
    reference = ReferenceView(reference_source(), ("customer_id",), "ordered_at", "loaded_at",
                              (("net", "net"), ("region", "region")))
    expected = python_values(reference_frame(LABELS, [reference], "known"))
    assert python_values(frames[1]) == expected
    assert python_values(frames[0]) == expected


def test_an_expr_source_is_a_query_source_once_bound(warehouse, tables) -> None:
    built = Source("paid", expr=as_expr(*tables), timestamp="ordered_at", created="loaded_at")
    bound = bind_source(built, warehouse.dialect)
    assert bound.expr is None and bound.query.startswith("SELECT")
    assert bound.output_columns() == built.output_columns() == ("customer_id", "ordered_at", "loaded_at",
                                                                "region", "net")


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake"])
def test_lineage_of_an_expr_source_reaches_the_warehouse_columns(dialect) -> None:
    fold = str.upper if dialect == "snowflake" else str.lower
    registry = Registry.from_objects([view(Source("paid", expr=as_expr("orders", "sales.customers"),
                                                  timestamp="ordered_at"))])
    net = lineage_of(registry, "paid_orders:net", dialect, Carriers(), direction="up")
    region = lineage_of(registry, "paid_orders:region", dialect, Carriers(), direction="up")
    assert net.upstream_columns == {fold("orders.amount")}
    assert region.upstream_columns == {fold("sales.customers.region")}


def test_an_expr_that_is_not_an_ibis_table_names_its_source() -> None:
    with pytest.raises(DefinitionError, match="source 'paid': expr must be an ibis table expression"):
        Source("paid", expr="SELECT 1", timestamp="ordered_at")


def test_an_expr_over_a_connected_table_names_its_source() -> None:
    import ibis

    connection = ibis.duckdb.connect()
    connection.raw_sql("CREATE TABLE orders (customer_id BIGINT, ordered_at TIMESTAMP)")
    with pytest.raises(DefinitionError, match="source 'paid': expr reads DatabaseTable 'orders'"):
        Source("paid", expr=connection.table("orders"), timestamp="ordered_at")


def test_an_expr_the_dialect_cannot_compile_names_its_source_and_dialect() -> None:
    orders = table("orders", {"customer_id": "int64", "ordered_at": "timestamp", "amount": "float64"})
    source = Source("paid", expr=orders.mutate(c=orders.amount.corr(orders.customer_id)), timestamp="ordered_at")
    with pytest.raises(DefinitionError, match="source 'paid': expr cannot be compiled for postgres"):
        bind_source(source, "postgres")


def test_exactly_one_of_table_query_and_expr() -> None:
    orders = table("orders", {"customer_id": "int64", "ordered_at": "timestamp"})
    with pytest.raises(DefinitionError, match="at most one of table=, query= or expr="):
        Source("paid", table="orders", expr=orders, timestamp="ordered_at")


def test_a_bad_table_name_or_type_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="table 'a.b.c.d'"):
        table("a.b.c.d", {"x": "int64"})
    with pytest.raises(DefinitionError, match="table 'orders': schema"):
        table("orders", {"x": "no_such_type"})


REPO = """\
from virtualfs import Entity, Feature, FeatureView, Source, table

orders = table("orders", {"customer_id": "int64", "ordered_at": "timestamp", "loaded_at": "timestamp",
                          "amount": "float64", "items": "int64", {extra}})
big = orders.filter(orders.amount > 5).mutate(double_items=orders.items * 2)
customer = Entity("customer", ["customer_id"])
big_orders = FeatureView("big_orders", [customer],
                         Source("big", expr=big, timestamp="ordered_at", created="loaded_at"),
                         [Feature("amount", "float64"), Feature("{feature}", "int64")])
"""


def test_apply_stores_an_expr_source_as_its_sql_and_plans_no_change_after(tmp_path) -> None:
    store = FeatureStore(write_repo(tmp_path / "repo", REPO.replace("{feature}", "double_items").replace("{extra}", "")))
    assert store.apply().version.version == 1
    stored = store.registry().sources["big"]
    assert stored.expr is None and "items * 2 AS double_items" in stored.query
    assert store.plan().is_empty
    frame = store.get_historical_features(entities((1, "2026-01-03"), timestamp="event_timestamp"),
                                          ["big_orders:double_items"]).to_pandas()
    assert frame["double_items"].tolist() == [4]


def test_apply_refuses_an_expr_source_the_warehouse_cannot_read_naming_it(tmp_path) -> None:
    """The expression reads a column the warehouse table lacks: apply reads the compiled query there."""
    text = REPO.replace("{feature}", "discount").replace("{extra}", '"discount": "int64"')
    store = FeatureStore(write_repo(tmp_path / "repo", text))
    with pytest.raises(ValidationError, match="source 'big': query cannot be read: .*discount"):
        store.apply()


def test_a_view_reading_a_column_its_expr_source_lacks_names_both(tmp_path) -> None:
    orders = table("orders", {"customer_id": "int64", "ordered_at": "timestamp", "amount": "float64"})
    with pytest.raises(DefinitionError, match="column 'items' is not returned by source 'big'"):
        FeatureView("big_orders", [customer], Source("big", expr=orders, timestamp="ordered_at"),
                    [Feature("items", "int64")])
