"""A deterministic demo warehouse for an online shop, built inside DuckDB.

Every value is a hash of (seed, salt, row number), so the same seed gives the same tables on
every run and every machine running the same DuckDB, and ``scale=50`` (tens of millions of rows)
is still one set-based statement per table. The data carries the quirks a feature store must
survive: rows that land hours or days after their event time, re-sent rows with the same event
time, customers with no history, NULL values.

Example::

    counts = make_demo_warehouse("data/warehouse.duckdb")
    counts["orders"]
    # -> 101041
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

END = datetime(2026, 10, 1)
SPAN_DAYS = 90
START = END - timedelta(days=SPAN_DAYS)
TABLES = ("customers", "products", "orders", "page_views", "customer_daily_stats")
# Rows drawn at scale 1 (before corrections, re-sent events and daily stats are added).
BASE_ROWS = {"n_customers": 2_000, "n_products": 500, "n_orders": 100_000, "n_views": 200_000}

_PARAM = re.compile(r"\$([A-Za-z_]\w*)")

# rnd(): a uniform double in [0, 1) from the seed, a per-column salt and a row number. The two
# hashes are mixed by a third: DuckDB's multi-argument hash() leaves columns salted differently
# strongly correlated (r ~ 0.9), which would tie, say, a customer's popularity to their order times.
# delay(): a load delay in seconds -- usually minutes, for a `late` share of rows hours to days.
_MACROS = """
CREATE TEMP MACRO rnd(seed, salt, i) AS
    hash(xor(hash(seed, salt), hash(i))) / 18446744073709551616.0;
CREATE TEMP MACRO pick(seed, salt, i, options) AS
    options[1 + CAST(floor(rnd(seed, salt, i) * len(options)) AS INTEGER)];
CREATE TEMP MACRO delay(seed, salt, i, late) AS CASE
    WHEN rnd(seed, salt || ':late', i) < late
        THEN 7200 + CAST(rnd(seed, salt || ':hours', i) * 252000 AS BIGINT)
    ELSE 30 + CAST(rnd(seed, salt || ':minutes', i) * 870 AS BIGINT) END;
CREATE TEMP MACRO between_ts(seed, salt, i, lo, hi) AS
    lo + to_seconds(CAST(floor(rnd(seed, salt, i) * (epoch(hi) - epoch(lo))) AS BIGINT));
"""

_CUSTOMERS = """
CREATE TABLE customers AS
WITH base AS (
    SELECT 100001 + i AS customer_id,
           CASE WHEN rnd($seed, 'c.old', i) < 0.7
                THEN between_ts($seed, 'c.signup', i, $start - INTERVAL 730 DAY, $start)
                ELSE between_ts($seed, 'c.signup', i, $start, $end - INTERVAL 1 DAY) END AS signup_at,
           i
    FROM range($n_customers) r(i)
)
SELECT customer_id, signup_at,
       signup_at + to_seconds(delay($seed, 'c.load', i, 0.0)) AS loaded_at,
       CASE WHEN rnd($seed, 'c.country_null', i) < 0.04 THEN NULL
            ELSE pick($seed, 'c.country', i, ['DE', 'FR', 'NL', 'GB', 'US', 'ES', 'IT', 'PL']) END
           AS country,
       pick($seed, 'c.channel', i, ['web', 'app', 'referral', 'ads']) AS signup_channel,
       CASE WHEN rnd($seed, 'c.sub_null', i) < 0.1 THEN NULL
            ELSE rnd($seed, 'c.sub', i) < 0.35 END AS is_subscribed
FROM base ORDER BY customer_id
"""

# Who shows up in the event tables: 10% of customers never do; of the rest a quarter only browse.
# Each list is numbered in a seeded shuffle so that "popular" customers are scattered over ids.
_ACTIVE = """
CREATE TEMP TABLE _active AS
SELECT row_number() OVER (ORDER BY hash(customer_id, $seed), customer_id) - 1 AS idx,
       customer_id, greatest(signup_at, $start) AS active_from
FROM customers WHERE rnd($seed, 'c.active', customer_id) >= 0.10
"""

_BUYERS = """
CREATE TEMP TABLE _buyers AS
SELECT row_number() OVER (ORDER BY idx) - 1 AS idx, customer_id, active_from
FROM _active WHERE rnd($seed, 'c.buyer', customer_id) >= 0.25
"""

_PRODUCT_BASE = """
CREATE TEMP TABLE _product_base AS
SELECT i + 1 AS product_id,
       pick($seed, 'p.category', i,
            ['books', 'electronics', 'home', 'toys', 'garden', 'beauty', 'sports', 'grocery'])
           AS category,
       round(2 + pow(rnd($seed, 'p.price', i), 2) * 300, 2) AS base_price,
       CAST(floor(rnd($seed, 'p.changes', i) * 5) AS BIGINT) AS changes
