"""Shared fixtures: ``warehouse`` runs a test once per warehouse in ``tests.backends.WAREHOUSES``;
``--update-golden`` rewrites the golden SQL under ``dialects/`` instead of comparing with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import WAREHOUSES, make_warehouse
from virtualfs.warehouses.base import Warehouse


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite dialects/<dialect>/*.sql from the compiler instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """An empty warehouse; the test runs once on each warehouse of ``WAREHOUSES``."""
    with make_warehouse(request.param) as opened:
        yield opened
