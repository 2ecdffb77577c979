"""What the routes share: the store, the config, the authenticator, the metrics, and the reads.

Nothing here blocks the event loop: the catalog is read on a thread (at start, by the reload
watcher, and in the background while it is down), online store reads are awaited within
``server.read_timeout`` (``guard``), and read-through to the warehouse runs on a thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import orjson
from starlette.concurrency import run_in_threadpool

from virtualfs.access.audit import AuditLog
from virtualfs.errors import (
    AccessDeniedError,
    CatalogError,
    NotFoundError,
    OnlineStoreError,
    RequestError,
    UnsupportedError,
    WarehouseError,
)
from virtualfs.online import fallback_enabled
from virtualfs.policy import ALL, expand_features, readable
from virtualfs.registry import Registry
from virtualfs.server.auth import Authenticator
from virtualfs.server.batch import ReadBatcher, Vectors
from virtualfs.server.config import ServerConfig, TokenGrant
from virtualfs.server.deadlines import Deadlines
from virtualfs.server.guard import OutageLog, StoreGuard
from virtualfs.server.metrics import Metrics
from virtualfs.server.openapi import openapi_document
from virtualfs.server.problems import Problem, bad_request, unavailable
from virtualfs.server.pushes import Pusher
from virtualfs.server.schemas import FeaturesRequest
from virtualfs.serving.read import online_lookup
from virtualfs.serving.response import OnlineResponse

if TYPE_CHECKING:
    from virtualfs.governance import Classification
    from virtualfs.serving.read import OnlineLookup
    from virtualfs.store import FeatureStore


class ServerState:
    """The server's shared state; ``app.build_app`` makes one per app."""

    def __init__(self, store: FeatureStore, config: ServerConfig) -> None:
        self.store = store
        self.config = config
        self.auth = Authenticator(config.tokens)
        self.policy = config.policy
        # reads, refusals and failed logins, counted per principal and feature, written in batches
        self.audit = AuditLog(lambda: store.catalog.audit, config.audit_seconds)
        self.metrics = Metrics()
        # sampled requests, written off the request path (``logging:``); None: nothing is logged
        self.served_log = store.served_log
        self.metrics.served_log = self.served_log
        self.store_name = store.config.online.type
        self.reads_through = fallback_enabled(store.config.online)
        self.guard = StoreGuard(lambda: store.online, config.read_timeout, self.store_name)
        self.body_deadlines = Deadlines(config.body_timeout)
        self.batcher = ReadBatcher(self._read, self.metrics)
        self.openapi = orjson.dumps(openapi_document(config))
        self.loaded: Registry | None = None  # the catalog version served; None until first read
        self.catalog_log = OutageLog("the catalog")
        self._loading: asyncio.Task | None = None
        self._classified: tuple[int | None, Classification] | None = None
        self.pusher = Pusher(self)

    def registry(self) -> Registry:
        """The applied definitions being served; 503 while there are none or the catalog is unread."""
        registry = self.loaded
        if registry is None:
            self.load_registry_soon()
            raise unavailable("catalog", "the catalog has not been read yet; retry",
                              self.catalog_log.reason)
        if registry.version is None:
            raise unavailable("catalog", f"project {self.store.project!r} has no applied definitions "
                              "yet; run `virtualfs apply`")
        self.metrics.registry_version = registry.version
        return registry

    async def load_registry(self) -> Registry | None:
        """Read the catalog on a thread (its database may be slow or down); None when it fails."""
        try:
            self.loaded = await run_in_threadpool(self.store.registry)
        except CatalogError as error:
            self.catalog_log.failed(str(error))
            return None
        self.catalog_log.answered()
        return self.loaded

    def load_registry_soon(self) -> None:
        """Start reading the catalog in the background, unless a read is under way."""
        if self._loading is None or self._loading.done():
            self._loading = asyncio.get_running_loop().create_task(self.load_registry())

    async def classification(self, registry: Registry) -> Classification:
        """Which features of ``registry`` hold personal data: worked out once per catalog version,
        on a thread (lineage parses the sources' SQL, which the online read path never loads)."""
        cached = self._classified
        if cached is None or cached[0] != registry.version:
            found = await run_in_threadpool(_classify, registry, self.store.config.dialect)
            self._classified = cached = (registry.version, found)
        return cached[1]

    def authenticate(self, header: str | None, route: str) -> TokenGrant | None:
        """The caller's grant (None with auth off); a 401 is counted in the audit log."""
        try:
            return self.auth.authenticate(header)
        except Problem:
            self.audit.count(None, "auth", route, "failed")
            raise

    async def authorize_read(self, grant: TokenGrant | None, registry: Registry,
                             wanted: FeaturesRequest) -> tuple[tuple[str, ...], frozenset[str]]:
        """The features ``wanted`` reads and those the caller gets masked; 403 (counted) when the
        policy refuses one. An unknown name is a 403 too, unless the caller may read everything."""
        if self.policy is None or grant is None:
            return (), frozenset()
        principal = grant.who
        role = self.policy.role_of(principal)
        try:
            refs = expand_features(registry, wanted.wanted)
        except (NotFoundError, RequestError):
            if readable(role, "online", registry) is ALL:
                return (), frozenset()  # the request plan says what is wrong (400)
            # not the name sent: a client's text never becomes an audit row of its own
            self.audit.count(principal, "read.online", "(an unknown name)", "denied")
            message = f"principal {principal!r} may not read {wanted.wanted!r}"
            raise Problem(403, message, wanted.field) from None
        pii = (await self.classification(registry)).pii_features() if role.pii != "clear" else ()
        try:
            masked = self.policy.check_read(principal, "online", registry, refs, lambda: pii)
        except AccessDeniedError as error:
            self.audit.count(principal, "read.online", error.target, "denied")
            raise Problem(403, str(error), wanted.field) from None
        return refs, masked

    def count_reads(self, grant: TokenGrant | None, refs: tuple[str, ...]) -> None:
        """One more read of each of ``refs`` by the caller, for the audit log."""
        if self.policy is not None and grant is not None:
            for ref in refs:
                self.audit.count(grant.who, "read.online", ref)

    async def read(self, wanted: FeaturesRequest) -> Vectors:
        """The online read; a store that fails or misses the deadline is a 503 (retry)."""
        try:
            # Batched: one round trip for a burst of requests costs less than one each.
            return await self.batcher.read(wanted)
        except OnlineStoreError as error:
            self.metrics.store_error(self.store_name)
            raise unavailable("online_store", "the online store does not answer; retry", str(error)) from None
        except WarehouseError as error:
            raise unavailable("warehouse", "the warehouse (read-through) does not answer; retry",
                              str(error)) from None
        except (RequestError, NotFoundError, UnsupportedError) as error:
            raise bad_request(str(error), "entities") from None

    async def ping(self) -> None:
        """503 unless the online store answers a ping within the read deadline."""
        try:
            await self.guard.ping()
        except OnlineStoreError as error:
            self.metrics.store_error(self.store_name)
            raise unavailable("online_store", "the online store does not answer; retry", str(error)) from None

    async def _read(self, wanted: FeaturesRequest) -> OnlineResponse:
        # masks differ by caller: they are applied to each caller's rows after the batched read
        lookup = online_lookup(self.registry(), self.store.project, wanted.entities, wanted.wanted,
                               wanted.full_feature_names, request_data=wanted.request)
        found = await self.guard.read(lookup.keys)
        now_us = time.time_ns() // 1000
        if self.reads_through and lookup.misses(found):
            # A miss may query the warehouse for seconds: on a thread, beyond the read deadline.
            found = await run_in_threadpool(_read_through, self.store, lookup, found, now_us)
        return lookup.respond(found, now_us)


def _classify(registry: Registry, dialect: str) -> Classification:
    from virtualfs.governance import classify

    return classify(registry, dialect)


def _read_through(store: FeatureStore, lookup: OnlineLookup, found: dict, now_us: int) -> dict:
    return lookup.read_through(store.warehouse, store.online, found, now_us)

