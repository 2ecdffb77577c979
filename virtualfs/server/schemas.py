"""Request bodies -> validated requests. Each error is a 400 (or 413) naming the field at fault.

``POST /v1/online-features`` takes, as JSON::

    {"features": ["customer_orders:amount", "customer_orders:*"],   # or "feature_service": "churn"
     "entities": {"customer_id": [1, 2, 3]},                        # columns of join keys
     "full_feature_names": false,                                   # optional: "view__feature"
     "request": {"cart_total": [12.5, 3.0, null]}}                 # optional: request fields
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from virtualfs.server.problems import bad_request, too_large

REQUEST_FIELDS = ("features", "feature_service", "entities", "full_feature_names", "request")
_FIELD_SET = frozenset(REQUEST_FIELDS)
_EXCERPT_DEPTH, _EXCERPT_ITEMS = 16, 8


@dataclass(frozen=True)
class FeaturesRequest:
    """A valid online-features request: what to read, for which entity rows."""

    features: list[str] | None
    feature_service: str | None
    entities: dict[str, list]
    rows: int
    full_feature_names: bool = False
    # the request fields of on-demand features: columns, one value per entity row
    request: dict[str, list] | None = None

    @property
    def wanted(self) -> list[str] | str:
        """What ``FeatureStore.get_online_features`` takes: references or a service's name."""
        return self.features if self.features is not None else self.feature_service  # type: ignore[return-value]

    @property
    def field(self) -> str:
        """The request field that says what to read, for errors about it."""
        return "features" if self.features is not None else "feature_service"


def parse_features_request(body: bytes, max_entities: int) -> FeaturesRequest:
    """Validate a request body; more than ``max_entities`` rows is a 413.

    >>> parse_features_request(b'{"feature_service": "churn", "entities": {"id": [1]}}', 10).rows
    1
    """
    data = load_json(body)
    if type(data) is not dict:
        raise bad_request(f"the body must be a JSON object, got {_json_kind(data)}", "body")
    unknown = data.keys() - _FIELD_SET
    if unknown:
        name = sorted(unknown)[0]
        raise bad_request(f"unknown field; expected {', '.join(REQUEST_FIELDS)}", name)
    features, service = _what(data)
    entities, rows = _entities(data.get("entities"), max_entities)
    full = data.get("full_feature_names", False)
    if type(full) is not bool:
        raise bad_request(f"must be true or false, got {_json_kind(full)}", "full_feature_names")
    return FeaturesRequest(features, service, entities, rows, full, _request(data.get("request"), rows))


def load_json(body: bytes) -> Any:
    """Parse JSON; malformed JSON is a 400 saying where."""
    if not body:
        raise bad_request("the body is empty; send a JSON object", "body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise bad_request(f"malformed JSON: {error}", "body") from None


def _what(data: dict) -> tuple[list[str] | None, str | None]:
    has_features, has_service = "features" in data, "feature_service" in data
    if has_features == has_service:
        raise bad_request("give exactly one of 'features' (a list of 'view:feature') or "
                          "'feature_service' (a name)", "features")
    if has_service:
        service = data["feature_service"]
        if type(service) is not str or not service or ":" in service:
            raise bad_request(f"must be a feature service's name, got {_json_kind(service)}",
                              "feature_service")
        return None, service
    features = data["features"]
    if type(features) is not list or not features:
        raise bad_request("must be a non-empty list of 'view:feature' or 'view:*'", "features")
    for index, ref in enumerate(features):
        if type(ref) is not str or ref.count(":") != 1:
            raise bad_request(f"must look like 'view:feature' or 'view:*', got {_json_kind(ref)}",
                              f"features[{index}]")
    return features, None


def _entities(entities: object, max_entities: int) -> tuple[dict[str, list], int]:
    if type(entities) is not dict or not entities:
        raise bad_request("must be an object of join key columns, e.g. {\"customer_id\": [1, 2]}",
                          "entities")
    rows = -1
    for key, values in entities.items():
        if type(values) is not list or not values:
            raise bad_request("must be a non-empty list of join key values", f"entities.{key}")
        if rows < 0:
            rows = len(values)
        elif len(values) != rows:
            raise bad_request(f"has {len(values)} values but the first column has {rows}; "
                              "columns must have the same length", f"entities.{key}")
    if rows > max_entities:
        raise too_large(f"{rows:,} entity rows in one request; this server takes at most "
                        f"{max_entities:,} (server.max_entities)", "entities")
    for key, values in entities.items():
        _check_key_values(key, values)
    return entities, rows


def _request(request: object, rows: int) -> dict[str, list] | None:
    if request is None:
        return None
    if type(request) is not dict:
        raise bad_request("must be an object of request field columns, e.g. {\"cart_total\": [12.5]}",
                          "request")
    for name, values in request.items():
        if type(values) is not list or len(values) != rows:
            raise bad_request(f"must be a list of {rows} values (one per row), got {_json_kind(values)}",
                              f"request.{name}")
    return request


def _check_key_values(key: str, values: list) -> None:
    for index, value in enumerate(values):
        kind = type(value)
        if kind is not int and kind is not str:
            raise bad_request(f"a join key value must be an integer or a string, got {_json_kind(value)}",
                              f"entities.{key}[{index}]")


def _json_kind(value: object) -> str:
    """How a JSON value is described in an error: its JSON type and a short excerpt."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer",
             float: "a number", type(None): "null"}
    text = orjson.dumps(_clipped(value, _EXCERPT_DEPTH)).decode()
    return f"{names.get(type(value), type(value).__name__)} {text[:40]}{'...' if len(text) > 40 else ''}"


def _clipped(value: object, depth: int) -> object:
    """``value`` cut to ``depth`` levels and a few items per level: enough for a 40-character
    excerpt, and within what orjson writes (it refuses more than 254 levels; a body may hold 1024)."""
    if type(value) is list:
        return [_clipped(item, depth - 1) for item in value[:_EXCERPT_ITEMS]] if depth else "..."
    if type(value) is dict:
        items = list(value.items())[:_EXCERPT_ITEMS]
        return {key: _clipped(item, depth - 1) for key, item in items} if depth else "..."
    return value
