"""Windowed aggregations run on every SQL engine, not on every adapter of one.

An ibis adapter (``ibis-duckdb``, ``ibis-postgres``) sends its engine the very SQL the native
adapter sends; what it changes — uploads, fetches, types — the warehouse, PIT, refresh and
dataset suites cover on it. Running these hypothesis-heavy suites through it again would test the
same queries on the same engine, for about four minutes of CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import WAREHOUSES
from tests.conftest import _opened
from virtualfs.warehouses.base import Warehouse

ENGINES = tuple(name for name in WAREHOUSES if not name.startswith("ibis-"))


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """An empty warehouse; the test runs once on each SQL engine."""
    yield from _opened(request, request.param)


@pytest.fixture(scope="module", params=ENGINES)
def shared_warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """One empty warehouse of each engine for a whole module."""
    yield from _opened(request, request.param)
