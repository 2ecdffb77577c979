"""On-demand features in a training frame: each output's program (``transforms.program``) rendered
over the frame's own columns, in the query's last SELECT, so it runs in the warehouse.

Its inputs are the looked-up features of that SELECT (projected under their outputs, hidden ones
under ``_vfs_in_*`` names that the last SELECT then drops) and the entity rows' request columns.
Division is ``CAST(a AS DOUBLE) / NULLIF(CAST(b AS DOUBLE), 0)`` on every dialect: true division,
and null for a zero divisor, as the Python evaluator of the online read computes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.checks import literal
from virtualfs.definitions import DType, OnDemandView
from virtualfs.dialects.types import sql_type
from virtualfs.transforms.text import loads

DOUBLE = exp.DataType.build("DOUBLE")


@dataclass(frozen=True)
class DerivedColumn:
    """Output ``output`` (of ``dtype``) computed by ``program`` (JSON text) whose column names
    ``features`` maps to output columns of the query and ``requests`` to entity columns.
    ``masked``: computed from a feature the principal reads masked, so it is null."""

    output: str
    program: str
    features: tuple[tuple[str, str], ...]
    requests: tuple[tuple[str, str], ...]
    dtype: DType
    masked: bool = False


def add_derived(select: exp.Select, derived: Sequence[DerivedColumn], hidden: frozenset[str],
                dialect: str) -> exp.Select:
    """``select`` with ``derived`` appended to its projections and the ``hidden`` columns removed."""
    projected = {p.alias_or_name: p.this if isinstance(p, exp.Alias) else p for p in select.expressions}
    kept = [p for p in select.expressions if p.alias_or_name not in hidden]
    for column in derived:
        stored = sql_type(column.dtype, dialect)
        if column.masked:
            value: exp.Expression = exp.Cast(this=exp.Null(), to=stored)
        else:
            inputs = {name: projected[output] for name, output in column.features}
            inputs.update({name: names.column(entity, names.ENTITY) for name, entity in column.requests})
            value = exp.Cast(this=build_program(loads(column.program), inputs), to=stored)
        kept.append(names.alias(value, column.output))
    select.set("expressions", kept)
    return select


def build_probe(view: OnDemandView, dtypes: Mapping[str, DType], dialect: str) -> exp.Select:
    """``SELECT <each expression> FROM (SELECT CAST(NULL AS <type>) AS <input>, ...)``: a query the
    warehouse types without reading a row, so that an expression it cannot compute (a number
    added to text) is refused when applied, not when a frame is first asked for."""
    inputs = exp.select(*(names.alias(exp.Cast(this=exp.Null(), to=sql_type(dtype, dialect)), name)
                          for name, dtype in dtypes.items()))
    columns = {name: names.column(name, names.SOURCE) for name in dtypes}
    outputs = [names.alias(exp.Cast(this=build_program(loads(view.programs[f.name]), columns),
                                    to=sql_type(f.dtype, dialect)), f.name) for f in view.features]
    return exp.select(*outputs).from_(exp.Subquery(this=inputs, alias=exp.TableAlias(
        this=names.identifier(names.SOURCE))))


def build_program(program: list, columns: Mapping[str, exp.Expression]) -> exp.Expression:
    """The SQL tree of ``program``, its column names replaced by ``columns``.

    >>> from virtualfs.dialects.render import to_sql
    >>> to_sql(build_program(["/", ["col", "a"], ["lit", 2]], {"a": exp.column("x")}), "postgres")
    '(CAST("x" AS DOUBLE PRECISION) / NULLIF(CAST(2 AS DOUBLE PRECISION), 0))'
    """
    head = program[0]
    if head == "col":
        return columns[program[1]].copy()
    if head == "lit":
        return literal(program[1])
    if head == "null":
        return exp.Null()
    if head == "case":
        ifs = [exp.If(this=build_program(when, columns), true=build_program(then, columns))
               for when, then in program[1]]
        return exp.Case(ifs=ifs, default=build_program(program[2], columns))
    children = [build_program(child, columns) for child in program[1:]]
    return _BUILD[head](*children)


def _binary(kind: type[exp.Binary]) -> Callable[[exp.Expression, exp.Expression], exp.Expression]:
    return lambda a, b: exp.Paren(this=kind(this=a, expression=b))


def _divide(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    divisor = exp.Nullif(this=exp.Cast(this=b, to=DOUBLE.copy()), expression=exp.Literal.number(0))
    return exp.Paren(this=exp.Div(this=exp.Cast(this=a, to=DOUBLE.copy()), expression=divisor))


def _modulo(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Paren(this=exp.Mod(this=a, expression=exp.Nullif(this=b, expression=exp.Literal.number(0))))


_BUILD: dict[str, Callable[..., exp.Expression]] = {
    "+": _binary(exp.Add), "-": _binary(exp.Sub), "*": _binary(exp.Mul), "/": _divide, "%": _modulo,
    "=": _binary(exp.EQ), "<>": _binary(exp.NEQ), "<": _binary(exp.LT), "<=": _binary(exp.LTE),
    ">": _binary(exp.GT), ">=": _binary(exp.GTE), "and": _binary(exp.And), "or": _binary(exp.Or),
    "neg": lambda a: exp.Neg(this=exp.Paren(this=a)), "not": lambda a: exp.Not(this=exp.Paren(this=a)),
    "isnull": lambda a: exp.Paren(this=exp.Is(this=a, expression=exp.Null())),
    "coalesce": lambda a, *rest: exp.Coalesce(this=a, expressions=list(rest)),
    "nullif": lambda a, b: exp.Nullif(this=a, expression=b),
    "abs": lambda a: exp.Abs(this=a),
}
