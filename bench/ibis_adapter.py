"""The cost of going through ibis: the same retrieval on the native DuckDB adapter and on the ibis
adapter (``warehouse: {type: ibis, backend: duckdb}``) over the same database file.

    .venv/bin/python bench/ibis_adapter.py                  # small: 10k entity rows, 1M rows per view
    .venv/bin/python bench/ibis_adapter.py --scale medium   # 100k entity rows, 10M rows per view

The data and views are ``bench/offline.py``'s (two views, both rules). Timed, alternating native
and ibis (A, B, A, B) in one process so that load from other work falls on both: the training
frame (``get_historical_features(...).to_pandas()``), the median of ``--repeat`` runs; and the
fixed cost of one statement, ``SELECT 1`` fetched as Arrow, median of 200 — what the ibis path
adds per query (ibis reads the result's schema with a ``DESCRIBE`` before it runs the query).
Both adapters must return the same frame.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import offline
from sqlglot import exp


def adapters(path: Path) -> dict:
    from virtualfs.warehouses.duckdb import DuckDBWarehouse
    from virtualfs.warehouses.ibis import IbisWarehouse

    through_ibis = {"backend": "duckdb", "database": str(path), "read_only": True}
    return {"native": DuckDBWarehouse(str(path), read_only=True),
            "ibis": IbisWarehouse.from_config(through_ibis)}


def frame_times(warehouses: dict, rule: str, repeat: int) -> dict[str, float]:
    from virtualfs.retrieval import get_historical_features

    native = warehouses["native"]
    entities = native.connection.execute(
        "SELECT customer_id, event_timestamp FROM entity_rows ORDER BY row_id").df()
    refs, defined = [f"{view}:*" for view in offline.DEFINITIONS], offline.registry()
    times: dict[str, list[float]] = {name: [] for name in warehouses}
    results = {}
    for _ in range(repeat):
        for name, warehouse in warehouses.items():
            began = time.perf_counter()
            results[name] = get_historical_features(warehouse, defined, entities, refs,
                                                    point_in_time=rule).to_pandas()
            times[name].append(time.perf_counter() - began)
    assert results["native"].equals(results["ibis"]), "the two adapters disagree"
    return {name: statistics.median(values) for name, values in times.items()}


def statement_times(warehouses: dict, repeat: int = 200) -> dict[str, float]:
    query = exp.select(exp.Literal.number(1))
    times: dict[str, list[float]] = {name: [] for name in warehouses}
    for _ in range(repeat):
        for name, warehouse in warehouses.items():
            began = time.perf_counter()
            warehouse.fetch_arrow(query)
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--scale", choices=list(offline.SCALES), default="small")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vfs_bench_ibis_") as folder:
        path = Path(folder) / "warehouse.duckdb"
        offline.make_data(path, args.scale)
        entities, rows, _ = offline.SCALES[args.scale]
        warehouses = adapters(path)
        print(f"scale {args.scale}: {entities:,} entity rows, {rows:,} source rows per view, 2 views; "
              f"median of {args.repeat}\n")
        print("| what | native DuckDB adapter | ibis adapter (duckdb) | ibis / native |")
        print("|---|---:|---:|---:|")
        for rule in ("known", "event"):
            seconds = frame_times(warehouses, rule, args.repeat)
            print(f"| training frame, {rule} rule (s) | {seconds['native']:.3f} | {seconds['ibis']:.3f} | "
                  f"{seconds['ibis'] / seconds['native']:.2f}x |")
        ms = statement_times(warehouses)
        print(f"| one statement, SELECT 1 as Arrow (ms) | {ms['native']:.3f} | {ms['ibis']:.3f} | "
              f"+{ms['ibis'] - ms['native']:.3f} ms |")
        for warehouse in warehouses.values():
            warehouse.close()


if __name__ == "__main__":
    main()
