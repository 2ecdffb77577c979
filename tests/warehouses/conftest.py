"""Fixtures for the warehouse conformance suite: one test, every warehouse."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import WAREHOUSES, make_warehouse
from virtualfs.warehouses.base import Warehouse


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """An empty warehouse; the test runs once on each of duckdb, postgres and snowflake."""
    with make_warehouse(request.param) as opened:
        yield opened


@pytest.fixture
def postgres() -> Iterator[Warehouse]:
    with make_warehouse("postgres") as opened:
        yield opened


@pytest.fixture
def snowflake() -> Iterator[Warehouse]:
    with make_warehouse("snowflake") as opened:
        yield opened
