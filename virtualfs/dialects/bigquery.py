"""BigQuery: ``QUALIFY``; TIMESTAMPs are UTC instants, compared as stored; statements up to 1 MB."""

from sqlglot import exp

from virtualfs.dialects.base import Capabilities, Dialect


def _sha256_hex(text: exp.Expression) -> exp.Expression:
    # SHA256 gives BYTES there
    return exp.Anonymous(this="TO_HEX", expressions=[exp.Anonymous(this="SHA256", expressions=[text])])


DIALECT = Dialect(
    name="bigquery",
    capabilities=Capabilities(supports_qualify=True, max_query_length=1_000_000),
    naive_timestamp=None,
    exact_sum_type="BIGNUMERIC(38, 12)",  # NUMERIC keeps 9 decimals at most
    sha256_hex=_sha256_hex,
)
