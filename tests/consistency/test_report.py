"""The consistency report against outcomes worked out from the rows the tests wrote: all equal
when the online store is fresh, an injected skew (new rows landed, no refresh) found with the
staleness the written event times give, keys never materialized reported missing online."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import pytest

from tests.consistency.repos import START, append_orders, consistency_repo, hours
from virtualfs import FeatureStore

KEYS = range(1, 21)
SINKS = {"warehouse": "warehouse", "parquet": "{type: parquet, path: logs/served}",
         "sqlite": "{type: sqlite, path: logs/served.db}"}


def first_rows() -> list[tuple]:
    """Each key's one row: an event k hours after START, landed an hour later."""
    return [(k, START + hours(k), START + hours(k + 1), k * 1.5, k) for k in KEYS]


def late_rows() -> list[tuple]:
    """A newer row for each even key, landed (long before the requests) after the refresh."""
    return [(k, START + timedelta(days=31, minutes=k), START + timedelta(days=31, minutes=k + 30), k * 10.0, k * 10)
            for k in KEYS if k % 2 == 0]


def serve(root, keys, requests: int = 3) -> None:
    """``requests`` requests for every key in ``keys``, through FeatureStore.get_online_features."""
    with FeatureStore(root) as store:
        for _ in range(requests):
            store.get_online_features([{"customer_id": k} for k in keys], "churn")
        assert store.served_log.flush()


@pytest.mark.parametrize("sink", list(SINKS))
def test_report_is_all_equal_when_nothing_is_wrong(tmp_path, sink):
    with consistency_repo(tmp_path / "repo", "duckdb", SINKS[sink], rows=first_rows()) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        serve(root, [*KEYS, 999])  # 999: in neither store
        with FeatureStore(root) as store:
            report = store.consistency_report()
    assert report.requests == 3
    assert [f.feature for f in report.features] == ["customer_orders:amount", "customer_orders:items"]
    for feature in report.features:
        assert feature.rows == 3 * 21
        assert feature.share("equal") == 1.0 and feature.worst == ()
    assert report.consistent


@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_report_finds_a_view_not_refreshed_after_new_rows_landed(tmp_path, warehouse):
    never = [(k, START + timedelta(days=3), START + timedelta(days=3, hours=1), 1.0, 1) for k in (41, 42)]
    with consistency_repo(tmp_path / "repo", warehouse, "warehouse", rows=first_rows()) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        append_orders(root, late_rows() + never)  # landed, never refreshed
        serve(root, [*KEYS, 41, 42], requests=2)
        with FeatureStore(root) as store:
            report = store.consistency_report()
    # what each key should show, from the rows written: the even keys' newer row is missed
    expected_lag = {k: (START + timedelta(days=31, minutes=k)) - (START + hours(k)) for k in KEYS if k % 2 == 0}
    rows = 2 * (len(KEYS) + 2)
    for ref in ("customer_orders:amount", "customer_orders:items"):
        feature = report.feature(ref)
        assert feature.rows == rows
        assert feature.counts == {"equal": 2 * 10, "stale": 2 * 10, "missing_online": 2 * 2, "different": 0}
        assert sorted(feature.staleness) == sorted(2 * list(expected_lag.values()))
        assert feature.staleness_max == max(expected_lag.values())
        assert feature.staleness_median == statistics.median_low(2 * list(expected_lag.values()))
        stalest = feature.worst[0]
        assert stalest.outcome == "stale" and stalest.entity == '{"customer_id": 2}'
        assert stalest.online_event == START + hours(2)
        assert stalest.offline_event == START + timedelta(days=31, minutes=2)
        assert stalest.offline == (20.0 if ref.endswith("amount") else 20)
    assert not report.consistent


def test_report_windows_by_request_time_and_service(tmp_path):
    repo = consistency_repo(tmp_path / "repo", "duckdb", SINKS["sqlite"], rows=first_rows())
    with repo as root, FeatureStore(root) as store:
        store.apply()
        store.materialize()
        store.get_online_features([{"customer_id": 1}], "churn")
        store.get_online_features([{"customer_id": 1}], ["customer_orders:amount"])
        assert store.served_log.flush()
        middle = datetime.now(timezone.utc)
        store.get_online_features([{"customer_id": 2}], "churn")
        everything = store.consistency_report()
        by_service = store.consistency_report(service="churn")
        before = store.consistency_report(until=middle)
        after = store.consistency_report(since=middle)
    assert everything.requests == 3 and everything.feature("customer_orders:amount").rows == 3
    assert by_service.requests == 2 and by_service.feature("customer_orders:items").rows == 2
    assert before.requests == 2 and after.requests == 1
    assert after.features[0].worst == () and after.feature("customer_orders:amount").rows == 1


