"""``virtualfs init``: a small working repository — config, one file of definitions, sample data."""

from __future__ import annotations

from pathlib import Path

from virtualfs.errors import RepositoryError

CONFIG_TEMPLATE = """\
project: {project}
warehouse: {{type: duckdb, path: data/warehouse.duckdb}}   # relative to this file
online:    {{type: sqlite, path: .virtualfs/online.db}}
catalog:   {{url: "sqlite:///.virtualfs/catalog.db"}}      # any SQLAlchemy URL
"""

DEFINITIONS_TEMPLATE = '''\
"""Definitions of this repository. Every module-level definition in a *.py file is registered."""

from virtualfs import Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", join_keys=["customer_id"], description="A shopper.")

# `created` is when a row landed in the warehouse; a training row at time t only sees
# rows that had landed by t, so late data never leaks into the past.
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")

customer_orders = FeatureView(
    "customer_orders",
    entities=[customer],
    source=orders,
    features=[Feature("amount", "float64"), Feature("items", "int64")],
    ttl="30d",
    description="The customer's latest order.",
)

churn_model = FeatureService("churn_model", ["customer_orders:*"])
'''

# Fixed statements with no user values; the row count travels as a bound parameter.
SAMPLE_TABLE = """
CREATE OR REPLACE TABLE orders AS
SELECT i % 50 AS customer_id,
       TIMESTAMP '2026-01-01' + to_seconds(i * 3600) AS ordered_at,
       TIMESTAMP '2026-01-01' + to_seconds(i * 3600 + (i % 7) * 600) AS loaded_at,
       round(10 + (i * 37 % 200) / 3.0, 2) AS amount,
       (1 + i % 5)::BIGINT AS items
FROM range(?) t(i)
"""


def init_repository(folder: str | Path, project: str | None = None, rows: int = 2000) -> Path:
    """Create a working repository in ``folder`` (which must not hold a virtualfs.yaml yet)."""
    import duckdb

    root = Path(folder).resolve()
    if (root / "virtualfs.yaml").exists():
        raise RepositoryError(f"{root}: already a virtualfs repository (virtualfs.yaml exists)")
    name = project or _project_name(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "virtualfs.yaml").write_text(CONFIG_TEMPLATE.format(project=name))
    (root / "features.py").write_text(DEFINITIONS_TEMPLATE)
    (root / ".gitignore").write_text(".virtualfs/\ndata/\n")
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        connection.execute(SAMPLE_TABLE, [rows])
    return root


def _project_name(root: Path) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in root.name).strip("_") or "features"
    return cleaned if not cleaned[0].isdigit() else f"p_{cleaned}"