FROM range($n_products) r(i)
"""

# One row per catalogue version: the listing before the span, then 0-4 price changes in it.
# A few versions are corrected later: same updated_at, a later loaded_at, another price.
_PRODUCTS = """
CREATE TABLE products AS
WITH versions AS (
    SELECT product_id, category, base_price, unnest(range(changes + 1)) AS version
    FROM _product_base
), rows AS (
    SELECT product_id, category, version, product_id * 8 + version AS i,
           CASE WHEN version = 0 THEN base_price
                ELSE round(base_price * (0.8 + 0.4 * rnd($seed, 'p.change', product_id * 8 + version)), 2)
                END AS price,
           CASE WHEN version = 0
                THEN between_ts($seed, 'p.listed', product_id, $start - INTERVAL 60 DAY, $start)
                ELSE between_ts($seed, 'p.updated', product_id * 8 + version, $start, $end) END
               AS updated_at
    FROM versions
), loaded AS (
    SELECT product_id, category, price, updated_at, i,
           updated_at + to_seconds(delay($seed, 'p.load', i, 0.05)) AS loaded_at
    FROM rows
)
SELECT product_id, category, price,
       CASE WHEN rnd($seed, 'p.stock_null', i) < 0.03 THEN NULL
            ELSE rnd($seed, 'p.stock', i) >= 0.1 END AS in_stock,
       updated_at, loaded_at
FROM loaded
UNION ALL
SELECT product_id, category, round(price * 0.9, 2), TRUE, updated_at,
       loaded_at + to_seconds(3600 + CAST(rnd($seed, 'p.fix_delay', i) * 172800 AS BIGINT))
FROM loaded WHERE rnd($seed, 'p.fix', i) < 0.03
ORDER BY product_id, updated_at, loaded_at
"""

_ORDER_DRAWS = """
CREATE TEMP TABLE _orders AS
WITH draws AS (
    SELECT i,
           CAST(floor(pow(rnd($seed, 'o.customer', i), 1.3) * (SELECT count(*) FROM _buyers)) AS BIGINT)
               AS buyer_idx,
           1 + CAST(floor(pow(rnd($seed, 'o.product', i), 1.5) * $n_products) AS BIGINT) AS product_id,
           1 + CAST(floor(-ln(1 - rnd($seed, 'o.qty', i)) * 0.7) AS BIGINT) AS quantity,
           CASE WHEN rnd($seed, 'o.coupon', i) < 0.3
                THEN round(0.05 + 0.25 * rnd($seed, 'o.discount', i), 2) END AS discount
    FROM range($n_orders) r(i)
)
SELECT d.i, 1000001 + d.i AS order_id, b.customer_id, d.product_id,
       between_ts($seed, 'o.time', d.i, b.active_from, $end) AS ordered_at,
       -- priced at the product's list price: close enough for a demo, and no as-of join needed
       round(p.base_price * d.quantity * (1 - coalesce(d.discount, 0)), 2) AS amount,
       d.quantity,
       rnd($seed, 'o.gift', d.i) < 0.08 AS is_gift,
       CASE WHEN rnd($seed, 'o.pay_null', d.i) < 0.02 THEN NULL
            ELSE pick($seed, 'o.pay', d.i, ['card', 'card', 'paypal', 'apple_pay', 'invoice']) END
           AS payment_method,
       d.discount
FROM draws d
JOIN _buyers b ON b.idx = d.buyer_idx
JOIN _product_base p USING (product_id)
"""

# Orders land within minutes, 5% hours to days late; 1% are re-sent later as corrections
# (same order_id and ordered_at, a later loaded_at, a reduced amount), as CDC feeds do.
_ORDERS = """
CREATE TABLE orders AS
WITH loaded AS (
    SELECT *, ordered_at + to_seconds(delay($seed, 'o.load', i, 0.05)) AS loaded_at FROM _orders
)
SELECT order_id, customer_id, product_id, ordered_at, loaded_at,
       amount, quantity, is_gift, payment_method, discount
FROM loaded
UNION ALL
SELECT order_id, customer_id, product_id, ordered_at,
       loaded_at + to_seconds(3600 + CAST(rnd($seed, 'o.fix_delay', i) * 172800 AS BIGINT)),
       round(amount * (0.5 + 0.5 * rnd($seed, 'o.fix_amount', i)), 2),
       quantity, is_gift, payment_method, discount
