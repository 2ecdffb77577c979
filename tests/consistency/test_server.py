"""The feature server logs what it served (sample 1.0, Redis online store, warehouse sink), and
the report over that log finds what the rows written say it must: the even keys stale by the
gap between their newer row and the served one, the odd keys equal."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import redis
from starlette.testclient import TestClient

from tests.consistency.repos import START, append_orders, consistency_repo, hours
from tests.consistency.test_report import first_rows, late_rows
from tests.services import REDIS_HOST, REDIS_PORT, require_service
from virtualfs import FeatureStore
from virtualfs.server.app import build_app

KEYS = [1, 2, 3, 4, 5]


@pytest.fixture
def redis_prefix():
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    prefix = f"vfs_consistency_{os.getpid()}:"
    yield prefix
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    for key in client.scan_iter(match=prefix + "*", count=1000):
        client.delete(key)


def test_the_server_logs_what_it_served_and_the_report_over_it_matches(tmp_path, redis_prefix):
    online = f"{{type: redis, url: 'redis://{REDIS_HOST}:{REDIS_PORT}/0', key_prefix: '{redis_prefix}'}}"
    with consistency_repo(tmp_path / "repo", "duckdb", "warehouse", rows=first_rows(), online=online) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        append_orders(root, late_rows())
        served = []
        with FeatureStore(root) as store, TestClient(build_app(store)) as client:
            for body in ({"feature_service": "churn", "entities": {"customer_id": KEYS}},
                         {"features": ["customer_orders:amount"], "entities": {"customer_id": KEYS}}):
                reply = client.post("/v1/online-features", json=body)
                assert reply.status_code == 200, reply.text
                served.append(reply.json()["values"]["amount"])
            metrics = client.get("/metrics").text
        assert 'virtualfs_served_log_requests_total{outcome="dropped_queue_full"} 0' in metrics
        assert served == [[k * 1.5 for k in KEYS]] * 2  # the values materialized, not the newer rows
        with FeatureStore(root) as store:  # the server's lifespan wrote what it had queued
            report = store.consistency_report()
            churn_only = store.consistency_report(service="churn")
    amount = report.feature("customer_orders:amount")
    assert report.requests == 2 and amount.rows == 2 * len(KEYS)
    assert amount.counts == {"equal": 2 * 3, "stale": 2 * 2, "missing_online": 0, "different": 0}
    # key 2's served row happened at START + 2h; the row the known-time rule picks, at START + 31d 2min
    assert max(amount.staleness) == (START + timedelta(days=31, minutes=2)) - (START + hours(2))
    assert {m.entity: m.online for m in amount.worst} == {'{"customer_id": 2}': 3.0, '{"customer_id": 4}': 6.0}
    assert churn_only.requests == 1 and churn_only.feature("customer_orders:items").rows == len(KEYS)
