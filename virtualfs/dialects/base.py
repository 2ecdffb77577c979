"""What a SQL dialect is, to virtualfs: a small table of facts, one module per dialect.

A dialect module declares a :class:`Dialect`: the capabilities that choose compile strategies,
the types it stores feature dtypes as, the type names its driver reports, the types entity
times are compared as, and its time arithmetic. Identifier folding and rendering are sqlglot's,
by the dialect's name. Adding a warehouse's dialect is adding one module and naming it in
``virtualfs.dialects.KNOWN``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlglot import exp

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects.statistics import Statistics

# Stored when a dialect states no type of its own.
GENERIC_TYPES: Mapping[DType, str] = MappingProxyType({
    DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE", DType.STRING: "VARCHAR",
    DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMPTZ",
})


def sha256_hex(text: exp.Expression) -> exp.Expression:
    """The SHA-256 of a text's UTF-8 bytes as 64 lower-case hex digits: ``SHA2(text, 256)``, which
    sqlglot writes as each dialect spells it where that gives hex (DuckDB, Snowflake, Databricks)."""
    return exp.SHA2(this=text, length=exp.Literal.number(256))


@dataclass(frozen=True)
class Capabilities:
    """What a dialect can run; the compiler picks its strategies from these flags, never from names."""

    supports_asof_join: bool = False
    supports_match_condition: bool = False
    # ``LEFT ASOF JOIN ... MATCH_CONDITION (...) ON ...`` (Spark 4.3, whose plain ASOF JOIN is inner)
    supports_left_asof_match: bool = False
    supports_qualify: bool = False
    supports_lateral: bool = False
    supports_distinct_on: bool = False
    supports_temp_tables: bool = True
    # Times as integer microseconds (``Dialect.epoch_micros``): what the tiled aggregation needs.
    supports_epoch_micros: bool = False
    # DDL inside a transaction (DuckDB, PostgreSQL): a rebuilt table can be renamed into place.
    supports_transactional_ddl: bool = False
    # Source scans cross joined to the entity rows' (min, max) time. PostgreSQL plans such a join
    # with default selectivities (a ninth of the table) and then builds its hash join on the wrong
    # side, so there the scans are left whole (bench/offline.py --warehouse postgres: 1.11 s -> 0.77 s).
    # Spark evaluates the cross join as a nested loop over every source row before its hash join
    # (bench/offline.py --warehouse spark, small, known rule: 8.1 s -> 4.8 s).
    prunes_by_entity_bounds: bool = True
    # ``WITH x AS MATERIALIZED (...)``: a CTE read several times is computed once (profiles keep the
    # rows of a time window once instead of filtering the source again for every statistic).
    supports_materialized_cte: bool = False
    max_query_length: int = 1_000_000
    max_joins_per_query: int = 40


@dataclass(frozen=True)
class Dialect:
    """Everything virtualfs knows about one SQL dialect.

    ``name`` is sqlglot's name for it. ``naive_timestamp``: the type uploaded entity times (UTC
    instants) are compared as — the naive type most source tables use, so the warehouse converts
    each entity time once instead of every source row; None compares them as stored.
    ``epoch_micros``: a timestamp expression (naive = UTC) as BIGINT microseconds since the epoch.
    ``integer_division``: ``//`` on BIGINT divides exactly.
    ``statistics``: how profiles count distinct values and compute quantiles (None: no profiles).
    ``exact_sum_type``: the fixed-point type sums of floats are taken in (``dialects.sums``): its
    sum is exact, so the same rows give the same bits whatever order the warehouse adds them in.
    ``hex_integer``: eight lower-case hex digits (text) as a BIGINT; None: digit by digit
    (``dialects.canonical``).
    ``sha256_hex``: a text's SHA-256 as lower-case hex, what masks PII (``compile.mask``); the same
    digest Python's ``hashlib`` gives, so masks agree offline, online and in the warehouse's own views.
    """

    name: str
    capabilities: Capabilities
    naive_timestamp: str | None = "TIMESTAMP"
    sql_types: Mapping[DType, str] = field(default_factory=dict)
    driver_types: Mapping[str, DType] = field(default_factory=dict)
    epoch_micros: Callable[[exp.Expression], exp.Expression] | None = None
    integer_division: bool = False
    max_identifier_bytes: int = 255
    statistics: Statistics | None = None
    exact_sum_type: str = "DECIMAL(38, 12)"
    hex_integer: Callable[[exp.Expression], exp.Expression] | None = None
    sha256_hex: Callable[[exp.Expression], exp.Expression] = sha256_hex

    def __post_init__(self) -> None:
        if self.capabilities.supports_epoch_micros != (self.epoch_micros is not None):
            raise ValueError(f"dialect {self.name}: supports_epoch_micros and epoch_micros disagree")

    def stored_type(self, dtype: DType) -> str:
        """The SQL type name this dialect stores a feature of ``dtype`` as."""
        return self.sql_types.get(dtype, GENERIC_TYPES[dtype])
