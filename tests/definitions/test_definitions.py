import dataclasses
from datetime import timedelta

import pytest

from virtualfs import (
    Aggregation,
    Check,
    DefinitionError,
    Entity,
    Feature,
    FeatureService,
    FeatureView,
    Source,
)
from virtualfs.definitions import DEFINITION_TYPES, SourceColumn
from virtualfs.definitions.durations import format_duration, parse_duration

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")


def view(**overrides):
    spec = {"name": "customer_orders", "entities": [customer], "source": orders,
            "features": [Feature("amount", "float64")]}
    return FeatureView(**{**spec, **overrides})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Entity("1customer", ["id"]), "name '1customer'"),
        (lambda: Entity("customer-x", ["id"]), "customer-x"),
        (lambda: Entity("_vfs_thing", ["id"]), "may not start with '_vfs_'"),
        (lambda: Entity("a__b", ["id"]), "contain '__'"),
        (lambda: Entity("customer", []), "at least one column"),
        (lambda: Entity("customer", "customer_id"), "must be a list"),
        (lambda: Entity("customer", ["id", "id"]), "duplicate join key 'id'"),
        (lambda: Entity("customer", ["bad key"]), "join key 'bad key'"),
        (lambda: Entity("customer", ["id"], tags={"a": 1}), "tags must be a mapping of str to str"),
        (lambda: Source("s", table="t", query="select 1 as x", timestamp="ts"), "at most one of"),
        (lambda: Source("s", timestamp="ts"), "needs created="),
        (lambda: Source("s", query="DROP TABLE orders", timestamp="ts"), "found DROP"),
        (lambda: Source("s", query="INSERT INTO t VALUES (1)", timestamp="ts"), "found INSERT"),
        (lambda: Source("s", query="select 1 as a; select 2 as b", timestamp="ts"), "found 2"),
        (lambda: Source("s", query="select from where (", timestamp="ts"), "does not parse"),
        (lambda: Source("s", table="orders", timestamp=""), "timestamp= must name"),
        (lambda: Source("s", table="orders", timestamp="ts", created="ts"), "must differ"),
        (lambda: Source("s", table="a b c", timestamp="ts"), "is not a [db.][schema.]table"),
        (lambda: Feature("amount", "decimal"), "unknown dtype 'decimal'"),
        (lambda: Feature("amount x", "int64"), "name 'amount x'"),
        (lambda: view(features=[]), "features must be a non-empty list"),
        (lambda: view(features=[Feature("a", "int64"), Feature("a", "float64")]), "duplicate feature name 'a'"),
        (lambda: view(features=[Feature("customer_id", "int64")]), "collides with a join key"),
        (lambda: view(entities=[]), "entities must be a non-empty list"),
        (lambda: view(entities=[customer, customer]), "duplicate entity 'customer'"),
        (lambda: view(ttl="0d"), "positive duration"),
        (lambda: view(ttl="soon"), "duration like '7d'"),
        (lambda: view(source="orders"), "source must be a Source"),
        (lambda: view(source=Source("q", query="select ordered_at, amount from orders", timestamp="ordered_at")),
         "column 'customer_id' is not returned by source 'q'"),
        (lambda: FeatureService("svc", []), "at least one reference"),
        (lambda: Aggregation("n", "median", "amount", "7d"), "unknown function 'median'"),
        (lambda: Aggregation("n", "sum", "amount", "0h"), "positive duration"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="amount + 1"), "not a boolean expression"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="amount >"), "filter does not parse"),
        (lambda: view(features=[], aggregations=[]), "or give aggregations"),
        (lambda: view(aggregations=[Aggregation("amount", "sum", "amount", "1d")]), "duplicate feature name 'amount'"),
        (lambda: view(materialize="cached"), "materialize must be one of view, table, incremental"),
        (lambda: view(materialize="table", schedule="every hour"), "schedule 'every hour'"),
        (lambda: view(materialize="table", lookback="0h"), "lookback: expected a positive duration"),
        (lambda: FeatureService("svc", ["customer_orders"]), "must look like 'view:feature'"),
        (lambda: FeatureService("svc", ["a:b", "a:b"]), "duplicate feature reference"),
        (lambda: FeatureService("svc", ["a:b"], owner=7), "owner must be text, got 7"),
        (lambda: FeatureService("svc", ["a:b"], tags={"": "x"}), "tags must be a mapping of str to str"),
        (lambda: Source("s", table="t", timestamp="ts", description=None), "description must be text"),
        (lambda: Source("s", table="t", timestamp="ts", tags=["pii"]), "tags must be a mapping"),
        (lambda: Source("s", table="t", timestamp="ts", columns=["t.email"]), "columns must be a mapping"),
        (lambda: Source("s", table="t", timestamp="ts", columns={"t.e mail": {}}), "'t.e mail' is not 'table.column'"),
        (lambda: Source("s", table="t", timestamp="ts", columns={"a.b.c.d.e": {}}), "is not 'table.column'"),
        (lambda: Source("s", table="t", timestamp="ts", columns={"__type__": {}}), "is not 'table.column'"),
        (lambda: Source("s", table="t", timestamp="ts", columns={"t.email": {"pii": "yes"}}),
         "columns['t.email']: pii must be True or False"),
        (lambda: Source("s", table="t", timestamp="ts", columns={"t.email": {"secret": True}}),
         "columns['t.email'] must be a mapping with keys pii, description"),
        (lambda: Feature("amount", "float64", pii="no"), "pii must be True, False or None"),
        (lambda: Feature("amount", "float64", owner=["a"]), "owner must be text"),
        (lambda: Aggregation("n", "sum", "amount", "7d", pii=0), "pii must be True, False or None"),
        (lambda: Aggregation("n", "sum", "amount", "7d", tags={"k": 1}), "tags must be a mapping"),
    ],
)
def test_invalid_definition_is_refused_naming_the_problem(build, message):
    with pytest.raises(DefinitionError) as caught:
        build()
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Source("s", table='orders" ; DROP TABLE orders; --', timestamp="ts"),
         """source 's': table 'orders" ; DROP TABLE orders; --' is not a [db.][schema.]table name"""),
        (lambda: Source("s", table="orders'", timestamp="ts"), "source 's': table \"orders'\" is not a"),
        (lambda: Source("s", query='SELECT "amount FROM orders', timestamp="ts"), "source 's': query does not parse"),
        (lambda: Source("s", query="SELECT 'x FROM orders", timestamp="ts"), "source 's': query does not parse"),
        (lambda: Aggregation("n", "count", "id", "7d", filter="status = E'\\''"),
         "aggregation 'n': filter does not parse"),
        (lambda: Aggregation("n", "count", "id", "7d", filter="status = 'paid"), "aggregation 'n': filter does not parse"),
    ],
)
def test_sql_that_does_not_tokenize_names_the_definition_and_field(build, message):
    with pytest.raises(DefinitionError) as caught:
        build()
    assert message in str(caught.value)


