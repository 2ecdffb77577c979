"""The served log on the request path: sampling respected and repeatable, and a sink that is down
or stalled never fails or blocks a request — what cannot be written is dropped and counted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from tests.consistency.repos import START, consistency_repo, hours
from virtualfs import FeatureStore
from virtualfs.servedlog import ServedLogger
from virtualfs.servedlog.files import ParquetSink

ROWS = [(k, START + hours(k), START + hours(k + 1), k * 1.5, k) for k in range(1, 6)]
HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(120)"
EXPECTED = {"customer_id": [1, 2, 9], "amount": [1.5, 3.0, None], "items": [1, 2, None]}


def read_many(store: FeatureStore, times: int) -> None:
    """``times`` requests, each checked: logging never changes or fails an answer."""
    for _ in range(times):
        response = store.get_online_features([{"customer_id": k} for k in (1, 2, 9)], "churn")
        assert response.to_dict() == EXPECTED


@pytest.fixture
def materialized(tmp_path):
    def make(sink: str, sample: float = 1.0, logging: str = "seed: 11, flush_seconds: 0.2"):
        repo = consistency_repo(tmp_path / "repo", "duckdb", sink, sample, ROWS, logging)
        root = repo.__enter__()
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        return root

    return make


def test_sampling_takes_the_configured_fraction_repeatably(tmp_path):
    draws = 20_000
    first, second = (ServedLogger(ParquetSink(tmp_path / name), 0.1, seed=5) for name in ("a", "b"))
    picked = [first.sampled() for _ in range(draws)]
    assert picked == [second.sampled() for _ in range(draws)]  # the same seed, the same requests
    # 0.1 of 20,000 is 2,000, with a standard deviation of about 42: six of them either way
    assert 2_000 - 255 <= sum(picked) <= 2_000 + 255
    for logger in (first, second):
        logger.close()


def test_a_sampled_store_logs_about_that_share_of_requests(materialized):
    root = materialized("{type: parquet, path: logs/served}", sample=0.25)
    with FeatureStore(root) as store:
        read_many(store, 1_000)
        assert store.served_log.flush()
        counts = store.served_log.counts
    table = pq.read_table(root / "logs" / "served")
    logged = len(set(table.column("request_id").to_pylist()))
    assert logged == counts.sampled == counts.written
    assert 250 - 82 <= logged <= 250 + 82  # sd about 13.7: six of them
    assert table.num_rows == logged * 3 * 2  # three entity rows, two features each


def test_sample_zero_logs_nothing_and_one_logs_everything(materialized):
    root = materialized("{type: sqlite, path: logs/served.db}", sample=0.0)
    with FeatureStore(root) as store:
        read_many(store, 50)
        assert store.served_log.flush() and store.served_log.counts.sampled == 0
    assert not (root / "logs" / "served.db").exists()


def test_a_sink_that_fails_never_fails_a_request_and_drops_are_counted(materialized):
    root = materialized("{type: sqlite, path: not_a_folder/served.db}", logging="queue: 20, flush_seconds: 0.05")
    (root / "not_a_folder").write_text("a file where the sink wants a folder")
    with FeatureStore(root) as store:
        read_many(store, 100)
        logger = store.served_log
        assert not logger.flush(timeout=0.5)  # nothing can be written
    counts = logger.counts  # closed with the store: what was kept for a retry is lost, and counted
    assert counts.sampled == 100
    assert counts.written == 0 and counts.sink_errors >= 1
    assert counts.dropped == 100


def test_a_warehouse_sink_that_cannot_connect_drops_and_counts(materialized):
    root = materialized("warehouse", logging="queue: 10, flush_seconds: 0.05")
    # another process holds the DuckDB file: the log's own connection cannot open it
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root / "data" / "warehouse.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with FeatureStore(root) as store:
            read_many(store, 30)
            logger = store.served_log
            assert not logger.flush(timeout=0.5)
    finally:
        holder.kill()
        holder.wait()
    assert logger.counts.written == 0 and logger.counts.dropped == 30 and logger.counts.sink_errors >= 1


def test_a_stalled_sink_blocks_no_request_and_what_overflows_is_counted(materialized):
    root = materialized("{type: sqlite, path: logs/served.db}", logging="queue: 5, flush_seconds: 0.05")
    (root / "logs").mkdir()
    holder = sqlite3.connect(root / "logs" / "served.db", timeout=0)
    holder.execute("CREATE TABLE hold (x)")
    holder.execute("BEGIN EXCLUSIVE")  # every write to the file now waits (the sink's timeout: 5 s)
    try:
        with FeatureStore(root) as store:
            read_many(store, 200)  # answered while the sink waits on the lock
            counts = store.served_log.counts
            assert counts.sampled == 200
            assert counts.dropped_queue_full >= 200 - 2 * 5 - 1  # the queue, a kept batch, one in flight
            assert counts.written == 0
            holder.rollback()  # the sink comes back: what was kept is written
            assert store.served_log.flush(timeout=30)
            written = store.served_log.counts
        assert written.written + written.dropped == 200 and written.written >= 1
    finally:
        holder.close()
    with sqlite3.connect(root / "logs" / "served.db") as connection:
        logged = connection.execute("SELECT COUNT(DISTINCT request_id) FROM served_log").fetchone()[0]
    assert logged == written.written


def test_request_fields_and_the_service_are_logged_with_each_row(materialized):
    from virtualfs.servedlog import log_served
    from virtualfs.serving.request_plan import request_plan

    root = materialized("{type: sqlite, path: logs/served.db}")
    with FeatureStore(root) as store:
        response = store.get_online_features([{"customer_id": 1}, {"customer_id": 9}], ["customer_orders:items"])
        plan = request_plan(store.registry(), store.project, ["customer_orders:items"], False)
        # what a request-time feature's caller sends beside the keys (one value per entity row)
        log_served(store.served_log, plan, response, "checkout", {"cart_total": [12.5, 3.0]})
        assert store.served_log.flush()
    with sqlite3.connect(root / "logs" / "served.db") as connection:
        rows = connection.execute("SELECT entity_row, service, entity, request_data, feature, value, status, "
                                  "event_time FROM served_log ORDER BY request_id, entity_row").fetchall()
    micros = int((START + hours(1)).timestamp() * 1_000_000)
    assert rows == [(0, None, '{"customer_id": 1}', None, "customer_orders:items", "1", "PRESENT", micros),
                    (1, None, '{"customer_id": 9}', None, "customer_orders:items", "null", "NOT_FOUND", None),
                    (0, "checkout", '{"customer_id": 1}', '{"cart_total": 12.5}', "customer_orders:items",
                     "1", "PRESENT", micros),
                    (1, "checkout", '{"customer_id": 9}', '{"cart_total": 3.0}', "customer_orders:items",
                     "null", "NOT_FOUND", None)]
