"""The warehouse's own controls for the access policy: ``virtualfs grants --dialect ...``.

In-library enforcement protects against mistakes, not against someone holding warehouse
credentials; these statements make the warehouse enforce the same policy on the tables
refreshes keep in the feature schema. Each role of ``access:`` becomes a warehouse role
(``--role-prefix`` + its name; the roles must exist) and reads, of each view's table, the key and
time columns and the columns of the features it may read offline:

- **PostgreSQL**: ``GRANT SELECT (columns) ON TABLE`` for a role that reads no PII masked; a
  role with ``pii: masked`` gets no grant on the table but ``SELECT (columns)`` on the view
  ``<table>__masked``, where PII columns are hashed (text, join keys) or null (``access.masking``,
  the same digest as offline and online); ``pii: denied`` leaves PII columns out of the grant.
- **Snowflake** (no column grants): ``GRANT SELECT ON TABLE`` to every role reading a feature of
  it, and on each column not every one of them may read in the clear a masking policy that gives
  the clear value to roles that may, the SHA-256 (text columns) to masked roles, null to the rest
  (a policy returns its column's type, so a non-text column masks to null).

Every statement is a sqlglot tree (identifiers as nodes); Snowflake's masking policies, which
sqlglot has no node for, are commands assembled from rendered trees and fixed keywords. A grant
belongs to a table as it is: run them again after a refresh rebuilds a table (its first run,
``--full``, a changed definition), which starts the table with no grants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from sqlglot import exp

from virtualfs.access.masking import HASH, key_names, mask_method
from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.mask import build_mask
from virtualfs.compile.refresh import stored_columns
from virtualfs.compile.request import ColumnMask
from virtualfs.definitions import DType, FeatureView
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.dialects.render import to_sql
from virtualfs.errors import RequestError, UnsupportedError
from virtualfs.governance import Classification
from virtualfs.policy import ALL, AccessPolicy, Role, readable
from virtualfs.registry import Registry
from virtualfs.warehouses.base import Warehouse

DIALECTS = ("postgres", "snowflake")


@dataclass(frozen=True)
class StoredColumn:
    """A column of a table in the feature schema: the features it carries (none: a key or a
    time), whether it holds PII, and how it is masked."""

    name: str
    features: frozenset[str]
    pii: bool
    method: str
    arrow_type: pa.DataType


@dataclass(frozen=True)
class StoredTable:
    """A table of the feature schema, its masked view (PostgreSQL), and its columns; ``whole``:
    read whole or not at all (kept tiles, one column standing for all)."""

    view: str
    table: exp.Table
    masked: exp.Table
    columns: tuple[StoredColumn, ...]
    whole: bool = False


def warehouse_grants(policy: AccessPolicy | None, registry: Registry, found: Classification,
                     warehouse: Warehouse, schema: FeatureSchema, dialect: str, role_prefix: str = "") -> str:
    """The script of :func:`build_grants` over the tables ``warehouse`` holds now."""
    if policy is None:
        raise RequestError("grants: virtualfs.yaml has no access: section; there is no policy to grant")
    if dialect != warehouse.dialect:
        raise RequestError(f"grants: --dialect {dialect} names another warehouse than the repository's "
                           f"({warehouse.dialect}), whose tables the statements are for")
    tables = stored_tables(warehouse, registry, found, schema)
    return render(build_grants(policy, registry, tables, schema, dialect, role_prefix), dialect)


def stored_tables(warehouse: Warehouse, registry: Registry, found: Classification,
                  schema: FeatureSchema) -> list[StoredTable]:
    """The tables refreshes keep for ``registry``'s views that exist in the warehouse now, each
    column classified. Kept tiles tables are included as whole-table columns (see ``_tiles``)."""
    dialect = warehouse.dialect
    present = set(warehouse.tables_in(schema.parts))
    keys = key_names(registry)
    out = []
    for view in registry.views.values():
        name = schema.view_table_name(view)
        if schema.stored_name(name, dialect) in present:
            table = schema.table(name, dialect)
            columns = _columns(view, found, warehouse.schema_of(table), keys, dialect)
            masked = schema.table(schema.masked_view_name(name), dialect)
            out.append(StoredTable(view.name, table, masked, columns))
        for kept in plan_kept_tiles(view, schema):
            if schema.stored_name(kept.name, dialect) in present:
                out.append(_tiles(view, kept.name, kept.aggregations, found, schema, dialect))
    return out


def build_grants(policy: AccessPolicy, registry: Registry, tables: Sequence[StoredTable],
                 schema: FeatureSchema, dialect: str, role_prefix: str = "") -> list[exp.Expression]:
    """The statements that make ``dialect``'s warehouse enforce ``policy`` on ``tables``."""
    if dialect not in _BUILDERS:
        raise UnsupportedError(f"grants: dialect {dialect!r} is not supported; expected one of "
                               f"{', '.join(DIALECTS)}")
    roles = {name: _role_identifier(role_prefix + name, dialect) for name in policy.roles}
    return _BUILDERS[dialect](policy, registry, tables, schema, roles)


