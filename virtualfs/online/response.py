"""OnlineResponse: the feature vectors of one online request, columnar, in the request's row order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

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

    >>> response.to_dict()  # doctest: +SKIP
    {'customer_id': [1, 2], 'amount': [9.5, None]}
    >>> response.statuses["amount"]  # doctest: +SKIP
    [<Status.PRESENT: 'PRESENT'>, <Status.NOT_FOUND: 'NOT_FOUND'>]
    """

    __slots__ = ("_features", "_join_keys", "_views")

    def __init__(self, join_keys: Mapping[str, list], features: Mapping[str, list],
                 views: Sequence[ViewResult]) -> None:
        self._join_keys = join_keys
        self._features = features
        self._views = views

    def __len__(self) -> int:
        return len(next(iter(self._join_keys.values()), ()))

    def __repr__(self) -> str:
        return f"OnlineResponse(rows={len(self)}, features={list(self._features)})"

    @property
    def feature_names(self) -> list[str]:
        """The feature columns, in the order they were requested."""
        return list(self._features)

    def to_dict(self) -> dict[str, list]:
        """Columns: join keys, then features; each a list in the order of the entity rows."""
        return {**self._join_keys, **self._features}

    def to_pandas(self) -> pd.DataFrame:
        """The same columns as a DataFrame (timestamps as UTC datetimes)."""
        import pandas as pd

        return pd.DataFrame(self.to_dict())

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
