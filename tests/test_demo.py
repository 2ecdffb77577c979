"""The demo warehouse: deterministic, scaled, quirky, and matching the example repository."""

from __future__ import annotations

import hashlib
import importlib
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from virtualfs.definitions import FeatureService, FeatureView, OnDemandView
from virtualfs.demo import END, START, TABLES, make_demo_entities, make_demo_warehouse

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"
DEFINITION_MODULES = ("entities", "sources", "views", "on_demand", "services")

# The DuckDB type a column must have to serve a feature of each dtype.
DUCKDB_TYPES = {
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "string": "VARCHAR",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}

# (table, entity key, event time, load time, the longest delay of a row that is on time).
EVENT_TABLES = [
    ("orders", "customer_id", "ordered_at", "loaded_at", timedelta(hours=1)),
    ("page_views", "customer_id", "viewed_at", "loaded_at", timedelta(hours=1)),
    ("products", "product_id", "updated_at", "loaded_at", timedelta(hours=1)),
    ("customer_daily_stats", "customer_id", "day", "loaded_at", timedelta(days=1, hours=3)),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    make_demo_warehouse(path, scale=0.3)
    return path


@pytest.fixture
def con(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def table_digests(path: Path) -> dict[str, str]:
    """A content hash per table, independent of physical row order."""
    with duckdb.connect(str(path), read_only=True) as connection:
        digests = {}
        for table in TABLES:
            data = connection.table(table).to_arrow_table()
            data = data.sort_by([(name, "ascending") for name in data.column_names])
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, data.schema) as writer:
                writer.write_table(data)
            digests[table] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
        return digests


def load_example_definitions() -> list:
    """Every definition object in definitions/*.py, imported the way the repository loader does."""
    for name in DEFINITION_MODULES:
        sys.modules.pop(name, None)
    sys.path.insert(0, str(DEFINITIONS))
    try:
        modules = [importlib.import_module(name) for name in DEFINITION_MODULES]
    finally:
        sys.path.remove(str(DEFINITIONS))
        for name in DEFINITION_MODULES:
            sys.modules.pop(name, None)
    return [value for module in modules for value in vars(module).values()
            if isinstance(value, (FeatureView, OnDemandView, FeatureService))]


def source_columns(con, view: FeatureView) -> dict[str, str]:
    source = view.source
    relation = con.table(source.table) if source.table else con.sql(source.query)
    return {name: str(dtype) for name, dtype in zip(relation.columns, relation.types, strict=True)}


def test_same_seed_gives_identical_tables(tmp_path):
    counts_a = make_demo_warehouse(tmp_path / "a.duckdb", scale=0.1, seed=11)
    counts_b = make_demo_warehouse(tmp_path / "b.duckdb", scale=0.1, seed=11)
    assert counts_a == counts_b
    assert table_digests(tmp_path / "a.duckdb") == table_digests(tmp_path / "b.duckdb")


def test_other_seed_gives_other_tables(tmp_path):
    make_demo_warehouse(tmp_path / "a.duckdb", scale=0.1, seed=1)
    make_demo_warehouse(tmp_path / "b.duckdb", scale=0.1, seed=2)
    a, b = table_digests(tmp_path / "a.duckdb"), table_digests(tmp_path / "b.duckdb")
    assert all(a[table] != b[table] for table in TABLES)


def test_warehouse_is_replaced_and_counts_match(tmp_path):
    path = tmp_path / "data" / "warehouse.duckdb"
    make_demo_warehouse(path, scale=0.1)
    counts = make_demo_warehouse(path, scale=0.05)
    with duckdb.connect(str(path), read_only=True) as connection:
        actual = {table: scalar(connection, f"SELECT count(*) FROM {table}") for table in TABLES}
    assert actual == counts
    assert counts["customers"] == 100
    assert sorted(p.name for p in path.parent.iterdir()) == ["warehouse.duckdb"]


def test_scale_scales_row_counts(tmp_path):
    small = make_demo_warehouse(tmp_path / "small.duckdb", scale=0.05)
    large = make_demo_warehouse(tmp_path / "large.duckdb", scale=0.2)
    assert large["customers"] == 4 * small["customers"]
    assert 2 < large["products"] / 100 < 4  # catalogue rows per product (100 products at 0.2)
    for table in ("orders", "page_views", "customer_daily_stats"):
        assert large[table] == pytest.approx(4 * small[table], rel=0.15), table


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="scale must be positive"):
        make_demo_warehouse(tmp_path / "w.duckdb", scale=0)


TABLE_TIMES = ("table", "key", "event", "loaded", "on_time")


@pytest.mark.parametrize(TABLE_TIMES, EVENT_TABLES)
def test_rows_never_load_before_they_happen(con, table, key, event, loaded, on_time):
    assert scalar(con, f"SELECT count(*) FROM {table} WHERE {loaded} < {event}") == 0


@pytest.mark.parametrize(TABLE_TIMES, EVENT_TABLES)
def test_some_rows_arrive_late(con, table, key, event, loaded, on_time):
    late = con.execute(f"SELECT avg(CAST({loaded} > {event} + ? AS INTEGER)) FROM {table}", [on_time])
    assert 0.02 < late.fetchone()[0] < 0.12


