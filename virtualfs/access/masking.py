"""How a PII feature is masked for a role with ``pii: masked``: one rule, offline and online.

- a string, or an integer feature named like a join key (an identifier: masked, it still joins
  and counts): ``hash``, the SHA-256 of its text (UTF-8) as 64 lower-case hex digits;
- any other value (numbers, booleans, times): ``null``.

Offline the warehouse computes the hash in the compiled SQL (``compile.mask``), so the clear
values never leave it; online the server computes the same digest with ``hashlib``; the two
agree, and so do the warehouse's own masked views (``access.grants``). A hash of a value from a
small set (a phone number, a birth date) can be found by hashing every candidate: masking keeps
values out of frames and responses, it is not encryption; use ``pii: denied`` where that matters.

Imports no compiler and no sqlglot: the online read path uses it.

>>> mask_value("alice@example.com", HASH)[:16]
'ff8d9819fc0e12bf'
>>> mask_value(42, NULL) is None
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from virtualfs.definitions import DType
from virtualfs.registry import Registry

HASH, NULL, BY_VALUE = "hash", "null", "by_value"


def key_names(registry: Registry) -> frozenset[str]:
    """Every join key name of ``registry``'s entities: integer features so named are identifiers."""
    return frozenset(key for entity in registry.entities.values() for key in entity.join_keys)


def mask_method(dtype: DType | None, name: str, keys: frozenset[str]) -> str:
    """``hash`` or ``null`` for a feature called ``name`` of ``dtype``; ``by_value`` when the dtype
    is not known (an online aggregation typed by its column: a string value is hashed).

    >>> keys = frozenset({"driver_id"})
    >>> mask_method(DType.INT64, "driver_id", keys), mask_method(DType.FLOAT64, "x", keys)
    ('hash', 'null')
    """
    if dtype is None:
        return BY_VALUE
    if dtype is DType.STRING or (dtype is DType.INT64 and name in keys):
        return HASH
    return NULL


def mask_value(value: Any, method: str) -> str | None:
    """``value`` masked by ``method``; a null stays null."""
    if value is None or method == NULL:
        return None
    if method == BY_VALUE and not isinstance(value, str):
        return None
    return hashlib.sha256(str(value).encode()).hexdigest()


def mask_columns(columns: Mapping[str, list], methods: Mapping[str, str]) -> dict[str, list]:
    """``columns`` with each column ``methods`` names masked."""
    return {name: [mask_value(v, methods[name]) for v in values] if name in methods else values
            for name, values in columns.items()}
