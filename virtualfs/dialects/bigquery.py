"""BigQuery: ``QUALIFY``; TIMESTAMPs are UTC instants, compared as stored; statements up to 1 MB."""

from virtualfs.dialects.base import Capabilities, Dialect

DIALECT = Dialect(
    name="bigquery",
    capabilities=Capabilities(supports_qualify=True, max_query_length=1_000_000),
    naive_timestamp=None,
    exact_sum_type="BIGNUMERIC(38, 12)",  # NUMERIC keeps 9 decimals at most
)
