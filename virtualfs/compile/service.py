"""The SQL a feature service compiles to, over a fixed entity table: for reading, not running.

This is what ``virtualfs sql`` prints and what ``dialects/<dialect>/historical_<service>.sql``
holds: entity rows in ``_vfs_entities`` with the service's join keys, ``event_timestamp``
and ``_vfs_row``.
"""

from __future__ import annotations

from virtualfs.compile import names
from virtualfs.compile.historical import build_retrieval
from virtualfs.compile.request import EntityRelation, PitRequest, Rule
from virtualfs.compile.resolve import resolve_lookups
from virtualfs.definitions import FeatureService
from virtualfs.dialects import Capabilities, capabilities_of, naive_timestamp
from virtualfs.dialects.identifiers import temp_table
from virtualfs.registry import Registry

TIMESTAMP_COLUMN = "event_timestamp"


def service_sql(registry: Registry, service: str | FeatureService, dialect: str,
                capabilities: Capabilities | None = None, rule: Rule = "known") -> str:
    """The pretty-printed SQL retrieving ``service`` in ``dialect``.

    Example::

        print(service_sql(registry, "reorder_model", "snowflake"))
        # -> WITH "_vfs_bounds" AS ( ...
    """
    lookups = resolve_lookups(registry, service)
    keys = tuple(dict.fromkeys(k for lookup in lookups for k in lookup.view.join_keys))
    entities = EntityRelation(
        table=temp_table(names.ENTITIES), timestamp=TIMESTAMP_COLUMN,
        keys=tuple((k, k) for k in keys), carry=(*keys, TIMESTAMP_COLUMN), time_type=naive_timestamp(dialect),
    )
    compiled = build_retrieval(PitRequest(lookups, entities, rule), dialect,
                               capabilities or capabilities_of(dialect))
    return compiled.render(dialect, pretty=True) + ";\n"
