"""Trino: neither ``QUALIFY`` nor ``ASOF`` (sqlglot rewrites ``QUALIFY`` into a sub-query);
its bare TIMESTAMP has millisecond precision, so times are compared as TIMESTAMP(6)."""

from virtualfs.dialects.base import Capabilities, Dialect

DIALECT = Dialect(
    name="trino",
    capabilities=Capabilities(max_query_length=1_000_000),
    naive_timestamp="TIMESTAMP(6)",
)