@pytest.mark.parametrize(TABLE_TIMES, EVENT_TABLES[:3])
def test_some_keys_have_duplicate_event_times_loaded_apart(con, table, key, event, loaded, on_time):
    duplicated = scalar(con, f"SELECT count(*) FROM (SELECT {key}, {event} FROM {table} "
                             f"GROUP BY ALL HAVING count(DISTINCT {loaded}) > 1)")
    assert duplicated > 0


def test_some_customers_have_no_history(con):
    no_orders = scalar(con, "SELECT count(*) FROM customers WHERE customer_id NOT IN "
                            "(SELECT customer_id FROM orders)")
    no_history = scalar(con, "SELECT count(*) FROM customers WHERE customer_id NOT IN "
                             "(SELECT customer_id FROM orders UNION SELECT customer_id FROM page_views "
                             "UNION SELECT customer_id FROM customer_daily_stats)")
    assert no_orders > no_history > 0


@pytest.mark.parametrize(("table", "column"), [
    ("orders", "payment_method"), ("orders", "discount"), ("page_views", "dwell_seconds"),
    ("page_views", "device"), ("products", "in_stock"), ("customers", "country"),
    ("customers", "is_subscribed"), ("customer_daily_stats", "last_device"),
    ("customer_daily_stats", "last_order_at"),
])
def test_some_feature_values_are_null(con, table, column):
    share = scalar(con, f"SELECT avg(CAST({column} IS NULL AS INTEGER)) FROM {table}")
    assert 0 < share < 0.8


def test_events_fall_in_the_span(con):
    assert scalar(con, "SELECT min(ordered_at) FROM orders") >= START
    assert scalar(con, "SELECT max(viewed_at) FROM page_views") < END
    assert scalar(con, "SELECT count(*) FROM orders o JOIN customers c USING (customer_id) "
                       "WHERE o.ordered_at < c.signup_at") == 0


def test_products_change_price_over_time(con):
    assert scalar(con, "SELECT count(*) FROM (SELECT product_id FROM products GROUP BY ALL "
                       "HAVING count(DISTINCT price) > 2)") > 0


def test_example_views_read_columns_the_warehouse_has(con):
    views = [d for d in load_example_definitions() if isinstance(d, FeatureView)]
    assert len(views) >= 4
    for view in views:
        columns = source_columns(con, view)
        expected = {key: "BIGINT" for key in view.join_keys}
        expected[view.source.timestamp] = "TIMESTAMP"
        if view.source.created:
            expected[view.source.created] = "TIMESTAMP"
        expected.update({f.name: DUCKDB_TYPES[f.dtype.value] for f in view.features})
        actual = {name: columns.get(name) for name in expected}
        assert actual == expected, view.name


def test_example_services_name_existing_features():
    definitions = load_example_definitions()
    views = {d.name: d for d in definitions if isinstance(d, FeatureView)}
    on_demand = {d.name: d for d in definitions if isinstance(d, OnDemandView)}
    services = {d.name: d for d in definitions if isinstance(d, FeatureService)}
    assert set(services) == {"reorder_model", "checkout_risk"}
    for ref in services["checkout_risk"].refs:
        names = (views.get(ref.view) or on_demand[ref.view]).feature_names
        assert ref.feature == "*" or ref.feature in names, ref
    for ref in on_demand["cart_ratio"].feature_inputs:
        assert ref.feature in views[ref.view].feature_names, ref
    service = services["reorder_model"]
    for ref in service.refs:
        assert ref.view in views, ref
        assert ref.feature == "*" or ref.feature in views[ref.view].feature_names, ref
    keyed_by = {entity.name for ref in service.refs for entity in views[ref.view].entities}
    assert keyed_by == {"customer", "product"}


def test_demo_entities_are_deterministic_and_inside_the_span(warehouse, con):
    frame = make_demo_entities(warehouse, n=500, seed=3)
    assert frame.equals(make_demo_entities(warehouse, n=500, seed=3))
    assert list(frame.columns) == ["customer_id", "product_id", "event_timestamp", "reordered"]
    assert len(frame) == 500
    assert frame["event_timestamp"].between(START, END).all()
    customers = {row[0] for row in con.execute("SELECT customer_id FROM customers").fetchall()}
    assert set(frame["customer_id"]) <= customers
    assert 0 < frame["reordered"].mean() < 1


def test_late_rows_are_unknown_at_some_entity_times(warehouse, con):
    """Some training rows fall between an order's event time and its load time."""
    entities = make_demo_entities(warehouse, n=2_000, seed=5)
    con.register("entities", entities)
    straddled = scalar(con, "SELECT count(*) FROM entities e WHERE EXISTS (SELECT 1 FROM orders o "
                            "WHERE o.customer_id = e.customer_id "
                            "AND o.ordered_at <= e.event_timestamp AND o.loaded_at > e.event_timestamp)")
    assert straddled > 0


def test_the_documented_row_count_of_scale_1_is_true(tmp_path):
    counts = make_demo_warehouse(tmp_path / "w.duckdb", scale=1)
    total = f"{sum(counts.values()):,}"
    root = Path(__file__).parents[1]
    assert f"{total} rows" in (root / "definitions" / "README.md").read_text()
    assert f"scale 1: {total} rows" in (root / "README.md").read_text()
