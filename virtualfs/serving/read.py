"""Online serving: entity ids in, feature vectors out, with one round trip to the online store.

The hot path is plain Python over lists: a cached plan (``online.plan``), key strings, one
``store.read`` for every view and entity of the request, one ``struct`` unpack per value.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from virtualfs.access.masking import HASH, NULL, key_names, mask_method
from virtualfs.errors import RequestError
from virtualfs.online.base import OnlineStore, Status
from virtualfs.online.codec import to_micros
from virtualfs.online.keys import SEPARATOR, key_text
from virtualfs.registry import FeaturesArg, Registry
from virtualfs.serving.on_demand import request_columns
from virtualfs.serving.request_plan import RequestPlan, ViewPlan, request_plan
from virtualfs.serving.response import OnlineResponse, ViewResult

if TYPE_CHECKING:
    from virtualfs.warehouses.base import Warehouse

__all__ = ["OnlineLookup", "OnlineResponse", "Status", "get_online_features", "online_lookup"]

PRESENT, NOT_FOUND, OUTSIDE_TTL = Status.PRESENT, Status.NOT_FOUND, Status.OUTSIDE_TTL
EntityRows = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]] | Any


def get_online_features(online_store: OnlineStore, registry: Registry, entity_rows: EntityRows,
                        features: FeaturesArg, *, full_feature_names: bool = False,
                        now: datetime | None = None, fallback: Warehouse | None = None,
                        masked: Collection[str] = (),
                        request_data: Mapping[str, Sequence[Any]] | None = None) -> OnlineResponse:
    """The latest stored values of ``features`` for each entity row, in the rows' order.

    ``entity_rows``: a list of dicts, a DataFrame, or a dict of columns, holding join keys.
    ``features``: ``["view:feature", "view:*"]``, a FeatureService, or a service's name.
    ``now`` (default: the clock) is when TTLs are judged. With ``fallback``, keys missing from the
    store are read from that warehouse (latest known at ``now``) and cached in the store.

    Example::

        get_online_features(store, registry, [{"customer_id": 1}], ["customer_orders:amount"])
        # -> OnlineResponse(rows=1, features=['amount'])
    """
    lookup = online_lookup(registry, online_store.project, entity_rows, features, full_feature_names, masked,
                           request_data)
    found = online_store.read(lookup.keys)
    now_us = to_micros(now) if now is not None else time.time_ns() // 1000
    if fallback is not None and lookup.misses(found):
        found = lookup.read_through(fallback, online_store, found, now_us)
    return lookup.respond(found, now_us)


@dataclass(frozen=True)
class OnlineLookup:
    """An online read up to the store: the plan, the entity columns and every view's keys.

    Split from the store read so that a server can await the read (with a deadline) and do the
    rest on its event loop: ``respond(store.read(lookup.keys))``.
    """

    plan: RequestPlan
    columns: dict[str, list]
    view_keys: list[list[str]]
    masks: Mapping[str, str] = field(default_factory=dict)  # output column -> how it is masked
    request: Mapping[str, list] = field(default_factory=dict)  # request fields, checked

    @property
    def keys(self) -> list[str]:
        """The keys to read, in one round trip."""
        # Views never share keys (each has its own prefix); a repeated entity row is read twice,
        # which costs less than removing repeats from every request.
        view_keys = self.view_keys
        return view_keys[0] if len(view_keys) == 1 else [key for keys in view_keys for key in keys]

    def misses(self, found: Mapping[str, bytes]) -> bool:
        """Whether some key has no stored value."""
        return len(found) < len(set(self.keys))

    def read_through(self, warehouse: Warehouse, store: OnlineStore, found: Mapping[str, bytes],
                     now_us: int) -> dict[str, bytes]:
        """``found`` plus what ``warehouse`` knows of the missing keys (cached in ``store``)."""
        from virtualfs.serving.fallback import read_through

        return read_through(warehouse, store, self.plan, self.columns, self.view_keys, found, now_us)

    def respond(self, found: Mapping[str, bytes], now_us: int | None = None) -> OnlineResponse:
        """The response from the stored values ``found``; TTLs judged at ``now_us`` (default: now)."""
        now_us = now_us if now_us is not None else time.time_ns() // 1000
        response = _respond(self.plan, self.columns, self.view_keys, found, now_us, self.request)
        return response.masked(self.masks) if self.masks else response


def online_lookup(registry: Registry, project: str, entity_rows: EntityRows, features: FeaturesArg,
                  full_feature_names: bool = False, masked: Collection[str] = (),
                  request_data: Mapping[str, Sequence[Any]] | None = None) -> OnlineLookup:
    """Resolve ``features`` and turn ``entity_rows`` into the store keys to read; the features
    ``masked`` (``view:feature``) come back masked; ``request_data`` holds the request fields."""
    plan = request_plan(registry, project, features, full_feature_names)
    columns, rows = entity_columns(entity_rows, plan.join_keys)
    masks = output_masks(plan, masked) if masked else {}
    request = request_columns(plan.request_fields, request_data, rows) if plan.request_fields else {}
    return OnlineLookup(plan, columns, [_view_keys(view, columns) for view in plan.views], masks, request)


def output_masks(plan: RequestPlan, masked: Collection[str]) -> dict[str, str]:
    """How each response column of a feature in ``masked`` is masked (``access.masking``)."""
    keys = key_names(plan.registry)
    masks = {}
    for column in plan.columns:
        part = plan.views[column.view].view
        name = part.feature_names[column.index]
        if f"{part.name}:{name}" in masked:
            masks[column.name] = mask_method(column.dtype, name, keys)
    for transform in plan.transforms:
        # computed from a value the principal may not see: not computed for it at all
        if any(str(ref) in masked for ref in transform.view.feature_inputs):
            masks.update(dict.fromkeys(transform.columns, NULL))
    return masks


def hashed(masks: Mapping[str, str]) -> list[str]:
    """The columns ``masks`` turns into hex digests (text, whatever their dtype was)."""
    return [name for name, method in masks.items() if method == HASH]


def entity_columns(entity_rows: EntityRows, join_keys: Sequence[str]) -> tuple[dict[str, list], int]:
    """The join key columns of the request, and its row count; errors name the row and key."""
    if isinstance(entity_rows, (list, tuple)):
        return _columns_from_rows(entity_rows, join_keys), len(entity_rows)
    if isinstance(entity_rows, Mapping):
        return _columns_from_mapping(entity_rows, join_keys)
    if hasattr(entity_rows, "columns") and hasattr(entity_rows, "__getitem__"):
        return _columns_from_frame(entity_rows, join_keys)
    raise RequestError(
        f"entity_rows must be a list of dicts, a DataFrame or a dict of columns; "
        f"got {type(entity_rows).__name__}"
    )


def _columns_from_rows(rows: Sequence[Mapping[str, Any]], join_keys: Sequence[str]) -> dict[str, list]:
    if not rows:
        raise RequestError("entity_rows is empty; pass at least one row of join keys")
    try:
        return {key: [row[key] for row in rows] for key in join_keys}
    except (KeyError, TypeError):
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise RequestError(f"entity row {index} must be a dict, got {row!r}") from None
            for key in join_keys:
                if key not in row:
                    raise RequestError(
                        f"entity row {index} has no join key {key!r} (it has {', '.join(row) or 'none'})"
                    ) from None
        raise


def _columns_from_mapping(mapping: Mapping[str, Any], join_keys: Sequence[str]) -> tuple[dict, int]:
    columns = {}
    for key in join_keys:
        if key not in mapping:
            raise RequestError(f"entity_rows has no join key column {key!r} (it has {', '.join(mapping)})")
        values = mapping[key]
        if not isinstance(values, (list, tuple)):
            raise RequestError(f"entity_rows column {key!r} must be a list, got {values!r}")
        columns[key] = list(values)
    count = len(next(iter(columns.values()), ()))
    if any(len(values) != count for values in columns.values()):
        raise RequestError("entity_rows columns differ in length")
    if count == 0:
        raise RequestError("entity_rows is empty; pass at least one row of join keys")
    return columns, count


def _columns_from_frame(frame: Any, join_keys: Sequence[str]) -> tuple[dict, int]:
    available = [str(c) for c in frame.columns]
    columns = {}
    for key in join_keys:
        if key not in available:
            raise RequestError(f"entity_rows has no join key column {key!r} (it has {', '.join(available)})")
        series = frame[key]
        columns[key] = series.tolist() if hasattr(series, "tolist") else series.to_list()
    count = len(frame)
    if count == 0:
        raise RequestError("entity_rows is empty; pass at least one row of join keys")
    return columns, count


def _view_keys(view: ViewPlan, columns: Mapping[str, list]) -> list[str]:
    prefix, join_keys = view.rows.prefix, view.view.join_keys
    try:
        if len(join_keys) == 1:  # ints inline: the common id, without a call per value
            return [prefix + (str(value) if type(value) is int else key_text(value)) + "}"
                    for value in columns[join_keys[0]]]
        rows = zip(*(columns[key] for key in join_keys), strict=True)
        return [prefix + SEPARATOR.join(map(key_text, values)) + "}" for values in rows]
    except TypeError:
        raise _key_type_error(join_keys, columns) from None


def _key_type_error(join_keys: Sequence[str], columns: Mapping[str, list]) -> RequestError:
    for key in join_keys:
        for index, value in enumerate(columns[key]):
            try:
                key_text(value)
            except TypeError as error:
                return RequestError(f"entity row {index}: join key {key!r}: {error}")
    return RequestError(f"join keys {', '.join(join_keys)}: expected integers or strings")


def _respond(plan: RequestPlan, columns: dict[str, list], view_keys: list[list[str]],
             found: Mapping[str, bytes], now_us: int, request: Mapping[str, list]) -> OnlineResponse:
    results, decoded = [], []
    for view, keys in zip(plan.views, view_keys, strict=True):
        result, view_columns = _read_view(view, keys, found, now_us)
        results.append(result)
        decoded.append(view_columns)
    features = {column.name: decoded[column.view][column.index] for column in plan.columns}
    join_columns = {key: columns[key] for key in plan.join_keys}
    dtypes = {column.name: column.dtype for column in plan.columns}
    if plan.transforms:
        return _with_transforms(plan, join_columns, features, results, dtypes, request)
    return OnlineResponse(join_columns, features, results, dtypes)


def _with_transforms(plan: RequestPlan, join_columns: dict[str, list], features: dict[str, list],
                     results: list[ViewResult], dtypes: dict, request: Mapping[str, list]) -> OnlineResponse:
    """The on-demand features computed, then the inputs read only for them dropped."""
    rows = len(next(iter(join_columns.values()), ()))
    statuses = {c: r.statuses for r in results for c in r.columns}
    events = {c: r.event_us for r in results for c in r.columns}
    for transform in plan.transforms:
        features.update(transform.compute(features, request, rows))
        results.append(ViewResult(transform.columns, *transform.statuses(statuses, events, rows)))
        dtypes.update({output: transform.view.feature(name).dtype for name, output in transform.outputs})
    hidden = plan.hidden
    if hidden:
        features = {name: values for name, values in features.items() if name not in hidden}
        dtypes = {name: dtype for name, dtype in dtypes.items() if name not in hidden}
        results = [ViewResult(tuple(c for c in r.columns if c not in hidden), r.statuses, r.event_us)
                   for r in results]
    return OnlineResponse(join_columns, features, results, dtypes)


def _read_view(view: ViewPlan, keys: list[str], found: Mapping[str, bytes],
               now_us: int) -> tuple[ViewResult, dict[int, list]]:
    get = found.get
    decoded = view.rows.codec.decode_columns([get(key) for key in keys], view.indices)
    events = decoded.events
    statuses = [NOT_FOUND if event is None else PRESENT for event in events]
    if view.empty_window and None in events:
        # a key with no row at the last refresh had no rows in any window: counts are 0
        for index, value in view.empty_window:
            column = decoded.columns[index]
            for position, event in enumerate(events):
                if event is None:
                    column[position] = value
    if view.ttl_us is not None:
        cutoff = now_us - view.ttl_us
        for position, event in enumerate(events):
            if event is not None and event < cutoff:
                statuses[position] = OUTSIDE_TTL
                for column in decoded.columns.values():
                    column[position] = None
    return ViewResult(view.columns, statuses, events), decoded.columns