def test_report_renders_text_html_and_a_frame(tmp_path):
    with consistency_repo(tmp_path / "repo", "duckdb", SINKS["parquet"], rows=first_rows()) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        append_orders(root, late_rows())
        serve(root, KEYS, requests=1)
        with FeatureStore(root) as store:
            report = store.consistency_report()
    frame = report.to_pandas()
    assert frame["feature"].tolist() == ["customer_orders:amount", "customer_orders:items"]
    assert frame["stale"].tolist() == [0.5, 0.5] and frame["equal"].tolist() == [0.5, 0.5]
    page = report.to_html(tmp_path / "report.html")
    assert page.count("<svg") == 2 and (tmp_path / "report.html").read_text() == page
    text = report.text()
    assert "customer_orders:amount  20" in text and "stale by" in text
    stalest = timedelta(days=31, minutes=2) - hours(2)  # key 2: the oldest served row of those refreshed again
    assert report.to_dict()["features"][0]["staleness_max"] == stalest.total_seconds()


AGGREGATES = """\
from virtualfs import Aggregation, Entity, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
activity = FeatureView("activity", [customer], orders, features=[],
                       aggregations=[Aggregation("orders_30d", "count", "amount", "30d"),
                                     Aggregation("spend_30d", "sum", "amount", "30d")])
"""


def test_report_finds_aggregates_whose_window_slid_on_since_their_snapshot(tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    snapshot = now - timedelta(days=3)
    rows = [(1, now - timedelta(days=days), now - timedelta(days=days) + hours(1), amount, 1)
            for days, amount in ((20, 1.0), (5, 2.0), (2, 4.0))] + [(2, now - timedelta(days=40), now, 8.0, 1)]
    repo = consistency_repo(tmp_path / "repo", "duckdb", SINKS["sqlite"], rows=rows, definitions=AGGREGATES)
    with repo as root, FeatureStore(root) as store:
        store.apply()
        store.materialize(end=snapshot)  # key 1's window then held the rows of -20d and -5d
        store.get_online_features([{"customer_id": 1}, {"customer_id": 2}],
                                  ["activity:orders_30d", "activity:spend_30d"])
        report = store.consistency_report()
    count, spend = report.feature("activity:orders_30d"), report.feature("activity:spend_30d")
    for feature, served, offline in ((count, 2, 3), (spend, 3.0, 7.0)):
        # key 1: stale by the time between the snapshot and the request; key 2: empty window either way
        assert feature.counts == {"equal": 1, "stale": 1, "missing_online": 0, "different": 0}
        (example,) = feature.worst
        assert (example.entity, example.online, example.offline) == ('{"customer_id": 1}', served, offline)
        assert example.online_event == snapshot and example.staleness == example.requested_at - snapshot


def test_the_report_is_refused_to_a_principal_who_may_not_read_the_features_offline(tmp_path):
    from virtualfs.errors import AccessDeniedError

    access = ("access:\n  roles:\n    ops: {offline: ['*'], online: ['*'], pii: clear, apply: true, refresh: true}\n"
              "    app: {online: [churn]}\n  principals: {ada: ops, checkout: app}\n")
    with consistency_repo(tmp_path / "repo", "duckdb", SINKS["sqlite"], rows=first_rows()) as root:
        (root / "virtualfs.yaml").write_text((root / "virtualfs.yaml").read_text() + access)
        with FeatureStore(root, principal="ada") as store:
            store.apply()
            store.materialize()
        with FeatureStore(root, principal="checkout") as store:  # the application serves and is logged
            store.get_online_features([{"customer_id": 1}], "churn")
            with pytest.raises(AccessDeniedError, match="checkout"):
                store.consistency_report()
        with FeatureStore(root, principal="ada") as store:
            assert store.consistency_report().feature("customer_orders:amount").share("equal") == 1.0
