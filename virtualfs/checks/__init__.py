"""Checks: conditions a view's rows must meet, judged in the warehouse.

The flow, top-down: compile every check of a view over a relation into one query
(``compile.checks``), run it, and judge the few numbers it returns (``judge``). A refresh runs
them on the rows it staged, before the swap (``refresh.runner``); ``check_view`` runs them on
demand on the source's rows with an event time in ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from virtualfs.catalog.check_results import CheckResult
from virtualfs.checks.judge import judge
from virtualfs.compile.checks import ROWS, build_check_query
from virtualfs.compile.refresh import RowWindow, build_view_rows
from virtualfs.compile.scan import source_relation

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.definitions import FeatureView
    from virtualfs.warehouses.base import Warehouse

__all__ = ["CheckReport", "CheckResult", "check_view", "run_checks"]


@dataclass(frozen=True)
class CheckReport:
    """The checks of ``view`` run on demand on its source's rows with an event time in
    ``[start, end)`` (unbounded where None).

    Example::

        report = store.check("customer_orders", start=datetime(2026, 1, 1))
        report.passed, [r.text() for r in report.failures]
    """

    view: str
    start: datetime | None
    end: datetime | None
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """Whether no ``error`` check failed (a refresh of these rows would publish them)."""
        return not any(result.blocks for result in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """The failed checks, ``warn`` ones included."""
        return [result for result in self.results if not result.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "start": self.start, "end": self.end, "passed": self.passed,
                "results": [result.data() for result in self.results]}


def run_checks(warehouse: Warehouse, view: FeatureView,
               relations: Mapping[str, exp.Expression]) -> tuple[CheckResult, ...]:
    """Every check of ``view`` over ``relations[check.scope]``, in one query; () without checks."""
    if not view.checks:
        return ()
    query = build_check_query(view, relations, warehouse.dialect)
    answer = warehouse.fetch_arrow(query.select)
    values = [answer.column(n)[0].as_py() for n in range(answer.num_columns)]
    rows = {p.scope: int(v or 0) for p, v in zip(query.parts, values, strict=True) if p.part == ROWS}
    parts: dict[int, dict[str, Any]] = {}
    for part, value in zip(query.parts, values, strict=True):
        if part.index >= 0:
            parts.setdefault(part.index, {})[part.part] = value
    return tuple(judge(view, check, rows[check.scope], parts.get(index, {}))
                 for index, check in enumerate(view.checks))


def check_view(warehouse: Warehouse, view: FeatureView, start: datetime | None = None,
               end: datetime | None = None) -> CheckReport:
    """Run ``view``'s checks on its source's rows with an event time in ``[start, end)``: every
    check, whatever its scope, judges those rows."""
    dialect = warehouse.dialect
    window = RowWindow(view.source.timestamp, start, end)
    rows = build_view_rows(view, source_relation(view.source, dialect), dialect, window)
    results = run_checks(warehouse, view, {"window": rows, "table": rows})
    return CheckReport(view.name, start, end, results)
