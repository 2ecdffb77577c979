"""The scheduler goes on when a view's checks refuse its rows: that view waits for the next tick."""

import dataclasses

from virtualfs import Check, CheckFailedError, Entity, Feature, FeatureView, Source
from virtualfs.catalog.check_results import CheckResult
from virtualfs.refresh.scheduler import Scheduler

VIEWS = [FeatureView(name, [Entity("c", ["id"])], Source("s", table="t", timestamp="ts"),
                     [Feature("amount", "float64")], checks=[Check("amount", not_null=1.0)])
         for name in ("refused", "fine")]
FAILED = CheckResult("refused", "amount_not_null", "not_null", "amount", "error", "window", 2, 0.5,
                     "0.5 of 2 rows not null (1 null)", "at least 1.0 of rows not null", passed=False)


class Store:
    def __init__(self) -> None:
        self.refreshed: list[str] = []

    def reload(self) -> None:
        pass

    def due_views(self, now=None):
        return VIEWS

    def refresh(self, views=None):
        if views == ["refused"]:
            raise CheckFailedError([FAILED])
        self.refreshed += views
        warned = dataclasses.replace(FAILED, view="fine", severity="warn")
        return [type("Result", (), {"rows_written": 1, "mode": "incremental", "warnings": (warned,)})()]


def test_a_refused_view_is_reported_and_the_others_are_refreshed():
    store, said = Store(), []
    Scheduler(store, report=said.append).tick()
    assert store.refreshed == ["fine"]
    assert said == ["not refreshed: feature view 'refused': check 'amount_not_null' failed: 0.5 of 2 rows not "
                    "null (1 null), expected at least 1.0 of rows not null",
                    "refreshed fine: 1 rows (incremental)",
                    "warning: feature view 'fine': check 'amount_not_null' failed (warn): 0.5 of 2 rows not null "
                    "(1 null), expected at least 1.0 of rows not null"]
