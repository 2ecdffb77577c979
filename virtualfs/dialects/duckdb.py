"""DuckDB: ``ASOF JOIN``, ``QUALIFY``, ``LATERAL``, ``DISTINCT ON``, transactional DDL."""

from sqlglot import exp

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects.base import Capabilities, Dialect
from virtualfs.dialects.statistics import Statistics, exact_distinct, quantile_list

DIALECT = Dialect(
    name="duckdb",
    capabilities=Capabilities(
        supports_asof_join=True, supports_qualify=True, supports_lateral=True, supports_distinct_on=True,
        supports_transactional_ddl=True, supports_epoch_micros=True, supports_materialized_cte=True,
    ),
    sql_types={DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE", DType.STRING: "VARCHAR",
               DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMPTZ"},
    epoch_micros=lambda value: exp.UnixMicros(this=value),
    integer_division=True,  # ``//`` truncates toward zero on BIGINT
    statistics=Statistics(exact_distinct, "exact (COUNT(DISTINCT))",
                          quantile_list, "QUANTILE_CONT (exact, linear interpolation)"),
    hex_integer=lambda text: exp.cast(exp.DPipe(this=exp.Literal.string("0x"), expression=text), "BIGINT"),
)
