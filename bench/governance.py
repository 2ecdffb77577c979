"""What governance costs: search over a large catalog, and a masked training frame against a clear one.

    .venv/bin/python bench/governance.py                  # 500 views, masks on the small offline scale
    .venv/bin/python bench/governance.py --views 2000 --repeat 9

Search: a registry of ``--views`` feature views of four features each, with descriptions, owners
and tags drawn from a fixed vocabulary; timed: ``governance.find`` (classify every definition
through lineage, then rank) for an exact query, a query with typos, and an owner filter — median
milliseconds of ``--repeat``. Masks: ``bench/offline.py``'s small data (10k entity rows, 1M
source rows per view), the same request read clear and with a string feature hashed and a float
feature nulled in the SQL (what a ``pii: masked`` principal gets), alternating; median seconds.
The masked frame is checked to differ from the clear one exactly in the masked columns.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import offline  # noqa: E402  (bench/offline.py: the data and the views)

WORDS = ("spend", "revenue", "basket", "order", "refund", "churn", "session", "click", "device", "country",
         "rating", "delivery", "late", "driver", "rider", "tip", "fraud", "score", "payment", "card",
         "loyalty", "visit", "dwell", "search", "cart", "return")


def catalog(views: int):
    from virtualfs import Entity, Feature, FeatureView, Source
    from virtualfs.registry import Registry

    rng = random.Random(7)
    customer = Entity("customer", ["customer_id"], description="a shopper")
    defined = []
    for i in range(views):
        words = rng.sample(WORDS, 4)
        source = Source(f"src_{i}", table=f"events_{i}", timestamp="at",
                        columns={f"events_{i}.f0": {"pii": True}} if i % 10 == 0 else {})
        features = [Feature(f"f{j}", "float64", description=f"{words[j]} over the last {j + 1} days")
                    for j in range(4)]
        defined.append(FeatureView(f"view_{i}_{words[0]}", [customer], source, features,
                                   description=" ".join(words), owner=f"team{i % 12}@shop.example",
                                   tags={"domain": words[1]}))
    return Registry.from_objects([customer, *defined])


def time_search(views: int, repeat: int) -> list[tuple[str, float, int]]:
    from virtualfs.governance import find
    from virtualfs.governance.search import Query

    registry = catalog(views)
    rows = []
    for label, query in (("exact words", Query("basket spend")), ("typos", Query("baskte spnd")),
                         ("owner filter", Query("", owner="team3@shop.example", kind="view"))):
        times, hits = [], []
        for _ in range(repeat):
            began = time.perf_counter()
            hits = find(registry, "duckdb", query)
            times.append(time.perf_counter() - began)
        assert hits, label
        rows.append((label, statistics.median(times) * 1000, len(hits)))
    return rows


def time_masks(repeat: int) -> tuple[float, float]:
    from virtualfs.retrieval import RetrievalRequest, retrieve
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    masked = frozenset({"page_views:device", "orders:amount"})
    with tempfile.TemporaryDirectory(prefix="vfs_bench_gov_") as folder:
        path = Path(folder) / "warehouse.duckdb"
        offline.make_data(path, "small")
        warehouse = DuckDBWarehouse(str(path), read_only=True)
        entities = warehouse.connection.execute(
            "SELECT customer_id, event_timestamp FROM entity_rows ORDER BY row_id").df()
        registry, refs = offline.registry(), ["orders:*", "page_views:*"]

        def run(mask: frozenset[str]):
            request = RetrievalRequest(refs)
            return retrieve(None, warehouse, registry, entities, request, masked=mask).to_pandas()

        times: dict[str, list[float]] = {"clear": [], "masked": []}
        frames = {}
        for _ in range(repeat):
            for name, mask in (("clear", frozenset()), ("masked", masked)):
                began = time.perf_counter()
                frames[name] = run(mask)
                times[name].append(time.perf_counter() - began)
        warehouse.close()
    clear, hidden = frames["clear"], frames["masked"]
    assert hidden["amount"].isna().all() and clear["amount"].notna().any()
    expected = [None if v is None else hashlib.sha256(str(v).encode()).hexdigest()
                for v in clear["device"].astype(object).where(clear["device"].notna(), None)]
    assert list(hidden["device"].astype(object).where(hidden["device"].notna(), None)) == expected
    assert clear[["quantity", "dwell_seconds"]].equals(hidden[["quantity", "dwell_seconds"]])
    return statistics.median(times["clear"]), statistics.median(times["masked"])


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--views", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"search over {args.views} views ({args.views * 4} features), median of {args.repeat}\n")
    print("| query | ms | hits |\n|---|---:|---:|")
    for label, ms, hits in time_search(args.views, args.repeat):
        print(f"| {label} | {ms:.1f} | {hits} |")
    clear, masked = time_masks(args.repeat)
    print("\ntraining frame, 10k entity rows over 2 x 1M rows, median seconds\n")
    print("| read | seconds | vs clear |\n|---|---:|---:|")
    print(f"| clear | {clear:.3f} | 1.00x |")
    print(f"| masked (device hashed, amount nulled, in the SQL) | {masked:.3f} | {masked / clear:.2f}x |")


if __name__ == "__main__":
    main()
