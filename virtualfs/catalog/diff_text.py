"""What changed between two versions of one definition, field by field, as a person reads it.

Features, aggregations and checks are matched by name (added, removed, or changed in one
attribute), a nested definition of the same name (a view's source) is compared field by field,
a source's classified columns by column, and every line says whether it changes data, only
metadata, only the checks or only the classification (neither forces a rebuild). A line that
declassifies — a feature declared ``pii=False``, a column or feature no longer declared PII —
says so, for review. Pure; ``virtualfs plan`` prints these lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from virtualfs.catalog.readable import readable, show, summary
from virtualfs.definitions import Aggregation, Check, Feature, SourceColumn

_MEMBERS = (Feature, Aggregation, Check)
DATA, METADATA, CHECKS, CLASSIFICATION = "data", "metadata", "checks", "classification"
# What a line adds when the change leaves the view's rows (and so its copies) alone.
_NOTES = {DATA: "", METADATA: "  (metadata only)", CHECKS: "  (checks only: no rebuild)",
          CLASSIFICATION: "  (classification only: no rebuild)"}
DECLASSIFIED = "  (declassification: review it; no rebuild)"


@dataclass(frozen=True)
class Difference:
    """One line of a change. ``path`` is what changed (``ttl``, ``customer_orders.discount``,
    ``source.table``); ``action`` is ``add``, ``remove`` or ``change``; ``kind`` names the
    feature, aggregation or check added or removed (empty for an item of a list, like a
    reference); ``affects`` is ``data``, ``metadata``, ``checks`` or ``classification``."""

    path: str
    action: str
    old: Any = None
    new: Any = None
    kind: str = ""
    affects: str = DATA

    @property
    def affects_data(self) -> bool:
        return self.affects == DATA

    @property
    def declassifies(self) -> bool:
        """Whether the line lowers a classification: a feature (or column) that was declared PII
        no longer is, or a feature is declared ``pii=False`` whatever its lineage."""
        if self.action == "add":
            return getattr(self.new, "pii", None) is False and isinstance(self.new, (Feature, Aggregation))
        old, new = self.old, self.new
        if isinstance(old, SourceColumn) or isinstance(new, SourceColumn):
            return getattr(old, "pii", False) and not getattr(new, "pii", False)
        return self.path.endswith(".pii") and (old is True or new is False) and old != new

    def text(self) -> str:
        """``ttl: 30d -> 14d``, ``+ feature customer_orders.discount (float64)``.

        >>> Difference("ttl", "change", "30d", "14d").text()
        'ttl: 30d -> 14d'
        >>> Difference("orders.region.pii", "change", None, False, affects="classification").text()
        'orders.region.pii: none -> false  (declassification: review it; no rebuild)'
        """
        note = DECLASSIFIED if self.declassifies else _NOTES[self.affects]
        if self.action == "change":
            return f"{self.path}: {show(self.old)} -> {show(self.new)}{note}"
        mark, item = ("+", self.new) if self.action == "add" else ("-", self.old)
        if self.kind:  # a feature or aggregation, by name
            return f"{mark} {self.kind} {self.path} ({summary(item)}){note}"
        return f"{self.path}: {mark} {show(item)}{note}"  # one item of a list: a reference, a key

    def data(self) -> dict[str, Any]:
        """The same, as JSON-able data with readable values (durations as ``"14d"``)."""
        return {"path": self.path, "action": self.action, "kind": self.kind or None,
                "old": readable(self.old), "new": readable(self.new), "affects_data": self.affects_data,
                "affects": self.affects, "declassifies": bool(self.declassifies)}


def differences(old: Any, new: Any) -> list[Difference]:
    """Every difference between ``old`` and ``new``, two versions of one definition.

    >>> from virtualfs import Entity
    >>> [d.text() for d in differences(Entity("c", ["id"]), Entity("c", ["id"], description="A."))]
    ['description: "" -> A.  (metadata only)']
    """
    return list(_fields(old.name, "", old, new, affects=DATA))


def declassifications(created: Any) -> list[Difference]:
    """What a definition being created declares ``pii=False`` (nothing to compare it with, but a
    declassification is reviewed all the same): its features and aggregations that say so.

    >>> from virtualfs import Entity, FeatureView, Source
    >>> view = FeatureView("c", [Entity("c", ["id"])], Source("s", table="t", timestamp="ts"),
    ...                    [Feature("region", "string", pii=False)])
    >>> [d.text() for d in declassifications(view)]
    ['+ feature c.region (string; declared pii=False)  (declassification: review it; no rebuild)']
    """
    members = [*getattr(created, "features", ()), *getattr(created, "aggregations", ())]
    return [Difference(f"{created.name}.{m.name}", "add", new=m, kind=m.kind, affects=CLASSIFICATION)
            for m in members if isinstance(m, (Feature, Aggregation)) and m.pii is False]


def _fields(owner: str, path: str, old: Any, new: Any, affects: str) -> Iterator[Difference]:
    for field in dataclasses.fields(old):
        before, after = getattr(old, field.name), getattr(new, field.name)
        if before == after:
            continue
        # a field inside a metadata or checks field (a check's bounds) is what its parent is
        data = field.metadata.get("affects", DATA) if affects == DATA else affects
        where = f"{path}.{field.name}" if path else field.name
        if _are_members(before) and _are_members(after):
            yield from _members(owner, where, before, after, data)
        elif _are_texts(before) and _are_texts(after):
            yield from _items(where, before, after, data)
        elif _are_columns(before) and _are_columns(after):
            yield from _columns(where, before, after, data)
        elif _same_names(before, after) and isinstance(before, tuple):
            for item_before, item_after in zip(before, after, strict=True):
                if item_before != item_after:
                    yield from _fields(owner, f"{where}.{item_before.name}", item_before, item_after, data)
        elif _same_names(before, after):
            yield from _fields(owner, where, before, after, data)
        else:
            yield Difference(where, "change", before, after, affects=data)


def _members(owner: str, field: str, before: tuple, after: tuple, data: str) -> Iterator[Difference]:
    """Features (or aggregations, or checks) by name: removed, changed, then added."""
    old, new = {m.name: m for m in before}, {m.name: m for m in after}
    for name, member in old.items():
        if name not in new:
            yield Difference(f"{owner}.{name}", "remove", old=member, kind=member.kind, affects=data)
        elif new[name] != member:
            yield from _member_fields(f"{owner}.{name}", member, new[name], data)
    for name, member in new.items():
        if name not in old:
            yield Difference(f"{owner}.{name}", "add", new=member, kind=member.kind, affects=data)
    kept_old, kept_new = tuple(n for n in old if n in new), tuple(n for n in new if n in old)
    if kept_old != kept_new:
        yield Difference(f"{field} order", "change", kept_old, kept_new, affects=data)


def _items(field: str, before: tuple[str, ...], after: tuple[str, ...], data: str) -> Iterator[Difference]:
    """A list of names (a service's references, join keys): what left it, what joined, its order."""
    yield from (Difference(field, "remove", old=i, affects=data) for i in before if i not in after)
    yield from (Difference(field, "add", new=i, affects=data) for i in after if i not in before)
    kept_old, kept_new = tuple(i for i in before if i in after), tuple(i for i in after if i in before)
    if kept_old != kept_new:
        yield Difference(f"{field} order", "change", kept_old, kept_new, affects=data)


def _columns(field: str, before: Mapping, after: Mapping, data: str) -> Iterator[Difference]:
    """A source's classified columns, one line per column added, removed or changed."""
    for key in sorted(before.keys() | after.keys()):
        where = f"{field}[{key}]"
        if key not in after:
            yield Difference(where, "remove", old=before[key], affects=data)
        elif key not in before:
            yield Difference(where, "add", new=after[key], affects=data)
        elif before[key] != after[key]:
            yield Difference(where, "change", before[key], after[key], affects=data)


def _member_fields(path: str, old: Any, new: Any, affects: str) -> Iterator[Difference]:
    # a feature's type is the feature: ``customer_profile.age: int64 -> float64``
    for difference in _fields(old.name, path, old, new, affects):
        yield dataclasses.replace(difference, path=path) if difference.path == f"{path}.dtype" else difference


def _are_members(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(item, _MEMBERS) for item in value)


def _are_columns(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(item, SourceColumn) for item in value.values())


def _are_texts(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(item, str) for item in value)


def _same_names(before: Any, after: Any) -> bool:
    """Two definitions of one name, or two tuples of definitions with the same names in order."""
    if isinstance(before, tuple) and isinstance(after, tuple):
        return len(before) == len(after) and bool(before) and all(
            _same_names(b, a) for b, a in zip(before, after, strict=True))
    return dataclasses.is_dataclass(before) and type(before) is type(after) and \
        getattr(before, "name", None) == getattr(after, "name", object())
