"""Logging served requests keeps the online read path free of the compiler: a fresh process that
reads features with logging on and writes its log loads neither sqlglot nor the compiler — nor,
with a SQLite sink, pandas (pyarrow loads it to build the arrays a Parquet file is written from,
on the logger's thread)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.consistency.repos import START, consistency_repo, hours
from virtualfs import FeatureStore

HEAVY = ("sqlglot", "virtualfs.compile", "virtualfs.dialects", "virtualfs.retrieval", "pandas")
READ_AND_LOG = """
import json, sys
from virtualfs import FeatureStore
store = FeatureStore(sys.argv[1])
response = store.get_online_features([{"customer_id": 1}, {"customer_id": 7}], "churn")
assert store.served_log.flush()
print(json.dumps({"values": response.to_dict()["amount"], "written": store.served_log.counts.written,
                  "loaded": sorted(m for m in sys.modules if m.startswith(HEAVY))}))
"""


@pytest.mark.parametrize(("sink", "loaded"), [("{type: parquet}", ["pandas"]), ("{type: sqlite}", [])])
def test_reading_with_logging_on_loads_no_compiler(tmp_path, sink, loaded):
    rows = [(1, START, START + hours(1), 9.5, 2)]
    with consistency_repo(tmp_path / "repo", "duckdb", sink, rows=rows) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        code = f"HEAVY = {HEAVY!r}\n{READ_AND_LOG}"
        done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["values"] == [9.5, None] and result["written"] == 1
    assert sorted({module.split(".")[0] for module in result["loaded"]}) == loaded
