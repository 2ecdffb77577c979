"""A training frame as a lazy ibis table (``RetrievalJob.to_ibis``): the frame's query, on the
warehouse's own connection, for a scientist to keep filtering, joining and aggregating there.

The query reads the entity rows from a temporary table of its own name (two lazy frames never
share one), which stays in the session as long as some ibis expression built on the frame
lives: it is dropped when the last one is garbage-collected, or with the session. A wide request
(split into parts) is computed once into a temporary table, which the ibis table then reads.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import weakref
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.entities import build_numbered_entities
from virtualfs.definitions.dtypes import DType
from virtualfs.dialects import dialect
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.types import sql_type
from virtualfs.errors import UnsupportedError, WarehouseError
from virtualfs.retrieval.entities import with_row_ids
from virtualfs.warehouses.base import IbisConnectable, Warehouse

if TYPE_CHECKING:
    from virtualfs.retrieval.job import RetrievalJob

_numbers = itertools.count()


def lazy_table(job: RetrievalJob) -> Any:
    """``job``'s frame (input columns then features, in input order) as an ibis table."""
    warehouse = job.warehouse
    if not isinstance(warehouse, IbisConnectable):
        raise UnsupportedError(f"{warehouse.dialect}: this warehouse cannot share its connection with ibis")
    backend = warehouse.ibis_connection()
    suffix = f"{os.getpid()}_{next(_numbers)}"
    made: list[exp.Table] = []
    try:
        job = _with_entities_staged(job, f"_vfs_entities_{suffix}", made)
        query: exp.Query = job.compiled().query
        if job.compiled().setup:  # a wide request, in parts
            query = _computed(job, f"_vfs_frame_{suffix}", made)
        table = backend.sql(to_sql(_typed(job, query), warehouse.dialect))
    except BaseException:
        _drop(warehouse, made)
        raise
    # ibis expressions built on the table hold its operation node: when the last goes, so do these
    # (at interpreter exit the session ends, and its temporary tables with it)
    weakref.finalize(table.op(), _drop, warehouse, made).atexit = False
    return table


def _with_entities_staged(job: RetrievalJob, name: str, made: list[exp.Table]) -> RetrievalJob:
    """``job`` reading its entity rows from temporary table ``name`` (numbered by ``_vfs_row``);
    entity rows stored in the warehouse already are read where they are."""
    entities = job.entities
    if entities.stored is not None:
        return job
    warehouse = job.warehouse
    if entities.table is not None:
        target = warehouse.upload(name, with_row_ids(entities.table, entities.columns))
    else:
        target = temp_table(name, max_length=dialect(warehouse.dialect).max_identifier_bytes)
        warehouse.execute(exp.Create(this=target.copy(), kind="TABLE",
                                     expression=build_numbered_entities(entities.query),
                                     properties=exp.Properties(expressions=[exp.TemporaryProperty()])))
    made.append(target)
    staged = dataclasses.replace(entities, stored=target, stored_from_frame=entities.uploaded_times)
    return dataclasses.replace(job, entities=staged)


def _computed(job: RetrievalJob, name: str, made: list[exp.Table]) -> exp.Select:
    """The result of a wide request kept in temporary table ``name`` and read in input order:
    its parts have fixed names, which the next request would replace under a lazy query."""
    warehouse, compiled = job.warehouse, job.compiled(row_ids=True)
    target = temp_table(name, max_length=dialect(warehouse.dialect).max_identifier_bytes)
    try:
        for statement in compiled.setup:
            warehouse.execute(statement)
        warehouse.execute(exp.Create(this=target.copy(), kind="TABLE", expression=compiled.query,
                                     properties=exp.Properties(expressions=[exp.TemporaryProperty()])))
        made.append(target)
    finally:
        for statement in compiled.cleanup:
            with suppress(WarehouseError):
                warehouse.execute(statement)
    output = (*job.entities.columns, *job.feature_names)
    columns = [exp.column(exp.to_identifier(c, quoted=True)) for c in output]
    order = exp.Ordered(this=exp.column(exp.to_identifier(names.ROW, quoted=True)), nulls_first=False)
    return exp.select(*columns).from_(target.copy()).order_by(order)


def _typed(job: RetrievalJob, query: exp.Query) -> exp.Query:
    """``query`` with each feature cast to its declared type in the warehouse: the types
    ``to_pandas`` gives the frame (a NUMERIC source column read as a float64 feature is a double
    here too, not a decimal), and what ibis reads as the table's schema."""
    if not isinstance(query, exp.Select):
        return query
    types = {f.output: f.dtype for lookup in job.lookups for f in lookup.features}
    types.update({mask.output: DType.STRING for mask in job.masks if mask.method == "hash"})
    typed = query.copy()
    projections = []
    for projection in typed.expressions:
        name = projection.alias_or_name
        if name in types:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            projection = names.alias(exp.cast(inner, sql_type(types[name], job.warehouse.dialect)), name)
        projections.append(projection)
    typed.set("expressions", projections)
    return typed


def _drop(warehouse: Warehouse, tables: list[exp.Table]) -> None:
    for table in tables:
        # the session may be over already (and its temporary tables with it)
        with suppress(WarehouseError):
            warehouse.execute(exp.Drop(this=table.copy(), kind="TABLE", exists=True))
