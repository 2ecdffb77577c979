"""Online stores: the latest feature values in a key-value store, read in milliseconds.

``open_online_store`` picks the adapter a repository's ``online:`` section names; each adapter
module is imported only when opened, so its driver (redis-py) loads only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from virtualfs.errors import ConfigError
from virtualfs.online.base import OnlineStore, Status, WriteBatch

if TYPE_CHECKING:
    from virtualfs.config import BackendConfig

_ADAPTERS = {
    "memory": ("virtualfs.online.memory", "MemoryOnlineStore"),
    "sqlite": ("virtualfs.online.sqlite", "SQLiteOnlineStore"),
    "redis": ("virtualfs.online.redis", "RedisOnlineStore"),
}
# one type, redis, for both: a cluster (``cluster: true``) is a deployment of Redis, not another store
_CLUSTER_ADAPTER = ("virtualfs.online.redis_cluster", "RedisClusterOnlineStore")
FALLBACKS = (None, "none", "warehouse")

__all__ = ["OnlineStore", "Status", "WriteBatch", "fallback_enabled", "open_online_store"]


def open_online_store(config: BackendConfig, project: str) -> OnlineStore:
    """Open the online store of a repository's ``online:`` section, with keys for ``project``.

    >>> from virtualfs.config import BackendConfig
    >>> open_online_store(BackendConfig("memory"), "shop").name
    'memory'
    """
    if config.type not in _ADAPTERS:
        raise ConfigError(f"online.type {config.type!r} is not one of {', '.join(_ADAPTERS)}")
    fallback_enabled(config)
    cluster = config.type == "redis" and config.get("cluster") is True
    module_name, class_name = _CLUSTER_ADAPTER if cluster else _ADAPTERS[config.type]
    adapter = getattr(import_module(module_name), class_name)
    if config.type == "memory":
        return adapter(project=project)
    return adapter.from_config(config.options, project)


def fallback_enabled(config: BackendConfig) -> bool:
    """Whether ``online.fallback`` asks for read-through to the warehouse for missing keys."""
    value = config.get("fallback")
    if value not in FALLBACKS:
        raise ConfigError(f"online.fallback {value!r} must be 'warehouse' or 'none'")
    return value == "warehouse"
