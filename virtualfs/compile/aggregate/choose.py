"""Which formulation compiles a view's aggregations, chosen from what the dialect can run.

| formulation | needs (a capability)                    | used for                          |
|-------------|-----------------------------------------|-----------------------------------|
| `Tiled`     | `supports_epoch_micros`                 | DuckDB, PostgreSQL, Snowflake     |
| `RangeJoin` | nothing                                 | any other dialect; the reference  |

Inside `Tiled` each aggregation is placed by its window and function (see `TilePolicy`).
"""

from __future__ import annotations

from typing import Protocol

from virtualfs.compile.aggregate.range_join import AggregateJoin, RangeJoin
from virtualfs.compile.aggregate.spec import AggregateContext
from virtualfs.compile.aggregate.tiled import Tiled
from virtualfs.dialects import Capabilities, capabilities_of
from virtualfs.errors import UnsupportedError


class Formulation(Protocol):
    """A way of computing windowed aggregates in SQL."""

    name: str

    def supports(self, capabilities: Capabilities) -> bool:
        """Whether a dialect with ``capabilities`` can run this formulation's SQL."""
        ...

    def build(self, context: AggregateContext) -> AggregateJoin:
        """The CTEs computing every aggregation of ``context``, one result row per entity row."""
        ...


# Fastest first; the first one a dialect supports is used.
PREFERENCE: tuple[Formulation, ...] = (Tiled(), RangeJoin())
BY_NAME: dict[str, Formulation] = {f.name: f for f in PREFERENCE}


def choose_formulation(dialect: str, name: str | None = None) -> Formulation:
    """The fastest formulation ``dialect`` runs, or the one called ``name``.

    >>> choose_formulation("duckdb").name, choose_formulation("trino").name
    ('tiled', 'range_join')
    """
    capabilities = capabilities_of(dialect)
    if name is None:
        return next(f for f in PREFERENCE if f.supports(capabilities))
    if name not in BY_NAME:
        known = ", ".join(BY_NAME)
        raise UnsupportedError(f"unknown aggregate formulation {name!r}; expected one of {known}")
    chosen = BY_NAME[name]
    if not chosen.supports(capabilities):
        raise UnsupportedError(f"aggregate formulation {name!r} cannot run on {dialect}")
    return chosen
