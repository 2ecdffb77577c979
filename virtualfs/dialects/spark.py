"""Spark SQL (4.x): ``LEFT ASOF JOIN ... MATCH_CONDITION`` from 4.3, ``QUALIFY``; TIMESTAMPs are
instants in the session's time zone (UTC, set by the adapter), compared as stored.

These are the capabilities of Spark 4.3 and later; an adapter connected to an older Spark
declares :data:`BEFORE_4_3` instead (no ASOF join, no ``QUALIFY``: the window strategy runs).
Rendering goes through :mod:`virtualfs.dialects.spark_sql`, sqlglot's Spark dialect extended
with the ASOF join.
"""

import dataclasses
from collections.abc import Sequence

from sqlglot import exp

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects import spark_sql  # noqa: F401  (registers the extended dialect as "spark")
from virtualfs.dialects.base import Capabilities, Dialect
from virtualfs.dialects.statistics import Statistics, exact_distinct

FROM_4_3 = Capabilities(supports_left_asof_match=True, supports_qualify=True, supports_epoch_micros=True,
                        prunes_by_entity_bounds=False)
BEFORE_4_3 = dataclasses.replace(FROM_4_3, supports_left_asof_match=False, supports_qualify=False)


def _percentile_array(value: exp.Expression, fractions: Sequence[float]) -> list[exp.Expression]:
    """``ELEMENT_AT(PERCENTILE(value, ARRAY(f1, ...)), i)``: exact, one aggregate for every fraction
    (sqlglot would write ``PERCENTILE_CONT`` as the approximate ``PERCENTILE_APPROX`` here)."""
    every = exp.Anonymous(this="PERCENTILE", expressions=[
        value, exp.Array(expressions=[exp.Literal.number(f) for f in fractions])])
    return [exp.Anonymous(this="ELEMENT_AT", expressions=[every.copy(), exp.Literal.number(i + 1)])
            for i in range(len(fractions))]


def _hex_integer(text: exp.Expression) -> exp.Expression:
    digits = exp.Anonymous(this="CONV", expressions=[text, exp.Literal.number(16), exp.Literal.number(10)])
    return exp.cast(digits, "BIGINT")


DIALECT = Dialect(
    name="spark",
    capabilities=FROM_4_3,
    naive_timestamp=None,
    sql_types={DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE", DType.STRING: "STRING",
               DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMP"},
    epoch_micros=lambda value: exp.UnixMicros(this=value),
    integer_division=True,  # ``DIV`` truncates toward zero
    statistics=Statistics(exact_distinct, "exact (COUNT(DISTINCT))",
                          _percentile_array, "PERCENTILE(x, ARRAY(...)) (exact, linear interpolation)"),
    hex_integer=_hex_integer,
)
