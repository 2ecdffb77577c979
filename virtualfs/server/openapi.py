"""The OpenAPI 3.1 document, written by hand: it is the contract clients (and the fuzz test) use."""

from __future__ import annotations

from typing import Any

from virtualfs.server.config import ServerConfig
from virtualfs.server.encode import ARROW_STREAM, JSON
from virtualfs.server.metrics import CONTENT_TYPE as METRICS_TYPE
from virtualfs.server.problems import COMPONENTS
from virtualfs.server.schemas import REQUEST_FIELDS

_ERROR = {"$ref": "#/components/schemas/Error"}
_FIELD_HELP = (f"The request part at fault: {', '.join(REQUEST_FIELDS)}, entities.<key>[<row>], body; "
               "for a push: view, rows, rows.<column>, to")
_DETAIL_HELP = "503: the underlying error (addresses, paths); only for callers with a valid token"
_COLUMNS = {"type": "object", "additionalProperties": {"type": "array"}}


def openapi_document(config: ServerConfig) -> dict[str, Any]:
    """The document for a server with ``config`` (its limits and whether it asks for tokens)."""
    secured = config.auth_enabled
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "virtualfs feature server", "version": "1",
                 "description": "Latest feature values by entity key, from the online store."},
        "paths": {
            "/v1/online-features": {"post": _online_features(config, secured)},
            "/v1/push": {"post": _push(config, secured)},
            "/v1/feature-views": {"get": _listing("feature_views", "FeatureView", secured)},
            "/v1/feature-services": {"get": _listing("feature_services", "FeatureService", secured)},
            "/healthz": {"get": _probe("Liveness: the process answers.", False)},
            "/readyz": {"get": _probe("Readiness: definitions applied and the online store answers.", True)},
            "/metrics": {"get": _metrics(secured)},
        },
        "components": {"schemas": _schemas(config)},
    }
    if config.ui:  # the catalog pages' JSON endpoints are part of the API too
        from virtualfs.ui.openapi import ui_paths

        document["paths"].update(ui_paths(secured))
    if secured:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return document


def _online_features(config: ServerConfig, secured: bool) -> dict:
    return {
        "summary": "Feature vectors for columns of entity keys",
        "operationId": "getOnlineFeatures",
        "requestBody": {"required": True, "content": {
            JSON: {"schema": {"$ref": "#/components/schemas/OnlineFeaturesRequest"}}}},
        "responses": {
            "200": {"description": "Values, statuses and event times per feature, in the rows' order",
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/OnlineFeaturesResponse"}},
                                ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}}}},
            "400": _error("Malformed JSON, unknown feature or service, wrong join keys or key types"),
            **_auth_errors(secured),
            "408": _error(f"The body did not all arrive within {config.body_timeout:g} s"),
            "413": _error(f"Body over {config.max_body_bytes} bytes or over {config.max_entities} "
                          "entity rows"),
            "503": _error(f"The online store did not answer within {config.read_timeout * 1000:g} ms, "
                          "or the catalog does not answer; retry"),
        },
        **_security(secured),
    }


def _push(config: ServerConfig, secured: bool) -> dict:
    auth = {"401": _error("Missing or invalid bearer token"),
            "403": _error("The token may not push rows")} if secured else {}
    return {
        "summary": "Rows pushed to a feature view declared push=True",
        "operationId": "push",
        "requestBody": {"required": True, "content": {
            JSON: {"schema": {"$ref": "#/components/schemas/PushRequest"}}}},
        "responses": {
            "200": {"description": "What the push did", "content": {JSON: {"schema": {
                "$ref": "#/components/schemas/PushResponse"}}}},
            "400": _error("Malformed JSON, a missing or extra column, a value of the wrong type, a null "
                          "join key or event time (the field names the column: rows.<column>)"),
            **auth,
            "404": _error("No such feature view (the message suggests close names)"),
            "408": _error(f"The body did not all arrive within {config.body_timeout:g} s"),
            "413": _error(f"Body over {config.max_body_bytes} bytes or over {config.max_push_rows} rows"),
            "503": _error("The online store or the warehouse does not answer; nothing was pushed"),
        },
        **_security(secured),
    }


def _listing(key: str, item: str, secured: bool) -> dict:
    schema = {"type": "object", "required": [key],
              "properties": {key: {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}}}
    return {
        "summary": f"The {key.replace('_', ' ')} this caller may read",
        "responses": {"200": {"description": "OK", "content": {JSON: {"schema": schema}}},
                      **_auth_errors(secured), "503": _error("No applied definitions yet")},
        **_security(secured),
    }


