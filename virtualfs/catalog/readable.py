"""Definitions as people read them: durations as ``14d``, nested definitions by name, one line
per feature. Pure; the CLI prints these strings, and ``--json`` output uses :func:`readable`."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import timedelta
from enum import Enum
from typing import Any

from virtualfs.definitions import Aggregation, Check, Entity, Feature, FeatureView, Source, SourceColumn
from virtualfs.definitions.base import at_omitted_default, is_deployment
from virtualfs.definitions.durations import format_duration

# Text shown without quotes: one word with nothing that could be mistaken for punctuation.
_BARE = re.compile(r"[^\s\"'\[\]{},]+")


def show(value: Any) -> str:
    """One value on one line.

    >>> show(timedelta(days=14)), show(None), show("@hourly"), show("Two words."), show(("a", "b"))
    ('14d', 'none', '@hourly', '"Two words."', '[a, b]')
    """
    if value is None:
        return "none"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if _BARE.fullmatch(value) else json.dumps(" ".join(value.split()), ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if hasattr(value, "name") and dataclasses.is_dataclass(value):
        return str(value.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a source's column
        return show({field.name: getattr(value, field.name) for field in dataclasses.fields(value)
                     if getattr(value, field.name) not in ("", None, {})})
    return str(value)


def readable(value: Any) -> Any:
    """JSON-able data a person can read too: durations as ``"14d"``, definitions as plain dicts.

    >>> readable({"ttl": timedelta(days=30), "features": (Feature("amount", "float64"),)})
    {'ttl': '30d', 'features': [{'name': 'amount', 'dtype': 'float64', 'description': '', 'owner': '', \
'tags': {}, 'pii': None}]}
    """
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: readable(getattr(value, field.name)) for field in dataclasses.fields(value)
                if not (is_deployment(field) or at_omitted_default(field, getattr(value, field.name)))}
    if isinstance(value, Mapping):
        return {str(key): readable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [readable(item) for item in value]
    return value


def summary(definition: Any) -> str:
    """What a feature, aggregation, check, entity or source is, in a few words.

    >>> summary(Aggregation("spend_30d", "sum", "amount", "30d", filter="is_gift = TRUE"))
    'sum of amount over 30d where is_gift = TRUE'
    >>> summary(Feature("amount", "float64")), summary(Entity("customer", ["customer_id"]))
    ('float64', 'customer_id')
    >>> summary(Check("amount", not_null=0.99, severity="warn"))
    'at least 0.99 of rows not null; warn'
    >>> summary(Feature("region", "string", pii=False)), summary(SourceColumn(pii=True))
    ('string; declared pii=False', 'pii')
    """
    if isinstance(definition, Feature):
        return definition.dtype.value + _declared_pii(definition.pii)
    if isinstance(definition, Aggregation):
        where = f" where {' '.join(definition.filter.split())}" if definition.filter else ""
        pii = _declared_pii(definition.pii)
        return f"{definition.function} of {definition.column} over {show(definition.window)}{where}{pii}"
    if isinstance(definition, SourceColumn):
        return "pii" if definition.pii else "not pii"
    if isinstance(definition, Check):
        scope = ", over the table after the swap" if definition.scope == "table" else ""
        return f"{definition.expected}; {definition.severity}{scope}"
    if isinstance(definition, Entity):
        return ", ".join(definition.join_keys)
    if isinstance(definition, Source):
        place = f"table {definition.table}" if definition.table else f"query {show(definition.query)}"
        created = f", created {definition.created}" if definition.created else ""
        return f"{place}, event time {definition.timestamp}{created}"
    return show(definition)


def _declared_pii(pii: bool | None) -> str:
    """What a feature says of itself: nothing (inferred from lineage), or its declaration."""
    return "" if pii is None else f"; declared pii={pii}"


def counted(count: int, noun: str) -> str:
    """``counted(1, "feature")`` -> ``'1 feature'``; ``counted(3, "feature")`` -> ``'3 features'``.

    >>> counted(1, "feature"), counted(3, "aggregation")
    ('1 feature', '3 aggregations')
    """
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def view_contents(view: FeatureView) -> str:
    """A view's plain features and aggregations, counted apart: ``'5 features, 3 aggregations'``."""
    parts = [counted(len(view.features), "feature") if view.features else "",
             counted(len(view.aggregations), "aggregation") if view.aggregations else ""]
    return ", ".join(part for part in parts if part)


def definition_lines(definition: Any) -> list[str]:
    """A definition as an indented page: who owns it, one field a line, then each feature and
    aggregation a row.

    >>> print("\\n".join(definition_lines(Entity("customer", ["customer_id"], owner="growth"))))
    entity customer
      owner         growth
      join keys     customer_id
    """
    lines = [f"{definition.kind} {definition.name}"]
    for field in sorted(dataclasses.fields(definition), key=lambda f: _PLACE.get(f.name, 1)):
        value = getattr(definition, field.name)
        if field.name == "name" or (value in ("", None, {}, ()) and field.name not in _ALWAYS_SHOWN):
            continue
        if is_deployment(field) or at_omitted_default(field, value):  # as the catalog stores it
            continue
        label = field.name.replace("_", " ")
        if field.name in ("features", "aggregations", "checks") and isinstance(definition, FeatureView):
            lines += [f"  {label}", *_member_rows(value)]
        elif field.name == "features":  # a service's references, one a line
            lines += [f"  {label}", *(f"    {reference}" for reference in value)]
        elif field.name == "columns":  # a source's classified columns, one a line
            lines += [f"  {label}", *_column_rows(value)]
        else:
            lines.append(f"  {label:<13} {_field_text(value)}")
    return lines


# Where a field goes on the page: what it is and who owns it first, its features last.
_PLACE = {"description": 0, "owner": 0, "features": 2, "aggregations": 2, "checks": 3}
# Fields whose emptiness says something: no ttl means values never expire.
_ALWAYS_SHOWN = frozenset({"ttl", "schedule"})


def _field_text(value: Any) -> str:
    if isinstance(value, (Entity, Source)):
        return f"{value.name} ({summary(value)})"
    if isinstance(value, tuple) and value and all(isinstance(item, Entity) for item in value):
        return "; ".join(_field_text(item) for item in value)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    if isinstance(value, str):
        return " ".join(value.split())
    return show(value)


def _column_rows(columns: Mapping[str, SourceColumn]) -> list[str]:
    width = max(len(key) for key in columns)
    return [f"    {key:<{width}}  {summary(column):<7}  {column.description}".rstrip()
            for key, column in columns.items()]


def _member_rows(members: tuple[Feature | Aggregation | Check, ...]) -> list[str]:
    names = max(len(member.name) for member in members)
    kinds = max(len(summary(member)) for member in members)
    return [f"    {m.name:<{names}}  {summary(m):<{kinds}}  {getattr(m, 'description', '')}".rstrip()
            for m in members]
