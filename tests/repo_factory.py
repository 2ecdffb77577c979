"""Build small feature repositories on disk for tests: config, definition files, a DuckDB table."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb

CONFIG = """\
project: {project}
warehouse: {{type: duckdb, path: data/warehouse.duckdb}}
online: {{type: sqlite, path: .virtualfs/online.db}}
catalog: {{url: "{catalog_url}"}}
"""

DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"], description="{entity_description}")
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64"), Feature("items", "int64")], ttl="{ttl}",
)
churn = FeatureService("churn", ["customer_orders:*"])
"""


def write_repo(root: Path, definitions: str | None = None, project: str = "shop",
               catalog_url: str = "sqlite:///.virtualfs/catalog.db", **values: str) -> Path:
    """A repository with one view over an ``orders`` table; ``values`` fill the template."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "virtualfs.yaml").write_text(CONFIG.format(project=project, catalog_url=catalog_url))
    fill = {"entity_description": "A shopper.", "ttl": "30d", **values}
    text = definitions if definitions is not None else DEFINITIONS.format(**fill)
    (root / "features.py").write_text(textwrap.dedent(text))
    make_orders_table(root / "data" / "warehouse.duckdb")
    return root


def make_orders_table(path: Path, amount_type: str = "DOUBLE") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("DROP TABLE IF EXISTS orders")
        connection.execute(
            "CREATE TABLE orders (customer_id BIGINT, ordered_at TIMESTAMP, loaded_at TIMESTAMP, "
            f"amount {amount_type}, items BIGINT)"
        )
        connection.execute(
            "INSERT INTO orders VALUES (1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02', 9.5, 2)"
        )


def table_watermark(store, view_name: str):
    """The watermark of ``view_name``'s refreshed table, as reads and refreshes see it."""
    return store.catalog.marks.watermark(view_name, store.copies.table_mark(store.get_feature_view(view_name)))


def online_watermark(store, view_name: str):
    """The watermark of ``view_name`` in the repository's online store."""
    from virtualfs.copies import online_mark

    mark = online_mark(store.get_feature_view(view_name), store.config.online.identity)
    return store.catalog.marks.watermark(view_name, mark)