FROM loaded WHERE rnd($seed, 'o.fix', i) < 0.01
ORDER BY ordered_at, order_id, loaded_at
"""

# Tracking events: mostly streamed in within two minutes, 5% synced late by offline apps,
# 2% fired twice (same viewed_at, loaded a little later).
_PAGE_VIEWS = """
CREATE TABLE page_views AS
WITH draws AS (
    SELECT d.i, a.customer_id,
           1 + CAST(floor(pow(rnd($seed, 'v.product', d.i), 1.5) * $n_products) AS BIGINT) AS product_id,
           between_ts($seed, 'v.time', d.i, a.active_from, $end) AS viewed_at
    FROM (SELECT i, CAST(floor(pow(rnd($seed, 'v.customer', i), 1.3) * (SELECT count(*) FROM _active))
                         AS BIGINT) AS idx
          FROM range($n_views) r(i)) d
    JOIN _active a USING (idx)
), views AS (
    SELECT i, customer_id, product_id, viewed_at,
           CASE WHEN rnd($seed, 'v.load_late', i) < 0.05
                THEN viewed_at + to_seconds(3600 + CAST(rnd($seed, 'v.sync', i) * 255600 AS BIGINT))
                ELSE viewed_at + to_seconds(1 + CAST(rnd($seed, 'v.stream', i) * 119 AS BIGINT)) END
               AS loaded_at,
           CASE WHEN rnd($seed, 'v.dwell_null', i) >= 0.03
                THEN round(-ln(1 - rnd($seed, 'v.dwell', i)) * 40, 1) END AS dwell_seconds,
           CASE WHEN rnd($seed, 'v.device_null', i) >= 0.02
                THEN pick($seed, 'v.device', i, ['mobile', 'mobile', 'mobile', 'desktop', 'tablet'])
                END AS device
    FROM draws
)
SELECT customer_id, product_id, viewed_at, loaded_at, dwell_seconds, device FROM views
UNION ALL
SELECT customer_id, product_id, viewed_at,
       loaded_at + to_seconds(1 + CAST(rnd($seed, 'v.twice', i) * 600 AS BIGINT)), dwell_seconds, device
FROM views WHERE rnd($seed, 'v.double', i) < 0.02
ORDER BY viewed_at, customer_id, loaded_at
"""

# A nightly job's output: per active customer and day (from their first activity on), the last
# seven days' orders, spend and views. The row for `day` is written the next night (02:00-02:30),
# 5% a day or more later after a failed run -- so it is unknowable on `day` itself. Money is
# summed in integer cents: a float sum's order, and so its last bit, depends on thread timing.
_DAILY_STATS = """
CREATE TABLE customer_daily_stats AS
WITH final_orders AS (  -- a corrected order counts once, with its latest amount
    SELECT order_id, any_value(customer_id) AS customer_id, any_value(ordered_at) AS ordered_at,
           arg_max(amount, loaded_at) AS amount
    FROM orders GROUP BY order_id
), daily_orders AS (
    SELECT customer_id, date_trunc('day', ordered_at) AS day,
           count(*) AS n_orders, sum(CAST(round(amount * 100) AS BIGINT)) AS spend_cents,
           max(ordered_at) AS last_order_at
    FROM final_orders GROUP BY ALL
), daily_views AS (
    SELECT customer_id, date_trunc('day', viewed_at) AS day, count(*) AS n_views,
           arg_max(device, (viewed_at, loaded_at, device)) FILTER (WHERE device IS NOT NULL) AS device
    FROM page_views GROUP BY ALL
), first_day AS (
    SELECT customer_id, min(day) AS first_day
    FROM (SELECT customer_id, day FROM daily_orders UNION ALL SELECT customer_id, day FROM daily_views)
    GROUP BY ALL
), grid AS (
    SELECT f.customer_id, CAST($start AS TIMESTAMP) + to_days(CAST(d AS INTEGER)) AS day
    FROM first_day f, range($span_days) r(d)
    WHERE CAST($start AS TIMESTAMP) + to_days(CAST(d AS INTEGER)) >= f.first_day
), rolled AS (
    SELECT g.customer_id, g.day,
           sum(coalesce(o.n_orders, 0)) OVER w7 AS orders_7d,
           sum(coalesce(o.spend_cents, 0)) OVER w7 AS spend_7d_cents,
           sum(coalesce(v.n_views, 0)) OVER w7 AS views_7d,
           last_value(v.device IGNORE NULLS) OVER ever AS last_device,
           max(o.last_order_at) OVER ever AS last_order_at
    FROM grid g
    LEFT JOIN daily_orders o USING (customer_id, day)
    LEFT JOIN daily_views v USING (customer_id, day)
    WINDOW w7 AS (PARTITION BY g.customer_id ORDER BY g.day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW),
           ever AS (PARTITION BY g.customer_id ORDER BY g.day ROWS UNBOUNDED PRECEDING)
)
SELECT customer_id, day,
       day + INTERVAL 1 DAY + to_seconds(7200 + CAST(rnd($seed, 's.run', i) * 1800 AS BIGINT))
           + CASE WHEN rnd($seed, 's.failed', i) < 0.05
                  THEN to_days(1 + CAST(rnd($seed, 's.retry', i) * 3 AS INTEGER))
                  ELSE INTERVAL 0 DAY END AS loaded_at,
       CAST(orders_7d AS BIGINT) AS orders_7d, spend_7d_cents / 100.0 AS spend_7d,
       CAST(views_7d AS BIGINT) AS views_7d, last_device, last_order_at
