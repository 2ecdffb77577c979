"""Judging what a check query observed: a few numbers per check in, a :class:`CheckResult` out. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from virtualfs.catalog.check_results import CheckResult
from virtualfs.definitions import Check, FeatureView

# (observed, observation, passed) from the rows judged and the check's parts
Verdict = tuple[float | int | None, str, bool]


def judge(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> CheckResult:
    """The result of ``check`` given ``rows`` (how many rows it judged) and what its parts observed.

    >>> from virtualfs import Entity, Feature, Source
    >>> view = FeatureView("v", [Entity("c", ["id"])], Source("s", table="t", timestamp="ts"),
    ...                    [Feature("amount", "float64")], checks=[Check("amount", not_null=0.9)])
    >>> judge(view, view.checks[0], 4, {"present": 3}).observation
    '0.75 of 4 rows not null (1 null)'
    """
    plain = {part: _plain(value) for part, value in parts.items()}
    observed, observation, passed = _VERDICTS[check.condition](view, check, rows, plain)
    return CheckResult(view.name, check.name, check.condition, check.column, check.severity, check.scope,
                       rows, observed, observation, check.expected, passed)


def _not_null(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    present = int(parts["present"] or 0)
    if not rows:
        return None, "no rows", True
    fraction = present / rows
    return fraction, f"{fraction:.6g} of {rows:,} rows not null ({rows - present:,} null)", \
        fraction >= (check.not_null or 0)


def _between(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    outside = int(parts["outside"] or 0)
    span = f"min {_show(parts['min'])}, max {_show(parts['max'])}"
    return outside, f"{outside:,} of {rows:,} rows outside ({span})", outside == 0


def _values(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    outside = int(parts["outside"] or 0)
    example = f" (e.g. {parts['example']!r})" if outside else ""
    return outside, f"{outside:,} of {rows:,} rows with another value{example}", outside == 0


def _mean_between(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    mean = parts["mean"]
    if mean is None:
        return None, f"no values in {rows:,} rows", True
    low, high = check.mean_between or (None, None)
    return float(mean), f"mean {_show(float(mean))} over {rows:,} rows", low <= mean <= high


def _rows_at_least(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    return rows, f"{rows:,} rows", rows >= (check.rows_at_least or 0)


def _unique_per_time(view: FeatureView, check: Check, rows: int, parts: Mapping[str, Any]) -> Verdict:
    repeated = rows - int(parts["groups"] or 0)
    keys = check.column or ", ".join(view.join_keys)
    text = f"{repeated:,} of {rows:,} rows repeat the {keys} and event time of another row"
    return repeated, text, repeated == 0


_VERDICTS: dict[str, Callable[[FeatureView, Check, int, Mapping[str, Any]], Verdict]] = {
    "not_null": _not_null,
    "between": _between,
    "values": _values,
    "mean_between": _mean_between,
    "rows_at_least": _rows_at_least,
    "unique_per_time": _unique_per_time,
}


def _plain(value: Any) -> Any:
    """Warehouses answer counts and bounds as integers, floats or decimals: plain numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _show(value: Any) -> str:
    if value is None:
        return "none"
    return f"{value:.6g}" if isinstance(value, float) else str(value)
