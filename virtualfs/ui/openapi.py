"""The catalog pages' JSON endpoints in the feature server's OpenAPI document (``/openapi.json``
with ``server: {ui: true}``): one GET per page, answering the data its HTML page shows."""

from __future__ import annotations

import re
from typing import Any

from virtualfs.ui.routes import PAGES

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
_QUERIES = {"/search": [("q", "words to look for"), ("kind", "view, feature, service, source or entity")],
            "/diff": [("old", "a catalog version"), ("new", "another catalog version")]}
_ERROR = {"type": "object", "required": ["status", "error"],
          "properties": {"status": {"type": "integer"}, "error": {"type": "string"}}}


def ui_paths(secured: bool) -> dict[str, Any]:
    """``/ui/api/...`` paths, one per page of ``virtualfs.ui.routes.PAGES``.

    >>> sorted(ui_paths(False))[:2]
    ['/ui/api', '/ui/api/audit']
    """
    paths = {}
    for page in PAGES:
        path = _PARAMETER.sub(r"{\1}", f"/ui/api{page.path}")
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in _PARAMETER.findall(page.path)]
        parameters += [{"name": name, "in": "query", "required": name != "kind", "description": text,
                        "schema": {"type": "string"}} for name, text in _QUERIES.get(page.path, [])]
        paths[path] = {"get": {
            "summary": f"The data of the catalog page {page.path or '/'} (read-only)",
            "operationId": "ui_" + (page.template.removesuffix(".html")),
            "parameters": parameters,
            "responses": {"200": {"description": "The page's data",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          **{status: _error(text) for status, text in _errors(secured).items()}},
            **({"security": [{"bearer": []}]} if secured else {})}}
    return paths


def _error(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": _ERROR}}}


def _errors(secured: bool) -> dict[str, str]:
    found = {"400": "A malformed parameter", "404": "No such definition (the message names close ones)",
             "503": "The catalog has no applied version, or does not answer"}
    if secured:
        found.update({"401": "Missing or invalid bearer token",
                      "403": "The token may not read this (or it does not exist)"})
    return found
