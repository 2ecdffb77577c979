"""Refresh state kept in the catalog: run history and lease locks, per view."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from virtualfs.catalog import tables
from virtualfs.errors import CatalogError
from virtualfs.instants import utc_now

RUNNING, ABANDONED = "running", "abandoned"


def _text(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    view: str
    started_at: datetime
    finished_at: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    rows_written: int | None
    status: str  # running | success | failed | abandoned
    error: str | None

    @property
    def duration(self) -> timedelta | None:
        # An abandoned run's finished_at is when another process took its lock, not when it stopped.
        if self.finished_at is None or self.status == ABANDONED:
            return None
        return self.finished_at - self.started_at


class LockHeldError(CatalogError):
    """Another refresh holds this view's lock."""


class RefreshState:
    """Runs and locks of one project."""

    def __init__(self, engine: sa.Engine, project: str) -> None:
        self.engine, self.project = engine, project

    def start_run(self, view: str, window_start: datetime | None, window_end: datetime | None) -> str:
        run_id = uuid.uuid4().hex
        with self.engine.begin() as connection:
            connection.execute(tables.runs.insert().values(
                project=self.project, run_id=run_id, view=view, started_at=_text(utc_now()),
                window_start=_text(window_start), window_end=_text(window_end), status=RUNNING))
        return run_id

    def finish_run(self, run_id: str, status: str, rows_written: int | None = None,
                   error: str | None = None) -> None:
        r = tables.runs
        with self.engine.begin() as connection:
            connection.execute(r.update().where(r.c.project == self.project, r.c.run_id == run_id).values(
                finished_at=_text(utc_now()), status=status, rows_written=rows_written, error=error))

    def runs(self, view: str | None = None, limit: int = 50) -> list[RunRecord]:
        r = tables.runs
        query = sa.select(r).where(r.c.project == self.project)
        if view is not None:
            query = query.where(r.c.view == view)
        query = query.order_by(r.c.started_at.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [RunRecord(row.run_id, row.view, _time(row.started_at), _time(row.finished_at),
                              _time(row.window_start), _time(row.window_end), row.rows_written,
                              row.status, row.error) for row in connection.execute(query)]

    def last_success(self, view: str) -> RunRecord | None:
        """The latest successful run of ``view``, if any."""
        return next((run for run in self.runs(view, limit=1000) if run.status == "success"), None)

    def succeeded(self, view: str, window_start: datetime, window_end: datetime) -> bool:
        """Whether a run of exactly this window already succeeded (backfills resume past it)."""
        r = tables.runs
        query = sa.select(r.c.run_id).where(
            r.c.project == self.project, r.c.view == view, r.c.status == "success",
            r.c.window_start == _text(window_start), r.c.window_end == _text(window_end)).limit(1)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def acquire_lock(self, view: str, holder: str, lease: timedelta) -> bool:
        """Take the view's lock for ``lease``; True if taken (or already ours), False if held.

        A lock whose lease ran out is taken over, and the runs its holder left ``running`` are
        marked ``abandoned`` in the same transaction.
        """
        lock, now = tables.locks, utc_now()
        mine = (lock.c.project == self.project) & (lock.c.view == view)
        values = {"holder": holder, "expires_at": _text(now + lease)}
        with self.engine.begin() as connection:
            # A write first: on SQLite it takes the write lock, so what is read below stays true.
            ours = mine & (lock.c.holder == holder)
            if connection.execute(lock.update().where(ours).values(**values)).rowcount == 1:
                return True
            try:
                with connection.begin_nested():
                    connection.execute(lock.insert().values(project=self.project, view=view, **values))
            except sa.exc.IntegrityError:
                return self._take_expired(connection, view, now, values)
            return True

    def _take_expired(self, connection: sa.Connection, view: str, now: datetime, values: dict) -> bool:
        lock = tables.locks
        mine = (lock.c.project == self.project) & (lock.c.view == view)
        held = connection.execute(sa.select(lock.c.holder, lock.c.expires_at).where(mine)).first()
        if held is None or held.expires_at >= _text(now):
            return False
        # Only if nobody renewed or took it since it was read (PostgreSQL reads committed rows).
        unchanged = mine & (lock.c.holder == held.holder) & (lock.c.expires_at == held.expires_at)
        if connection.execute(lock.update().where(unchanged).values(**values)).rowcount != 1:
            return False
        self._abandon_runs(connection, view, held.holder, values["holder"], "let its lease expire")
        return True

    def lock_holder(self, view: str) -> str | None:
        lock = tables.locks
        query = sa.select(lock.c.holder).where(lock.c.project == self.project, lock.c.view == view)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def take_over_lock(self, view: str, dead_holder: str, holder: str, lease: timedelta) -> bool:
        """Take the lock from ``dead_holder`` (known to have died); False if someone else has it now.

        The runs the dead holder left ``running`` are marked ``abandoned`` in the same transaction.
        """
        lock = tables.locks
        with self.engine.begin() as connection:
            taken = connection.execute(lock.update().where(
                lock.c.project == self.project, lock.c.view == view, lock.c.holder == dead_holder,
            ).values(holder=holder, expires_at=_text(utc_now() + lease)))
            if taken.rowcount != 1:
                return False
            self._abandon_runs(connection, view, dead_holder, holder, "died")
            return True

    def _abandon_runs(self, connection: sa.Connection, view: str, previous: str, holder: str,
                      what_happened: str) -> None:
        # A run starts only under the view's lock, so every run of the view still `running`
        # when its lock changes hands was left by an earlier holder and will never finish.
        now, r = utc_now(), tables.runs
        note = f"abandoned at {_text(now)} by {holder}: lock holder {previous} {what_happened}"
        connection.execute(r.update().where(
            r.c.project == self.project, r.c.view == view, r.c.status == RUNNING,
        ).values(status=ABANDONED, finished_at=_text(now), error=note))

    def release_lock(self, view: str, holder: str) -> None:
        lock = tables.locks
        with self.engine.begin() as connection:
            connection.execute(lock.delete().where(
                lock.c.project == self.project, lock.c.view == view, lock.c.holder == holder))
