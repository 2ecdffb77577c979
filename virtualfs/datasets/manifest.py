"""A saved dataset's manifest: everything needed to say what the rows are and to rebuild them.

Pure data, stored in the catalog as JSON (``catalog.datasets``), one revision per save. The
fields, by what they answer:

- *what was asked*: ``features`` (references expanded to ``view:feature``, in output order),
  ``service`` (when asked by one), ``rule``, ``full_feature_names``, ``catalog_version`` (the
  definitions that were live), ``entities`` (how the entity rows came: an uploaded frame or a
  query's SQL, their columns, a fingerprint of them, and the table they are kept in);
- *how it was computed*: ``sql`` (the statements run), ``as_of`` (taken just before they ran),
  ``reads`` (every refreshed table or kept tiles table read instead of a source, with its
  watermark), ``warehouse`` (the dialect);
- *what came out*: ``table``, ``rows``, ``columns`` (name and type), ``content_hash``
  (``compile.dataset``: equal for equal rows, in any order, on any warehouse) and
  ``statistics`` (per column ``count`` of values and ``null_count``, computed in the warehouse
  in the same query as the hash; a fuller profile may replace it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from virtualfs.errors import RequestError

FORMAT = 1
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def check_name(name: object) -> str:
    """``name`` if it can name a dataset (a plain identifier, as its table is named after it).

    >>> check_name("churn_train_v1")
    'churn_train_v1'
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RequestError(f"dataset name {name!r}: expected a letter or _ then up to 99 letters, digits "
                           "or _ (it names a table)")
    lowered = name.lower()
    if lowered.startswith("_vfs_") or "__" in name or lowered.startswith("tiles_"):
        raise RequestError(f"dataset name {name!r}: may not start with '_vfs_' or 'tiles_' nor contain "
                           "'__' (names of that shape belong to refreshed tables)")
    return name


@dataclass(frozen=True)
class EntityRows:
    """How the entity rows came (``kind``: ``frame`` uploaded, or ``query`` with its ``sql``),
    their ``columns``, time column and join keys (key -> column), how many, a ``fingerprint``
    (the content hash of the rows with their positions: a reordered frame differs), and the
    ``table`` they are kept in for a rebuild."""

    kind: str
    columns: tuple[str, ...]
    timestamp: str
    keys: Mapping[str, str]
    rows: int
    fingerprint: str
    table: str
    sql: str | None = None


@dataclass(frozen=True)
class Column:
    """A column of the saved table: its name and type (a dtype, ``date``, or the Arrow type)."""

    name: str
    type: str


@dataclass(frozen=True)
class CopyRecord:
    """A stored copy the frame read instead of a source (``retrieval.origin.CopyRead``)."""

    view: str
    copy: str
    location: str
    watermark: datetime | None
    rows: int | None = None


@dataclass(frozen=True)
class Manifest:
    """One saved revision of a dataset; see the module docstring for the fields."""

    name: str
    catalog_version: int
    features: tuple[str, ...]
    rule: str
    full_feature_names: bool
    entities: EntityRows
    sql: str
    as_of: datetime
    table: str
    warehouse: str
    rows: int
    columns: tuple[Column, ...]
    content_hash: str
    statistics: Mapping[str, Any]
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    service: str | None = None
    reads: tuple[CopyRecord, ...] = ()
    format: int = FORMAT

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def feature_columns(self) -> list[str]:
        """The output column of each of ``features``, in the same order (after the entity columns)."""
        entity_columns = set(self.entities.columns)
        return [column.name for column in self.columns if column.name not in entity_columns]

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data (times as ISO 8601 text)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        for read in data["reads"]:
            read["watermark"] = read["watermark"].isoformat() if read["watermark"] else None
        return json.loads(json.dumps(data))  # tuples as lists, as stored

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Manifest:
        """The inverse of :meth:`to_data`."""
        values = dict(data)
        entities = dict(values["entities"])
        values["entities"] = EntityRows(**{**entities, "columns": tuple(entities["columns"])})
        values["columns"] = tuple(Column(**c) for c in values["columns"])
        values["reads"] = tuple(CopyRecord(**{**read, "watermark": _time(read["watermark"])})
                                for read in values["reads"])
        values["features"] = tuple(values["features"])
        values["as_of"] = _time(values["as_of"])
        return cls(**values)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
