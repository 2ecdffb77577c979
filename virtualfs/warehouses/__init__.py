"""Warehouse adapters behind one Protocol. Drivers are imported only when a backend is opened."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from virtualfs.errors import ConfigError

if TYPE_CHECKING:
    from virtualfs.config import BackendConfig
    from virtualfs.warehouses.base import Warehouse

_ADAPTERS = {
    "duckdb": ("virtualfs.warehouses.duckdb", "DuckDBWarehouse"),
    "postgres": ("virtualfs.warehouses.postgres", "PostgresWarehouse"),
    "snowflake": ("virtualfs.warehouses.snowflake", "SnowflakeWarehouse"),
    "ibis": ("virtualfs.warehouses.ibis", "IbisWarehouse"),
    "spark": ("virtualfs.warehouses.spark", "SparkWarehouse"),
}


def open_warehouse(config: BackendConfig) -> Warehouse:
    """Connect to the warehouse a repository's config names."""
    if config.type not in _ADAPTERS:
        raise ConfigError(f"warehouse.type {config.type!r} is not one of {', '.join(_ADAPTERS)}")
    module_name, class_name = _ADAPTERS[config.type]
    adapter = getattr(import_module(module_name), class_name)
    return adapter.from_config(dict(config.options))
