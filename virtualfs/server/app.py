"""The feature server: module-level routes over one FeatureStore, on Starlette (run by uvicorn).

Example::

    app = build_app(FeatureStore("definitions"))
    uvicorn.run(app, port=6566)

Routes stay thin: authenticate, validate (``schemas``), read through ``FeatureStore``, encode
(``encode``). Each route is an ``http.Endpoint`` that turns a :class:`Problem` into a JSON error
and counts the request in ``metrics``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from virtualfs.errors import ConfigError, NotFoundError, RequestError, UnsupportedError, VirtualfsError
from virtualfs.registry import Registry
from virtualfs.servedlog import log_served
from virtualfs.server.auth import may_read_service, may_read_view, readable_by
from virtualfs.server.config import ServerConfig, parse_server_config
from virtualfs.server.encode import (
    ARROW_STREAM,
    JSON,
    service_json,
    to_arrow,
    to_json,
    view_json,
    wants_arrow,
)
from virtualfs.server.http import Call, Endpoint, Handler, Reply
from virtualfs.server.metrics import CONTENT_TYPE as METRICS_TYPE
from virtualfs.server.problems import Problem, bad_request
from virtualfs.server.pushes import parse_push_request, push_json
from virtualfs.server.schemas import FeaturesRequest, parse_features_request
from virtualfs.server.state import ServerState
from virtualfs.serving.on_demand import request_columns
from virtualfs.serving.read import output_masks
from virtualfs.serving.request_plan import RequestPlan, request_plan

if TYPE_CHECKING:
    from virtualfs.store import FeatureStore

REPO_ENV = "VIRTUALFS_SERVER_REPO"  # the repository a uvicorn worker process opens (see app_from_env)
logger = logging.getLogger("virtualfs.server")
ROUTES: list[Route] = []


def route(path: str, method: str = "GET") -> Callable[[Handler], Handler]:
    """Register ``handler`` as the module-level route for ``method`` on ``path``."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(path, Endpoint(path, handler), methods=[method], name=handler.__name__))
        return handler

    return register


@route("/v1/online-features", "POST")
async def online_features(call: Call, state: ServerState) -> Reply:
    """Feature vectors for columns of entity keys, as columnar JSON or an Arrow stream; PII
    features masked for a caller whose role reads them masked (``access.masking``)."""
    grant = state.authenticate(call.authorization, "/v1/online-features")
    body = await call.body(state.config.max_body_bytes, state.body_deadlines)
    wanted = parse_features_request(body, state.config.max_entities)
    registry = state.registry()
    refs, masked = await state.authorize_read(grant, registry, wanted)
    plan = _plan(state, registry, wanted)
    _check_join_keys(plan, wanted)
    _check_request_fields(plan, wanted)
    response = await state.read(wanted)
    masks = output_masks(plan, masked) if masked else {}
    if masks:
        response = response.masked(masks)
    state.count_reads(grant, refs)
    if state.served_log is not None:  # as served: a value the caller got masked is logged masked
        log_served(state.served_log, plan, response, wanted.feature_service, wanted.request)
    if wants_arrow(call.accept):
        return Reply(to_arrow(response, plan, masks), ARROW_STREAM)
    return Reply(to_json(response, plan), JSON)


@route("/v1/push", "POST")
async def push(call: Call, state: ServerState) -> Reply:
    """Rows pushed to a ``push=True`` view, into the online store and/or its pushed table
    (``virtualfs.push``); the caller needs a push grant (``server.pushes``)."""
    grant = state.authenticate(call.authorization, "/v1/push")
    body = await call.body(state.config.max_body_bytes, state.body_deadlines)
    request = parse_push_request(body, state.config.max_push_rows)
    state.pusher.authorize(grant, request.view)
    result = await state.pusher.push(grant, state.registry(), request)
    return _json(push_json(result))


@route("/v1/feature-views")
async def feature_views(call: Call, state: ServerState) -> Reply:
    """The feature views this caller may read, each feature marked PII or not."""
    grant = state.authenticate(call.authorization, "/v1/feature-views")
    registry = state.registry()
    found = await state.classification(registry)
    allowed = readable_by(state.policy, grant, registry)
    return _json({"feature_views": [view_json(v, found.view_pii(v.name)) for v in registry.views.values()
                                    if may_read_view(allowed, registry, v.name)]})


@route("/v1/feature-services")
async def feature_services(call: Call, state: ServerState) -> Reply:
    """The feature services this caller may read, with the PII features each holds."""
    grant = state.authenticate(call.authorization, "/v1/feature-services")
    registry = state.registry()
    found = await state.classification(registry)
    allowed = readable_by(state.policy, grant, registry)
    services = [service_json(s, found.service_pii(s.name)) for s in registry.services.values()
                if may_read_service(allowed, registry, s.name)]
    return _json({"feature_services": services})


@route("/healthz")
async def healthz(call: Call, state: ServerState) -> Reply:
    """Liveness: the process answers (it never asks the store or the catalog)."""
    return _json({"status": "ok"})


@route("/readyz")
async def readyz(call: Call, state: ServerState) -> Reply:
    """Readiness: definitions are applied and the online store answers within the read deadline.

    Public, so a 503 names the component by kind only; its detail (paths, addresses) goes to the
    log, and to callers with a valid token.
    """
    registry = state.registry()
    await state.ping()
    return _json({"status": "ready", "online_store": state.store_name, "registry_version": registry.version})


