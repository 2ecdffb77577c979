"""PostgreSQL: ``LATERAL`` and ``DISTINCT ON``, no ``QUALIFY`` (sqlglot rewrites it into a
``ROW_NUMBER()`` sub-query); identifiers are cut at 63 bytes; DDL is transactional."""

from sqlglot import exp

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects.base import Capabilities, Dialect
from virtualfs.dialects.statistics import Statistics, exact_distinct, percentile_array


def _epoch_micros(value: exp.Expression) -> exp.Expression:
    # EXTRACT(EPOCH ...) is an exact numeric on PostgreSQL 14+, naive values read as UTC
    seconds = exp.Extract(this=exp.var("EPOCH"), expression=value)
    return exp.cast(exp.Mul(this=seconds, expression=exp.Literal.number(1_000_000)), "BIGINT")


def _hex_integer(text: exp.Expression) -> exp.Expression:
    # 'x' || digits read as a bit string, then as an integer
    bits = exp.cast(exp.DPipe(this=exp.Literal.string("x"), expression=text), exp.DataType.build("BIT(32)"))
    return exp.cast(bits, "BIGINT")


def _sha256_hex(text: exp.Expression) -> exp.Expression:
    # sha256() takes and gives bytea: encode the text as UTF-8 first, and the digest as hex after
    utf8 = exp.Anonymous(this="CONVERT_TO", expressions=[text, exp.Literal.string("UTF8")])
    digest = exp.Anonymous(this="SHA256", expressions=[utf8])
    return exp.Anonymous(this="ENCODE", expressions=[digest, exp.Literal.string("hex")])


DIALECT = Dialect(
    name="postgres",
    # The planner switches to its genetic search beyond 12 joined relations: keep parts small.
    capabilities=Capabilities(supports_lateral=True, supports_distinct_on=True, max_joins_per_query=12,
                              supports_transactional_ddl=True, prunes_by_entity_bounds=False,
                              supports_epoch_micros=True, supports_materialized_cte=True),
    sql_types={DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE PRECISION", DType.STRING: "TEXT",
               DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMPTZ"},
    driver_types={
        **dict.fromkeys(("int2", "int4", "int8", "oid"), DType.INT64),
        **dict.fromkeys(("float4", "float8", "numeric"), DType.FLOAT64),
        **dict.fromkeys(("text", "varchar", "bpchar", "char", "name"), DType.STRING),
        "bool": DType.BOOL,
        **dict.fromkeys(("timestamp", "timestamptz"), DType.TIMESTAMP),
    },
    epoch_micros=_epoch_micros,
    max_identifier_bytes=63,  # NAMEDATALEN - 1: longer names are silently truncated by the server
    statistics=Statistics(exact_distinct, "exact (COUNT(DISTINCT))",
                          percentile_array, "PERCENTILE_CONT ... WITHIN GROUP (exact, linear interpolation)"),
    hex_integer=_hex_integer,
    sha256_hex=_sha256_hex,
)
