"""Sources written as ibis expressions, compiled for a dialect: ``expr=`` becomes ``query=``.

ibis quotes every name it writes; the SQL kept here leaves plain names unquoted, so they fold
the way the warehouse folds hand-written SQL (upper case on Snowflake), like a ``query=``
source's. From then on nothing tells the two apart: validation, lineage, every PIT strategy
and the catalog see one SELECT.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from sqlglot import exp

from virtualfs.definitions import Source
from virtualfs.definitions.base import sql_already_checked
from virtualfs.definitions.expression import expression_sql
from virtualfs.definitions.source import parse_source_query
from virtualfs.dialects.render import to_sql
from virtualfs.registry import Registry

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=256)
def bind_source(source: Source, dialect: str) -> Source:
    """``source`` with its ibis ``expr`` compiled into ``dialect``'s SQL as ``query=`` (a source
    without one comes back as it is); a DefinitionError names the source when ibis cannot."""
    if source.expr is None:
        return source
    query = parse_source_query(source.name, expression_sql(source.name, source.expr, dialect), dialect)
    for identifier in query.find_all(exp.Identifier):
        if _PLAIN.fullmatch(identifier.this):
            identifier.set("quoted", False)
    with sql_already_checked():  # parsed above, in the dialect it was written for
        return dataclasses.replace(source, query=to_sql(query, dialect, identify=False), expr=None)


def bind_registry(registry: Registry, dialect: str) -> Registry:
    """``registry`` with every ibis-expression source bound (:func:`bind_source`), in the views
    that read them too: what ``apply`` validates and the catalog stores."""
    sources = {name: bind_source(source, dialect) for name, source in registry.sources.items()}
    if all(sources[name] is source for name, source in registry.sources.items()):
        return registry
    views = {name: view if view.source.expr is None else
             dataclasses.replace(view, source=sources[view.source.name])
             for name, view in registry.views.items()}
    return dataclasses.replace(registry, sources=sources, views=views)
