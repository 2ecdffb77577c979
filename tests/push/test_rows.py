"""What a push accepts, and the error (naming the view and the column) for what it does not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.catalog.serde import canonical_json, fingerprint
from virtualfs.definitions import DType
from virtualfs.errors import DefinitionError, RequestError
from virtualfs.push.rows import pushed_frame
from virtualfs.push.small import small_columns

card = Entity("card", ["card_id"])
source = Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"})
view = FeatureView("card_tx", [card], source, [Feature("amount", "float64"), Feature("n", "int64")], push=True)
TYPES = {"card_id": DType.STRING, "tx_at": DType.TIMESTAMP, "amount": DType.FLOAT64, "n": DType.INT64}
AT = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def checked(rows) -> list[dict]:
    """What a push makes of ``rows``: the Python path for a few rows as dicts or lists, else Arrow."""
    columns = small_columns(view, rows, TYPES)
    if columns is None:
        return pushed_frame(view, rows, TYPES).to_pylist()
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def row(**changes):
    return {"card_id": "c1", "tx_at": AT, "amount": 1.5, "n": 2, **changes}


@pytest.mark.parametrize(("rows", "column", "message"), [
    ([{"card_id": "c1", "tx_at": AT, "amount": 1.5}], "n", "is missing"),
    ([row(extra=1)], "extra", "is not a column a pushed row carries"),
    ([row(pushed_at=AT)], "pushed_at", "the push time is added"),
    ([row(n=1.5)], "n", "is declared int64 but the pushed values are double"),
    ([row(amount="x")], "amount", "is declared float64"),
    ([row(card_id=None)], "card_id", "join key is null in row 0"),
    ([row(), row(tx_at=None)], "tx_at", "event-time column is null in row 1"),
    ([row(tx_at="yesterday")], "tx_at", "not an ISO-8601 time"),
    ([row(tx_at=5)], "tx_at", "must hold timestamps"),
    ([row(n="a"), row(n=1)], "n", "is declared int64 but the pushed values are string"),
    (pd.DataFrame([row(n="a"), row(n=1)]), "n", "mixed or unknown types"),
    ({"card_id": ["c1"] * 65, "tx_at": [AT] * 64 + [None], "amount": [1.0] * 65, "n": [1] * 65}, "tx_at",
     "event-time column is null in row 64"),
    ([], "rows", "is empty"),
    ("card_id,tx_at", "rows", "must be a pandas DataFrame"),
])
def test_bad_rows_are_refused_naming_view_and_column(rows, column, message):
    with pytest.raises(RequestError, match=message) as caught:
        checked(rows)
    assert "'card_tx'" in str(caught.value) and f"{column!r}" in str(caught.value)
    assert caught.value.field == column


def test_every_input_shape_gives_the_same_rows():
    naive = AT.replace(tzinfo=None)  # a naive time is taken as UTC
    other_zone = AT.astimezone(timezone(timedelta(hours=5)))
    shapes = [
        [row()],
        {"card_id": ["c1"], "tx_at": [naive], "amount": [1.5], "n": [2]},
        pd.DataFrame({"card_id": ["c1"], "tx_at": [other_zone], "amount": [1.5], "n": [2]}),
        pa.table({"n": pa.array([2], pa.int32()), "card_id": ["c1"], "tx_at": ["2026-03-01T12:00:00Z"],
                  "amount": [1.5]}),
        [row(amount=1.5, tx_at="2026-03-01T14:00:00+02:00")],
    ]
    expected = [{"card_id": "c1", "tx_at": AT, "amount": 1.5, "n": 2}]
    for shape in shapes:
        assert checked(shape) == expected
    for shape in shapes[:2] + shapes[-1:]:  # the Arrow path takes the small shapes the same way
        assert pushed_frame(view, shape, TYPES).to_pylist() == expected


def test_an_integer_feature_value_fits_a_float_feature_and_nulls_are_kept():
    for found in (checked([row(amount=3, n=None)]), pushed_frame(view, [row(amount=3, n=None)], TYPES).to_pylist()):
        assert found[0]["amount"] == 3.0 and found[0]["n"] is None


@pytest.mark.parametrize(("build", "message"), [
    (lambda: FeatureView("v", [card], source, [Feature("amount", "float64")]), "declare push=True"),
    (lambda: FeatureView("v", [card], Source("s", table="t", timestamp="e"), [Feature("a", "float64")],
                         push=True), "needs source 's' to declare created="),
    (lambda: FeatureView("v", [card], Source("s", timestamp="e", created="c"), [Feature("a", "float64")],
                         push=True), "dtypes= must give the type of 'card_id'"),
    (lambda: Source("s", table="t", timestamp="e", dtypes={"k": "string"}), "for a source of pushed rows only"),
    (lambda: Source("s", timestamp="e", created="c", dtypes={"k": "text"}), "unknown dtype 'text'"),
    (lambda: FeatureView("v", [card], source, [Feature("amount", "float64")], push="yes"), "True or False"),
])
def test_push_declarations_are_checked(build, message):
    with pytest.raises(DefinitionError, match=message):
        build()


def test_views_not_pushed_to_keep_their_stored_form_and_fingerprint():
    plain = FeatureView("v", [card], Source("s", table="t", timestamp="e", created="c"), [Feature("a", "int64")])
    # what the catalog held before push existed: no "push" and no "dtypes" key
    assert '"push"' not in canonical_json(plain) and '"dtypes"' not in canonical_json(plain)
    pushed = FeatureView("v", [card], Source("s", table="t", timestamp="e", created="c"), [Feature("a", "int64")],
                         push=True)
    assert fingerprint(pushed) != fingerprint(plain)
