"""The bottom layer: everything virtualfs knows about each SQL dialect, one module per dialect.

It imports nothing of virtualfs but definitions' dtypes and errors; the compiler and the
warehouse adapters both stand on it and never import each other. A dialect is looked up by
sqlglot's name for it; adding one is a new module (see ``base.Dialect``) and a line in ``KNOWN``.

>>> dialect("snowflake").naive_timestamp
'TIMESTAMP_NTZ'
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from sqlglot import exp

from virtualfs.dialects.base import Capabilities, Dialect
from virtualfs.errors import UnsupportedError

KNOWN = ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "trino", "spark")

__all__ = ["KNOWN", "Capabilities", "Dialect", "capabilities_of", "dialect", "naive_timestamp"]


@cache
def dialect(name: str) -> Dialect:
    """The dialect called ``name``; an unknown one is an error naming the known ones."""
    if name not in KNOWN:
        raise UnsupportedError(f"dialect {name!r} is not supported; expected one of {', '.join(KNOWN)}")
    return import_module(f"virtualfs.dialects.{name}").DIALECT


def capabilities_of(name: str) -> Capabilities:
    """The capabilities of dialect ``name``.

    >>> capabilities_of("duckdb").supports_asof_join
    True
    """
    return dialect(name).capabilities


def naive_timestamp(name: str) -> exp.DataType | None:
    """The type uploaded entity times are compared as in dialect ``name`` (``Dialect.naive_timestamp``).

    >>> naive_timestamp("trino").sql("trino")
    'TIMESTAMP(6)'
    """
    type_name = dialect(name).naive_timestamp
    return None if type_name is None else exp.DataType.build(type_name, dialect=name)
