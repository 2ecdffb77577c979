"""What the catalog pages share: the store, who may look (the server's authentication and
policy), and what is worked out once per catalog version (the PII classification, each view's
profile) rather than on every page.

Pages run on worker threads; the store's connections (catalog, warehouse) are used by one page at
a time (``lock``), which is plenty for people browsing a catalog.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from virtualfs.errors import VirtualfsError
from virtualfs.policy import AccessPolicy
from virtualfs.registry import Registry
from virtualfs.server.auth import Authenticator
from virtualfs.server.config import ServerConfig, TokenGrant
from virtualfs.ui.viewer import Viewer, authenticate, viewer_for

if TYPE_CHECKING:
    from virtualfs.governance import Classification
    from virtualfs.profiles import Profile
    from virtualfs.store import FeatureStore

PROFILES_KEPT = 64  # views whose profile is kept (one warehouse query each, made on first visit)
RECHECK_SECONDS = 2.0  # how often a page asks the catalog whether a new version was applied
VERSIONS_KEPT = 8  # catalog versions (and diffs between them) kept for the versions pages


class UiState:
    """The UI's shared state; ``virtualfs.ui.build_ui_app`` and the server make one each."""

    def __init__(self, store: FeatureStore, config: ServerConfig) -> None:
        self.store = store
        self.auth = Authenticator(config.tokens)
        self.policy: AccessPolicy | None = config.policy
        self.lock = threading.RLock()
        self._registry: Registry | None = None
        self._checked_at = 0.0
        self._classified: tuple[int | None, Classification] | None = None
        self._profiles: OrderedDict[tuple[int | None, str], Profile | str] = OrderedDict()
        self._versions: OrderedDict[int, Registry] = OrderedDict()
        self._changes: OrderedDict[tuple[int, int], list[dict[str, Any]]] = OrderedDict()

    def registry(self) -> Registry:
        """The latest applied version (looked for at most every ``RECHECK_SECONDS``)."""
        now = time.monotonic()
        if self._registry is None or now - self._checked_at > RECHECK_SECONDS:
            latest = self.store.catalog.latest_version()
            if self._registry is None or latest != self._registry.version:
                self.store.reload()
                self._registry = self.store.registry()
            self._checked_at = now
        return self._registry

    def classification(self, registry: Registry) -> Classification:
        """Which features of ``registry`` hold personal data, worked out once per version."""
        from virtualfs.governance import classify

        if self._classified is None or self._classified[0] != registry.version:
            self._classified = (registry.version, classify(registry, self.store.config.dialect))
        return self._classified[1]

    def grant(self, header: str | None, cookie: str | None) -> TokenGrant | None:
        return authenticate(self.auth, header, cookie)

    def viewer(self, grant: TokenGrant | None, registry: Registry) -> Viewer:
        personal = self.classification(registry).pii_features() if self.policy is not None else ()
        return viewer_for(self.policy, grant, registry, personal)

    def version(self, number: int) -> Registry:
        """Catalog version ``number``'s definitions; versions never change, so a few are kept."""
        return _kept(self._versions, number, lambda: self.store.catalog.registry(number))

    def changes(self, old: int, new: int) -> list[dict[str, Any]]:
        """What changed from version ``old`` to ``new`` (``catalog.diff``), change by change, field
        by field in words; versions never change, so it is worked out once per pair."""
        return _kept(self._changes, (old, new), lambda: _changes(self.version(old), self.version(new)))

    def profile(self, registry: Registry, view: str) -> Profile | str:
        """View ``view``'s profile over all its source rows, or why there is none (the text of the
        error); computed in the warehouse on first ask, kept for the catalog version."""
        key = (registry.version, view)
        if key not in self._profiles:
            from virtualfs.datasets.profile import profile_of

            try:
                self._profiles[key] = profile_of(self.store.context, registry, view)
            except VirtualfsError as error:
                self._profiles[key] = str(error)
            while len(self._profiles) > PROFILES_KEPT:
                self._profiles.popitem(last=False)
        self._profiles.move_to_end(key)
        return self._profiles[key]


def _kept(kept: OrderedDict, key: Any, make: Callable[[], Any], most: int = VERSIONS_KEPT) -> Any:
    """``kept[key]``, made on first ask; the least recently asked go past ``most``."""
    if key not in kept:
        kept[key] = make()
        while len(kept) > most:
            kept.popitem(last=False)
    kept.move_to_end(key)
    return kept[key]


def _changes(old: Registry, new: Registry) -> list[dict[str, Any]]:
    from virtualfs.catalog import diff

    return [{"action": change.action, "kind": change.kind, "name": change.name,
             "affects_data": change.affects_data, "differences": [d.text() for d in change.differences()]}
            for change in diff(old, new).changes]