FROM (SELECT *, hash(customer_id, day) AS i FROM rolled) ORDER BY day, customer_id
"""

_STEPS = (_CUSTOMERS, _ACTIVE, _BUYERS, _PRODUCT_BASE, _PRODUCTS, _ORDER_DRAWS, _ORDERS,
          _PAGE_VIEWS, _DAILY_STATS)

# A training frame: random customers (with or without history) and products at random times,
# labelled with whether the customer ordered anything in the following seven days.
_ENTITIES = """
WITH customers_numbered AS (
    SELECT row_number() OVER (ORDER BY customer_id) - 1 AS idx, customer_id FROM customers
), draws AS (
    SELECT i,
           CAST(floor(rnd($seed, 'e.customer', i) * (SELECT count(*) FROM customers)) AS BIGINT) AS idx,
           1 + CAST(floor(rnd($seed, 'e.product', i) * (SELECT max(product_id) FROM products)) AS BIGINT)
               AS product_id,
           between_ts($seed, 'e.time', i, $start + INTERVAL 7 DAY, $end - INTERVAL 7 DAY) AS event_timestamp
    FROM range($n) r(i)
)
SELECT c.customer_id, d.product_id, d.event_timestamp,
       EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id
               AND o.ordered_at > d.event_timestamp
               AND o.ordered_at <= d.event_timestamp + INTERVAL 7 DAY) AS reordered
FROM draws d JOIN customers_numbered c USING (idx)
ORDER BY d.i
"""


def make_demo_warehouse(path: str | os.PathLike[str], scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    """Write the demo shop warehouse to ``path`` (replacing it) and return rows per table.

    The file is built next to ``path`` and moved into place at the end, so a failed run leaves
    the previous warehouse untouched.

    Example::

        make_demo_warehouse("data/warehouse.duckdb", scale=0.1)
        # -> {'customers': 200, 'products': 144, 'orders': 10090, 'page_views': 20353,
        #     'customer_daily_stats': 13777}
    """
    import duckdb

    if not scale > 0:
        raise ValueError(f"make_demo_warehouse: scale must be positive, got {scale!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building")
    _remove_database(building)
    params = {**_sizes(scale), "seed": int(seed), "start": START, "end": END, "span_days": SPAN_DAYS}
    try:
        with duckdb.connect(str(building)) as con:
            _run(con, _MACROS, {})
            for step in _STEPS:
                _run(con, step, params)
            counts = {table: con.table(table).count("*").fetchone()[0] for table in TABLES}
        # the old file's write-ahead log would be replayed onto the new file: drop it first
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(building, target)
    finally:
        _remove_database(building)
    return counts


def make_demo_entities(warehouse_path: str | os.PathLike[str], n: int = 1_000, seed: int = 7) -> pd.DataFrame:
    """An entity frame for training: customer_id, product_id, event_timestamp, reordered.

    Times fall inside the data's span (a week clear of each end, so the seven-day label is
    complete); customers include ones with no history at all.

    Example::

        make_demo_entities("data/warehouse.duckdb", n=3).columns.tolist()
        # -> ['customer_id', 'product_id', 'event_timestamp', 'reordered']
    """
    import duckdb

    if n < 0:
        raise ValueError(f"make_demo_entities: n must be >= 0, got {n!r}")
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        _run(con, _MACROS, {})
        params = {"n": int(n), "seed": int(seed), "start": START, "end": END}
        return _run(con, _ENTITIES, params).df()


def _sizes(scale: float) -> dict[str, int]:
    return {name: max(10, round(rows * scale)) for name, rows in BASE_ROWS.items()}


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> duckdb.DuckDBPyConnection:
    """Execute fixed SQL with the named parameters it uses (DuckDB rejects unused ones)."""
    used = {name: params[name] for name in _PARAM.findall(sql)}
    return con.execute(sql, used) if used else con.execute(sql)


def _remove_database(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m virtualfs.demo", description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="definitions/data/warehouse.duckdb")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is about 300k event rows")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for table, rows in make_demo_warehouse(args.path, args.scale, args.seed).items():
        print(f"{table:<22}{rows:>12,}")


if __name__ == "__main__":
    main()