def render(statements: Sequence[exp.Expression], dialect: str) -> str:
    """The statements as a script: one per line, each ended by ``;``."""
    return "".join(to_sql(statement, dialect) + ";\n" for statement in statements)


def columns_for(role: Role, allowed: frozenset[str] | str, table: StoredTable) -> tuple[list[str], list[str]]:
    """The columns of ``table`` ``role`` reads in the clear and those it reads masked; none when
    it may read no feature of the table."""
    clear, masked = [], []
    if table.whole:
        whole = table.columns[0]
        every = allowed is ALL or whole.features <= allowed  # type: ignore[operator]
        return (["*"] if every and (not whole.pii or role.pii == "clear") else []), []
    if not any(_may(allowed, c) for c in table.columns if c.features):
        return [], []
    for column in table.columns:
        if column.features and not _may(allowed, column):
            continue
        if column.pii and role.pii != "clear":
            if role.pii == "masked":
                masked.append(column.name)
            continue
        clear.append(column.name)
    return clear, masked


def _postgres(policy: AccessPolicy, registry: Registry, tables: Sequence[StoredTable], schema: FeatureSchema,
              roles: dict[str, exp.Identifier]) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    every = [exp.GrantPrincipal(this=identifier.copy()) for identifier in roles.values()]
    for table in tables:
        if not table.whole:  # made again each time: its grants go with it
            out.append(exp.Drop(this=table.masked.copy(), kind="VIEW", exists=True))
        if not table.whole and any(c.pii for c in table.columns):
            masked = _masked_select(table, "postgres")
            out.append(exp.Create(this=table.masked.copy(), kind="VIEW", expression=masked))
        out.append(_revoke(table.table, every))
        for name, role in policy.roles.items():
            clear, masked = columns_for(role, readable(role, "offline", registry), table)
            if masked:
                out.append(_grant(table.masked, [*clear, *masked], roles[name]))
            elif clear:
                out.append(_grant(table.table, [] if table.whole else clear, roles[name]))
    schema_node = schema.schema("postgres")
    out += [exp.Grant(privileges=[exp.GrantPrivilege(this=exp.var("USAGE"))], kind="SCHEMA",
                      securable=schema_node.copy(), principals=[principal])
            for principal in every]
    return out


def _snowflake(policy: AccessPolicy, registry: Registry, tables: Sequence[StoredTable], schema: FeatureSchema,
               roles: dict[str, exp.Identifier]) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    every = [exp.GrantPrincipal(this=identifier.copy(), kind="ROLE") for identifier in roles.values()]
    home = schema.schema("snowflake")
    usage = [("DATABASE", exp.Table(this=home.args["db"].copy()))] if home.args.get("db") else []
    for kind, securable in [*usage, ("SCHEMA", home)]:
        out += [exp.Grant(privileges=[exp.GrantPrivilege(this=exp.var("USAGE"))], kind=kind,
                          securable=securable.copy(), principals=[principal]) for principal in every]
    for table in tables:
        out.append(_revoke(table.table, every))
        seen = {name: columns_for(role, readable(role, "offline", registry), table)
                for name, role in policy.roles.items()}
        readers = [name for name, (clear, masked) in seen.items() if clear or masked]
        out += [_grant(table.table, [], exp.GrantPrincipal(this=roles[name].copy(), kind="ROLE"))
                for name in readers]
        for column in () if table.whole else table.columns:
            clear = [roles[n] for n in readers if column.name in seen[n][0]]
            masked = [roles[n] for n in readers if column.name in seen[n][1]]
            if len(clear) < len(readers):
                out += _masking_policy(table, column, clear, masked)
    return out


def _masking_policy(table: StoredTable, column: StoredColumn, clear: list[exp.Identifier],
                    masked: list[exp.Identifier]) -> list[exp.Expression]:
    """``CREATE MASKING POLICY IF NOT EXISTS``, its body set, and set on the column (FORCE: in
    place of an earlier one)."""
    sql_type = exp.DataType.build(_SNOWFLAKE_TYPES.get(dtype_of_arrow(column.arrow_type), "VARCHAR"),
                                  dialect="snowflake")
    if pa.types.is_timestamp(column.arrow_type) and column.arrow_type.tz is None:
        sql_type = exp.DataType.build("TIMESTAMP_NTZ", dialect="snowflake")
    name = table.table.copy()
    name.set("this", warehouse_column(f"{table.table.name}__{column.name}__vfs_mask", "snowflake"))
    value = exp.column("val")
    cases = [exp.If(this=_in_session(clear), true=value.copy())] if clear else []
    if masked and column.method == HASH and dtype_of_arrow(column.arrow_type) is DType.STRING:
        cases.append(exp.If(this=_in_session(masked), true=build_mask(value.copy(), ColumnMask("val", HASH),
                                                                         "snowflake")))
    body = exp.Case(ifs=cases, default=exp.Null()) if cases else exp.Null()
    signature = exp.Schema(expressions=[exp.ColumnDef(this=exp.to_identifier("val"), kind=sql_type)])

    def sql(*parts: str | exp.Expression) -> exp.Command:
        text = " ".join(part if isinstance(part, str) else to_sql(part, "snowflake") for part in parts)
        verb, _, rest = text.partition(" ")
        return exp.Command(this=verb, expression=rest)

    target = table.table.copy()
    return [sql("CREATE MASKING POLICY IF NOT EXISTS", name, "AS", signature, "RETURNS", sql_type, "->",
                body),
            sql("ALTER MASKING POLICY", name, "SET BODY ->", body),
            sql("ALTER TABLE", target, "MODIFY COLUMN", exp.to_identifier(column.name, quoted=True),
                "SET MASKING POLICY", name, "FORCE")]


