"""OnlineResponse: the feature vectors of one online request, columnar, in the request's row order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.access.masking import HASH, mask_columns
from virtualfs.definitions import DType
from virtualfs.online.base import Status
from virtualfs.online.codec import to_datetime

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ViewResult:
    """One view's part of a response: per row, its status and its event time (microseconds)."""

    columns: tuple[str, ...]
    statuses: list[Status]
    event_us: list[int | None]


class OnlineResponse:
    """Join keys and features as columns; per value a :class:`Status` and an event time.

    Example::

        response.to_dict()
        # -> {'customer_id': [1, 2], 'amount': [9.5, None]}

    Example::

        response.statuses["amount"]
        # -> [<Status.PRESENT: 'PRESENT'>, <Status.NOT_FOUND: 'NOT_FOUND'>]
    """

    __slots__ = ("_dtypes", "_features", "_join_keys", "_views")

    def __init__(self, join_keys: Mapping[str, list], features: Mapping[str, list],
                 views: Sequence[ViewResult], dtypes: Mapping[str, DType]) -> None:
        self._join_keys = join_keys
        self._features = features
        self._views = views
        self._dtypes = dtypes

    def __len__(self) -> int:
        return len(next(iter(self._join_keys.values()), ()))

    def __repr__(self) -> str:
        return f"OnlineResponse(rows={len(self)}, features={list(self._features)})"

    def masked(self, methods: Mapping[str, str]) -> OnlineResponse:
        """This response with the feature columns ``methods`` names masked (``access.masking``);
        a hashed column is text."""
        dtypes = {name: DType.STRING if methods.get(name) == HASH else dtype
                  for name, dtype in self._dtypes.items()}
        return OnlineResponse(self._join_keys, mask_columns(self._features, methods), self._views, dtypes)

    @property
    def feature_names(self) -> list[str]:
        """The feature columns, in the order they were requested."""
        return list(self._features)

    def to_dict(self) -> dict[str, list]:
        """Columns: join keys, then features; each a list in the order of the entity rows."""
        return {**self._join_keys, **self._features}

    def to_pandas(self) -> pd.DataFrame:
        """The same columns as a DataFrame, with the dtypes training frames use: int64 -> Int64 and
        bool -> boolean (nullable), string -> string, timestamp -> datetime64[us, UTC], float64."""
        import pandas as pd
        import pyarrow as pa

        nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
                    pa.string(): pd.StringDtype()}
        frame = pd.DataFrame({key: pd.Series(values) for key, values in self._join_keys.items()})
        # an aggregation typed by its source column has no dtype here: its values tell their type
        types = {name: None if dtype is None else dtype.to_arrow() for name, dtype in self._dtypes.items()}
        features = pa.table({name: pa.array(values, types[name]) for name, values in self._features.items()})
        converted = features.to_pandas(types_mapper=nullable.get)
        for name in converted.columns:
            frame[name] = converted[name].array
        return frame

    @property
    def statuses(self) -> dict[str, list[Status]]:
        """Per feature column, each row's PRESENT / NOT_FOUND / OUTSIDE_TTL."""
        return {column: list(view.statuses) for view in self._views for column in view.columns}

    @property
    def event_times(self) -> dict[str, list[datetime | None]]:
        """Per feature column, the event time of each row's value (None when not found)."""
        result = {}
        for view in self._views:
            times = [None if us is None else to_datetime(us) for us in view.event_us]
            for column in view.columns:
                result[column] = list(times)
        return result
