"""Databricks (Spark SQL): ``QUALIFY``; TIMESTAMPs are UTC instants, compared as stored."""

from virtualfs.dialects.base import Capabilities, Dialect

DIALECT = Dialect(
    name="databricks",
    capabilities=Capabilities(supports_qualify=True),
    naive_timestamp=None,
)
