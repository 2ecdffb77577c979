"""The feature server: module-level routes over one FeatureStore, on Starlette (run by uvicorn).

>>> app = build_app(FeatureStore("definitions"))   # doctest: +SKIP
>>> uvicorn.run(app, port=6566)                     # doctest: +SKIP

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

from virtualfs.errors import (
    CatalogError,
    NotFoundError,
    OnlineStoreError,
    RequestError,
    UnsupportedError,
    VirtualfsError,
    WarehouseError,
)
from virtualfs.online import fallback_enabled
from virtualfs.online.plan import RequestPlan, request_plan
from virtualfs.online.response import OnlineResponse
from virtualfs.registry import Registry
from virtualfs.server.auth import (
    Authenticator,
    authorize_features,
    authorize_service,
    may_read_service,
    may_read_view,
)
from virtualfs.server.batch import ReadBatcher, Vectors
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
from virtualfs.server.metrics import Metrics
from virtualfs.server.openapi import openapi_document
from virtualfs.server.problems import Problem, bad_request, unavailable
from virtualfs.server.schemas import FeaturesRequest, parse_features_request

if TYPE_CHECKING:
    from virtualfs.store import FeatureStore

REPO_ENV = "VIRTUALFS_SERVER_REPO"  # the repository a uvicorn worker process opens (see app_from_env)
logger = logging.getLogger("virtualfs.server")
ROUTES: list[Route] = []


class ServerState:
    """What the routes share: the store, the server config, the authenticator and the metrics."""

    def __init__(self, store: FeatureStore, config: ServerConfig) -> None:
        self.store = store
        self.config = config
        self.auth = Authenticator(config.tokens)
        self.metrics = Metrics()
        self.store_name = store.config.online.type
        # Read-through may run a warehouse query for seconds: keep it off the event loop.
        self.reads_block = fallback_enabled(store.config.online)
        self.batcher = ReadBatcher(self._read, self.metrics)
        self.openapi = orjson.dumps(openapi_document(config))

    def registry(self) -> Registry:
        """The applied definitions being served; 503 while there are none or the catalog is down."""
        try:
            registry = self.store.registry()
        except CatalogError as error:
            raise unavailable(f"the catalog cannot be read: {error}") from None
        if registry.version is None:
            raise unavailable(f"project {self.store.project!r} has no applied definitions yet; "
                              "run `virtualfs apply`")
        self.metrics.registry_version = registry.version
        return registry

    async def read(self, wanted: FeaturesRequest) -> Vectors:
        """The online read; a store that does not answer is a 503 (the next request tries again)."""
        try:
            if self.reads_block:
                self.metrics.store_reads += 1
                return Vectors.of(await run_in_threadpool(self._read, wanted))
            # On the event loop, batched: a store round trip costs less than a hop to a thread and
            # back, and one round trip for a burst of requests less than one each.
            return await self.batcher.read(wanted)
        except (OnlineStoreError, WarehouseError) as error:
            self.metrics.store_error(self.store_name)
            raise unavailable(str(error)) from None
        except (RequestError, NotFoundError, UnsupportedError) as error:
            raise bad_request(str(error), "entities") from None

    async def ping(self) -> None:
        """503 unless the online store answers (asked from a thread: a dead host may take seconds)."""
        try:
            await run_in_threadpool(self.store.online.ping)
        except OnlineStoreError as error:
            self.metrics.store_error(self.store_name)
            raise unavailable(str(error)) from None

    def _read(self, wanted: FeaturesRequest) -> OnlineResponse:
        return self.store.get_online_features(wanted.entities, wanted.wanted,
                                              full_feature_names=wanted.full_feature_names)


def route(path: str, method: str = "GET") -> Callable[[Handler], Handler]:
    """Register ``handler`` as the module-level route for ``method`` on ``path``."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(path, Endpoint(path, handler), methods=[method], name=handler.__name__))
        return handler

    return register


