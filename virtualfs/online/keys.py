"""One key encoding for every online store.

A key is ``<project>:<view>#<schema tag>:{<entity>}``, e.g. ``shop:customer_orders#9f3a1c2b:{42}``.

- The schema tag hashes the view's join keys and feature names and types, so a value written for
  an older shape of the view is never decoded against the new one (re-materialize after a change).
- The entity part is each join key value as text (an integer in decimal, a string as itself with
  ``\\ | { }`` escaped), joined by ``|``. Integer 42 and string "42" are the same key: a join key
  column has one type in the warehouse, and clients (CLI, HTTP) often send ids as text.
- The entity part sits inside ``{...}``, a Redis Cluster hash tag: every view of one entity hashes
  to the same slot, so one entity's vector can be read from one node.
"""

from __future__ import annotations

import hashlib
import numbers
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from virtualfs.definitions import FeatureView

if TYPE_CHECKING:
    import pyarrow as pa

_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "{": "\\{", "}": "\\}"})
_ESCAPE_PATTERN = r"([\\|{}])"
SEPARATOR = "|"
# A stored part's prefix: project and view are identifiers, so neither holds ':' nor '#'.
_PART_PREFIX = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)#([0-9a-f]{8}):")


def schema_tag(view: FeatureView) -> str:
    """8 hex characters that change when the stored shape of ``view`` changes."""
    shape = [*view.join_keys, "", *(f"{f.name}:{f.dtype.value}" for f in view.features)]
    # an aggregation's stored value depends on its whole definition (a new window, new values)
    shape += [f"{a.name}:{a.function}:{a.column}:{a.window.total_seconds()}:{a.filter}"
              for a in view.aggregations]
    return hashlib.blake2b("\n".join(shape).encode(), digest_size=4).hexdigest()


def stored_parts(view: FeatureView) -> tuple[FeatureView, ...]:
    """How the online store keeps ``view``: its plain features as the latest row per key (with
    that row's own event time, judged against the view's TTL), and its aggregations as a
    snapshot of every key at the last refresh (with the refresh time, and no TTL: offline,
    windows bound aggregations, TTLs do not). A view with both is kept as two parts, each
    under keys of its own shape.

    Example::

        [len(p.features) for p in stored_parts(view)]
        # -> [2, 0]
    """
    from dataclasses import replace

    if not view.aggregations:
        return (view,)
    # a part is what the store keeps, not what a refresh publishes: the view's checks (which may
    # judge a column the part no longer reads) stay with the view; a fingerprint leaves them out
    aggregates = replace(view, features=(), ttl=None, checks=())
    return (replace(view, aggregations=(), checks=()), aggregates) if view.features else (aggregates,)


def part_prefix(project: str, view: FeatureView) -> str:
    """What every key of one shape of a view starts with, its marker's too:
    ``shop:customer_orders#9f3a1c2b:``."""
    return f"{project}:{view.name}#{schema_tag(view)}:"


def view_prefix(project: str, view: FeatureView) -> str:
    """Everything before a view's entity text: ``shop:customer_orders#9f3a1c2b:{``."""
    return part_prefix(project, view) + "{"


def marker_key(project: str, view: FeatureView) -> str:
    """The key of a view's materialization marker (how far this store holds this view's shape)."""
    return part_prefix(project, view) + "~"


def prefix_of(key: str, project: str) -> str | None:
    """The :func:`part_prefix` ``key`` starts with, if it is a key of ``project``; else None.

    >>> prefix_of("shop:orders#9f3a1c2b:{42}", "shop"), prefix_of("shop:orders:{42}", "shop")
    ('shop:orders#9f3a1c2b:', None)
    """
    found = _PART_PREFIX.match(key)
    return found.group(0) if found is not None and found.group(1) == project else None


def view_of_prefix(prefix: str) -> str:
    """The view named in a :func:`part_prefix`."""
    return prefix.partition(":")[2].partition("#")[0]


def check_part_prefix(prefix: str) -> str:
    """``prefix`` when it is one whole :func:`part_prefix`; else ValueError (a store never deletes
    by a shorter prefix, which could cover another view's or another project's keys)."""
    if not _PART_PREFIX.fullmatch(prefix):
        raise ValueError(f"online key prefix {prefix!r}: expected <project>:<view>#<8 hex>:")
    return prefix


def plain_text(value: object) -> str:
    """A join key value as text, unescaped; raise TypeError for anything but an integer or a string.

    >>> plain_text(42), plain_text("a|b")
    ('42', 'a|b')
    """
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str)):
        raise TypeError(f"expected an integer or a string, got {kind.__name__} {value!r}")
    return str(int(value)) if isinstance(value, numbers.Integral) else str(value)


def key_text(value: object) -> str:
    """A join key value as it appears in a key: :func:`plain_text` with ``\\ | { }`` escaped."""
    if type(value) is int:
        return str(value)
    return plain_text(value).translate(_ESCAPES)


def entity_key(prefix: str, values: Sequence[object]) -> str:
    """The full key of one entity: ``prefix`` from :func:`view_prefix` plus its join key values."""
    if len(values) == 1:
        return prefix + key_text(values[0]) + "}"
    return prefix + SEPARATOR.join(key_text(v) for v in values) + "}"


def arrow_keys(prefix: str, columns: Sequence[pa.Array], what: str) -> pa.Array:
    """The keys of a batch's rows, built column-wise in Arrow (the materialization path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [_arrow_key_text(column, what) for column in columns]
    prefix_column = pa.scalar(prefix, pa.string())
    return pc.binary_join_element_wise(prefix_column, *_interleave(parts), pa.scalar("}"), "")


def _interleave(parts: list[pa.Array]) -> list:
    import pyarrow as pa

    joined: list = [parts[0]]
    for part in parts[1:]:
        joined += [pa.scalar(SEPARATOR), part]
    return joined


def _arrow_key_text(column: pa.Array, what: str) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_integer(kind) or (pa.types.is_decimal(kind) and kind.scale == 0):
        return pc.cast(column, pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = pc.cast(column, pa.string())
        if pc.any(pc.match_substring_regex(column, _ESCAPE_PATTERN)).as_py():
            return pc.replace_substring_regex(column, _ESCAPE_PATTERN, r"\\\1")
        return column
    raise TypeError(f"join key {what} has type {kind}; expected an integer or a string column")