_BUILDERS = {"postgres": _postgres, "snowflake": _snowflake}
_SNOWFLAKE_TYPES = {DType.INT64: "NUMBER", DType.FLOAT64: "FLOAT", DType.STRING: "VARCHAR",
                    DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMP_TZ"}


def _in_session(roles: list[exp.Identifier]) -> exp.Expression:
    checks = [exp.Anonymous(this="IS_ROLE_IN_SESSION", expressions=[exp.Literal.string(role.this)])
              for role in roles]
    return exp.or_(*checks) if len(checks) > 1 else checks[0]


def _masked_select(table: StoredTable, dialect: str) -> exp.Select:
    projections = []
    for column in table.columns:
        value = exp.column(exp.to_identifier(column.name, quoted=True))
        if column.pii:
            dtype = dtype_of_arrow(column.arrow_type)
            value = build_mask(value, ColumnMask(column.name, column.method, dtype), dialect)  # type: ignore[arg-type]
        projections.append(exp.alias_(value, exp.to_identifier(column.name, quoted=True)))
    return exp.select(*projections).from_(table.table.copy())


def _grant(securable: exp.Table, columns: list[str], principal: exp.Expression) -> exp.Grant:
    listed = [exp.column(exp.to_identifier(c, quoted=True)) for c in columns]
    privilege = exp.GrantPrivilege(this=exp.var("SELECT"), expressions=listed or None)
    if not isinstance(principal, exp.GrantPrincipal):
        principal = exp.GrantPrincipal(this=principal.copy())
    return exp.Grant(privileges=[privilege], kind="TABLE", securable=securable.copy(), principals=[principal])


def _revoke(securable: exp.Table, principals: list[exp.GrantPrincipal]) -> exp.Revoke:
    return exp.Revoke(privileges=[exp.GrantPrivilege(this=exp.var("ALL"))], kind="TABLE",
                      securable=securable.copy(), principals=[p.copy() for p in principals])


def _role_identifier(name: str, dialect: str) -> exp.Identifier:
    return warehouse_column(name, dialect)


def _may(allowed: frozenset[str] | str, column: StoredColumn) -> bool:
    return allowed is ALL or bool(column.features & allowed)  # type: ignore[operator]


def _columns(view: FeatureView, found: Classification, types: pa.Schema, keys: frozenset[str],
             dialect: str) -> tuple[StoredColumn, ...]:
    carried: dict[str, set[str]] = {}
    pii: dict[str, bool] = {}
    for feature in view.features:
        carried.setdefault(feature.name, set()).add(f"{view.name}:{feature.name}")
        pii[feature.name] = found.is_pii(f"{view.name}:{feature.name}")
    for aggregation in view.aggregations:
        ref = f"{view.name}:{aggregation.name}"
        klass = found.of(ref)
        for name in (aggregation.column, *aggregation.filter_columns()):
            carried.setdefault(name, set()).add(ref)
            # the raw column of a declassified aggregate is still what lineage says it is
            pii[name] = pii.get(name, False) or klass.pii or klass.inferred
    out = []
    for name in stored_columns(view):
        stored = warehouse_column(name, dialect).this
        arrow_type = types.field(stored).type if stored in types.names else pa.string()
        method = mask_method(dtype_of_arrow(arrow_type), name, keys)
        out.append(StoredColumn(stored, frozenset(carried.get(name, ())), pii.get(name, False),
                                method if method != "by_value" else HASH, arrow_type))
    return tuple(out)


def _tiles(view: FeatureView, name: str, aggregations: Sequence, found: Classification, schema: FeatureSchema,
           dialect: str) -> StoredTable:
    """A kept tiles table as one column carrying every aggregation it summarises: its summaries
    (a minimum, a maximum) may be values, so a role reads it whole, in the clear, or not at all."""
    refs = frozenset(f"{view.name}:{a.name}" for a in aggregations)
    personal = any(found.of(ref).pii or found.of(ref).inferred for ref in refs)
    whole = StoredColumn("*", refs, personal, "null", pa.null())
    table = schema.table(name, dialect)
    return StoredTable(view.name, table, table, (whole,), whole=True)
