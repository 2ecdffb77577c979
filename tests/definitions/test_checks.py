"""Checks as definitions: one condition each, refused on sight when malformed, outside the
fingerprint (a changed check never forces a rebuild), and shown by plan as what they are."""

import dataclasses

import pytest

from virtualfs import Aggregation, Check, DefinitionError, Entity, Feature, FeatureView, Source
from virtualfs.catalog import diff
from virtualfs.catalog.serde import canonical_json, fingerprint, from_data, to_data
from virtualfs.registry import Registry

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
CHECKS = [Check("amount", not_null=0.99), Check("amount", between=(0, 100_000)),
          Check("device", values=["mobile", "desktop"]), Check("amount", mean_between=(10, 200)),
          Check(rows_at_least=1000), Check("customer_id", unique_per_time=True, severity="warn")]


def view(**overrides):
    spec = {"name": "customer_orders", "entities": [customer], "source": orders,
            "features": [Feature("amount", "float64"), Feature("device", "string")], "checks": CHECKS}
    return FeatureView(**{**spec, **overrides})


@pytest.mark.parametrize(("arguments", "message"), [
    ({"column": "amount"}, "give exactly one of not_null=, between=, values=, mean_between=, rows_at_least=, "
                           "unique_per_time=; got 0"),
    ({"column": "amount", "not_null": 0.9, "between": (0, 1)}, "got 2 (not_null, between)"),
    ({"column": "amount", "not_null": 1.5}, "not_null must be a fraction of rows in (0, 1], like 0.99, got 1.5"),
    ({"column": "amount", "not_null": 0}, "not_null must be a fraction of rows in (0, 1]"),
    ({"column": "amount", "not_null": True}, "not_null must be a fraction"),
    ({"column": "amount", "between": (5, 1)}, "between low bound 5 is above the high bound 1"),
    ({"column": "amount", "between": (None, None)}, "between bounds must be numbers, or None for an open side"),
    ({"column": "amount", "between": 5}, "between must be two bounds (low, high), got 5"),
    ({"column": "amount", "between": ("0", 1)}, "between bounds must be numbers"),
    ({"column": "amount", "between": (0, float("nan"))}, "between bounds must be numbers"),
    ({"column": "amount", "mean_between": (None, 1)}, "mean_between bounds must be numbers, got (None, 1)"),
    ({"column": "device", "values": []}, "values must be a non-empty list, got []"),
    ({"column": "device", "values": "mobile"}, "values must be a non-empty list, got 'mobile'"),
    ({"column": "device", "values": ["a", 1]}, "values must be all strings, all integers or all booleans"),
    ({"column": "device", "values": ["a", "a"]}, "values lists a value twice"),
    ({"rows_at_least": 0}, "rows_at_least must be a whole number of rows, at least 1, got 0"),
    ({"rows_at_least": 2.5}, "rows_at_least must be a whole number of rows"),
    ({"column": "amount", "rows_at_least": 5}, "rows_at_least counts rows and takes no column"),
    ({"not_null": 0.5}, "not_null needs a column"),
    ({"column": "customer_id", "unique_per_time": "yes"}, "unique_per_time must be True, got 'yes'"),
    ({"column": "amount", "not_null": 0.9, "severity": "fatal"}, "severity must be one of error, warn, got 'fatal'"),
    ({"column": "amount", "not_null": 0.9, "scope": "all"}, "scope must be one of window, table, got 'all'"),
    ({"column": "amount; DROP", "not_null": 0.9}, "column 'amount; DROP' must be a letter or _"),
    ({"column": "amount", "not_null": 0.9, "name": "bad name"}, "name 'bad name' must be a letter"),
])
def test_bad_check_arguments_are_refused_at_construction(arguments, message):
    with pytest.raises(DefinitionError, match="^check '") as refused:
        Check(**arguments)
    assert message in str(refused.value)


