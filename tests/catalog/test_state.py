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


def test_taking_over_a_dead_holders_lock_marks_its_running_runs_abandoned(state):
    assert state.acquire_lock("v", "host:1:dead", timedelta(minutes=5))
    finished = state.start_run("v", None, None)
    state.finish_run(finished, "success", rows_written=1)
    killed = state.start_run("v", None, None)
    elsewhere = state.start_run("w", None, None)  # another view's lock, another view's run
    assert state.take_over_lock("v", "host:1:dead", "host:2:next", timedelta(minutes=5))
    runs = {run.run_id: run for run in state.runs()}
    assert runs[killed].status == "abandoned" and runs[killed].finished_at is not None
    assert "by host:2:next" in runs[killed].error and "host:1:dead died" in runs[killed].error
    assert runs[killed].duration is None  # it stopped at some unknown time before the take-over
    assert (runs[finished].status, runs[elsewhere].status) == ("success", "running")


def test_taking_an_expired_lock_marks_its_running_runs_abandoned(state):
    assert state.acquire_lock("v", "slow", timedelta(milliseconds=200))
    stuck = state.start_run("v", None, None)
    time.sleep(0.3)
    assert state.acquire_lock("v", "next", timedelta(minutes=5))
    run = state.runs("v")[0]
    assert run.run_id == stuck and run.status == "abandoned"
    assert "by next" in run.error and "slow let its lease expire" in run.error


def test_renewing_or_failing_to_take_a_lock_abandons_nothing(state):
    assert state.acquire_lock("v", "a", timedelta(minutes=5))
    mine = state.start_run("v", None, None)
    assert state.acquire_lock("v", "a", timedelta(minutes=5))  # renewal
    assert not state.acquire_lock("v", "b", timedelta(minutes=5))  # held, lease not expired
    assert not state.take_over_lock("v", "someone-else", "b", timedelta(minutes=5))
    assert [(run.run_id, run.status) for run in state.runs("v")] == [(mine, "running")]
