"""The one set of backend fixtures, shaped like ibis's: ``warehouse`` runs a test once per
warehouse in ``tests.backends.WAREHOUSES``; a known gap is a ``notimpl`` marker that says what it
raises and why (a strict xfail: the day it passes, the suite says so). ``--update-golden``
rewrites the golden SQL under ``dialects/`` instead of comparing with it.

Example::

    @pytest.mark.notimpl(["snowflake"], raises=AssertionError, reason="fakesnow reads NaN as NULL")
    def test_upload_keeps_nan_apart_from_null(warehouse): ...
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import WAREHOUSES, make_warehouse
from virtualfs.warehouses.base import Warehouse


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite dialects/<dialect>/*.sql from the compiler instead of comparing")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "notimpl(backends, raises, reason): a known gap of these backends; "
                                       "the test must raise `raises` there")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """An empty warehouse; the test runs once on each warehouse of ``WAREHOUSES``."""
    yield from _opened(request, request.param)


@pytest.fixture(scope="module", params=WAREHOUSES)
def shared_warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """One empty warehouse of each kind for a whole module (tests create and drop their tables):
    for the many examples hypothesis draws."""
    yield from _opened(request, request.param)


@pytest.fixture
def duckdb_warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    yield from _opened(request, "duckdb")


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    yield from _opened(request, "postgres")


@pytest.fixture
def snowflake(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    yield from _opened(request, "snowflake")


def _opened(request: pytest.FixtureRequest, backend: str) -> Iterator[Warehouse]:
    for mark in request.node.iter_markers("notimpl"):
        if backend in mark.args[0]:
            request.applymarker(pytest.mark.xfail(strict=True, raises=mark.kwargs["raises"],
                                                  reason=f"{backend}: {mark.kwargs['reason']}"))
    with make_warehouse(backend) as opened:
        yield opened


@pytest.fixture(scope="session", autouse=True)
def _stop_redis_cluster() -> Iterator[None]:
    """Stops the local Redis Cluster at the end of the session, if a test started one."""
    from tests.redis_cluster import stop_shared_cluster

    yield
    stop_shared_cluster()


@pytest.fixture(scope="session")
def redis_cluster(_stop_redis_cluster: None):
    """The session's local Redis Cluster (``tests.redis_cluster``): 3 primaries and 1 replica."""
    from tests.redis_cluster import shared_cluster

    return shared_cluster()
