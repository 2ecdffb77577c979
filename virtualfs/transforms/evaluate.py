"""Evaluate a program (``transforms.program``) in Python, with SQL's rules: null in, null out;
three-valued AND/OR; a CASE branch is taken only when its condition is true; true division, and
a zero divisor gives null (as the compiled SQL does on every warehouse).

No SQL parser is loaded here: this is the online read path.

>>> run = compile_program(["/", ["col", "a"], ["nullif", ["col", "b"], ["lit", 0]]])
>>> run({"a": 3, "b": 2}), run({"a": 3, "b": 0}), run({"a": None, "b": 2})
(1.5, None, None)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

Row = Mapping[str, Any]
Evaluator = Callable[[Row], Any]

_COMPARE = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}


def compile_program(program: list) -> Evaluator:
    """A function of one row (a mapping of column name to value) computing ``program``."""
    head = program[0]
    if head == "col":
        name = program[1]
        return lambda row: row[name]
    if head == "lit":
        value = program[1]
        return lambda row: value
    if head == "null":
        return lambda row: None
    if head == "case":
        return _case(program)
    children = [compile_program(child) for child in program[1:]]
    if head in _ARITHMETIC:
        return _arithmetic(_ARITHMETIC[head], *children)
    if head in _COMPARE:
        return _arithmetic(_COMPARE[head], *children)
    return _SPECIAL[head](*children)


def evaluate_columns(run: Evaluator, columns: Mapping[str, list], rows: int) -> list:
    """``run`` over ``rows`` rows given as columns."""
    names = list(columns)
    values = [columns[name] for name in names]
    return [run(dict(zip(names, row, strict=True))) for row in zip(*values, strict=True)] if names \
        else [run({}) for _ in range(rows)]


def _arithmetic(function: Callable[[Any, Any], Any], left: Evaluator, right: Evaluator) -> Evaluator:
    def run(row: Row) -> Any:
        a, b = left(row), right(row)
        return None if a is None or b is None else function(a, b)
    return run


def _divide(a: Any, b: Any) -> Any:
    return None if b == 0 else float(a) / float(b)


def _modulo(a: Any, b: Any) -> Any:
    if b == 0:
        return None
    # SQL's remainder takes the dividend's sign (Python's % takes the divisor's)
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    return math.fmod(a, b)


def _negate(inner: Evaluator) -> Evaluator:
    return lambda row: None if (value := inner(row)) is None else -value


def _and(left: Evaluator, right: Evaluator) -> Evaluator:

    def run(row: Row) -> bool | None:
        a, b = left(row), right(row)
        if a is False or b is False:
            return False
        return None if a is None or b is None else True
    return run


def _or(left: Evaluator, right: Evaluator) -> Evaluator:

    def run(row: Row) -> bool | None:
        a, b = left(row), right(row)
        if a is True or b is True:
            return True
        return None if a is None or b is None else False
    return run


def _not(inner: Evaluator) -> Evaluator:
    return lambda row: None if (value := inner(row)) is None else not value


def _is_null(inner: Evaluator) -> Evaluator:
    return lambda row: inner(row) is None


def _case(program: list) -> Evaluator:
    branches = [(compile_program(when), compile_program(then)) for when, then in program[1]]
    default = compile_program(program[2])

    def run(row: Row) -> Any:
        for when, then in branches:
            if when(row) is True:
                return then(row)
        return default(row)
    return run


def _coalesce(*children: Evaluator) -> Evaluator:
    def run(row: Row) -> Any:
        for child in children:
            value = child(row)
            if value is not None:
                return value
        return None
    return run


def _nullif(left: Evaluator, right: Evaluator) -> Evaluator:

    def run(row: Row) -> Any:
        a, b = left(row), right(row)
        return None if a is None or (b is not None and a == b) else a
    return run


def _abs(inner: Evaluator) -> Evaluator:
    return lambda row: None if (value := inner(row)) is None else abs(value)


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _divide, "%": _modulo}
_SPECIAL = {"neg": _negate, "and": _and, "or": _or, "not": _not, "isnull": _is_null,
            "coalesce": _coalesce, "nullif": _nullif, "abs": _abs}
