"""Deadlines: one sweeping timer cuts overdue awaits, and leaves everything else alone."""

from __future__ import annotations

import asyncio
import time

import pytest

from virtualfs.server.deadlines import Deadlines


def test_an_overdue_await_is_a_timeout_within_one_tick_and_the_task_carries_on():
    async def scenario() -> None:
        deadlines = Deadlines(0.1, tick=0.02)
        started = time.perf_counter()
        with pytest.raises(asyncio.TimeoutError):
            await deadlines.run(asyncio.sleep(5))
        assert 0.1 <= time.perf_counter() - started < 0.1 + 0.02 + 0.05
        task = asyncio.current_task()
        assert not hasattr(task, "cancelling") or task.cancelling() == 0  # not left half-cancelled
        await asyncio.sleep(0.05)  # later awaits of the same task are not cancelled
        assert await deadlines.run(asyncio.sleep(0.01, "done")) == "done"
        assert deadlines.watched == {} and deadlines.overdue == set()
        deadlines.close()

    asyncio.run(scenario())


def test_many_awaits_each_get_their_own_deadline():
    async def scenario() -> list:
        deadlines = Deadlines(0.1, tick=0.01)

        async def one(seconds: float):
            try:
                return await deadlines.run(asyncio.sleep(seconds, seconds))
            except asyncio.TimeoutError:
                return "timeout"

        results = await asyncio.gather(*(one(s) for s in (0.01, 0.5, 0.05, 1.0)))
        deadlines.close()
        return results

    assert asyncio.run(scenario()) == [0.01, "timeout", 0.05, "timeout"]


def test_a_cancel_from_elsewhere_is_not_a_timeout():
    async def scenario() -> None:
        deadlines = Deadlines(5.0)
        waiting = asyncio.create_task(deadlines.run(asyncio.sleep(10)))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        deadlines.close()

    asyncio.run(scenario())