def test_a_check_is_frozen_named_and_normalised():
    check = Check("amount", between=[0, None])
    assert (check.name, check.condition, check.between, check.expected) == (
        "amount_between", "between", (0, None), "every value at least 0")
    assert Check("device", values=["a"]).values == ("a",) and Check(rows_at_least=5).name == "rows_at_least"
    assert Check("customer_id", unique_per_time=True).expected == \
        "no two rows with the same customer_id and event time"
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.severity = "warn"  # type: ignore[misc]


def test_a_check_on_a_column_the_view_does_not_read_is_refused():
    with pytest.raises(DefinitionError, match=r"^feature view 'customer_orders': check 'discount_not_null': "
                                              r"column 'discount' is not a column the view reads \(it reads "
                                              r"customer_id, ordered_at, loaded_at, amount, device\)"):
        view(checks=[Check("discount", not_null=0.9)])


def test_a_check_may_judge_keys_times_and_aggregation_inputs():
    made = view(features=[], aggregations=[Aggregation("spend", "sum", "amount", "7d", filter="items > 0")],
                checks=[Check("customer_id", not_null=1), Check("loaded_at", not_null=1),
                        Check("items", between=(0, 10)), Check("amount", mean_between=(0, 5))])
    assert [c.name for c in made.checks] == ["customer_id_not_null", "loaded_at_not_null", "items_between",
                                             "amount_mean_between"]


@pytest.mark.parametrize(("check", "message"), [
    (Check("device", between=(0, 1)), "between needs a number column, but 'device' is string"),
    (Check("device", mean_between=(0, 1)), "mean_between needs a number column, but 'device' is string"),
    (Check("amount", values=["a"]), "values ['a'] cannot be compared with 'amount' of type float64"),
    (Check("device", values=[1, 2]), "values [1, 2] cannot be compared with 'device' of type string"),
])
def test_a_check_that_cannot_judge_a_features_type_is_refused(check, message):
    with pytest.raises(DefinitionError, match=f"^feature view 'customer_orders': check '{check.name}': ") as refused:
        view(checks=[check])
    assert message in str(refused.value)


def test_two_checks_of_one_name_are_refused_and_a_name_tells_them_apart():
    with pytest.raises(DefinitionError, match="two checks are named 'amount_not_null'; give one of them another"):
        view(checks=[Check("amount", not_null=0.99, severity="warn"), Check("amount", not_null=0.9)])
    both = view(checks=[Check("amount", not_null=0.99, severity="warn"),
                        Check("amount", not_null=0.9, name="amount_mostly_present")])
    assert len(both.checks) == 2


def test_checks_must_be_a_list_of_checks():
    with pytest.raises(DefinitionError, match="checks must be a list of Check"):
        view(checks=Check(rows_at_least=1))
    with pytest.raises(DefinitionError, match="not a Check: 'amount'"):
        view(checks=["amount"])


def test_checks_survive_the_catalog_round_trip():
    made = view()
    assert from_data(to_data(made)) == made
    assert from_data(to_data(made)).checks[2].values == ("mobile", "desktop")
    assert canonical_json(from_data(to_data(made))) == canonical_json(made)


def test_a_changed_check_keeps_the_fingerprint_and_plans_as_checks_only():
    before, after = view(), view(checks=[Check("amount", not_null=0.5), Check(rows_at_least=10)])
    assert fingerprint(before) == fingerprint(after) == fingerprint(view(checks=[]))
    (change,) = diff(Registry.from_objects([before]), Registry.from_objects([after])).changes
    assert not change.affects_data  # so apply keeps the view's watermarks: no rebuild
    lines = [d.text() for d in change.differences()]
    assert "customer_orders.amount_not_null.not_null: 0.99 -> 0.5  (checks only: no rebuild)" in lines
    assert "- check customer_orders.device_values (every value one of 'mobile', 'desktop'; error)" \
           "  (checks only: no rebuild)" in lines
    assert all(line.endswith("(checks only: no rebuild)") for line in lines)
    assert fingerprint(view(features=[Feature("amount", "float64")], checks=[])) != fingerprint(before)
