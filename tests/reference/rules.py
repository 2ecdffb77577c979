"""The semantics every oracle shares, stated once (DESIGN.md, "Semantics that must hold everywhere")."""

from __future__ import annotations

import math

import pandas as pd


def utc(value) -> pd.Timestamp | None:
    """Times compare in UTC; a naive timestamp is taken as UTC; a missing one is None."""
    if missing(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def plain(value):
    """A cell as a plain Python value (timestamps as UTC)."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "tzinfo"):
        return utc(value)
    return value.item() if hasattr(value, "item") else value


def is_candidate(e: pd.Timestamp | None, c: pd.Timestamp | None, t: pd.Timestamp, rule: str) -> bool:
    """Known-time rule: ``e <= t`` and ``c <= t`` (a null ``c`` is known at ``e``); event-time
    rule: ``e <= t``."""
    if e is None or e > t:
        return False
    return not (rule == "known" and c is not None and c > t)


def order(e: pd.Timestamp, c: pd.Timestamp | None) -> tuple:
    """The winner has the greatest ``e``, ties broken by the greatest ``c`` (a null ``c`` loses)."""
    return (e, c is not None, c if c is not None else e)
