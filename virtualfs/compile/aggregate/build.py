"""Assemble a view's aggregations: choose a formulation, build its CTEs, expose the result.

Example::

    query = build_aggregate_select(request, "duckdb")
    to_sql(query, "duckdb")
    # -> 'WITH "_vfs_a0_scan" AS (...) SELECT "_vfs_row", ... ORDER BY "_vfs_row"'
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.choose import Formulation, choose_formulation
from virtualfs.compile.aggregate.range_join import AggregateJoin
from virtualfs.compile.aggregate.spec import AggregateContext, AggregateRequest, output_name


def build_aggregate_join(request: AggregateRequest, dialect: str,
                         formulation: Formulation | None = None) -> AggregateJoin:
    """The CTEs computing ``request`` in ``dialect`` (default formulation: the best allowed)."""
    chosen = formulation or choose_formulation(dialect)
    return chosen.build(AggregateContext(request, dialect))


def build_aggregate_select(request: AggregateRequest, dialect: str,
                           formulation: Formulation | None = None) -> exp.Select:
    """``_vfs_row`` and one column per requested aggregation (its output name), in row order."""
    join = build_aggregate_join(request, dialect, formulation)
    result = names.table(join.result)
    outputs = [
        exp.alias_(names.column(output_name(i)), names.identifier(c.output), copy=False)
        for i, c in enumerate(request.columns)
    ]
    order = exp.Ordered(this=names.column(names.ROW), desc=False, nulls_first=False)
    select = exp.select(names.column(names.ROW), *outputs, copy=False).from_(result, copy=False)
    return with_ctes(select.order_by(order, copy=False), join.ctes)


def with_ctes(select: exp.Select, ctes: Sequence[tuple[str, exp.Query]]) -> exp.Select:
    """``select`` with ``ctes`` in front (after any it already has)."""
    existing = select.args.get("with_")
    current = list(existing.expressions) if existing is not None else []
    current += [exp.CTE(this=query, alias=exp.TableAlias(this=names.identifier(name)))
                for name, query in ctes]
    select.set("with_", exp.With(expressions=current))
    return select
