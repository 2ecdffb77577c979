"""Check definitions against the live warehouse before they are applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.definitions import DType, FeatureView, Source
from virtualfs.definitions.source import parse_source_query
from virtualfs.errors import DefinitionError, ValidationError, WarehouseError

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse


def validate_registry(warehouse: Warehouse, registry: Registry) -> None:
    """Every view's source exists and returns its key, time and feature columns, typed right."""
    schemas: dict[str, pa.Schema] = {}
    for view in registry.views.values():
        source = view.source
        if source.name not in schemas:
            schemas[source.name] = _source_schema(warehouse, source)
        check_view_columns(view, schemas[source.name])


def _source_schema(warehouse: Warehouse, source: Source) -> pa.Schema:
    try:
        return warehouse.schema_of(source_relation(source, warehouse.dialect))
    except WarehouseError as error:
        what = f"table {source.table!r}" if source.table else "query"
        raise ValidationError(f"source {source.name!r}: {what} cannot be read: {error}") from None


def source_relation(source: Source, dialect: str) -> exp.Expression:
    """The source as a tree: a table normalised the way the warehouse resolves names, or its query."""
    if source.table is not None:
        return normalize_identifiers(exp.to_table(source.table, dialect=dialect), dialect=dialect)
    return parse_source_query(source.name, source.query or "", dialect)


def check_view_columns(view: FeatureView, schema: pa.Schema) -> None:
    types = {field.name.lower(): field.type for field in schema}
    expected: list[tuple[str, str, DType | None]] = [(key, "join key", None) for key in view.join_keys]
    expected.append((view.source.timestamp, "timestamp column", DType.TIMESTAMP))
    if view.source.created:
        expected.append((view.source.created, "created column", DType.TIMESTAMP))
    expected += [(f.name, "feature", f.dtype) for f in view.features]
    for aggregation in view.aggregations:
        expected.append((aggregation.column, f"aggregation {aggregation.name!r} column", None))
        expected += [(c, f"aggregation {aggregation.name!r} filter column", None)
                     for c in sorted(aggregation.filter_columns())]
    for column, role, dtype in expected:
        found = types.get(column.lower())
        where = f"feature view {view.name!r} (source {view.source.name!r})"
        if found is None:
            raise ValidationError(
                f"{where}: {role} {column!r} is not a column of the source; it has "
                f"{', '.join(schema.names)}"
            )
        if dtype is not None and not compatible(dtype, found):
            raise ValidationError(
                f"{where}: {role} {column!r} is declared {dtype} but the warehouse column is {found}"
            )
    for aggregation in view.aggregations:
        try:
            aggregation.output_dtype(dtype_of(types[aggregation.column.lower()]))
        except DefinitionError as error:
            raise ValidationError(f"feature view {view.name!r}: {error}") from None


def dtype_of(arrow_type: pa.DataType) -> DType:
    """The feature dtype a warehouse column of ``arrow_type`` is served as."""
    for dtype in (DType.BOOL, DType.INT64, DType.FLOAT64, DType.TIMESTAMP, DType.STRING):
        if compatible(dtype, arrow_type):
            return dtype
    return DType.STRING


def compatible(dtype: DType, arrow_type: pa.DataType) -> bool:
    """Whether a warehouse column of ``arrow_type`` can be served as ``dtype`` without loss of meaning."""
    import pyarrow.types as t

    checks = {
        DType.INT64: t.is_integer,
        DType.FLOAT64: lambda a: t.is_floating(a) or t.is_decimal(a) or t.is_integer(a),
        DType.STRING: lambda a: t.is_string(a) or t.is_large_string(a) or t.is_string_view(a),
        DType.BOOL: t.is_boolean,
        DType.TIMESTAMP: lambda a: t.is_timestamp(a) or t.is_date(a),
    }
    return bool(checks[dtype](arrow_type))
