from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from virtualfs import Entity, Feature, FeatureService, FeatureView, Source
from virtualfs.catalog import diff
from virtualfs.catalog.serde import canonical_json, fingerprint, from_data, to_data
from virtualfs.registry import Registry

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")


def make_view(**overrides):
    spec = {"name": "customer_orders", "entities": [customer], "source": orders,
            "features": [Feature("amount", "float64")], "ttl": "30d"}
    return FeatureView(**{**spec, **overrides})


def test_plan_against_empty_catalog_creates_everything_in_kind_order():
    plan = diff(Registry(), Registry.from_objects([FeatureService("svc", ["customer_orders:*"]), make_view()]))
    assert [(c.action, c.kind, c.name) for c in plan.changes] == [
        ("create", "entity", "customer"), ("create", "source", "orders"),
        ("create", "feature view", "customer_orders"), ("create", "feature service", "svc"),
    ]


def test_plan_lists_the_fields_that_change():
    old = Registry.from_objects([make_view()], version=3)
    new = Registry.from_objects([make_view(ttl="7d", description="new words")])
    plan = diff(old, new)
    assert plan.base_version == 3
    (change,) = plan.changes
    assert (change.action, change.name) == ("update", "customer_orders")
    fields = {f.field: f for f in change.fields}
    assert set(fields) == {"ttl", "description"}
    assert fields["ttl"].affects_data and not fields["description"].affects_data
    assert change.affects_data


def test_metadata_only_change_does_not_change_the_fingerprint():
    before, after = make_view(), make_view(description="Latest order", tags={"team": "growth"})
    assert fingerprint(before) == fingerprint(after)
    (change,) = diff(Registry.from_objects([before]), Registry.from_objects([after])).changes
    assert not change.affects_data
    assert fingerprint(make_view(ttl="1d")) != fingerprint(before)


def test_plan_deletes_what_the_repository_no_longer_has():
    old = Registry.from_objects([make_view(), FeatureService("svc", ["customer_orders:*"])])
    new = Registry.from_objects([make_view()])
    assert [(c.action, c.name) for c in diff(old, new).changes] == [("delete", "svc")]


def test_identical_registries_plan_nothing():
    assert diff(Registry.from_objects([make_view()]), Registry.from_objects([make_view()])).is_empty


names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: "__" not in s)
dtypes = st.sampled_from(["int64", "float64", "string", "bool", "timestamp"])


@given(
    features=st.lists(st.tuples(names, dtypes), min_size=1, max_size=5, unique_by=lambda t: t[0]),
    ttl_hours=st.none() | st.integers(1, 10_000),
    tags=st.dictionaries(names, st.text(max_size=5), max_size=3),
    description=st.text(max_size=20),
)
def test_catalog_serialisation_round_trips(features, ttl_hours, tags, description):
    features = [Feature(f"f_{n}", d) for n, d in features]
    view = make_view(features=features, ttl=ttl_hours and timedelta(hours=ttl_hours), tags=tags,
                     description=description)
    assert from_data(to_data(view)) == view
    assert canonical_json(from_data(to_data(view))) == canonical_json(view)


@given(pii=st.sampled_from([None, True, False]), owner=st.text(max_size=10),
       columns=st.dictionaries(st.sampled_from(["orders.email", "sales.orders.phone", "note", '"Mixed".x']),
                               st.tuples(st.booleans(), st.text(max_size=10)), max_size=3))
def test_classification_and_owners_round_trip_through_the_catalog(pii, owner, columns):
    import json

    source = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at", owner=owner,
                    tags={"system": "checkout"},
                    columns={key: {"pii": flag, "description": text} for key, (flag, text) in columns.items()})
    view = make_view(source=source, features=[Feature("amount", "float64", pii=pii, owner=owner)])
    service = FeatureService("svc", ["customer_orders:*"], owner=owner, tags={"model": "m"})
    for definition in (view, service):
        assert from_data(json.loads(canonical_json(definition))) == definition
    assert fingerprint(view) == fingerprint(make_view())
