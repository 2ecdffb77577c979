"""dialects/<dialect>/*.sql: every kind of query virtualfs sends, for the example repository, in
every dialect — a training frame with aggregations, a refresh window, the checks of its staged
rows, the latest rows a materialization reads, and the aggregation snapshot it stores online.

Regenerated and compared on every run; ``pytest --update-golden`` rewrites them on purpose.
Each file also parses back in its own dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlglot

from virtualfs.compile.aggregate.lookup import feature_dtype, typed_lookup
from virtualfs.compile.aggregate.snapshot import build_snapshot_query
from virtualfs.compile.checks import build_check_query
from virtualfs.compile.feature_schema import DEFAULT_FEATURE_SCHEMA, FeatureSchema
from virtualfs.compile.latest import build_latest_query
from virtualfs.compile.refresh import RowWindow, build_view_rows, view_tables, window_column
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.compile.scan import source_relation
from virtualfs.compile.service import service_sql
from virtualfs.definitions import DType
from virtualfs.dialects import KNOWN, capabilities_of
from virtualfs.dialects import dialect as dialect_of
from virtualfs.dialects.render import to_sql
from virtualfs.registry import Registry
from virtualfs.repository import load_repository

ROOT = Path(__file__).parents[1]
SINCE = datetime(2026, 9, 1, tzinfo=timezone.utc)
AS_OF = datetime(2026, 9, 30, 12, tzinfo=timezone.utc)
# what the warehouse reports for the columns the example's aggregations read
INPUT_TYPES = {"amount": DType.FLOAT64, "order_id": DType.INT64, "price": DType.FLOAT64}


def historical(registry: Registry, dialect: str) -> str:
    return service_sql(registry, "reorder_model", dialect)


def refresh_window(registry: Registry, dialect: str) -> str:
    view = registry.view("customer_activity")
    window = RowWindow(window_column(view), SINCE - view.effective_lookback, None)
    return _text(build_view_rows(view, source_relation(view.source, dialect), dialect, window), dialect)


def checks(registry: Registry, dialect: str) -> str:
    view = registry.view("customer_activity")
    staged = view_tables(FeatureSchema.of(DEFAULT_FEATURE_SCHEMA, "shop"), view, dialect).staging
    return _text(build_check_query(view, {"window": staged, "table": staged}, dialect).select, dialect)


def latest_rows(registry: Registry, dialect: str) -> str:
    return _text(build_latest_query(registry.view("customer_orders"), SINCE, AS_OF, dialect), dialect)


def snapshot(registry: Registry, dialect: str) -> str:
    view = registry.view("customer_activity")
    features = tuple(FeatureColumn(n, n, feature_dtype(view, n)) for n in view.feature_names)
    typed = typed_lookup(ViewLookup(view, features), INPUT_TYPES)
    return _text(build_snapshot_query(typed, AS_OF, dialect, capabilities_of(dialect)), dialect)


KINDS: dict[str, Callable[[Registry, str], str]] = {
    "historical_reorder_model": historical,
    "refresh_customer_activity": refresh_window,
    "checks_customer_activity": checks,
    "latest_customer_orders": latest_rows,
    "snapshot_customer_activity": snapshot,
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_repository(ROOT / "definitions")


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("dialect", list(KNOWN))
def test_golden_sql(registry, dialect: str, kind: str, update_golden: bool) -> None:
    path = ROOT / "dialects" / dialect / f"{kind}.sql"
    sql = KINDS[kind](registry, dialect)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert path.is_file(), f"{path} is missing; run pytest --update-golden"
    assert sql == path.read_text(), f"{path} is out of date; review the change, then pytest --update-golden"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("dialect", list(KNOWN))
def test_golden_file_parses_in_its_own_dialect(dialect: str, kind: str) -> None:
    text = (ROOT / "dialects" / dialect / f"{kind}.sql").read_text()
    dialect_of(dialect)  # a dialect module may extend sqlglot's (spark reads LEFT ASOF JOIN)
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    assert statements and all(isinstance(s, (sqlglot.exp.Query, sqlglot.exp.Create, sqlglot.exp.Drop)) for s in statements)


def test_every_golden_file_is_one_the_suite_writes():
    expected = {f"{dialect}/{kind}.sql" for dialect in KNOWN for kind in KINDS}
    found = {f"{p.parent.name}/{p.name}" for p in (ROOT / "dialects").glob("*/*.sql")}
    assert found == expected


def _text(tree: sqlglot.exp.Expression, dialect: str) -> str:
    return to_sql(tree, dialect, pretty=True) + ";\n"
