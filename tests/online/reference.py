"""An independent oracle for online semantics, written from DESIGN.md in plain pandas.

Not derived from the compiler: it filters and sorts rows the way the design document states.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd


def latest_per_key(rows: pd.DataFrame, keys: list[str], event: str, created: str | None) -> pd.DataFrame:
    """"The latest row per key by (e, c)": sort by event then created, keep the last per key."""
    order = [event] + ([created] if created else [])
    ranked = rows.dropna(subset=[event, *keys]).sort_values(order, kind="stable", na_position="first")
    return ranked.groupby(keys, sort=True).tail(1).set_index(keys).sort_index()


def known_time_answer(rows: pd.DataFrame, keys: dict[str, object], at: datetime, event: str,
                      created: str | None, ttl: timedelta | None) -> dict | None:
    """The known-time PIT winner for one entity row at ``at`` (None: no candidate or too old).

    Candidates have e <= t and c <= t; the winner has the greatest (e, c); with a TTL it must
    also have e >= t - ttl.
    """
    mine = rows
    for key, value in keys.items():
        mine = mine[mine[key] == value]
    mine = mine[mine[event] <= at]
    if created:
        mine = mine[mine[created] <= at]
    if mine.empty:
        return None
    winner = mine.sort_values([event] + ([created] if created else []), kind="stable").iloc[-1]
    if ttl is not None and winner[event] < at - ttl:
        return None
    return winner.to_dict()
