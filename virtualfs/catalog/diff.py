"""The plan: what an apply would create, update and delete. Pure; no I/O."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from virtualfs.catalog.diff_text import Difference, declassifications, differences
from virtualfs.catalog.serde import fingerprint, to_data
from virtualfs.registry import KIND_ORDER, Definition, Registry


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any
    affects_data: bool


@dataclass(frozen=True)
class Change:
    action: str  # "create" | "update" | "delete"
    kind: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    # the two versions of an update, for reading the change by name (``differences``)
    before: Definition | None = field(default=None, compare=False, repr=False)
    after: Definition | None = field(default=None, compare=False, repr=False)

    @property
    def affects_data(self) -> bool:
        return self.action != "update" or any(f.affects_data for f in self.fields)

    def differences(self) -> list[Difference]:
        """An update field by field, features and aggregations by name (``catalog.diff_text``);
        for a creation, the features it declassifies (``pii=False``)."""
        if self.action == "create" and self.after is not None:
            return declassifications(self.after)
        if self.before is None or self.after is None:
            return []
        return differences(self.before, self.after)


@dataclass(frozen=True)
class Plan:
    base_version: int | None
    changes: tuple[Change, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    def summary(self, done: bool = False) -> str:
        """'2 to create, 1 to update, 0 to delete' (or '2 created, ...' once applied)."""
        words = {"create": "created", "update": "updated", "delete": "deleted"}
        return ", ".join(
            f"{len(self.of(a))} {words[a]}" if done else f"{len(self.of(a))} to {a}" for a in words
        )


def diff(current: Registry, wanted: Registry) -> Plan:
    """Changes that turn ``current`` (the catalog) into ``wanted`` (the repository)."""
    old, new = current.keyed(), wanted.keyed()
    changes = []
    for key in sorted(old.keys() | new.keys(), key=_order):
        kind, name = key
        if key not in old:
            changes.append(Change("create", kind, name, after=new[key]))
        elif key not in new:
            changes.append(Change("delete", kind, name))
        elif old[key] != new[key]:
            fields = field_changes(old[key], new[key])
            changes.append(Change("update", kind, name, fields, before=old[key], after=new[key]))
    return Plan(current.version, tuple(changes))


def field_changes(old: Definition, new: Definition) -> tuple[FieldChange, ...]:
    changed = []
    for each in dataclasses.fields(old):
        before, after = getattr(old, each.name), getattr(new, each.name)
        if before != after:
            affects = each.metadata.get("affects") == "data" and fingerprint(old) != fingerprint(new)
            changed.append(FieldChange(each.name, to_data(before), to_data(after), affects))
    return tuple(changed)


def _order(key: tuple[str, str]) -> tuple[int, str]:
    return KIND_ORDER.index(key[0]), key[1]
