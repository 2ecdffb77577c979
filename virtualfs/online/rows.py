"""Warehouse rows -> store writes for one view: its key prefix, codec and marker, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from virtualfs.definitions import FeatureView
from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import OnlineStore, WriteBatch
from virtualfs.online.codec import HEADER, NO_CREATED, OFFSET, VERSION, ViewCodec
from virtualfs.online.keys import arrow_keys, marker_key, view_prefix

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class ViewRows:
    """How one view's rows are keyed and encoded for ``project``.

    Record batches are read by position, in the column order of ``build_latest_query``: join keys,
    event time, created time, features — so names folded by the warehouse do not matter.
    """

    view: FeatureView
    project: str
    prefix: str = field(init=False)
    marker: str = field(init=False)
    codec: ViewCodec = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prefix", view_prefix(self.project, self.view))
        object.__setattr__(self, "marker", marker_key(self.project, self.view))
        object.__setattr__(self, "codec", ViewCodec(self.view))

    def read_marker(self, store: OnlineStore) -> int | None:
        """How far (microseconds) this store holds every row of this shape of the view, if at all."""
        data = store.read([self.marker]).get(self.marker)
        return None if data is None else HEADER.unpack_from(data)[1] - OFFSET

    def write_marker(self, store: OnlineStore, end_us: int) -> None:
        """Record that the store holds every row known before ``end_us`` (only moves forward)."""
        value = HEADER.pack(VERSION, end_us + OFFSET, NO_CREATED + OFFSET)
        store.write(WriteBatch([self.marker], [value]))

    def write_batch(self, batch: pa.RecordBatch, expire_after: timedelta | None = None) -> WriteBatch:
        """Key and encode one record batch of latest rows, sorted by key."""
        import pyarrow.compute as pc

        width = len(self.view.join_keys)
        expected = width + 2 + len(self.view.feature_names)
        if batch.num_columns != expected:
            raise OnlineStoreError(
                f"feature view {self.view.name!r}: expected {expected} columns from the warehouse "
                f"(join keys, event, created, features), got {batch.num_columns}"
            )
        try:
            keys = arrow_keys(self.prefix, batch.columns[:width], f"of view {self.view.name!r}")
            # Rows in key order: B-tree stores (SQLite) then append instead of inserting at random.
            order = pc.sort_indices(keys)
            keys, columns = keys.take(order), batch.take(order).columns
            encoded = self.codec.encode(columns[width], columns[width + 1], columns[width + 2:])
        except (TypeError, ValueError, NotImplementedError) as error:
            raise OnlineStoreError(f"feature view {self.view.name!r}: {error}") from None
        return WriteBatch(keys.to_pylist(), encoded.values, expire_after=expire_after)
