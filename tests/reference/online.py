"""The oracle of online reads: the latest row per key, and the known-time answer at a time
(the PIT reference's own rule, so online and offline are held to one definition)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from tests.reference.pit import ReferenceView, winner


def latest_per_key(rows: pd.DataFrame, keys: list[str], event: str, created: str | None) -> pd.DataFrame:
    """"The latest row per key by (e, c)": sort by event then created, keep the last per key."""
    order = [event] + ([created] if created else [])
    ranked = rows.dropna(subset=[event, *keys]).sort_values(order, kind="stable", na_position="first")
    return ranked.groupby(keys, sort=True).tail(1).set_index(keys).sort_index()


def known_time_answer(rows: pd.DataFrame, keys: dict[str, object], at: datetime, event: str,
                      created: str | None, ttl: timedelta | None) -> dict | None:
    """The known-time PIT winner for one entity row at ``at`` (None: no candidate or too old):
    what an online read at ``at`` must return, by the same rule training frames follow."""
    view = ReferenceView(rows, tuple(keys), event, created, (), ttl)
    found = winner(view, tuple(keys.values()), at, "known")
    return None if found is None else found.to_dict()
