"""The catalog pages as Starlette routes: one ``PageRoute`` per page, served as HTML at
``/ui<path>`` (its Jinja2 template) and as JSON at ``/ui/api<path>`` (the same data). A new kind
of definition is one template and one line in ``PAGES``.

Every page runs on a worker thread under the state's lock: authenticate (the server's tokens,
header or login cookie), read the latest catalog version, work out what the viewer may see,
build the page. Unknown names are 404s naming close ones; what the viewer may not read is a 403.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from virtualfs.catalog.audit import AuditEntry
from virtualfs.errors import AccessDeniedError, CatalogError, NotFoundError, RequestError, VirtualfsError
from virtualfs.instants import utc_now
from virtualfs.server.problems import Problem
from virtualfs.ui import datasets, objects, on_demand, overview
from virtualfs.ui.graph import node_href
from virtualfs.ui.present import Moved, Page, Sight, href_of, when
from virtualfs.ui.state import UiState
from virtualfs.ui.viewer import TOKEN_COOKIE

Builder = Callable[[Sight, Mapping[str, Any], Mapping[str, str]], Page]
STATIC = Path(__file__).parent / "static"
# Nothing leaves the page's own origin: no CDN, no font or script from elsewhere.
HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                      "script-src 'self'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class PageRoute:
    """One page: its path under ``/ui``, its template, and what builds its data."""

    path: str
    template: str
    build: Builder


def _diff(sight: Sight, params: Mapping[str, Any], query: Mapping[str, str]) -> Page:
    return overview.diff_page(sight, _version(query, "old"), _version(query, "new"))


PAGES = (
    PageRoute("", "home.html", lambda s, p, q: overview.home_page(s)),
    PageRoute("/search", "search.html",
              lambda s, p, q: overview.search_page(s, q.get("q", ""), q.get("kind"))),
    PageRoute("/catalog", "catalog.html", lambda s, p, q: overview.catalog_page(s)),
    PageRoute("/entities/{name}", "entity.html", lambda s, p, q: objects.entity_page(s, p["name"])),
    PageRoute("/sources/{name}", "source.html", lambda s, p, q: objects.source_page(s, p["name"])),
    PageRoute("/views/{name}", "view.html", lambda s, p, q: objects.view_page(s, p["name"])),
    PageRoute("/features/{ref}", "feature.html", lambda s, p, q: objects.feature_page(s, p["ref"])),
    PageRoute("/services/{name}", "service.html", lambda s, p, q: objects.service_page(s, p["name"])),
    PageRoute("/on-demand/{name}", "on_demand.html", lambda s, p, q: on_demand.on_demand_page(s, p["name"])),
    PageRoute("/datasets", "datasets.html", lambda s, p, q: datasets.datasets_page(s)),
    PageRoute("/datasets/{name}", "dataset.html", lambda s, p, q: datasets.dataset_page(s, p["name"])),
    PageRoute("/versions", "versions.html", lambda s, p, q: overview.versions_page(s)),
    PageRoute("/diff", "diff.html", _diff),
    PageRoute("/lineage/{ref:path}", "lineage.html", lambda s, p, q: objects.lineage_page(s, p["ref"])),
    PageRoute("/audit", "audit.html", lambda s, p, q: overview.audit_page(s)),
)

_templates = Environment(loader=PackageLoader("virtualfs.ui", "templates"), autoescape=select_autoescape(),
                         trim_blocks=True, lstrip_blocks=True)
_templates.globals.update(when=when, href_of=href_of, node_href=node_href)


def ui_routes() -> list[BaseRoute]:
    """The routes of the catalog pages, their JSON endpoints, login and static files."""
    routes: list[BaseRoute] = [Route("/ui/login", _login, methods=["GET", "POST"]),
                               Route("/ui/logout", _logout, methods=["GET", "POST"]),
                               Mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")]
    for page in PAGES:
        routes.append(Route(f"/ui/api{page.path}", _endpoint(page, as_json=True), methods=["GET"]))
        routes.append(Route(f"/ui{page.path}", _endpoint(page, as_json=False), methods=["GET"]))
    return routes


def render(template: str, code: int = 200, /, **context: Any) -> HTMLResponse:
    """A template as an HTML response (HTTP status ``code``) with the UI's security headers."""
    return HTMLResponse(_templates.get_template(template).render(**context), code, headers=HEADERS)


