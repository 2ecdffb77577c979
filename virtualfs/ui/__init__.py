"""The catalog web UI: pages people browse to find features, see where they come from, how
fresh and how healthy they are, and what changed — read-only, server-rendered, with every asset
shipped in the package (it works on an air-gapped network).

Run it alone (``virtualfs ui -r REPO``, on http://127.0.0.1:6567/ui) or mounted at ``/ui`` by
``virtualfs serve`` with ``server: {ui: true}``; either way with the feature server's tokens
and access policy.

Example::

    app = build_ui_app(FeatureStore("definitions"))
    uvicorn.run(app, port=6567)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from virtualfs.server.config import ServerConfig, parse_server_config
from virtualfs.ui.routes import PAGES, render, ui_routes
from virtualfs.ui.state import UiState

if TYPE_CHECKING:
    from virtualfs.store import FeatureStore

__all__ = ["PAGES", "UiState", "build_ui_app", "ui_routes"]


def build_ui_app(store: FeatureStore, config: ServerConfig | None = None) -> Starlette:
    """The UI alone as an ASGI app (``/`` goes to ``/ui``); ``config`` defaults to the
    repository's ``server:`` section (its tokens) and ``access:`` policy."""
    config = config if config is not None else parse_server_config(store.config.server, store.config.access)
    routes = [Route("/", _to_ui), *ui_routes()]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _not_found})
    app.state.ui = UiState(store, config)
    return app


async def _to_ui(request: Request) -> Response:
    return RedirectResponse("/ui", 307)


async def _not_found(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    message = f"no page {request.url.path!r}; start from the catalog's home page" if status == 404 else \
        "request refused"
    return render("error.html", status, status=status, title="Not found" if status == 404 else "Error",
                  message=message, principal=None, path=request.url.path)
