"""Refresh schedules: ``@hourly``, ``@daily``, ``@weekly`` or a five-field cron string."""

from __future__ import annotations

from datetime import datetime

ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}


def cron_expression(schedule: str) -> str:
    return ALIASES.get(schedule.strip(), schedule.strip())


def check_schedule(schedule: object) -> str:
    """Refuse anything that is not an alias or a valid five-field cron expression."""
    from croniter import croniter

    if not isinstance(schedule, str):
        raise ValueError(f"schedule must be a string like '@hourly' or '*/15 * * * *', got {schedule!r}")
    expression = cron_expression(schedule)
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(f"schedule {schedule!r} is not '@hourly', '@daily', '@weekly' or a 5-field cron")
    return expression


def previous_fire(schedule: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` at which the schedule fires.

    >>> from datetime import timezone
    >>> previous_fire("@hourly", datetime(2026, 3, 1, 5, tzinfo=timezone.utc)).hour
    5
    """
    from croniter import croniter

    # croniter's get_prev is strictly before ``now``: a fire at ``now`` itself is its next one
    before = croniter(cron_expression(schedule), now).get_prev(datetime)
    at_now = croniter(cron_expression(schedule), before).get_next(datetime)
    return at_now if at_now <= now else before
