"""Profiling a view on DuckDB: ``store.profile``'s one compiled query against one hand-written
query computing the same statistics, same data, same run.

    .venv/bin/python bench/profile.py                 # 10M source rows
    .venv/bin/python bench/profile.py --rows 1000000  # 1M

The source: ``--rows`` orders over a year with a float ``amount``, an int ``quantity``, a
``device`` (5 values), an ``is_gift`` boolean, a ``discount`` that is 70% null and a
``shipped_at`` timestamp (10% null). The view profiles all six, once over the whole table and
once over one month (a window on the event time). The hand-written query is what one writes in
DuckDB for the same numbers: one aggregate row (counts, distinct, min, max, mean, stddev,
``quantile_cont`` lists) joined with ``histogram()`` maps for the bins and days and top-10
lists for the categories. Both answers are checked equal before any time counts.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import datetime, timezone

import duckdb

from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.profiles import profile_target
from virtualfs.registry import Registry
from virtualfs.warehouses.duckdb import DuckDBWarehouse

ORDERS_SQL = """
CREATE OR REPLACE TABLE orders AS
SELECT (hash(i) % 100000)::BIGINT AS customer_id,
       make_timestamp(1735689600000000 + (hash(i * 7 + 1) % 31536000000000)::BIGINT) AS ordered_at,
       round(exp(3 + (hash(i * 3 + 2) % 1000) / 500.0), 2)::DOUBLE AS amount,
       (1 + hash(i * 5 + 3) % 6)::BIGINT AS quantity,
       ['mobile', 'desktop', 'tablet', 'tv', 'watch'][1 + (hash(i * 11 + 4) % 5)::INT] AS device,
       hash(i * 13 + 5) % 10 = 0 AS is_gift,
       CASE WHEN hash(i * 17 + 6) % 10 < 7 THEN NULL
            ELSE ((hash(i * 19) % 30) / 100.0)::DOUBLE END AS discount,
       CASE WHEN hash(i * 23 + 7) % 10 = 0 THEN NULL
            ELSE ordered_at + to_microseconds((hash(i * 29) % 259200000000)::BIGINT) END AS shipped_at
FROM range($rows) AS r(i)
"""
Q = "[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]"
HAND_SQL = """
WITH r AS (SELECT * FROM orders WHERE $window),
s AS (
  SELECT count(*) AS n,
         count(amount) AS a_n, count(DISTINCT amount) AS a_d, min(amount) AS a_min, max(amount) AS a_max,
         avg(amount) AS a_mean, stddev_samp(amount) AS a_sd, quantile_cont(amount, $q) AS a_q,
         count(quantity) AS q_n, count(DISTINCT quantity) AS q_d, min(quantity) AS q_min,
         max(quantity) AS q_max,
         avg(quantity) AS q_mean, stddev_samp(quantity) AS q_sd, quantile_cont(quantity, $q) AS q_q,
         count(discount) AS d_n, count(DISTINCT discount) AS d_d, min(discount) AS d_min,
         max(discount) AS d_max,
         avg(discount) AS d_mean, stddev_samp(discount) AS d_sd, quantile_cont(discount, $q) AS d_q,
         count(device) AS v_n, count(DISTINCT device) AS v_d, min(device) AS v_min, max(device) AS v_max,
         count(is_gift) AS g_n, count(DISTINCT is_gift) AS g_d, avg(is_gift::INT) AS g_mean,
         count(shipped_at) AS t_n, count(DISTINCT shipped_at) AS t_d, min(shipped_at) AS t_min,
         max(shipped_at) AS t_max
  FROM r)
SELECT s.*, h.*,
  (SELECT list((device, c)) FROM (SELECT device, count(*) AS c FROM r WHERE device IS NOT NULL
                                  GROUP BY device ORDER BY c DESC, device LIMIT 10)) AS v_top,
  (SELECT list((is_gift, c)) FROM (SELECT is_gift, count(*) AS c FROM r WHERE is_gift IS NOT NULL
                                   GROUP BY is_gift ORDER BY c DESC, is_gift LIMIT 10)) AS g_top
