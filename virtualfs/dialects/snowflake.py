"""Snowflake: ``ASOF JOIN ... MATCH_CONDITION`` and ``QUALIFY``; unquoted names fold to upper case."""

from sqlglot import exp

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects.base import Capabilities, Dialect
from virtualfs.dialects.statistics import Statistics, approximate_distinct, percentile_each

DIALECT = Dialect(
    name="snowflake",
    capabilities=Capabilities(supports_match_condition=True, supports_qualify=True,
                              supports_epoch_micros=True),
    naive_timestamp="TIMESTAMP_NTZ",
    sql_types={DType.INT64: "NUMBER(38, 0)", DType.FLOAT64: "FLOAT", DType.STRING: "VARCHAR",
               DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMP_TZ"},
    driver_types={
        "FIXED": DType.INT64,  # with a scale > 0 it is FLOAT64, see dialects.types.arrow_type_of
        "REAL": DType.FLOAT64,
        "TEXT": DType.STRING,
        "BOOLEAN": DType.BOOL,
        **dict.fromkeys(("TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ", "TIMESTAMP_TZ"), DType.TIMESTAMP),
    },
    epoch_micros=lambda value: exp.Extract(this=exp.var("EPOCH_MICROSECOND"), expression=value),
    # exact COUNT(DISTINCT) is the costliest statistic at warehouse scale; HyperLogLog is within ~2%
    statistics=Statistics(approximate_distinct, "approximate (APPROX_COUNT_DISTINCT, HyperLogLog)",
                          percentile_each, "PERCENTILE_CONT ... WITHIN GROUP (exact, linear interpolation)"),
)
