"""Check results kept per refresh run: what each check of a view observed, and whether it passed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from virtualfs.catalog import tables


@dataclass(frozen=True)
class CheckResult:
    """What one check observed over the rows it judged.

    ``observed`` is the number the check compares (a fraction not null, a count of values out
    of bounds, a mean, a row count, a count of repeated rows; None over no values);
    ``observation`` says it in words with the details (``3 of 10 rows outside ... (min -5)``).
    """

    view: str
    check: str
    condition: str
    column: str | None
    severity: str  # "error" | "warn"
    scope: str  # "window" | "table"
    rows: int
    observed: float | int | None
    observation: str
    expected: str
    passed: bool

    @property
    def blocks(self) -> bool:
        """Whether this result stops a refresh: a failed ``error`` check."""
        return not self.passed and self.severity == "error"

    def text(self) -> str:
        """One line naming the view, the check and the numbers.

        >>> CheckResult("orders", "amount_not_null", "not_null", "amount", "error", "window", 10, 0.5,
        ...             "0.5 of 10 rows not null", "at least 0.99 of rows not null", False).text()
        ... # doctest: +NORMALIZE_WHITESPACE
        "feature view 'orders': check 'amount_not_null' failed: 0.5 of 10 rows not null,
         expected at least 0.99 of rows not null"
        """
        outcome = "passed" if self.passed else "failed" if self.severity == "error" else "failed (warn)"
        return (f"feature view {self.view!r}: check {self.check!r} {outcome}: {self.observation}, "
                f"expected {self.expected}")

    def data(self) -> dict:
        """JSON-able, for ``--json`` output."""
        return {"view": self.view, "check": self.check, "condition": self.condition, "column": self.column,
                "severity": self.severity, "scope": self.scope, "rows": self.rows, "observed": self.observed,
                "observation": self.observation, "expected": self.expected, "passed": self.passed}


@dataclass(frozen=True)
class CheckedRun:
    """A refresh run of a view and the results of its checks."""

    run_id: str
    started_at: datetime
    status: str
    results: tuple[CheckResult, ...]


class CheckResults:
    """The check results of one project's refresh runs."""

    def __init__(self, engine: sa.Engine, project: str) -> None:
        self.engine, self.project = engine, project

    def record(self, run_id: str, results: Sequence[CheckResult]) -> None:
        """File ``results`` under run ``run_id`` (in one transaction)."""
        if not results:
            return
        rows = [{"project": self.project, "run_id": run_id, "position": position, "view": r.view,
                 "check_name": r.check, "condition": r.condition, "column_name": r.column,
                 "severity": r.severity, "scope": r.scope, "rows_checked": r.rows,
                 "observed": json.dumps(r.observed), "observation": r.observation, "expected": r.expected,
                 "passed": r.passed} for position, r in enumerate(results)]
        with self.engine.begin() as connection:
            connection.execute(tables.check_results.insert(), rows)

    def of_runs(self, run_ids: Iterable[str]) -> dict[str, tuple[CheckResult, ...]]:
        """The results of each of ``run_ids`` that has any, in the order the checks are declared."""
        wanted = list(run_ids)
        if not wanted:
            return {}
        c = tables.check_results
        query = sa.select(c).where(c.c.project == self.project, c.c.run_id.in_(wanted)).order_by(
            c.c.run_id, c.c.position)
        found: dict[str, list[CheckResult]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                found.setdefault(row.run_id, []).append(_result(row))
        return {run_id: tuple(results) for run_id, results in found.items()}

    def latest(self, view: str) -> CheckedRun | None:
        """The newest run of ``view`` that checked anything, with its results."""
        c, r = tables.check_results, tables.runs
        checked = sa.select(c.c.run_id).where(c.c.project == self.project, c.c.view == view)
        query = sa.select(r.c.run_id, r.c.started_at, r.c.status).where(
            r.c.project == self.project, r.c.run_id.in_(checked)).order_by(r.c.started_at.desc()).limit(1)
        with self.engine.connect() as connection:
            run = connection.execute(query).first()
        if run is None:
            return None
        results = self.of_runs([run.run_id]).get(run.run_id, ())
        return CheckedRun(run.run_id, datetime.fromisoformat(run.started_at), run.status, results)


def _result(row: sa.Row) -> CheckResult:
    return CheckResult(row.view, row.check_name, row.condition, row.column_name, row.severity, row.scope,
                       row.rows_checked, json.loads(row.observed) if row.observed is not None else None,
                       row.observation, row.expected, bool(row.passed))