FROM s, (
  SELECT histogram(least(floor((amount - s.a_min) / ((s.a_max - s.a_min) / 20)), 19))
           FILTER (WHERE amount IS NOT NULL) AS a_bins,
         histogram(floor((quantity - s.q_min) / ceil((s.q_max - s.q_min + 1) / 20))) AS q_bins,
         histogram(least(floor((discount - s.d_min) / ((s.d_max - s.d_min) / 20)), 19))
           FILTER (WHERE discount IS NOT NULL) AS d_bins,  -- least() skips nulls: keep them out
         histogram(shipped_at::DATE) AS t_days
  FROM r, s) AS h
"""
CUSTOMER = Entity("customer", ["customer_id"])
VIEW = FeatureView("orders", [CUSTOMER], Source("orders", table="orders", timestamp="ordered_at"),
                   [Feature("amount", "float64"), Feature("quantity", "int64"), Feature("device", "string"),
                    Feature("is_gift", "bool"), Feature("discount", "float64"),
                    Feature("shipped_at", "timestamp")])
MONTH = (datetime(2025, 6, 1, tzinfo=timezone.utc), datetime(2025, 7, 1, tzinfo=timezone.utc))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query; the median is reported")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    warehouse = DuckDBWarehouse()
    warehouse.connection.execute(f"SET threads = {args.threads}")
    warehouse.connection.execute(ORDERS_SQL.replace("$rows", str(args.rows)))
    registry = Registry.from_objects([VIEW])
    print(f"{args.rows:,} source rows, 6 features; DuckDB {duckdb.__version__}, {args.threads} threads, "
          f"{platform.processor() or platform.machine()}; median of {args.repeat}, runs alternating\n")
    print("| window | rows profiled | virtualfs (s) | hand-written (s) | virtualfs / hand-written |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, (start, end) in (("whole table", (None, None)), ("one month", MONTH)):
        window = "TRUE" if start is None else (f"ordered_at >= TIMESTAMP '{start:%Y-%m-%d}' "
                                                f"AND ordered_at < TIMESTAMP '{end:%Y-%m-%d}'")
        hand = HAND_SQL.replace("$window", window).replace("$q", Q)

        def ours(start=start, end=end):
            return profile_target(warehouse, registry, "orders", start, end)

        def theirs(hand=hand):
            return warehouse.connection.execute(hand).fetchall()[0]

        profile = ours()
        check(profile, theirs(), warehouse.connection.description)
        times = {"ours": [], "theirs": []}
        for _ in range(args.repeat):
            for name, run in (("ours", ours), ("theirs", theirs)):
                began = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - began)
        mine, hand_time = median(times["ours"]), median(times["theirs"])
        rows = profile.features[0].rows
        print(f"| {label} | {rows:,} | {mine:.2f} | {hand_time:.2f} | {mine / hand_time:.2f}x |")


def check(profile, row: tuple, description) -> None:
    """The two answers agree: counts, distinct, mean, quantiles, bins, top values, days."""
    hand = dict(zip((d[0] for d in description), row, strict=True))
    for prefix, name in (("a", "amount"), ("q", "quantity"), ("d", "discount")):
        feature = profile.feature(f"orders:{name}")
        assert (feature.count, feature.distinct) == (hand[f"{prefix}_n"], hand[f"{prefix}_d"]), name
        assert abs(feature.mean - hand[f"{prefix}_mean"]) <= 1e-9 * abs(hand[f"{prefix}_mean"]), name
        assert all(abs(a - b) <= 1e-9 * max(abs(b), 1) for a, b in zip(feature.quantiles, hand[f"{prefix}_q"],
                                                                        strict=True)), name
        bins = {int(k): v for k, v in hand[f"{prefix}_bins"].items()}
        counts = list(feature.histogram.counts)
        assert [bins.get(k, 0) for k in range(len(counts))] == counts, name
    device = profile.feature("orders:device")
    assert [tuple(t) for t in hand["v_top"]] == list(device.top_values)
    days = profile.feature("orders:shipped_at").days
    assert sorted(hand["t_days"].items()) == list(days)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


if __name__ == "__main__":
    main()
