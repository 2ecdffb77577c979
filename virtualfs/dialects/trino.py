"""Trino: neither ``QUALIFY`` nor ``ASOF`` (sqlglot rewrites ``QUALIFY`` into a sub-query);
its bare TIMESTAMP has millisecond precision, so times are compared as TIMESTAMP(6)."""

from sqlglot import exp

from virtualfs.dialects.base import Capabilities, Dialect


def _sha256_hex(text: exp.Expression) -> exp.Expression:
    # sha256 takes and gives VARBINARY; to_hex writes upper case
    digest = exp.Anonymous(this="SHA256", expressions=[exp.Anonymous(this="TO_UTF8", expressions=[text])])
    return exp.Lower(this=exp.Anonymous(this="TO_HEX", expressions=[digest]))


DIALECT = Dialect(
    name="trino",
    capabilities=Capabilities(max_query_length=1_000_000),
    naive_timestamp="TIMESTAMP(6)",
    sha256_hex=_sha256_hex,
)
