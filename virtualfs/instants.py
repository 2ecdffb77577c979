"""Instants: every time virtualfs compares is an aware UTC datetime; a naive one is taken as UTC."""

from __future__ import annotations

from datetime import datetime, timezone

from virtualfs.errors import RequestError


def to_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive one is taken as UTC.

    >>> to_utc(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    if not isinstance(value, datetime):
        raise RequestError(f"expected a datetime, got {type(value).__name__} {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(timezone.utc)