@pytest.mark.parametrize("query", [
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
    "WITH d AS (INSERT INTO orders (id) VALUES (1) RETURNING *) SELECT * FROM d",
    "WITH d AS (UPDATE orders SET amount = 0 RETURNING *) SELECT * FROM d",
    "SELECT * FROM (WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d) AS q",
    "SELECT * FROM orders WHERE id IN (WITH d AS (DELETE FROM orders RETURNING id) SELECT id FROM d)",
    "SELECT * FROM orders FOR UPDATE",
])
def test_source_query_that_writes_anywhere_in_its_tree_is_refused(query):
    with pytest.raises(DefinitionError, match="source 's': query must only read, but contains"):
        Source("s", query=query, timestamp="ts")


def test_definitions_are_frozen_and_hashable():
    made = view(ttl="7d", tags={"team": "growth"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "other"  # type: ignore[misc]
    assert made == view(ttl=timedelta(days=7), tags={"team": "growth"})
    assert len({made, view(ttl="7d", tags={"team": "growth"})}) == 1
    assert made.entities == (customer,) and isinstance(made.features, tuple)


def test_query_source_with_all_columns_is_accepted():
    source = Source("q", query="SELECT customer_id, ordered_at, amount FROM orders WHERE amount > 0",
                    timestamp="ordered_at")
    assert view(source=source).join_keys == ("customer_id",)


def test_every_definition_field_says_whether_it_changes_data():
    classes = [*DEFINITION_TYPES, Feature, Aggregation, Check, SourceColumn]
    for cls in classes:
        for field in dataclasses.fields(cls):
            assert field.metadata.get("affects") in {"data", "metadata", "checks", "classification"}, \
                f"{cls.__name__}.{field.name}"


@pytest.mark.parametrize("cls", [*DEFINITION_TYPES, Feature, Aggregation])
def test_every_definition_takes_description_owner_and_tags_as_metadata(cls):
    fields = {field.name: field.metadata["affects"] for field in dataclasses.fields(cls)}
    assert {name: fields.get(name) for name in ("description", "owner", "tags")} == \
        dict.fromkeys(("description", "owner", "tags"), "metadata")


def test_pii_and_classified_columns_never_change_a_fingerprint():
    from virtualfs.catalog.serde import fingerprint

    plain = view(aggregations=[Aggregation("n", "count", "amount", "7d")])
    classified = view(
        source=Source("orders", table="orders", timestamp="ordered_at", created="loaded_at", owner="data-eng",
                      tags={"system": "checkout"}, columns={"orders.amount": {"pii": True, "description": "x"}}),
        features=[Feature("amount", "float64", pii=False, owner="finance", tags={"unit": "eur"})],
        aggregations=[Aggregation("n", "count", "amount", "7d", pii=True, description="Orders.")])
    assert classified != plain and fingerprint(classified) == fingerprint(plain)


def test_source_columns_are_frozen_as_source_columns():
    source = Source("s", table="crm.customers", timestamp="ts",
                    columns={"crm.customers.email": {"pii": True}, '"Phone"': {"description": "Work phone."}})
    assert source.columns == {"crm.customers.email": SourceColumn(pii=True),
                              '"Phone"': SourceColumn(pii=False, description="Work phone.")}
    assert hash(source) == hash(Source("s", table="crm.customers", timestamp="ts",
                                       columns={"crm.customers.email": SourceColumn(pii=True),
                                                '"Phone"': SourceColumn(description="Work phone.")}))


@pytest.mark.parametrize(("text", "seconds"), [("7d", 604800), ("12h", 43200), ("30m", 1800),
                                                ("1d12h", 129600), ("2w", 1209600), ("45s", 45)])
def test_duration_strings(text, seconds):
    parsed = parse_duration(text, "ttl")
    assert parsed.total_seconds() == seconds
    assert parse_duration(format_duration(parsed), "ttl") == parsed


def test_aggregation_only_view_and_refresh_options_are_accepted():
    made = view(features=[], aggregations=[Aggregation("orders_7d", "count", "amount", "7d", filter="amount > 0")],
                materialize="incremental", schedule="*/15 * * * *", lookback="2h")
    assert made.feature_names == ("orders_7d",)
    assert made.lookback == timedelta(hours=2)


def test_aggregation_output_types_follow_the_function():
    from virtualfs.definitions import DType

    assert Aggregation("a", "avg", "x", "1d").output_dtype(DType.INT64) is DType.FLOAT64
    assert Aggregation("a", "sum", "x", "1d").output_dtype(DType.INT64) is DType.INT64
    with pytest.raises(DefinitionError, match="sum cannot take column 'x' of type string"):
        Aggregation("a", "sum", "x", "1d").output_dtype(DType.STRING)
