"""FeatureStore.push end to end on a repository: a push-only view (push, training frame, online
read), all-or-nothing when the online store fails after the warehouse, and a pushing process
killed with SIGKILL leaving every push whole or absent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from tests.repo_factory import write_repo
from virtualfs import FeatureStore
from virtualfs.errors import AccessDeniedError, NotFoundError, OnlineStoreError

DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureView, Source

card = Entity("card", ["card_id"])
card_tx = FeatureView(
    "card_tx", [card], Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"}),
    [Feature("amount", "float64")], ttl="1d", push=True,
)
customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView("customer_orders", [customer], orders, [Feature("amount", "float64")])
"""


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo", DEFINITIONS)
    with FeatureStore(root) as store:
        store.apply()
    return root


def test_a_push_only_view_works_end_to_end(repo):
    with FeatureStore(repo) as store:
        before = datetime.now(timezone.utc)
        tx = {"card_id": ["c1", "c2", "c1"], "tx_at": [before - timedelta(minutes=m) for m in (5, 4, 1)],
              "amount": [10.0, 20.0, 30.0]}
        result = store.push("card_tx", tx)
        assert (result.rows, result.offline_rows, result.online_keys) == (3, 3, 2)
        online = store.get_online_features({"card_id": ["c1", "c2", "c3"]}, ["card_tx:amount"])
        assert online.to_dict()["amount"] == [30.0, 20.0, None]  # at once, the latest per card
        labels = pd.DataFrame({"card_id": ["c1", "c1", "c2"],
                               "event_timestamp": [result.pushed_at - timedelta(seconds=1), result.pushed_at,
                                                   result.pushed_at + timedelta(hours=1)]})
        frame = store.get_historical_features(labels, ["card_tx:amount"]).to_pandas()
        assert [None if pd.isna(v) else v for v in frame["amount"]] == [None, 30.0, 20.0]
        event_rule = store.get_historical_features(labels, ["card_tx:amount"], point_in_time="event").to_pandas()
        assert list(event_rule["amount"]) == [30.0, 30.0, 20.0]


def test_push_names_unknown_and_unpushed_views(repo):
    with FeatureStore(repo) as store:
        with pytest.raises(NotFoundError, match="card_tx"):
            store.push("card_txs", [{"card_id": "c"}])
        with pytest.raises(ValueError, match="does not take pushed rows; declare it with push=True"):
            store.push("customer_orders", [{"customer_id": 1}])
        with pytest.raises(ValueError, match="to must be one of online, offline, both"):
            store.push("card_tx", [{"card_id": "c"}], to="warehouse")


def test_when_the_online_store_fails_the_warehouse_keeps_nothing_of_the_push(repo):
    config = repo / "virtualfs.yaml"
    config.write_text(config.read_text().replace(
        "online: {type: sqlite, path: .virtualfs/online.db}",
        "online: {type: redis, url: 'redis://127.0.0.1:1/0'}"))  # nothing listens on port 1
    now = datetime.now(timezone.utc)
    with FeatureStore(repo) as store:
        with pytest.raises(OnlineStoreError):
            store.push("card_tx", {"card_id": ["c1"], "tx_at": [now], "amount": [1.0]})
        store.push("card_tx", {"card_id": ["c2"], "tx_at": [now], "amount": [2.0]}, to="offline")
        labels = pd.DataFrame({"card_id": ["c1", "c2"], "event_timestamp": [now + timedelta(hours=1)] * 2})
        frame = store.get_historical_features(labels, ["card_tx:amount"]).to_pandas()
        assert [None if pd.isna(v) else v for v in frame["amount"]] == [None, 2.0]


def test_a_principal_without_the_push_grant_is_refused(repo):
    config = repo / "virtualfs.yaml"
    config.write_text(config.read_text() + textwrap.dedent("""\
        access:
          roles:
            reader: {offline: ["*"], online: ["*"], pii: clear}
            writer: {online: ["*"], push: true}
          principals: {ann: reader, bob: writer}
        """))
    row = {"card_id": ["c1"], "tx_at": [datetime.now(timezone.utc)], "amount": [1.0]}
    with FeatureStore(repo, principal="ann") as store, pytest.raises(AccessDeniedError, match="push"):
        store.push("card_tx", row)
    with FeatureStore(repo, principal="bob") as store:
        assert store.push("card_tx", row).rows == 1


PUSHER = """\
import sys
from datetime import datetime, timezone
from virtualfs import FeatureStore

with FeatureStore(sys.argv[1]) as store:
    for n in range(1000):
        now = datetime.now(timezone.utc)
        rows = {"card_id": [f"c{i}" for i in range(5000)], "tx_at": [now] * 5000, "amount": [float(n)] * 5000}
        store.push("card_tx", rows, to="offline")
        print(n, flush=True)
"""