def _probe(summary: str, ready: bool) -> dict:
    responses = {"200": {"description": "OK", "content": {JSON: {"schema": {
        "type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}}}}}
    if ready:
        responses["503"] = _error("Not ready: the online store or the catalog does not answer")
    return {"summary": summary, "responses": responses}


def _metrics(secured: bool) -> dict:
    return {
        "summary": "Prometheus metrics (text exposition format)",
        "responses": {"200": {"description": "OK", "content": {METRICS_TYPE: {"schema": {"type": "string"}}}},
                      **_auth_errors(secured)},
        **_security(secured),
    }


def _schemas(config: ServerConfig) -> dict:
    key_column = {"type": "array", "minItems": 1, "maxItems": config.max_entities,
                  "items": {"type": ["integer", "string"]}}
    return {
        "OnlineFeaturesRequest": {
            "type": "object", "additionalProperties": False, "required": ["entities"],
            "oneOf": [{"required": ["features"]}, {"required": ["feature_service"]}],
            "properties": {
                "features": {"type": "array", "minItems": 1,
                             "items": {"type": "string", "pattern": "^[^:]*:[^:]*$"},
                             "description": "'view:feature' or 'view:*' references"},
                "feature_service": {"type": "string", "pattern": "^[^:]+$"},
                "entities": {"type": "object", "minProperties": 1, "additionalProperties": key_column,
                             "description": "Join key columns of equal length"},
                "full_feature_names": {"type": "boolean", "default": False},
            },
        },
        "PushRequest": {
            "type": "object", "additionalProperties": False, "required": ["view", "rows"],
            "properties": {
                "view": {"type": "string", "minLength": 1},
                "rows": {"type": "object", "minProperties": 1, "additionalProperties": {
                    "type": "array", "minItems": 1, "maxItems": config.max_push_rows},
                    "description": "Columns of equal length: join keys, the event-time column (ISO-8601), "
                                   "features"},
                "to": {"type": "string", "enum": ["online", "offline", "both"], "default": "both"},
            },
        },
        "PushResponse": {
            "type": "object", "required": ["view", "rows", "pushed_at", "offline_rows", "online_keys"],
            "properties": {"view": {"type": "string"}, "rows": {"type": "integer"},
                           "pushed_at": {"type": "string", "format": "date-time"},
                           "offline_rows": {"type": "integer"}, "online_keys": {"type": "integer"}},
        },
        "OnlineFeaturesResponse": {
            "type": "object", "required": ["entities", "features", "values", "statuses", "event_times"],
            "properties": {
                "entities": _COLUMNS,
                "features": {"type": "array", "items": {"type": "string"}},
                "values": _COLUMNS,
                "statuses": {"type": "object", "additionalProperties": {"type": "array", "items": {
                    "type": "string", "enum": ["PRESENT", "NOT_FOUND", "OUTSIDE_TTL"]}}},
                "event_times": {"type": "object", "additionalProperties": {"type": "array", "items": {
                    "type": ["string", "null"], "format": "date-time"}}},
            },
        },
        "FeatureView": {"type": "object", "required": ["name", "join_keys", "features"],
                        "properties": {"name": {"type": "string"},
                                       "join_keys": {"type": "array", "items": {"type": "string"}},
                                       "features": {"type": "array", "items": {"type": "object"}},
                                       "pii": {"type": "boolean", "description": _PII_HELP}}},
        "FeatureService": {"type": "object", "required": ["name", "features"],
                           "properties": {"name": {"type": "string"},
                                          "features": {"type": "array", "items": {"type": "string"}},
                                          "pii": {"type": "boolean", "description": _PII_HELP},
                                          "pii_features": {"type": "array", "items": {"type": "string"}}}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"},
                           "field": {"type": "string", "description": _FIELD_HELP},
                           "component": {"type": "string", "enum": list(COMPONENTS),
                                         "description": "503: what does not answer, by kind"},
                           "detail": {"type": "string", "description": _DETAIL_HELP}}}}},
    }


_PII_HELP = ("whether a feature holds personal data: computed from a column a source marks PII, "
             "unless declared pii=False")


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ERROR}}}


def _auth_errors(secured: bool) -> dict:
    if not secured:
        return {}
    return {"401": _error("Missing or invalid bearer token"),
            "403": _error("The token may not read this feature view or service")}


def _security(secured: bool) -> dict:
    return {"security": [{"bearer": []}]} if secured else {}
