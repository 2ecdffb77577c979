"""How long the catalog UI takes to render each page on the server, on a catalog of 500 views.

    .venv/bin/python bench/ui.py                 # 500 views, 30 renders of each page
    .venv/bin/python bench/ui.py --views 2000 --repeat 50

A repository of ``--views`` feature views (four features each; descriptions, owners and tags from
``bench/governance.py``'s vocabulary; every tenth source with a PII column) over as many small
DuckDB tables is applied twice (the second version changes descriptions and a type), a few views
are refreshed and a dataset is saved. Each page is fetched once to fill what is kept per catalog
version (the PII classification, the search documents, a view's profile), then ``--repeat`` times,
alternating with its baseline: the page's own JSON endpoint (the same data without the template)
and, for a view, what ``virtualfs describe --json`` works out. Server-side: an in-process ASGI
client, no network. p50 / p95 in milliseconds; the target is under 100 ms per page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from governance import WORDS  # noqa: E402  (bench/governance.py: the same vocabulary)

REFRESHED = 3  # views refreshed (runs, check results, online freshness)
DEFINITIONS = """\
import random
from virtualfs import Check, Entity, Feature, FeatureService, FeatureView, Source

WORDS = {words!r}
rng = random.Random(7)
customer = Entity("customer", ["customer_id"], description="a shopper")
for i in range({views}):
    words = rng.sample(WORDS, 4)
    source = Source(f"src_{{i}}", table=f"events_{{i}}", timestamp="at",
                    columns={{f"events_{{i}}.f0": {{"pii": True}}}} if i % 10 == 0 else {{}})
    features = [Feature(f"f{{j}}", "{dtype}" if j == 3 else "float64",
                        description=f"{{words[j]}} over the last {{j + 1}} days{suffix}") for j in range(4)]
    globals()[f"view_{{i}}"] = FeatureView(
        f"view_{{i}}_{{words[0]}}", [customer], source, features, description=" ".join(words),
        owner=f"team{{i % 12}}@shop.example", tags={{"domain": words[1]}}, materialize="table",
        schedule="@hourly", checks=[Check("f1", not_null=0.5)])
model = FeatureService("model", [f"{{view_0.name}}:*", f"{{view_1.name}}:f0"])
"""


def build(root: Path, views: int) -> list[str]:
    """The repository, applied twice, a dataset saved, a few views refreshed; the view names."""
    import duckdb
    import pandas as pd

    from virtualfs.store import FeatureStore

    root.mkdir(parents=True, exist_ok=True)
    (root / "virtualfs.yaml").write_text(
        "project: bench\nwarehouse: {type: duckdb, path: data/warehouse.duckdb}\n"
        "online: {type: sqlite, path: .virtualfs/online.db}\ncatalog: {url: 'sqlite:///.virtualfs/catalog.db'}\n")
    (root / "data").mkdir(exist_ok=True)
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        for i in range(views):
            connection.execute(
                f"CREATE TABLE events_{i} AS SELECT (r % 50) AS customer_id, "  # noqa: S608 (bench data)
                "TIMESTAMP '2026-01-01' + INTERVAL (r) HOUR AS at, random() AS f0, random() AS f1, "
                "random() * 10 AS f2, CAST(r % 7 AS BIGINT) AS f3 FROM range(200) t(r)")
    write = (root / "features.py").write_text
    write(DEFINITIONS.format(words=WORDS, views=views, dtype="int64", suffix=""))
    with FeatureStore(root) as store:
        store.apply()
        names = list(store.registry().views)
        labels = pd.DataFrame({"customer_id": range(20),
                               "event_timestamp": [pd.Timestamp("2026-01-05")] * 20})
        wanted = [f"{names[0]}:*", f"{names[1]}:*"]
        job = store.get_historical_features(labels, wanted, full_feature_names=True)
        job.save("bench_set")
    write(DEFINITIONS.format(words=WORDS, views=views, dtype="float64", suffix=" (reviewed)"))
    with FeatureStore(root) as store:
        store.apply()
        store.refresh(names[:REFRESHED])
    return names


def pages(names: list[str]) -> dict[str, str]:
    view = names[0]
    return {"home": "/ui", "search": "/ui/search?q=basket+spend", "catalog": "/ui/catalog",
            "entity": "/ui/entities/customer", "source": "/ui/sources/src_0", "view": f"/ui/views/{view}",
            "feature": f"/ui/features/{view}:f0", "service": "/ui/services/model",
            "datasets": "/ui/datasets", "dataset": "/ui/datasets/bench_set", "versions": "/ui/versions",
            "diff": "/ui/diff?old=1&new=2", "lineage": f"/ui/lineage/{view}:f1",
            "column lineage": "/ui/lineage/events_0.f0", "audit": "/ui/audit"}


def describe_json(store, name: str) -> None:
    """What ``virtualfs describe NAME --json`` works out for a view (printing left out)."""
    from virtualfs.catalog.readable import readable
    from virtualfs.catalog.serde import fingerprint
    from virtualfs.governance.text import describe_governance

    found = store.registry().find(name)
    store.view_status(found.name)
    describe_governance(store.registry(), found, store.config.dialect)
    readable(found), fingerprint(found)


def timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def measure(root: Path, names: list[str], repeat: int) -> list[tuple]:
    from starlette.testclient import TestClient

    from virtualfs.server.config import ServerConfig
    from virtualfs.store import FeatureStore
    from virtualfs.ui import build_ui_app

    rows = []
    with FeatureStore(root) as store, TestClient(build_ui_app(store, ServerConfig())) as client:
        for label, path in pages(names).items():
            first = timed(lambda p=path: _ok(client.get(p)), 1)[0]  # fills the per-version caches
            page, data = [], []
            api = path.replace("/ui", "/ui/api", 1)
            for _ in range(repeat):  # alternating, so load on the machine hits both alike
                page += timed(lambda p=path: _ok(client.get(p)), 1)
                data += timed(lambda p=api: _ok(client.get(p)), 1)
            rows.append((label, first, statistics.median(page), p95(page),
                         statistics.median(data), p95(data)))
        describe = timed(lambda: describe_json(store, names[0]), repeat)
    return rows, describe


def _ok(response) -> None:
    assert response.status_code == 200, (response.url, response.status_code, response.text[:300])


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--views", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vfs_bench_ui_") as folder:
        began = time.perf_counter()
        names = build(Path(folder), args.views)
        print(f"catalog of {args.views} views ({args.views * 4} features), built and applied twice in "
              f"{time.perf_counter() - began:.1f} s; {args.repeat} renders per page\n")
        rows, describe = measure(Path(folder), names, args.repeat)
    print("| page | first ms | p50 ms | p95 ms | JSON p50 ms | JSON p95 ms | page / JSON |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, first, p50, p95_, j50, j95 in rows:
        print(f"| {label} | {first:.1f} | {p50:.1f} | {p95_:.1f} | {j50:.1f} | {j95:.1f} "
              f"| {p50 / j50:.2f}x |")
    print(f"\n`describe --json` of the same view, in process: p50 {statistics.median(describe):.1f} ms, "
          f"p95 {p95(describe):.1f} ms")
    slow = [label for label, _, _, p95_, *_ in rows if p95_ >= 100]
    print(f"pages at or over 100 ms (p95): {', '.join(slow) or 'none'}")


if __name__ == "__main__":
    main()
