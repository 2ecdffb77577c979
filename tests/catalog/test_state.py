import time
import uuid
from datetime import timedelta

import pytest

from tests.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_URL, require_service
from virtualfs.catalog import Catalog


@pytest.fixture(params=["sqlite", "postgres"])
def state(request, tmp_path):
    if request.param == "postgres":
        require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path}/catalog.db"
    return Catalog(url, f"p_{uuid.uuid4().hex[:8]}").state


def test_lock_is_exclusive_until_released(state):
    assert state.acquire_lock("v", "a", timedelta(minutes=5))
    assert not state.acquire_lock("v", "b", timedelta(minutes=5))
    assert state.acquire_lock("v", "a", timedelta(minutes=5))  # renewal by the holder
    assert state.acquire_lock("w", "b", timedelta(minutes=5))  # other views are independent
    state.release_lock("v", "a")
    assert state.acquire_lock("v", "b", timedelta(minutes=5))


def test_lock_of_a_dead_holder_expires(state):
    assert state.acquire_lock("v", "dead", timedelta(milliseconds=200))
    assert not state.acquire_lock("v", "b", timedelta(minutes=5))
    time.sleep(0.3)
    assert state.acquire_lock("v", "b", timedelta(minutes=5))


def test_run_history_records_each_run(state):
    first = state.start_run("v", None, None)
    state.finish_run(first, "success", rows_written=10)
    second = state.start_run("v", None, None)
    state.finish_run(second, "failed", error="boom")
    runs = state.runs("v")
    assert [(r.status, r.rows_written, r.error) for r in runs] == [("failed", None, "boom"), ("success", 10, None)]
    assert state.last_success("v") == runs[1]
    assert state.runs("other") == []
