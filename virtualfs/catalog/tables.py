"""The catalog's tables (SQLAlchemy Core). Versions and their objects are never updated."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

versions = sa.Table(
    "vfs_versions",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    # version = parent + 1: two applies from the same parent collide on this key.
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("parent", sa.Integer, nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("summary", sa.String(400), nullable=False),
)

objects = sa.Table(
    "vfs_objects",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(["project", "version"], ["vfs_versions.project", "vfs_versions.version"]),
)

marks = sa.Table(
    "vfs_marks",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("view", sa.String(200), primary_key=True),
    # Which stored copy of the view: "table", "online" or "tiles:<name>" (catalog.marks.Mark.key).
    sa.Column("target", sa.String(60), primary_key=True),
    # The copy the watermark was written for (location, definition, backend), as a digest;
    # a watermark read for another copy is no watermark.
    sa.Column("identity", sa.String(64), nullable=False),
    sa.Column("location", sa.String(500), nullable=False),
    # Null while the copy is complete up to no time yet (a backfill's chunks, counted).
    sa.Column("watermark", sa.String(40), nullable=True),
    # Rows the copy held when the watermark was written: a copy that lost rows is not trusted.
    sa.Column("row_count", sa.BigInteger, nullable=True),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

runs = sa.Table(
    "vfs_runs",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("view", sa.String(200), nullable=False, index=True),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("finished_at", sa.String(40), nullable=True),
    sa.Column("window_start", sa.String(40), nullable=True),
    sa.Column("window_end", sa.String(40), nullable=True),
    sa.Column("rows_written", sa.BigInteger, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
)

check_results = sa.Table(
    "vfs_check_results",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("run_id", sa.String(40), primary_key=True),
    # the check's place in its view's list: results read back in the order they were declared
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("view", sa.String(200), nullable=False, index=True),
    sa.Column("check_name", sa.String(200), nullable=False),
    sa.Column("condition", sa.String(40), nullable=False),
    sa.Column("column_name", sa.String(200), nullable=True),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("scope", sa.String(10), nullable=False),
    sa.Column("rows_checked", sa.BigInteger, nullable=False),
    # the headline number as JSON (an integer stays an integer), and the whole observation as text
    sa.Column("observed", sa.Text, nullable=True),
    sa.Column("observation", sa.Text, nullable=False),
    sa.Column("expected", sa.Text, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
)

locks = sa.Table(
    "vfs_locks",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("view", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),
    # A lease: a holder that dies stops renewing, and the lock is free once this passes.
    sa.Column("expires_at", sa.String(40), nullable=False),
)

datasets = sa.Table(
    "vfs_datasets",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    # 1, 2, ... per name: saving over a name or deleting it adds a revision, never edits one;
    # two saves racing for the same revision collide on this key.
    sa.Column("revision", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(20), nullable=False),  # saved | deleted (a tombstone)
    sa.Column("recorded_at", sa.String(40), nullable=False),
    # the manifest as canonical JSON (virtualfs.datasets.manifest); empty for a tombstone
    sa.Column("manifest", sa.Text, nullable=False),
)


audit = sa.Table(
    "vfs_audit",
    metadata,
    # Append-only: rows are inserted, never updated or deleted (``catalog.audit``).
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project", sa.String(200), nullable=False),
    # when (UTC, ISO 8601 to the microsecond: sorts as text); for counted events, the count's start
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("principal", sa.String(200), nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    # what it was done to: features read, a view, a catalog version; never a value or a secret
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Index("vfs_audit_project_at", "project", "at"),
)
