"""What every definition shares: name rules, frozen tags, and data-vs-metadata fields."""

from __future__ import annotations

import contextvars
import dataclasses
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from virtualfs.errors import DefinitionError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_PREFIX = "_vfs_"

# Each definition field declares whether changing it changes the data a definition produces
# ("data"), only how it is described ("metadata"), only whether a refresh may publish the
# rows it computes ("checks": what a row is stays the same), or only who may see the values
# ("classification": which columns and features hold personal data); fingerprints hash the data
# fields only.
DATA = {"affects": "data"}
METADATA = {"affects": "metadata"}
CHECKS = {"affects": "checks"}
CLASSIFICATION = {"affects": "classification"}
_NOT_DATA = (METADATA["affects"], CHECKS["affects"], CLASSIFICATION["affects"])


_SQL_CHECKED = contextvars.ContextVar("virtualfs_sql_checked", default=False)


@contextmanager
def sql_already_checked() -> Iterator[None]:
    """Definitions built inside this block do not parse their SQL text again: the catalog holds
    only applied definitions, checked when they were applied. It keeps sqlglot off the online
    read path; the compiler parses that text (read-only checks included) whenever it uses it."""
    token = _SQL_CHECKED.set(True)
    try:
        yield
    finally:
        _SQL_CHECKED.reset(token)


def parses_sql() -> bool:
    """Whether definitions being built check their SQL text (see :func:`sql_already_checked`)."""
    return not _SQL_CHECKED.get()


def input_field(**kwargs: Any) -> Any:
    """A field that changes data but that the catalog never holds: a definition carrying one is
    turned into one without it before it is stored (an ibis ``expr`` becomes its SQL ``query``)."""
    return dataclasses.field(metadata={**DATA, "stored": False}, **kwargs)


def is_stored(field: dataclasses.Field) -> bool:
    """Whether the catalog stores ``field`` (see :func:`input_field`)."""
    return field.metadata.get("stored", True)


def deployment_field(**kwargs: Any) -> Any:
    """A field the catalog never holds nor fingerprints: where this deployment keeps something a
    definition declares (a pushed view's table in the feature schema), set when definitions are
    opened for use and never part of what a definition is."""
    return dataclasses.field(metadata={**DATA, "stored": False, "deployment": True}, **kwargs)


def is_deployment(field: dataclasses.Field) -> bool:
    """Whether ``field`` is a :func:`deployment_field`."""
    return field.metadata.get("deployment", False)


def later_field(**kwargs: Any) -> Any:
    """A data field added after definitions were first stored: left out of the stored form (and
    so of the fingerprint) while it holds its default, so existing definitions keep theirs."""
    return dataclasses.field(metadata={**DATA, "omit_default": True}, **kwargs)


def at_omitted_default(field: dataclasses.Field, value: Any) -> bool:
    """Whether ``value`` of a :func:`later_field` is its default (then it is not stored)."""
    if not field.metadata.get("omit_default"):
        return False
    if field.default is not dataclasses.MISSING:
        return value == field.default
    return field.default_factory is not dataclasses.MISSING and value == field.default_factory()


def data_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata=DATA, **kwargs)


def metadata_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata=METADATA, **kwargs)


def check_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata=CHECKS, **kwargs)


def classification_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata=CLASSIFICATION, **kwargs)


def changes_data(field: dataclasses.Field) -> bool:
    """Whether changing ``field`` changes the rows a definition produces (and so its fingerprint)."""
    return field.metadata.get("affects") not in _NOT_DATA


def check_metadata(definition: Any) -> None:
    """``description`` and ``owner`` are text, ``tags`` a str -> str mapping (frozen here): the
    fields every definition takes to be found by (``virtualfs search``) and read by people."""
    kind, name = definition.kind, str(definition.name)
    for field_name in ("description", "owner"):
        value = getattr(definition, field_name)
        if not isinstance(value, str):
            raise DefinitionError(kind, name, f"{field_name} must be text, got {value!r}")
    set_frozen(definition, "tags", freeze_tags(kind, name, definition.tags))


def check_pii(kind: str, name: str, value: object) -> None:
    """``pii=`` of a feature: True, False (a declassification) or None (inferred from lineage)."""
    if value is not None and not isinstance(value, bool):
        raise DefinitionError(kind, name, f"pii must be True, False or None (inferred), got {value!r}")


def check_name(kind: str, name: object) -> str:
    """A definition's own name: an identifier that SQL and Python both accept, not ours."""
    return check_identifier(kind, str(name), name, "name")


def check_identifier(kind: str, owner: str, value: object, what: str) -> str:
    """``value`` (a name, a column, a join key) of definition ``owner`` is a plain identifier."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise DefinitionError(
            kind, owner, f"{what} {value!r} must be a letter or _ followed by letters, digits or _"
        )
    if value.lower().startswith(RESERVED_PREFIX) or "__" in value:
        raise DefinitionError(
            kind, owner, f"{what} {value!r} may not start with {RESERVED_PREFIX!r} or contain '__'"
        )
    return value


class FrozenDict(Mapping[str, str]):
    """An immutable, hashable str -> str mapping for tags."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = dict(sorted((items or {}).items()))

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return repr(self._items)


def freeze_tags(kind: str, name: str, tags: object) -> FrozenDict:
    if not isinstance(tags, Mapping) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in tags.items()
    ):
        problem = f"tags must be a mapping of str to str (keys not empty), got {tags!r}"
        raise DefinitionError(kind, name, problem)
    return FrozenDict(tags)


def freeze_str_list(kind: str, name: str, what: str, values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise DefinitionError(kind, name, f"{what} must be a list of strings, got {values!r}")
    if not all(isinstance(v, str) for v in values):
        raise DefinitionError(kind, name, f"{what} must contain only strings, got {values!r}")
    return tuple(values)


def set_frozen(obj: object, field_name: str, value: object) -> None:
    """Normalise a field inside __post_init__ of a frozen dataclass."""
    object.__setattr__(obj, field_name, value)


def check_unique(kind: str, name: str, what: str, names: list[str] | tuple[str, ...]) -> None:
    seen: set[str] = set()
    for item in names:
        if item in seen:
            raise DefinitionError(kind, name, f"duplicate {what} {item!r}")
        seen.add(item)
