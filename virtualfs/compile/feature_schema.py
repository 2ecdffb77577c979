"""The feature schema: where refreshes keep a project's tables, named by identifier nodes.

The schema comes from configuration (``warehouse.feature_schema``). It is checked once to be one
or two plain identifiers (``schema`` or ``database.schema``) and then only ever used as sqlglot
identifier nodes — never pasted into SQL text and re-parsed, where ``main.canary --`` would
turn a refresh's ``DROP`` against a user's table.

>>> from virtualfs.dialects.render import to_sql
>>> schema = FeatureSchema.of("virtualfs_features", "shop")
>>> to_sql(schema.table("shop__orders", "snowflake"), "snowflake")
'"VIRTUALFS_FEATURES"."SHOP__ORDERS"'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlglot import exp

from virtualfs.config import parse_schema_name
from virtualfs.definitions import FeatureView
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.errors import RequestError

DEFAULT_FEATURE_SCHEMA = "virtualfs_features"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
# PostgreSQL cuts identifiers at 63 bytes without an error: two long names could meet in one table.
MAX_NAME = 63


@dataclass(frozen=True)
class FeatureSchema:
    """The schema a project's refreshed tables live in, and the names it gives them."""

    parts: tuple[str, ...]
    project: str

    def __post_init__(self) -> None:
        try:
            parse_schema_name(".".join(self.parts))
        except ValueError as error:
            raise RequestError(f"feature schema: {error}") from None
        if not _PLAIN.fullmatch(self.project):
            raise RequestError(f"feature schema: project {self.project!r} is not an identifier")

    @classmethod
    def of(cls, text: str, project: str) -> FeatureSchema:
        try:
            return cls(parse_schema_name(text), project)
        except ValueError as error:
            raise RequestError(f"feature schema: {error}") from None

    def table(self, name: str, dialect: str) -> exp.Table:
        """Table ``name`` (a name this module made) in the schema, folded as ``dialect`` folds."""
        *database, schema = (warehouse_column(part, dialect) for part in self.parts)
        return exp.Table(this=warehouse_column(fit_name(name), dialect), db=schema,
                         catalog=database[0] if database else None)

    def stored_table(self, stored: str, dialect: str) -> exp.Table:
        """Table ``stored`` in the schema, a name exactly as the warehouse lists it (already
        folded and fitted): for dropping what ``Warehouse.tables_in`` found."""
        *database, schema = (warehouse_column(part, dialect) for part in self.parts)
        return exp.Table(this=exp.to_identifier(stored, quoted=True), db=schema,
                         catalog=database[0] if database else None)

    def stored_name(self, name: str, dialect: str) -> str:
        """Table ``name`` (a name this module made) as the warehouse stores it: fitted, folded."""
        return warehouse_column(fit_name(name), dialect).this

    def schema(self, dialect: str) -> exp.Table:
        """The schema itself, for ``CREATE SCHEMA``."""
        *database, schema = (warehouse_column(part, dialect) for part in self.parts)
        return exp.Table(this=schema, db=database[0] if database else None)

    def view_table_name(self, view: FeatureView) -> str:
        """``<project>__<view>``: where a refreshed view's rows live."""
        return f"{self.project}__{view.name}"

    def dataset_table_name(self, dataset: str) -> str:
        """``<project>__ds__<dataset>``: where a saved dataset's rows live."""
        return f"{self.project}__ds__{dataset}"

    def dataset_entities_name(self, dataset: str) -> str:
        """``<project>__ds__<dataset>__entities``: the entity rows a saved dataset was built
        for, kept so that it can be recreated from them."""
        return f"{self.dataset_table_name(dataset)}__entities"

    def masked_view_name(self, name: str) -> str:
        """The view of table ``name`` with its PII masked (``virtualfs grants``, PostgreSQL)."""
        return f"{name}__masked"

    def staging_name(self, name: str) -> str:
        """The staging table a refresh of table ``name`` fills first."""
        return f"_vfs_stage_{name}"

    def display(self, name: str) -> str:
        """``schema.name`` as a person writes it (messages, catalog records)."""
        return ".".join((*self.parts, fit_name(name)))


def fit_name(name: str) -> str:
    """``name``, or when longer than every warehouse keeps, its start and a digest of the whole.

    >>> fit_name("shop__orders")
    'shop__orders'
    >>> len(fit_name("x" * 80))
    63
    """
    if len(name) <= MAX_NAME:
        return name
    return f"{name[:MAX_NAME - 13]}_{hashlib.sha256(name.encode()).hexdigest()[:12]}"