def _endpoint(page: PageRoute, as_json: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ui: UiState = request.app.state.ui
        return await run_in_threadpool(_answer, ui, page, request, as_json)

    endpoint.__name__ = f"ui_{page.template.removesuffix('.html')}{'_json' if as_json else ''}"
    return endpoint


def _answer(ui: UiState, page: PageRoute, request: Request, as_json: bool) -> Response:
    principal = None
    try:
        with ui.lock:
            grant = ui.grant(request.headers.get("authorization"), request.cookies.get(TOKEN_COOKIE))
            principal = grant.who if grant is not None else None
            registry = ui.registry()
            if registry.version is None:
                raise CatalogError(f"project {ui.store.project!r} has no applied definitions yet; "
                                   "run `virtualfs apply`")
            sight = Sight(ui, registry, ui.viewer(grant, registry))
            built = page.build(sight, request.path_params, request.query_params)
    except Moved as moved:  # the JSON of the page it moved to, or the page itself
        return RedirectResponse(moved.location.replace("/ui", "/ui/api", 1).partition("#")[0]
                                if as_json else moved.location, 307)
    except Problem as problem:  # 401: who are you? (a browser that sent nothing gets the form alone)
        sent = request.headers.get("authorization") or request.cookies.get(TOKEN_COOKIE)
        message = problem.message if as_json or sent else ""
        return _failure(request, as_json, problem.status, message, principal, problem.headers)
    except AccessDeniedError as error:
        _audit_refusal(ui, principal, request)
        return _failure(request, as_json, 403, str(error), principal)
    except NotFoundError as error:
        return _failure(request, as_json, 404, str(error.args[0]), principal)
    except RequestError as error:
        return _failure(request, as_json, 400, str(error), principal)
    except VirtualfsError as error:
        return _failure(request, as_json, 503, str(error), principal)
    if as_json:
        return Response(orjson.dumps(built.data, default=_plain), media_type="application/json")
    return render(page.template, **built.data, **built.extras, page=built.data, principal=principal,
                  auth=ui.auth.enabled, path=request.url.path)


def _failure(request: Request, as_json: bool, status: int, message: str, principal: str | None,
             headers: dict[str, str] | None = None) -> Response:
    if as_json:
        return Response(orjson.dumps({"status": status, "error": message}), status, headers=headers,
                        media_type="application/json")
    title = _TITLES.get(status, "Unavailable")
    template = "login.html" if status == 401 else "error.html"
    close = _close_pages(request.url.path, message)
    shown = message.partition(" (did you mean ")[0] if close else message  # the links say it below
    return render(template, status, status=status, title=title, message=shown, principal=principal,
                  next=request.url.path, path=request.url.path, close=close)


def _close_pages(path: str, message: str) -> list[tuple[str, str]]:
    """The pages of the close names an error suggests ("did you mean 'a', 'b'?"), as links.

    >>> _close_pages("/ui/views/order", "unknown feature view 'order' (did you mean 'orders'?)")
    [('orders', '/ui/views/orders')]
    """
    _, asked, suggested = message.partition("(did you mean ")
    parent = path.rsplit("/", 1)[0]
    return [(name, f"{parent}/{quote(name, safe=':')}") for name in re.findall(r"'([^']+)'", suggested)]


_TITLES = {400: "Bad request", 401: "Sign in", 403: "Not allowed", 404: "Not found"}


def _audit_refusal(ui: UiState, principal: str | None, request: Request) -> None:
    """A refused page is logged like a refused read: who, which page, denied."""
    entry = AuditEntry(utc_now(), principal, "read.ui", request.url.path, "denied")
    try:
        with ui.lock:
            ui.store.catalog.audit.append([entry])
    except VirtualfsError:
        pass  # the refusal stands even when the log cannot be written


async def _login(request: Request) -> Response:
    """GET: the sign-in form; POST: check the token and keep it in an HttpOnly cookie."""
    ui: UiState = request.app.state.ui
    if request.method == "GET":
        return render("login.html", title="Sign in", message="", next=request.query_params.get("next", "/ui"),
                      path="/ui/login", principal=None)
    from urllib.parse import parse_qs

    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token, target = form.get("token", [""])[0].strip(), form.get("next", ["/ui"])[0]
    target = target if target.startswith("/ui") else "/ui"  # never redirect off the site
    try:
        ui.auth.authenticate(f"Bearer {token}")
    except Problem as problem:
        return render("login.html", 401, title="Sign in", message=problem.message, next=target,
                      path="/ui/login", principal=None)
    response = RedirectResponse(target, 303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/ui")
    return response


async def _logout(request: Request) -> Response:
    response = RedirectResponse("/ui", 303)
    response.delete_cookie(TOKEN_COOKIE, path="/ui")
    return response


def _version(query: Mapping[str, str], key: str) -> int:
    value = query.get(key)
    if value is None or not value.isdigit():
        raise RequestError(f"diff: {key} must be a catalog version number, got {value!r}")
    return int(value)


def _plain(value: Any) -> Any:
    """What orjson does not know: sets sorted, anything else as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)
