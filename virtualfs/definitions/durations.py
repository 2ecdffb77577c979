"""Durations written the way people write them: "7d", "12h", "30m", "45s", "1d12h"."""

from __future__ import annotations

import re
from datetime import timedelta

_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")
_WHOLE = re.compile(r"(?:\d+[wdhms])+")


def parse_duration(value: timedelta | str | int | float, what: str) -> timedelta:
    """Turn "7d", "12h", "30m" or a timedelta into a positive timedelta.

    >>> parse_duration("1d12h", "ttl")
    datetime.timedelta(days=1, seconds=43200)
    """
    if isinstance(value, timedelta):
        delta = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip().lower()):
        seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(value.strip().lower()))
        delta = timedelta(seconds=seconds)
    else:
        raise ValueError(
            f"{what}: expected a timedelta or a duration like '7d', '12h', '30m', got {value!r}"
        )
    if delta <= timedelta(0):
        raise ValueError(f"{what}: expected a positive duration, got {value!r}")
    return delta


def format_duration(delta: timedelta) -> str:
    """The shortest string parse_duration reads back to the same value: 1d12h, 30m."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit in "dhms":
        count, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
