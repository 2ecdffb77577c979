"""Check definitions against the live warehouse before they are applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile.aggregate.lookup import feature_dtype
from virtualfs.compile.on_demand import build_probe
from virtualfs.compile.scan import source_relation
from virtualfs.definitions import DType, FeatureView, OnDemandView, Source
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import resolve_column
from virtualfs.dialects.types import compatible
from virtualfs.errors import DefinitionError, ValidationError, WarehouseError

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse


def validate_registry(warehouse: Warehouse, registry: Registry) -> None:
    """Every view's source exists and returns its key, time and feature columns, typed right,
    every check can judge the column it names, and every column a source classifies exists."""
    schemas: dict[str, pa.Schema] = {}
    for view in registry.views.values():
        source = view.source
        if source.push_only:  # its columns are the view's own (``virtualfs.push.tables``)
            continue
        if source.name not in schemas:
            schemas[source.name] = _source_schema(warehouse, source)
        check_view_columns(view, schemas[source.name], warehouse.dialect)
        check_view_checks(view, schemas[source.name], warehouse.dialect)
        check_aggregation_filters(warehouse, view)
    for source in registry.sources.values():
        if not source.push_only:
            check_classified_columns(warehouse, source)
    for on_demand in registry.on_demand.values():
        check_on_demand_expressions(warehouse, registry, on_demand)


def check_on_demand_expressions(warehouse: Warehouse, registry: Registry, view: OnDemandView) -> None:
    """The warehouse can compute each expression of ``view`` from inputs of their types."""
    if not view.programs:
        return
    dtypes = {ref.feature: feature_dtype(registry.view(ref.view), ref.feature) for ref in view.feature_inputs}
    dtypes.update({field.name: field.dtype for field in view.request_fields})
    if any(dtype is None for dtype in dtypes.values()):
        return  # an input typed by its source column: the first frame asked for checks it
    try:
        warehouse.schema_of(build_probe(view, dtypes, warehouse.dialect))  # type: ignore[arg-type]
    except WarehouseError as error:
        problem = f"its expressions cannot be computed from inputs of types {_typed(dtypes)}: {error}"
        raise ValidationError(f"on demand view {view.name!r}: {problem}") from None


def _typed(dtypes: dict[str, DType | None]) -> str:
    return ", ".join(f"{name} {dtype}" for name, dtype in dtypes.items())


def _source_schema(warehouse: Warehouse, source: Source) -> pa.Schema:
    try:
        return warehouse.schema_of(source_relation(source, warehouse.dialect))
    except WarehouseError as error:
        what = f"table {source.table!r}" if source.table else "query"
        raise ValidationError(f"source {source.name!r}: {what} cannot be read: {error}") from None


def check_view_columns(view: FeatureView, schema: pa.Schema, dialect: str) -> None:
    """Each column the view reads is in ``schema`` (resolved by the warehouse's name rules), typed right."""
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
        name = resolve_column(column, schema.names, dialect)
        found = schema.field(name).type if name is not None else None
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
            name = resolve_column(aggregation.column, schema.names, dialect)
            aggregation.output_dtype(dtype_of_arrow(schema.field(name).type) or DType.STRING)
        except DefinitionError as error:
            raise ValidationError(f"feature view {view.name!r}: {error}") from None


def check_view_checks(view: FeatureView, schema: pa.Schema, dialect: str) -> None:
    """Each check's column is a column of the source, of a type the check can judge
    (``between`` and ``mean_between`` need numbers; ``values`` the type of its values)."""
    for check in view.checks:
        if check.column is None:
            continue
        where = f"feature view {view.name!r} (source {view.source.name!r}): check {check.name!r}"
        name = resolve_column(check.column, schema.names, dialect)
        if name is None:
            raise ValidationError(f"{where}: column {check.column!r} is not a column of the source; it has "
                                  f"{', '.join(schema.names)}")
        found = schema.field(name).type
        dtype = dtype_of_arrow(found)
        if dtype is None and check.condition in ("between", "mean_between", "values"):
            raise ValidationError(f"{where}: {check.condition} cannot judge {check.column!r} of type {found}")
        misfit = check.misfit(dtype)
        if misfit is not None:
            raise ValidationError(f"{where}: {misfit} in the warehouse ({found})")


def check_aggregation_filters(warehouse: Warehouse, view: FeatureView) -> None:
    """Each aggregation filter runs on the view's source: ``SELECT CASE WHEN filter ... LIMIT 0``
    makes the warehouse check its types and functions before anything is applied."""
    from virtualfs.compile import names
    from virtualfs.compile.aggregate.spec import bind_filter
    from virtualfs.compile.scan import build_source_relation

    table = build_source_relation(view.source, warehouse.dialect)
    for aggregation in view.aggregations:
        if aggregation.filter is None:
            continue
        condition = bind_filter(aggregation.name, aggregation.filter, warehouse.dialect, names.SOURCE)
        flag = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))])
        try:
            warehouse.schema_of(exp.select(exp.alias_(flag, "_vfs_filter")).from_(table.copy()))
        except WarehouseError as error:
            raise ValidationError(
                f"feature view {view.name!r}: aggregation {aggregation.name!r}: filter "
                f"{aggregation.filter!r} cannot run on source {view.source.name!r}: {error}"
            ) from None


def check_classified_columns(warehouse: Warehouse, source: Source) -> None:
    """Each column ``source`` classifies (``columns=``) can be read, named as the warehouse
    resolves it: a misspelt PII column would leave the features read from the real one
    unclassified. A bare name is read from the source's own rows."""
    from virtualfs.compile.scan import build_source_relation
    from virtualfs.governance.columns import WarehouseColumn, key_column

    for key in source.columns:
        found = key_column(source, key, warehouse.dialect)
        if isinstance(found, WarehouseColumn):
            *schema, table = (exp.to_identifier(part, quoted=True) for part in found.table)
            relation = exp.Table(this=table, db=schema[-1] if schema else None,
                                 catalog=schema[-2] if len(schema) > 1 else None)
            column = found.column
        else:
            relation, column = build_source_relation(source, warehouse.dialect), found
        probe = exp.select(exp.column(exp.to_identifier(column, quoted=True))).from_(relation)
        try:
            warehouse.schema_of(probe)
        except WarehouseError as error:
            raise ValidationError(f"source {source.name!r}: columns: {key!r} is not a column the warehouse "
                                  f"has: {str(error).splitlines()[0]}") from None
