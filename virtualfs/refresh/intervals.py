"""Interval arithmetic for refreshes and backfills. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta


def chunks(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into consecutive pieces of at most ``size``, in order.

    >>> from datetime import datetime, timedelta
    >>> len(chunks(datetime(2026, 1, 1), datetime(2026, 1, 3, 12), timedelta(days=1)))
    3
    """
    if end <= start:
        return []
    pieces, cursor = [], start
    while cursor < end:
        pieces.append((cursor, min(cursor + size, end)))
        cursor += size
    return pieces


def incremental_since(watermark: datetime | None, lookback: timedelta | None) -> datetime | None:
    """Where an incremental run starts: at the watermark (inclusive), less the lookback."""
    if watermark is None:
        return None
    return watermark - (lookback or timedelta(0))
