"""apply's validation on every warehouse: names resolve by the warehouse's own rules."""

from datetime import datetime

import pyarrow as pa
import pytest

from tests.backends import WAREHOUSES, create_user_table, make_warehouse
from virtualfs import Entity, Feature, FeatureView, Source, ValidationError
from virtualfs.apply.validate import validate_registry
from virtualfs.registry import Registry

ROWS = pa.table({
    "customer_id": pa.array([1, 2], pa.int64()),
    "ordered_at": pa.array([datetime(2026, 1, 1), datetime(2026, 1, 2)], pa.timestamp("us")),
    "loaded_at": pa.array([datetime(2026, 1, 1), datetime(2026, 1, 3)], pa.timestamp("us")),
    "amount": pa.array([1.5, None], pa.float64()),
    "channel": pa.array(["web", "app"], pa.string()),
})
customer = Entity("customer", ["customer_id"])


def registry_for(source, features):
    return Registry.from_objects([FeatureView("v", [customer], source, features)])


@pytest.fixture(params=WAREHOUSES)
def warehouse(request):
    with make_warehouse(request.param) as made:
        create_user_table(made, "orders", ROWS)
        yield made


def test_table_and_query_sources_written_like_hand_sql_validate(warehouse):
    table = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
    query = Source("recent", query="SELECT customer_id, ordered_at, loaded_at, amount FROM orders WHERE amount > 0",
                   timestamp="ordered_at", created="loaded_at")
    validate_registry(warehouse, registry_for(table, [Feature("amount", "float64"), Feature("channel", "string")]))
    validate_registry(warehouse, registry_for(query, [Feature("amount", "float64")]))


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([Feature("amount", "int64")], "'amount' is declared int64"),
        ([Feature("channel", "timestamp")], "'channel' is declared timestamp"),
        ([Feature("colour", "string")], "feature 'colour' is not a column of the source"),
    ],
)
def test_wrong_column_or_type_is_named(warehouse, features, message):
    source = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
    with pytest.raises(ValidationError, match=message):
        validate_registry(warehouse, registry_for(source, features))


def test_missing_table_is_named(warehouse):
    source = Source("gone", table="no_such_table", timestamp="ordered_at")
    with pytest.raises(ValidationError, match="source 'gone': table 'no_such_table' cannot be read"):
        validate_registry(warehouse, registry_for(source, [Feature("amount", "float64")]))


@pytest.mark.parametrize(("columns", "message"), [
    ({"orders.channel": {"pii": True}, "ORDERS.Amount": {"pii": True}, "net": {"pii": True}}, None),
    ({"orders.chanel": {"pii": True}}, "source 'recent': columns: 'orders.chanel' is not a column the warehouse"),
    ({"channel": {"pii": True}}, "source 'recent': columns: 'channel' is not a column the warehouse"),
    ({"customers.channel": {"pii": True}}, "columns: 'customers.channel' is not a column the warehouse"),
])
def test_a_classified_column_must_exist_as_the_warehouse_names_it(warehouse, columns, message):
    """A misspelt PII column would leave the features read from the real one unclassified."""
    source = Source("recent", query="SELECT customer_id, ordered_at, loaded_at, amount * 2 AS net FROM orders",
                    timestamp="ordered_at", created="loaded_at", columns=columns)
    registry = registry_for(source, [Feature("net", "float64")])
    if message is None:
        validate_registry(warehouse, registry)
    else:
        with pytest.raises(ValidationError, match=message):
            validate_registry(warehouse, registry)