def test_a_pushing_process_killed_midway_leaves_each_push_whole_or_absent(repo):
    process = subprocess.Popen([sys.executable, "-c", PUSHER, str(repo)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        for _ in range(3):  # three pushes done, the fourth under way
            assert process.stdout.readline(), "the pusher stopped"
        time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    with FeatureStore(repo) as store:
        labels = pd.DataFrame({"card_id": ["c0"], "event_timestamp": [datetime.now(timezone.utc)]})
        store.get_historical_features(labels, ["card_tx:amount"]).to_pandas()  # the table reads
        from sqlglot import exp

        from virtualfs.push.tables import pushed_table

        table = pushed_table(store.copies.schema, store.get_feature_view("card_tx"), "duckdb")
        counts = store.warehouse.fetch_arrow(
            exp.select("pushed_at", exp.func("count", exp.Star()).as_("n")).from_(table).group_by("pushed_at")
        ).to_pydict()["n"]
    assert len(counts) >= 3 and set(counts) == {5000}


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_the_cli_pushes_a_file(repo, suffix):
    import json

    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    now = datetime.now(timezone.utc).replace(microsecond=0)
    table = pa.table({"card_id": ["c7", "c8"], "tx_at": pa.array([now, now], pa.timestamp("us", tz="UTC")),
                      "amount": [1.25, 2.5]})
    path = repo / f"rows{suffix}"
    if suffix == ".parquet":
        pq.write_table(table, path)
    elif suffix == ".csv":
        pv.write_csv(table, path)
    else:
        path.write_text("".join(json.dumps({"card_id": c, "tx_at": now.isoformat(), "amount": a}) + "\n"
                                for c, a in [("c7", 1.25), ("c8", 2.5)]))
    result = subprocess.run([sys.executable, "-m", "virtualfs.cli", "push", "card_tx", str(path), "--to", "online",
                             "-r", str(repo), "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["online_keys"] == 2
    with FeatureStore(repo) as store:
        read = store.get_online_features({"card_id": ["c7", "c8"]}, ["card_tx:amount"])
        assert read.to_dict()["amount"] == [1.25, 2.5]


def test_checks_and_profiles_see_pushed_rows(tmp_path):
    definitions = DEFINITIONS.replace("ttl=\"1d\", push=True,", "ttl=\"1d\", push=True, "
                                      "checks=[Check(\"amount\", between=(0, 100))],")
    root = write_repo(tmp_path / "repo", definitions.replace("import Entity,", "import Check, Entity,"))
    now = datetime.now(timezone.utc)
    with FeatureStore(root) as store:
        store.apply()
        store.push("card_tx", {"card_id": ["a", "b", "c"], "tx_at": [now] * 3, "amount": [1.0, 2.0, 300.0]},
                   to="offline")
        profile = store.profile("card_tx").to_pandas().set_index("feature")
        assert (profile.loc["card_tx:amount", "rows"], profile.loc["card_tx:amount", "max"]) == (3, 300.0)
        report = store.check("card_tx")
        assert not report.passed and "300" in report.failures[0].text()



def test_gc_keeps_pushed_rows_and_the_served_log_and_lists_neither(repo):
    from sqlglot import exp

    def table(name: str) -> exp.Table:
        return exp.Table(this=exp.to_identifier(name), db=exp.to_identifier("virtualfs_features"))

    with FeatureStore(repo) as store:
        store.push("card_tx", {"card_id": ["c1"], "tx_at": [datetime.now(timezone.utc)], "amount": [1.0]})
        for name in ("shop__served_log", "shop__backup"):
            store.warehouse.execute(exp.Create(this=table(name), kind="TABLE",
                                               expression=exp.select(exp.Literal.number(1).as_("x"))))
    # card_tx deleted from the repository: its pushed rows are the only copy there is, so they stay
    without_card_tx = DEFINITIONS.split("card = Entity")[0] + "customer = Entity" + DEFINITIONS.split("customer = Entity")[1]
    (repo / "features.py").write_text(without_card_tx)
    with FeatureStore(repo) as store:
        store.apply()
        assert "card_tx" not in store.registry().views
        report = store.gc()
        assert report.plan.unknown_tables == ("shop__backup",)  # a user's table is listed; ours are not
        assert not [t.name for t in report.removed_tables if "card_tx" in t.name or "served" in t.name]
        kept = store.warehouse.fetch_arrow(exp.select("amount").from_(table("shop__card_tx__pushed")))
        assert kept.column("amount").to_pylist() == [1.0]
