"""A warehouse per module and kind, shared by the many examples hypothesis draws."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import WAREHOUSES, make_warehouse
from virtualfs.warehouses.base import Warehouse


@pytest.fixture(scope="module", params=WAREHOUSES)
def shared_warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """One empty warehouse of each kind for a whole module (tests create and drop their tables)."""
    with make_warehouse(request.param) as opened:
        yield opened
