"""What Spark runs instead of the statements its plain tables refuse, and instead of a transaction.

Spark's own tables (Parquet in the session's catalog, no Delta or Iceberg) take ``INSERT`` but
neither ``DELETE`` nor ``REPLACE TABLE AS SELECT``, and Spark has no transactions. So a list of
changes to a table is rewritten as one query, its rows after every change:

- ``DELETE FROM t WHERE c`` -> ``SELECT * FROM <t so far> AS t WHERE NOT (c) IS TRUE``;
- ``INSERT INTO t <rows>`` -> ``<t so far> UNION ALL <rows>`` (a read of ``t`` in ``rows`` reads
  ``t`` so far, as it would inside a transaction);

which the adapter builds into a staging table beside ``t`` and then swaps in (drop ``t``, rename
the staging table). What that promises: if any statement fails, nothing has changed (the staging
tables are dropped); once every staging table is built, the swap is two catalog operations per
table, so a reader in between may find ``t`` missing for that moment, and a process killed in
between leaves the new rows under the staging table's name.

Example::

    swaps = plan_swaps([delete_window, insert_staged])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from virtualfs.errors import UnsupportedError

STAGING_PREFIX = "_vfs_swap_"


@dataclass(frozen=True)
class Swap:
    """``target``'s new rows: build ``staged`` from ``rows``, then put it in ``target``'s place."""

    target: exp.Table
    staged: exp.Table
    rows: exp.Query

    def build(self) -> exp.Create:
        return exp.Create(this=self.staged.copy(), kind="TABLE", expression=self.rows.copy())

    def drop_staged(self) -> exp.Drop:
        return exp.Drop(this=self.staged.copy(), kind="TABLE", exists=True)

    def swap(self) -> list[exp.Expression]:
        """Drop the target, rename the staging table into its place."""
        rename = exp.Alter(this=self.staged.copy(), kind="TABLE",
                           actions=[exp.AlterRename(this=exp.Table(this=self.target.this.copy()))])
        return [exp.Drop(this=self.target.copy(), kind="TABLE", exists=True), rename]


def plan_swaps(statements: Sequence[exp.Expression]) -> list[Swap]:
    """One :class:`Swap` per table ``statements`` (DELETEs and INSERTs) change, in first-change order."""
    states: dict[tuple[str, ...], exp.Query] = {}
    targets: dict[tuple[str, ...], exp.Table] = {}
    for statement in statements:
        table = _target_of(statement)
        key = _key(table)
        targets.setdefault(key, table)
        current = states.get(key) or exp.select(exp.Star()).from_(_bare(table))
        if isinstance(statement, exp.Delete):
            states[key] = _deleted(statement, current, states)
        else:
            rows = _read_so_far(statement.expression, states)
            states[key] = exp.union(current, rows, distinct=False)
    return [Swap(targets[key], staging_for(targets[key]), states[key]) for key in states]


def plan_replace(create: exp.Create) -> Swap:
    """``CREATE OR REPLACE TABLE t AS rows`` as a swap (a read of ``t`` in ``rows`` reads the old ``t``)."""
    target = create.this
    if not isinstance(target, exp.Table) or not isinstance(create.expression, exp.Query):
        raise UnsupportedError("spark: CREATE OR REPLACE is run only for a table AS SELECT")
    return Swap(target, staging_for(target), create.expression)


def staging_for(table: exp.Table) -> exp.Table:
    """``_vfs_swap_<name>`` beside ``table`` (same database)."""
    staged = _bare(table)
    staged.set("this", exp.to_identifier(f"{STAGING_PREFIX}{table.name}", quoted=True))
    return staged


def _target_of(statement: exp.Expression) -> exp.Table:
    if isinstance(statement, exp.Delete) and isinstance(statement.this, exp.Table):
        return statement.this
    if isinstance(statement, exp.Insert) and isinstance(statement.this, exp.Table) \
            and isinstance(statement.expression, exp.Query):
        return statement.this
    raise UnsupportedError(
        f"spark: {statement.key.upper()} cannot run as part of an all-or-nothing change; Spark has no "
        "transactions, so only DELETE and INSERT ... SELECT are rewritten into a staged table swap"
    )


def _deleted(delete: exp.Delete, current: exp.Query, states: dict[tuple[str, ...], exp.Query]) -> exp.Query:
    table = delete.this
    where = delete.args.get("where")
    source = _so_far(table, current) if _key(table) in states else _bare(table)
    kept = exp.select(exp.Star()).from_(source)
    if where is None:
        return kept.where(exp.false())
    condition = _read_so_far(where.this, states)
    # DELETE removes the rows where the condition is true; null and false both stay
    return kept.where(exp.not_(exp.Is(this=exp.paren(condition), expression=exp.true())))


def _read_so_far(tree: exp.Expression, states: dict[tuple[str, ...], exp.Query]) -> exp.Expression:
    """``tree`` with every read of a table changed so far replaced by its rows so far."""
    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and _key(node) in states:
            return _so_far(node, states[_key(node)])
        return node

    return tree.copy().transform(replace)


def _so_far(table: exp.Table, rows: exp.Query) -> exp.Subquery:
    alias = table.args.get("alias") or exp.TableAlias(this=table.this.copy())
    return exp.Subquery(this=rows.copy(), alias=alias.copy())


def _bare(table: exp.Table) -> exp.Table:
    bare = table.copy()
    bare.set("alias", None)
    return bare


def _key(table: exp.Table) -> tuple[str, ...]:
    # Spark resolves names ignoring case
    return tuple(part.name.lower() for part in table.parts)
