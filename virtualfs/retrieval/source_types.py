"""The types the definitions leave open, read from the warehouse.

``sum``, ``min``, ``max`` and ``last`` return the type of the column they read, which the
definitions do not state: one ``LIMIT 0`` query per source that needs it asks the warehouse.
The compiler stays pure; these are the steps before it that need a connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.compile.aggregate.lookup import feature_dtype, needs_input_types, typed_lookup
from virtualfs.compile.aggregate.snapshot import build_snapshot_query
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.compile.scan import source_relation
from virtualfs.definitions import DType, FeatureView
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import resolve_column

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.warehouses.base import Warehouse


def typed_lookups(warehouse: Warehouse, lookups: Sequence[ViewLookup]) -> tuple[ViewLookup, ...]:
    """``lookups`` with every aggregation typed from its source column in ``warehouse``."""
    return tuple(typed_lookup(lookup, input_dtypes(warehouse, lookup.view)) if needs_input_types(lookup)
                 else lookup for lookup in lookups)


def input_dtypes(warehouse: Warehouse, view: FeatureView) -> dict[str, DType]:
    """The dtype of each column the view's aggregations read, as the warehouse stores it."""
    schema = warehouse.schema_of(source_relation(view.source, warehouse.dialect))
    found = {}
    for aggregation in view.aggregations:
        column = resolve_column(aggregation.column, schema.names, warehouse.dialect)
        if column is not None:
            found[aggregation.column] = dtype_of_arrow(schema.field(column).type) or DType.STRING
    return found


def snapshot_query(warehouse: Warehouse, view: FeatureView, as_of: datetime,
                   keys: exp.Table | None = None) -> exp.Select:
    """Every stored feature of ``view`` for every key at ``as_of`` (``compile.aggregate.snapshot``),
    typed from ``warehouse``; with ``keys`` (an uploaded table of key texts), only those keys."""
    features = tuple(FeatureColumn(n, n, feature_dtype(view, n)) for n in view.feature_names)
    typed = typed_lookups(warehouse, [ViewLookup(view, features)])[0]
    return build_snapshot_query(typed, as_of, warehouse.dialect, warehouse.capabilities, keys)