@route("/v1/online-features", "POST")
async def online_features(call: Call, state: ServerState) -> Reply:
    """Feature vectors for columns of entity keys, as columnar JSON or an Arrow stream."""
    grant = state.auth.authenticate(call.authorization)
    body = await call.body(state.config.max_body_bytes)
    wanted = parse_features_request(body, state.config.max_entities)
    registry = state.registry()
    if wanted.features is not None:
        authorize_features(grant, wanted.features)
    else:
        authorize_service(grant, registry, wanted.feature_service)  # type: ignore[arg-type]
    plan = _plan(state, registry, wanted)
    _check_join_keys(plan, wanted)
    response = await state.read(wanted)
    if wants_arrow(call.accept):
        return Reply(to_arrow(response, plan), ARROW_STREAM)
    return Reply(to_json(response, plan), JSON)


@route("/v1/feature-views")
async def feature_views(call: Call, state: ServerState) -> Reply:
    """The feature views this caller may read."""
    grant = state.auth.authenticate(call.authorization)
    views = state.registry().views.values()
    return _json({"feature_views": [view_json(v) for v in views if may_read_view(grant, v.name)]})


@route("/v1/feature-services")
async def feature_services(call: Call, state: ServerState) -> Reply:
    """The feature services this caller may read."""
    grant = state.auth.authenticate(call.authorization)
    registry = state.registry()
    services = [service_json(s) for s in registry.services.values()
                if may_read_service(grant, registry, s.name)]
    return _json({"feature_services": services})


@route("/healthz")
async def healthz(call: Call, state: ServerState) -> Reply:
    """Liveness: the process answers."""
    return _json({"status": "ok"})


@route("/readyz")
async def readyz(call: Call, state: ServerState) -> Reply:
    """Readiness: definitions are applied and the online store answers."""
    registry = state.registry()
    await state.ping()
    return _json({"status": "ready", "online_store": state.store_name, "registry_version": registry.version})


@route("/metrics")
async def metrics(call: Call, state: ServerState) -> Reply:
    """Prometheus text; with auth configured, any valid token may scrape."""
    state.auth.authenticate(call.authorization)
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


async def _warm_up(state: ServerState) -> None:
    """Open the catalog and the online store before the first request. A failure is logged, not
    fatal: the server starts, answers /readyz with 503, and recovers when they come up."""
    try:
        registry = await run_in_threadpool(state.registry)
        for grant in state.config.tokens:
            unknown = sorted(grant.allow - {"*", *registry.views, *registry.services})
            if unknown:
                logger.warning("server.auth.tokens.%s.allow: %s is not an applied feature view or "
                               "service", grant.name, ", ".join(unknown))
        await state.ping()
    except (Problem, VirtualfsError) as error:
        logger.warning("not ready yet: %s", error)


async def _watch_catalog(state: ServerState) -> None:
    """Serve a newly applied catalog version without a restart: look every ``reload_seconds``."""
    while True:
        await asyncio.sleep(state.config.reload_seconds)
        try:
            await run_in_threadpool(_reload_if_changed, state.store)
        except VirtualfsError as error:
            logger.warning("could not check the catalog for a new version: %s", error)


def _reload_if_changed(store: FeatureStore) -> None:
    latest = store.catalog.latest_version()
    if latest is not None and latest != store.registry().version:
        store.reload()
        logger.info("serving catalog version %s", store.registry().version)


def build_app(store: FeatureStore, config: ServerConfig | None = None) -> Starlette:
    """The ASGI app serving ``store``; ``config`` defaults to the repository's ``server:`` section."""
    config = config if config is not None else parse_server_config(store.config.server)
    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: _http_error}, lifespan=_lifespan)
    app.state.server = ServerState(store, config)
    return app


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker process calls: the repository comes from $VIRTUALFS_SERVER_REPO."""
    from virtualfs.store import FeatureStore

    return build_app(FeatureStore(os.environ.get(REPO_ENV, ".")))
