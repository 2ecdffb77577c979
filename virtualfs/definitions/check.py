"""Check: a condition the rows of a view must meet before a refresh publishes them.

``Check("amount", not_null=0.99)`` says at least 99% of the rows have an amount. A refresh
evaluates every check of a view on the rows it staged for a window, in one query, before it
swaps them in; an ``error`` check that fails stops the refresh, a ``warn`` check is recorded.
Changing a check changes whether rows are published, never what a row is: it is not part of
the view's fingerprint, so it never invalidates a watermark or forces a rebuild.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from virtualfs.definitions.base import check_field, check_identifier, set_frozen
from virtualfs.definitions.dtypes import DType
from virtualfs.errors import DefinitionError

# The conditions, in the order they are documented; a check gives exactly one.
CONDITIONS = ("not_null", "between", "values", "mean_between", "rows_at_least", "unique_per_time")
SEVERITIES = ("error", "warn")
# "window": the rows a run stages (and swaps in) for its window; "table": the table as it would
# be after the swap (its rows outside the window, then the staged ones).
SCOPES = ("window", "table")
_NUMERIC = frozenset({DType.INT64, DType.FLOAT64})
_WITHOUT_COLUMN = ("rows_at_least", "unique_per_time")


@dataclass(frozen=True)
class Check:
    """One condition on a view's rows, e.g. ``Check("device", values=["mobile", "desktop"])``.

    - ``not_null=0.99``: at least that fraction of the rows has a value in ``column``;
    - ``between=(0, 100_000)``: every value is within the bounds (``None``: unbounded side);
    - ``values=[...]``: every value is one of these;
    - ``mean_between=(10, 200)``: the mean of the values is within the bounds;
    - ``rows_at_least=1000``: at least that many rows (no column);
    - ``unique_per_time=True``: no two rows share ``column`` (without one: the view's join keys)
      and the event time.

    Nulls are left to ``not_null``: the other conditions judge the values present, and every
    condition but ``rows_at_least`` holds over no rows. ``severity="warn"`` records a failure
    and lets the refresh go on. ``name`` defaults to ``<column>_<condition>``.

    >>> Check("amount", not_null=0.99).name, Check(rows_at_least=1000).expected
    ('amount_not_null', 'at least 1000 rows')
    """

    kind: ClassVar[str] = "check"

    column: str | None = check_field(default=None)
    not_null: float | None = check_field(default=None)
    between: tuple[float | None, float | None] | None = check_field(default=None)
    values: tuple[str | int | bool, ...] | None = check_field(default=None)
    mean_between: tuple[float, float] | None = check_field(default=None)
    rows_at_least: int | None = check_field(default=None)
    unique_per_time: bool = check_field(default=False)
    severity: str = check_field(default="error")
    scope: str = check_field(default="window")
    name: str = check_field(default="")

    def __post_init__(self) -> None:
        given = [c for c in CONDITIONS if _given(getattr(self, c))]
        label = str(self.name or self.column or "check")
        if len(given) != 1:
            problem = f"give exactly one of {', '.join(c + '=' for c in CONDITIONS)}; got {len(given)}"
            raise DefinitionError(self.kind, label, problem + (f" ({', '.join(given)})" if given else ""))
        if self.column is not None:
            check_identifier(self.kind, label, self.column, "column")
        name = self.name or _default_name(self, given[0])
        set_frozen(self, "name", check_identifier(self.kind, label, name, "name"))
        condition = given[0]
        self._check_column(condition)
        _CHECKERS[condition](self)
        for what, allowed in (("severity", SEVERITIES), ("scope", SCOPES)):
            if getattr(self, what) not in allowed:
                self._refuse(f"{what} must be one of {', '.join(allowed)}, got {getattr(self, what)!r}")

    @property
    def condition(self) -> str:
        """Which condition this check states: ``not_null``, ``between``, ..."""
        return next(c for c in CONDITIONS if _given(getattr(self, c)))

    @property
    def expected(self) -> str:
        """What the check expects, as a person reads it: ``at least 0.99 of rows not null``."""
        return _EXPECTED[self.condition](self)

    def misfit(self, dtype: DType | None) -> str | None:
        """Why this check cannot judge a column of ``dtype`` (None: it can, or the type is unknown)."""
        if dtype is None or self.column is None:
            return None
        if self.condition in ("between", "mean_between") and dtype not in _NUMERIC:
            return f"{self.condition} needs a number column, but {self.column!r} is {dtype}"
        if self.condition == "values" and dtype not in _value_dtypes(self.values or ()):
            return f"values {list(self.values or ())} cannot be compared with {self.column!r} of type {dtype}"
        return None

    def _check_column(self, condition: str) -> None:
        if self.column is None:
            if condition not in _WITHOUT_COLUMN:
                self._refuse(f"{condition} needs a column: Check(\"column\", {condition}=...)")
            return
        if condition == "rows_at_least":
            self._refuse("rows_at_least counts rows and takes no column")

    def _refuse(self, problem: str) -> None:
        raise DefinitionError(self.kind, self.name, problem)


def _given(value: object) -> bool:
    # ``not_null=0`` is given (and refused); ``unique_per_time=False`` is the default, not given
    return value is not None and value is not False


def _default_name(check: Check, condition: str) -> str:
    return f"{check.column}_{condition}" if check.column else condition


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _bounds(check: Check, what: str, open_ends: bool) -> None:
    value = getattr(check, what)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) != 2:
        check._refuse(f"{what} must be two bounds (low, high), got {value!r}")
    low, high = value
    allowed = [b for b in (low, high) if not (open_ends and b is None)]
    if not allowed or not all(_is_number(b) for b in allowed):
        needs = "numbers, or None for an open side (not both)" if open_ends else "numbers"
        check._refuse(f"{what} bounds must be {needs}, got {value!r}")
    if len(allowed) == 2 and low > high:
        check._refuse(f"{what} low bound {low!r} is above the high bound {high!r}")
    set_frozen(check, what, (low, high))


def _check_not_null(check: Check) -> None:
    if not _is_number(check.not_null) or not 0 < check.not_null <= 1:
        check._refuse(f"not_null must be a fraction of rows in (0, 1], like 0.99, got {check.not_null!r}")
    set_frozen(check, "not_null", float(check.not_null))


def _check_values(check: Check) -> None:
    values = check.values
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
        check._refuse(f"values must be a non-empty list, got {values!r}")
    kinds = {bool if isinstance(v, bool) else str if isinstance(v, str) else int if isinstance(v, int)
             else None for v in values}
    if None in kinds or len(kinds) != 1:
        check._refuse(f"values must be all strings, all integers or all booleans, got {list(values)!r}")
    if len(set(values)) != len(values):
        check._refuse(f"values lists a value twice: {list(values)!r}")
    set_frozen(check, "values", tuple(values))


def _check_rows(check: Check) -> None:
    rows = check.rows_at_least
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        check._refuse(f"rows_at_least must be a whole number of rows, at least 1, got {rows!r}")


def _check_unique(check: Check) -> None:
    if check.unique_per_time is not True:
        check._refuse(f"unique_per_time must be True, got {check.unique_per_time!r}")


def _value_dtypes(values: tuple) -> frozenset[DType]:
    first = values[0] if values else ""
    if isinstance(first, bool):
        return frozenset({DType.BOOL})
    return _NUMERIC if isinstance(first, int) else frozenset({DType.STRING})


def _span(low: float | None, high: float | None) -> str:
    if low is None:
        return f"at most {high}"
    if high is None:
        return f"at least {low}"
    return f"within [{low}, {high}]"


_CHECKERS = {
    "not_null": _check_not_null,
    "between": lambda check: _bounds(check, "between", open_ends=True),
    "values": _check_values,
    "mean_between": lambda check: _bounds(check, "mean_between", open_ends=False),
    "rows_at_least": _check_rows,
    "unique_per_time": _check_unique,
}
_EXPECTED = {
    "not_null": lambda c: f"at least {c.not_null} of rows not null",
    "between": lambda c: f"every value {_span(*c.between)}",
    "values": lambda c: "every value one of " + ", ".join(repr(v) for v in c.values),
    "mean_between": lambda c: f"mean {_span(*c.mean_between)}",
    "rows_at_least": lambda c: f"at least {c.rows_at_least} row{'' if c.rows_at_least == 1 else 's'}",
    "unique_per_time": lambda c: f"no two rows with the same {c.column or 'keys'} and event time",
}
