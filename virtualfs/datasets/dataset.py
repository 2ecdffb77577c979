"""Dataset: a saved training frame, read back from its table in the order it was built."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.mask import masked_projections
from virtualfs.compile.request import ColumnMask
from virtualfs.datasets.manifest import Manifest
from virtualfs.datasets.tables import DatasetTables
from virtualfs.definitions import DType

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from virtualfs.catalog.datasets import DatasetRecord
    from virtualfs.context import ProjectContext
    from virtualfs.profiles.model import Profile


@dataclass(frozen=True, eq=False)
class Dataset:
    """A saved dataset: its manifest (``info``, typed; ``manifest``, as a dict) and its rows.

    Example::

        ds = store.get_dataset("churn_train_v1")
        ds.manifest["content_hash"], ds.to_pandas().shape
    """

    info: Manifest
    revision: int
    context: ProjectContext = field(repr=False)
    # output columns read masked (the access policy's answer for the principal reading)
    masks: tuple[ColumnMask, ...] = ()

    def masked(self, features: frozenset[str], keys: frozenset[str] = frozenset()) -> Dataset:
        """This dataset read with ``features`` (``view:feature``) masked in the SQL, as a training
        frame would mask them (``keys``: join key names, whose integer features are hashed)."""
        from virtualfs.access.masking import mask_method

        types = {c.name: _dtype(c.type) for c in self.info.columns}
        outputs = dict(zip(self.info.features, self.info.feature_columns(), strict=True))
        masks = tuple(ColumnMask(out, mask_method(types[out], ref.partition(":")[2], keys), types[out])
                      for ref, out in outputs.items() if ref in features)
        return replace(self, masks=masks)

    @classmethod
    def of(cls, context: ProjectContext, record: DatasetRecord) -> Dataset:
        return cls(Manifest.from_data(record.manifest), record.revision, context)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def table(self) -> str:
        """Where the rows are, as a person writes it (``schema.<project>__ds__<name>``)."""
        return self.info.table

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as plain data: what was asked, how it was computed, what came out."""
        return self.info.to_data()

    @property
    def tables(self) -> DatasetTables:
        return DatasetTables(self.context.copies.schema, self.name, self.context.warehouse.dialect)

    def relation(self) -> exp.Table:
        """The rows' table as a tree (for queries over it)."""
        return self.tables.table(self.tables.rows_name)

    def to_arrow(self) -> pa.Table:
        """The rows, in the order of the entity rows they were built for, without ``_vfs_row``."""
        columns = masked_projections([names.alias(names.column(c), c) for c in self.info.column_names],
                                     self.masks, self.context.warehouse.dialect)
        order = exp.Ordered(this=names.column(names.ROW), desc=False, nulls_first=False)
        query = exp.select(*columns).from_(self.relation()).order_by(order)
        return self.context.warehouse.fetch_arrow(query)

    def profile(self) -> Profile:
        """Statistics of the features over the saved rows (``virtualfs.profiles``), computed now."""
        from virtualfs.datasets.profile import profile_rows

        return profile_rows(self.context.warehouse, self.info, self.relation())

    def to_pandas(self) -> pd.DataFrame:
        """:meth:`to_arrow` as pandas: nullable Int64/boolean/string, UTC timestamps."""
        from virtualfs.retrieval.frames import arrow_to_pandas

        return arrow_to_pandas(self.to_arrow())


def _dtype(name: str) -> DType | None:
    return DType(name) if name in DType._value2member_map_ else None
