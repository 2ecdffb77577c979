"""A small shop repository for the UI tests, built from plain rows the tests also use as their
oracle: two views over two tables, a service, a refresh with checks (one fails), a saved
dataset, a second catalog version that changes a feature's type, two on-demand views, and an access
policy with an admin, a masked analyst and an intern refused PII.
"""

from __future__ import annotations

import os
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

TOKENS = {"VFS_UI_ADA": "ada-token-0123456789abcdef", "VFS_UI_MIA": "mia-token-0123456789abcdef",
          "VFS_UI_IAN": "ian-token-0123456789abcdef"}
ADA, MIA, IAN = TOKENS.values()
START = datetime(2026, 1, 1)
# (order_id, customer_id, day, amount, items, channel): amounts 5.0 ... 99.0, none null
ORDERS = [(i, 1 + i % 6, i % 40, 5.0 + (i * 37 % 95), 1 + i % 4, ("web", "app", "store")[i % 3])
          for i in range(60)]
CUSTOMERS = [(c, f"user{c}@mail.example", ("DE", "FR", "US")[c % 3], START - timedelta(days=c)) for c in range(1, 7)]

CONFIG = """\
project: uishop
warehouse: {type: duckdb, path: data/warehouse.duckdb}
online: {type: sqlite, path: .virtualfs/online.db}
catalog: {url: "sqlite:///.virtualfs/catalog.db"}
access:
  roles:
    admin: {offline: ["*"], online: ["*"], pii: clear, apply: true, refresh: true, datasets: true}
    analyst: {offline: ["*"], pii: masked}
    intern: {offline: [customer_orders], pii: denied}
  principals: {ada: admin, mia: analyst, ian: intern}
server:
  auth:
    tokens:
      ada: {token: "${VFS_UI_ADA}"}
      mia: {token: "${VFS_UI_MIA}"}
      ian: {token: "${VFS_UI_IAN}"}
"""

DEFINITIONS = """\
from virtualfs import (Aggregation, Check, Entity, Feature, FeatureService, FeatureView, OnDemandView,
                       RequestField, Source)

customer = Entity("customer", ["customer_id"], description="A shopper, by account.",
                  owner="growth@shop.example")
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at",
                description="Every order placed, as the shop's database loads it.", tags={{"system": "shop"}})
profiles = Source(
    "customer_profiles",
    query="SELECT customer_id, email, country, signup_at FROM customers WHERE email <> ''",
    timestamp="signup_at",
    columns={{"customers.email": {{"pii": True, "description": "Where we write to."}},
              "customers.country": {{"pii": True}}}},
)
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64", description="Money spent on the order, in euros."),
     Feature("items", "{items_type}", description="Articles in the basket."),
     Feature("channel", "string", owner="sales@shop.example", tags={{"tier": "gold"}})],
    aggregations=[Aggregation("spend_7d", "sum", "amount", "7d", description="Turnover of the last week.")],
    materialize="table", schedule="@hourly",
    checks=[Check("amount", not_null=0.99), Check("amount", between=(0, 50), severity="warn")],
    description="What the customer bought.", owner="growth@shop.example", tags={{"domain": "orders"}},
)
customer_profile = FeatureView(
    "customer_profile", [customer], profiles,
    [Feature("email", "string", description="Contact address."), Feature("country", "string")],
    materialize="table", schedule="@daily", description="Who the customer is.",
)
churn = FeatureService("churn", ["customer_orders:*", "customer_profile:country"],
                       description="The churn model's features.")
basket = OnDemandView(
    "basket", ["customer_orders:amount", RequestField("cart_total", "float64", description="In the cart now.")],
    [Feature("share", "float64", description="The cart against the last order.")],
    expressions={{"share": "cart_total / NULLIF(amount, 0)"}}, description="Now against then.",
)
contact_check = OnDemandView("contact_check", ["customer_profile:email"], [Feature("has_email", "bool")],
                             expressions={{"has_email": "email IS NOT NULL"}})
"""


def build_shop(root: Path) -> Path:
    """Write, apply (version 1), refresh ``customer_orders``, save a dataset, apply version 2 and
    refresh again."""
    import pandas as pd

    from virtualfs.store import FeatureStore

    os.environ.update(TOKENS)
    root.mkdir(parents=True, exist_ok=True)
    (root / "virtualfs.yaml").write_text(CONFIG)
    _write_tables(root / "data" / "warehouse.duckdb")
    (root / "features.py").write_text(textwrap.dedent(DEFINITIONS.format(items_type="int64")))
    with FeatureStore(root, principal="ada") as store:
        store.apply()
        store.refresh(["customer_orders"], start=START, end=START + timedelta(days=41))
        labels = pd.DataFrame({"customer_id": [1, 2, 3],
                               "event_timestamp": [START + timedelta(days=d) for d in (10, 20, 30)]})
        store.get_historical_features(labels, "churn").save("churn_train", description="Three labels.")
    (root / "features.py").write_text(textwrap.dedent(DEFINITIONS.format(items_type="float64")))
    with FeatureStore(root, principal="ada") as store:  # the new type's table, refreshed again
        store.apply()
        store.refresh(["customer_orders"], start=START, end=START + timedelta(days=41))
    return root


def _write_tables(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, ordered_at TIMESTAMP, "
                           "loaded_at TIMESTAMP, amount DOUBLE, items BIGINT, channel VARCHAR)")
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (o, c, START + timedelta(days=d), START + timedelta(days=d, minutes=5), a, n, ch)
            for o, c, d, a, n, ch in ORDERS])
        connection.execute("CREATE TABLE customers (customer_id BIGINT, email VARCHAR, country VARCHAR, "
                           "signup_at TIMESTAMP)")
        connection.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)", CUSTOMERS)
