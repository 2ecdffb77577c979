"""What each SQL dialect can run, as data. The PIT strategy is chosen from these flags.

Sources for the flags: DuckDB has ``ASOF JOIN``, ``QUALIFY``, ``LATERAL`` and ``DISTINCT ON``;
Snowflake has ``ASOF JOIN ... MATCH_CONDITION`` and ``QUALIFY``; PostgreSQL has ``LATERAL`` and
``DISTINCT ON`` but no ``QUALIFY``; BigQuery and Databricks have ``QUALIFY``; Trino has neither
(sqlglot rewrites ``QUALIFY`` into a ``ROW_NUMBER()`` sub-query there, and for PostgreSQL).
The limits are the documented statement-length limits, rounded down.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlglot import exp

from virtualfs.errors import UnsupportedError
from virtualfs.warehouses.base import Capabilities

DIALECT_CAPABILITIES: Mapping[str, Capabilities] = MappingProxyType({
    "duckdb": Capabilities(
        supports_asof_join=True, supports_qualify=True, supports_lateral=True, supports_distinct_on=True,
        supports_transactional_ddl=True,
    ),
    "snowflake": Capabilities(supports_match_condition=True, supports_qualify=True),
    # The planner switches to its genetic search beyond 12 joined relations: keep parts small.
    "postgres": Capabilities(supports_lateral=True, supports_distinct_on=True, max_joins_per_query=12,
                             supports_transactional_ddl=True, prunes_by_entity_bounds=False),
    "bigquery": Capabilities(supports_qualify=True, max_query_length=1_000_000),
    "databricks": Capabilities(supports_qualify=True),
    "trino": Capabilities(max_query_length=1_000_000),
})


# The type uploaded entity times (UTC instants) are compared as: the naive timestamp most source
# tables use, so the warehouse converts each entity time once instead of every source row in each
# comparison. None: compare as stored (BigQuery and Databricks TIMESTAMPs are UTC instants).
NAIVE_TIMESTAMP: Mapping[str, str | None] = MappingProxyType({
    "duckdb": "TIMESTAMP", "snowflake": "TIMESTAMP_NTZ", "postgres": "TIMESTAMP",
    "bigquery": None, "databricks": None, "trino": "TIMESTAMP(6)",  # Trino's bare TIMESTAMP is ms
})


def naive_timestamp(dialect: str) -> exp.DataType | None:
    """The type uploaded entity times are compared as in ``dialect`` (see ``NAIVE_TIMESTAMP``).

    >>> naive_timestamp("trino").sql("trino")
    'TIMESTAMP(6)'
    """
    name = NAIVE_TIMESTAMP.get(dialect)
    return None if name is None else exp.DataType.build(name, dialect=dialect)


def capabilities_of(dialect: str) -> Capabilities:
    """The capabilities of ``dialect``; an unknown dialect is an error naming the known ones.

    >>> capabilities_of("duckdb").supports_asof_join
    True
    """
    try:
        return DIALECT_CAPABILITIES[dialect]
    except KeyError:
        known = ", ".join(DIALECT_CAPABILITIES)
        raise UnsupportedError(f"dialect {dialect!r} is not supported; expected one of {known}") from None
