"""Point-in-time join strategies, by technique, chosen from a warehouse's declared capabilities.

| strategy         | needs                       | used for                                  |
|------------------|-----------------------------|-------------------------------------------|
| `MatchCondition` | `supports_match_condition`  | Snowflake                                 |
| `LeftAsofMatch`  | `supports_left_asof_match`  | Spark 4.3+, on request (see PREFERENCE)   |
| `AsofJoin`       | `supports_asof_join`        | DuckDB                                    |
| `WindowRank`     | nothing (QUALIFY or rewrite)| PostgreSQL, BigQuery, Databricks, Trino, Spark |
| `LateralLimit`   | `supports_lateral`          | PostgreSQL sources with an index on (keys, event time) |
| `DistinctOn`     | `supports_distinct_on`      | on request                                |

On PostgreSQL, ``WindowRank`` and ``DistinctOn`` run the same join and sort; ``WindowRank`` was as
fast or faster in every case of ``bench/offline.py --warehouse postgres`` (its ``row_number() <= 1``
run condition stops each partition early), so it is the default there. ``LateralLimit`` is picked
per request by ``virtualfs.retrieval.strategy`` when every source has an index that answers it.
"""

from __future__ import annotations

from virtualfs.compile.pit.asof import AsofJoin
from virtualfs.compile.pit.base import PitStrategy, ViewJoin
from virtualfs.compile.pit.lateral import DistinctOn, LateralLimit
from virtualfs.compile.pit.match_condition import LeftAsofMatch, MatchCondition
from virtualfs.compile.pit.window import WindowRank
from virtualfs.dialects import Capabilities
from virtualfs.errors import UnsupportedError

# Fastest first; the first one a warehouse supports is used. LateralLimit probes the source once
# per entity row, which only pays with an index, so it is chosen only where one is found.
# LeftAsofMatch is not preferred: Spark runs it as a sort-merge join that sorts every source row by
# (keys, time), where the window join reads only the rows of the labels' keys and time range and
# was 3-4x faster (bench/offline.py --warehouse spark, small and medium); it runs when asked for.
PREFERENCE: tuple[PitStrategy, ...] = (MatchCondition(), AsofJoin(), WindowRank())
BY_NAME: dict[str, PitStrategy] = {
    s.name: s for s in (*PREFERENCE, LeftAsofMatch(), LateralLimit(), DistinctOn())}


def choose_strategy(capabilities: Capabilities, name: str | None = None) -> PitStrategy:
    """The fastest strategy ``capabilities`` allow, or the one called ``name`` if it is allowed.

    >>> from virtualfs.dialects import capabilities_of
    >>> choose_strategy(capabilities_of("duckdb")).name, choose_strategy(capabilities_of("trino")).name
    ('asof_join', 'window_rank')
    """
    if name is None:
        return next(s for s in PREFERENCE if s.supports(capabilities))
    if name not in BY_NAME:
        raise UnsupportedError(f"unknown PIT strategy {name!r}; expected one of {', '.join(BY_NAME)}")
    if not BY_NAME[name].supports(capabilities):
        raise UnsupportedError(f"PIT strategy {name!r} is not supported by this warehouse")
    return BY_NAME[name]


__all__ = [
    "AsofJoin", "DistinctOn", "LateralLimit", "LeftAsofMatch", "MatchCondition", "PitStrategy", "ViewJoin",
    "WindowRank", "choose_strategy",
]
