"""What garbage collection may remove, worked out without I/O.

A copy is garbage when an applied version of this project made it and the live version (the
latest applied) no longer needs it. Made by an applied version: its name is one that a view
definition in the project's catalog history maps to — its table, its kept tiles tables, their
staging tables, the online key prefix of each stored part. Needed by the live version: the
table of each live view that is not virtual, its kept tiles tables and the prefixes of its
stored parts. Anything else named like this project's copies (a user's ``shop__backup``, a
table of a catalog since wiped) is listed as unknown and never removed; anything not named like
them (another project's, a user's) is not even listed.

Example::

    plan = plan_gc(live, history, copies, "duckdb", Existing(tables=["shop__old", "shop__orders"]))
    [t.name for t in plan.tables]
    # -> ['shop__old']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles
from virtualfs.copies import online_mark
from virtualfs.online.keys import part_prefix, stored_parts

if TYPE_CHECKING:
    from virtualfs.catalog.marks import WatermarkRecord
    from virtualfs.copies import StoredCopies
    from virtualfs.definitions import FeatureView
    from virtualfs.registry import Registry

TABLE, TILES, STAGING = "table", "tiles", "staging"
AFFECTED = "_affected"  # the suffix of the staging table listing the tiles an update recomputes


@dataclass(frozen=True)
class GarbageTable:
    """A table in the feature schema: ``name`` as the warehouse stores it, the ``view`` whose
    copy it held, its ``kind`` (``table``, ``tiles`` or ``staging``)."""

    name: str
    view: str
    kind: str


@dataclass(frozen=True)
class GarbageKeys:
    """The online keys under one stored part's ``prefix`` (``<project>:<view>#<tag>:``)."""

    prefix: str
    view: str
    keys: int


@dataclass(frozen=True)
class GarbageRecord:
    """A watermark record in the catalog, filed under ``view`` and ``key`` (``Mark.key``)."""

    view: str
    key: str


@dataclass(frozen=True)
class Existing:
    """What is stored now: the tables in the feature schema (names as stored), the project's
    online part prefixes with their key counts, and the catalog's watermark records."""

    tables: Sequence[str] = ()
    online: Mapping[str, int] = field(default_factory=dict)
    records: Sequence[WatermarkRecord] = ()


@dataclass(frozen=True)
class GcPlan:
    """The garbage found against live catalog ``version``, and what only looks like it."""

    version: int | None
    tables: tuple[GarbageTable, ...] = ()
    online: tuple[GarbageKeys, ...] = ()
    records: tuple[GarbageRecord, ...] = ()
    unknown_tables: tuple[str, ...] = ()  # named like this project's; no applied version made them
    unknown_prefixes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.tables or self.online or self.records)


def plan_gc(live: Registry, history: Sequence[FeatureView], copies: StoredCopies, dialect: str,
            existing: Existing) -> GcPlan:
    """The garbage among ``existing``: made by a view definition of ``history`` (every definition
    the project applied; the live ones are added here), not needed by ``live``."""
    views = [*history, *live.views.values()]
    names = StoredNames(copies, dialect)
    made = {n.name: n for view in views for n in names.made_by(view)}
    kept = {name for view in live.views.values() for name in names.read_by(view)}
    project = copies.schema.project
    prefixes = {part_prefix(project, part): view.name for view in views for part in stored_parts(view)}
    serving = {part_prefix(project, part) for view in live.views.values() for part in stored_parts(view)}
    return GcPlan(
        live.version,
        tables=tuple(made[n] for n in sorted(existing.tables) if n in made and n not in kept),
        online=tuple(GarbageKeys(p, prefixes[p], count) for p, count in sorted(existing.online.items())
                     if p in prefixes and p not in serving),
        records=tuple(_stale_records(live, copies, existing.records)),
        unknown_tables=tuple(n for n in sorted(existing.tables) if n not in made and names.looks_made(n)),
        unknown_prefixes=tuple(p for p in sorted(existing.online) if p not in prefixes),
    )


@dataclass(frozen=True)
class StoredNames:
    """The names a project's copies get in one warehouse, as it stores them."""

    copies: StoredCopies
    dialect: str

    def made_by(self, view: FeatureView) -> Iterable[GarbageTable]:
        """Every table a refresh of ``view`` writes, staging tables included."""
        if view.materialize == "view":
            return
        schema = self.copies.schema
        table = schema.view_table_name(view)
        yield self._named(table, view, TABLE)
        yield self._named(schema.staging_name(table), view, STAGING)
        for kept in plan_kept_tiles(view, schema):
            yield self._named(kept.name, view, TILES)
            yield self._named(schema.staging_name(kept.name), view, STAGING)
            yield self._named(schema.staging_name(kept.name) + AFFECTED, view, STAGING)

    def read_by(self, view: FeatureView) -> Iterable[str]:
        """The tables reads of ``view`` use: its table and its kept tiles tables."""
        return (n.name for n in self.made_by(view) if n.kind != STAGING)

    def looks_made(self, stored: str) -> bool:
        """Whether ``stored`` starts the way this project's names do (``<project>__``, staged or not)."""
        schema = self.copies.schema
        start = f"{schema.project}__"
        starts = (start, schema.staging_name(start))
        return any(stored.startswith(schema.stored_name(s, self.dialect)) for s in starts)

    def _named(self, name: str, view: FeatureView, kind: str) -> GarbageTable:
        return GarbageTable(self.copies.schema.stored_name(name, self.dialect), view.name, kind)


def _stale_records(live: Registry, copies: StoredCopies,
                   records: Sequence[WatermarkRecord]) -> Iterable[GarbageRecord]:
    """Records of views no longer applied, and of copies a live view no longer has."""
    wanted = {name: set(_mark_keys(view, copies)) for name, view in live.views.items()}
    for record in records:
        if record.key not in wanted.get(record.view, ()):
            yield GarbageRecord(record.view, record.key)


def _mark_keys(view: FeatureView, copies: StoredCopies) -> Iterable[str]:
    if view.materialize != "view":
        yield copies.table_mark(view).key
        yield from (copies.tiles_mark(kept).key for kept in plan_kept_tiles(view, copies.schema))
    yield from (online_mark(part, "").key for part in stored_parts(view))
