"""Bad aggregations are refused with errors naming the view and the aggregation: at definition
time when the definition alone is wrong, at ``apply`` when the warehouse says so."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa
import pytest

from tests.aggregate.helpers import CUSTOMER
from tests.backends import create_user_table
from virtualfs import Aggregation, DefinitionError, FeatureView, Source, ValidationError
from virtualfs.apply.validate import validate_registry
from virtualfs.registry import Registry

ROWS = pa.table({
    "customer_id": pa.array([1, 2], pa.int64()),
    "ordered_at": pa.array([datetime(2024, 1, 1, tzinfo=timezone.utc)] * 2, pa.timestamp("us", tz="UTC")),
    "amount": pa.array([1.5, 2.0], pa.float64()),
    "items": pa.array([1, 2], pa.int64()),
    "channel": pa.array(["web", "shop"], pa.string()),
})
SOURCE = Source("orders", table="orders", timestamp="ordered_at")


@pytest.fixture
def orders(warehouse):
    create_user_table(warehouse, "orders", ROWS)
    return warehouse


def registry_with(*aggregations: Aggregation) -> Registry:
    return Registry.from_objects([FeatureView("activity", [CUSTOMER], SOURCE, aggregations=list(aggregations))])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Aggregation("n", "median", "amount", "7d"), "aggregation 'n': unknown function 'median'"),
        (lambda: Aggregation("n", "sum", "amount", "-1d"), "aggregation 'n'.*duration"),
        (lambda: Aggregation("n", "sum", "amount", "0s"), "aggregation 'n'.*positive duration"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="amount * 2"), "not a boolean expression"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="SUM(amount) > 1"), "aggregate or window"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="o.amount > 1"), "plain column name"),
        (lambda: Aggregation("n", "sum", "amount", "7d", filter="amount > (SELECT 1)"), "subquery"),
    ],
)
def test_definition_errors_name_the_aggregation(build, message):
    with pytest.raises(DefinitionError, match=message):
        build()


@pytest.mark.parametrize(
    ("aggregation", "message"),
    [
        (Aggregation("spend", "sum", "colour", "7d"),
         r"feature view 'activity'.*aggregation 'spend' column 'colour' is not a column of the source"),
        (Aggregation("spend", "sum", "channel", "7d"),
         r"feature view 'activity': aggregation 'spend': sum cannot take column 'channel' of type string"),
        (Aggregation("spend", "sum", "amount", "7d", filter="coupon = 'x'"),
         r"feature view 'activity'.*aggregation 'spend' filter column 'coupon' is not a column"),
        (Aggregation("spend", "sum", "amount", "7d", filter="no_such_function(channel) = 1"),
         r"feature view 'activity': aggregation 'spend': filter .* cannot run on source 'orders'"),
        pytest.param(
            Aggregation("spend", "sum", "amount", "7d", filter="channel + 1 > 0"),
            r"feature view 'activity': aggregation 'spend': filter .* cannot run on source 'orders'",
            marks=pytest.mark.notimpl(["spark"], raises=pytest.fail.Exception, reason=(
                "Spark casts a string operand of + to a number, so the filter compiles; it fails only "
                "when it meets a row whose text is not a number"))),
    ],
)
def test_apply_errors_name_the_view_and_aggregation(orders, aggregation, message):
    with pytest.raises(ValidationError, match=message):
        validate_registry(orders, registry_with(aggregation))


def test_valid_aggregations_pass(orders):
    validate_registry(orders, registry_with(
        Aggregation("spend", "sum", "amount", "7d", filter="channel = 'web' AND amount > 0"),
        Aggregation("channels", "count_distinct", "channel", "30d"),
        Aggregation("last_channel", "last", "channel", "1d"),
    ))