@route("/metrics")
async def metrics(call: Call, state: ServerState) -> Reply:
    """Prometheus text; with auth configured, any valid token may scrape."""
    state.authenticate(call.authorization, "/metrics")
    return Reply(state.metrics.render().encode(), METRICS_TYPE)


@route("/openapi.json")
async def openapi(call: Call, state: ServerState) -> Reply:
    """The OpenAPI 3.1 document of this server (limits and auth as configured)."""
    return Reply(state.openapi, JSON)


def _plan(state: ServerState, registry: Registry, wanted: FeaturesRequest) -> RequestPlan:
    try:
        return request_plan(registry, state.store.project, wanted.wanted, wanted.full_feature_names)
    except (NotFoundError, RequestError, UnsupportedError) as error:
        raise bad_request(str(error), wanted.field) from None


def _check_join_keys(plan: RequestPlan, wanted: FeaturesRequest) -> None:
    expected = ", ".join(plan.join_keys)
    for key in plan.join_keys:
        if key not in wanted.entities:
            raise bad_request(f"missing join key column; the requested features need {expected}",
                              f"entities.{key}")
    if len(wanted.entities) != len(plan.join_keys):
        extra = next(key for key in wanted.entities if key not in plan.join_keys)
        raise bad_request(f"not a join key of the requested features (they need {expected})",
                          f"entities.{extra}")


def _check_request_fields(plan: RequestPlan, wanted: FeaturesRequest) -> None:
    """The request fields the on-demand features need, each of its dtype; a 400 names the field."""
    if not plan.request_fields and not wanted.request:
        return
    extra = sorted(set(wanted.request or ()) - {f.name for f in plan.request_fields})
    if extra:
        raise bad_request("not a request field of the requested features", f"request.{extra[0]}")
    try:
        request_columns(plan.request_fields, wanted.request or {}, wanted.rows)
    except RequestError as error:
        field = next((f.name for f in plan.request_fields if repr(f.name) in str(error)), None)
        raise bad_request(str(error), f"request.{field}" if field else "request") from None


def _json(value: object) -> Reply:
    return Reply(orjson.dumps(value), JSON)


async def _http_error(request: Request, error: Exception) -> Response:
    """404 and 405 from the router, as JSON problems, counted under one route label."""
    status = error.status_code if isinstance(error, HTTPException) else 500
    message = {404: f"no route {request.url.path!r}; see /openapi.json",
               405: f"method {request.method} is not allowed here"}.get(status, "request refused")
    headers = getattr(error, "headers", None)
    request.app.state.server.metrics.observe("other", request.method, status, 0.0)
    return Problem(status, message, headers=dict(headers) if headers else None).response()


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    state: ServerState = app.state.server
    await _warm_up(state)
    watcher = asyncio.create_task(_watch_catalog(state)) if state.config.reload_seconds else None
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
        await run_in_threadpool(state.audit.close)  # the reads counted since the last batch
        if state.served_log is not None:  # the sampled requests still queued
            await run_in_threadpool(state.served_log.close)
        state.guard.close()
        state.body_deadlines.close()


async def _warm_up(state: ServerState) -> None:
    """Read the catalog and open the online store before the first request. A failure is logged,
    not fatal: the server starts, answers /readyz with 503, and recovers when they come up."""
    registry = await state.load_registry()
    if registry is not None and state.policy is not None:
        for unknown in state.policy.unknown_names(registry):
            logger.warning("%s is not an applied feature view, service or feature", unknown)
    try:
        await state.ping()
    except Problem as problem:
        logger.warning("not ready yet: %s", problem.detail or problem.message)


async def _watch_catalog(state: ServerState) -> None:
    """Serve a newly applied catalog version without a restart: look every ``reload_seconds``."""
    while True:
        await asyncio.sleep(state.config.reload_seconds)
        try:
            state.loaded = await run_in_threadpool(_reload_if_changed, state.store)
        except VirtualfsError as error:
            state.catalog_log.failed(f"could not check the catalog for a new version: {error}")
        else:
            state.catalog_log.answered()


def _reload_if_changed(store: FeatureStore) -> Registry:
    latest = store.catalog.latest_version()
    if latest is not None and latest != store.registry().version:
        store.reload()
        logger.info("serving catalog version %s", store.registry().version)
    return store.registry()


def build_app(store: FeatureStore, config: ServerConfig | None = None) -> Starlette:
    """The ASGI app serving ``store``; ``config`` defaults to the repository's ``server:`` section."""
    config = config if config is not None else parse_server_config(store.config.server, store.config.access)
    routes = ROUTES
    if config.ui:  # imported only when asked for: the pages need jinja2 (the ui extra)
        try:
            from virtualfs.ui import UiState, ui_routes
        except ModuleNotFoundError as missing:
            raise ConfigError(f"virtualfs.yaml: server.ui is true, but {missing.name} is not installed; "
                              "pip install 'virtualfs[ui]'") from None
        routes = [*ROUTES, *ui_routes()]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error}, lifespan=_lifespan)
    app.state.server = ServerState(store, config)
    if config.ui:
        app.state.ui = UiState(store, config)
    return app


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker process calls: the repository comes from $VIRTUALFS_SERVER_REPO."""
    from virtualfs.store import FeatureStore

    return build_app(FeatureStore(os.environ.get(REPO_ENV, ".")))
