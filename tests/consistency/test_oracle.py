"""The report against the plain-pandas reference: random rows per key, some landing after the
materialization; what each key should show is worked out from the reference's known-time winner
at the materialization (what the online store holds) and at the request (what a training frame
gets), then classified by the rules of ``virtualfs.consistency.compare``'s docstring."""

from __future__ import annotations

import math
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.consistency.repos import START, consistency_repo, hours
from tests.reference.online import known_time_answer
from virtualfs import FeatureStore

MATERIALIZED = START + timedelta(hours=1500, minutes=30)  # between whole hours: no row lands at it
ABSENT = 99  # a key with no rows anywhere

key_rows = st.lists(st.tuples(st.integers(0, 2_000), st.integers(0, 3_000),
                              st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)),
                    max_size=4, unique_by=lambda row: row[0])  # distinct event times: one winner
rows_by_key = st.dictionaries(st.integers(1, 6), key_rows, min_size=1, max_size=5)


def expected(rows: pd.DataFrame, key: int, at) -> tuple[str, timedelta | None]:
    """The outcome the key's logged amount must have, from the reference alone."""
    online = known_time_answer(rows, {"customer_id": key}, MATERIALIZED, "ordered_at", "loaded_at", None)
    offline = known_time_answer(rows, {"customer_id": key}, at, "ordered_at", "loaded_at", None)
    served = None if online is None else online["amount"]
    truth = None if offline is None else offline["amount"]
    if served == truth or (served is not None and truth is not None
                           and math.isclose(served, truth, rel_tol=1e-9, abs_tol=1e-12)):
        return "equal", None  # the tolerance the report states
    if served is None:
        return "missing_online", None
    if truth is not None and online["ordered_at"] < offline["ordered_at"]:
        return "stale", offline["ordered_at"] - online["ordered_at"]
    return "different", None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_by_key)
def test_the_report_agrees_with_the_reference_on_random_rows(drawn):
    rows = [(key, START + hours(event), START + hours(event + delay), amount, 1)
            for key, key_rows in drawn.items() for event, delay, amount in key_rows]
    frame = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "loaded_at", "amount", "items"])
    keys = [*sorted(drawn), ABSENT]
    with tempfile.TemporaryDirectory() as folder, \
            consistency_repo(Path(folder) / "repo", "duckdb", "{type: sqlite}", rows=rows or [_filler()]) as root, \
            FeatureStore(root) as store:
        store.apply()
        store.materialize(end=MATERIALIZED)
        store.get_online_features([{"customer_id": k} for k in keys], ["customer_orders:amount"])
        amount = store.consistency_report().feature("customer_orders:amount")
    at = amount.worst[0].requested_at if amount.worst else None
    outcomes = {key: expected(frame, key, at or pd.Timestamp.now(tz="UTC")) for key in keys}
    counted = {name: sum(1 for found, _ in outcomes.values() if found == name)
               for name in ("equal", "stale", "missing_online", "different")}
    assert amount.rows == len(keys) and amount.counts == counted
    assert sorted(amount.staleness) == sorted(lag for found, lag in outcomes.values() if found == "stale")
    for example in amount.worst:
        key = int(example.entity.split(":")[1].rstrip("}"))
        assert (example.outcome, example.staleness) == outcomes[key]


def _filler() -> tuple:
    """A row of a key never asked for: the table needs one row to be created from."""
    return (1_000, START, START, 0.0, 0)
