"""dialects/<dialect>/historical_<service>.sql: what each warehouse runs for the example repository.

Regenerated and compared on every run; ``pytest --update-golden`` rewrites them on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from virtualfs.compile.service import service_sql
from virtualfs.dialects import KNOWN
from virtualfs.repository import load_repository

ROOT = Path(__file__).parents[1]
SERVICES = ("reorder_model",)


@pytest.fixture(scope="module")
def registry():
    return load_repository(ROOT / "definitions")


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("dialect", list(KNOWN))
def test_golden_historical_sql(registry, dialect: str, service: str, update_golden: bool) -> None:
    path = ROOT / "dialects" / dialect / f"historical_{service}.sql"
    sql = service_sql(registry, service, dialect)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert path.is_file(), f"{path} is missing; run pytest --update-golden"
    assert sql == path.read_text(), f"{path} is out of date; review the change, then pytest --update-golden"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("dialect", list(KNOWN))
def test_golden_file_parses_in_its_own_dialect(dialect: str, service: str) -> None:
    text = (ROOT / "dialects" / dialect / f"historical_{service}.sql").read_text()
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    assert statements and all(isinstance(s, (sqlglot.exp.Query, sqlglot.exp.Create)) for s in statements)
