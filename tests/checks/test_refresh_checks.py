"""Checks at refresh, on every warehouse: a failed error check publishes nothing — the table, its
tiles tables, the watermark records and the online store stay byte for byte as they were — and
the run is recorded as failed with what each check observed; a warn check records and goes on."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs import Aggregation, Check, CheckFailedError, Entity, Feature, FeatureView, Source
from virtualfs.apply.validate import validate_registry
from virtualfs.catalog import Catalog, diff
from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.context import OnlineContext, ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.errors import ValidationError
from virtualfs.online.keys import part_prefix, stored_parts
from virtualfs.online.memory import MemoryOnlineStore
from virtualfs.refresh import RefreshRequest, refresh_views
from virtualfs.registry import Registry

T0 = datetime(2026, 1, 1)
CUSTOMER = Entity("customer", ["customer_id"])
ORDERS = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
PRESENT = Check("amount", not_null=1.0)
SPEND = FeatureView("spend", [CUSTOMER], ORDERS, [Feature("amount", "float64")], materialize="incremental",
                    aggregations=[Aggregation("spend_30d", "sum", "amount", "30d")],
                    checks=[PRESENT, Check("amount", between=(0, 1000))])
UNCHECKED = dataclasses.replace(SPEND, name="unchecked", checks=())


def orders(rows) -> pa.Table:
    customer, event, landed, amount = zip(*rows, strict=True)
    return pa.table({"customer_id": pa.array(customer, pa.int64()),
                     "ordered_at": pa.array(event, pa.timestamp("us")),
                     "loaded_at": pa.array(landed, pa.timestamp("us")),
                     "amount": pa.array(amount, pa.float64())})


GOOD = [(c, T0 + timedelta(days=d), T0 + timedelta(days=d, minutes=5), float(c * d)) for c in (1, 2) for d in range(3)]
# landed two days after the good ones: an incremental run's window holds these, and the two good
# rows that landed within the lookback (1h) of the watermark, which it re-reads
BAD = [(1, T0 + timedelta(days=4), T0 + timedelta(days=4, minutes=5), None),
       (2, T0 + timedelta(days=4), T0 + timedelta(days=4, minutes=5), 7.0)]


@dataclasses.dataclass
class Project:
    warehouse: object
    context: ProjectContext
    online: OnlineContext
    registry: Registry

    def refresh(self, request: RefreshRequest | None = None):
        return refresh_views(self.context, self.online, self.registry, None, request or RefreshRequest())

    def land(self, rows) -> None:
        name = f"incoming_{uuid.uuid4().hex[:6]}"
        incoming = create_user_table(self.warehouse, name, orders(rows))
        self.warehouse.execute(exp.insert(exp.select("*").from_(incoming),
                                          warehouse_table("orders", self.warehouse.dialect)))
        self.warehouse.execute(exp.Drop(this=incoming, kind="TABLE"))


@pytest.fixture
def project(warehouse, tmp_path) -> Iterator[Project]:
    yield from _project(warehouse, tmp_path, SPEND, UNCHECKED)


def _project(warehouse, tmp_path, *views) -> Iterator[Project]:
    create_user_table(warehouse, "orders", orders(GOOD))
    schema = FeatureSchema.of(f"vfs_checks_{uuid.uuid4().hex[:8]}", "shop")
    catalog = Catalog(f"sqlite:///{tmp_path}/catalog.db", "shop")
    wanted = Registry.from_objects(views)
    catalog.write_version(wanted, diff(catalog.registry(), wanted))
    context = ProjectContext("shop", warehouse, catalog, StoredCopies(schema, warehouse.dialect))
    try:
        yield Project(warehouse, context, OnlineContext(MemoryOnlineStore("shop"), "memory"), catalog.registry())
    finally:
        warehouse.execute(exp.Drop(this=schema.schema(warehouse.dialect), kind="SCHEMA", exists=True, cascade=True))


def published(project: Project, view: FeatureView) -> dict:
    """Everything a refresh of ``view`` could publish, exactly: its table and its tiles tables with
    their rows, its watermark records, and the bytes the online store holds under its keys; and
    that no staging table is left in the feature schema."""
    warehouse, schema = project.warehouse, project.context.copies.schema
    tables = {}
    for name in [schema.view_table_name(view), *(k.name for k in plan_kept_tiles(view, schema))]:
        rows = warehouse.fetch_arrow(exp.select("*").from_(schema.table(name, warehouse.dialect)))
        tables[name] = rows.sort_by([(c, "ascending") for c in rows.column_names])
    assert len(tables) == 2  # the table and one tiles table
    assert not [name for name in warehouse.tables_in(schema.parts) if "_vfs_stage" in name.lower()]
    prefixes = tuple(part_prefix("shop", part) for part in stored_parts(view))
    online = {key: entry.value for key, entry in project.online.store._rows.items() if key.startswith(prefixes)}
    assert online
    return {"tables": tables, "marks": project.context.catalog.marks.of_view(view.name), "online": online}


def test_a_failed_error_check_publishes_nothing_and_records_the_run(project):
    project.refresh()
    before = published(project, SPEND)
    project.land(BAD)

    with pytest.raises(CheckFailedError) as failed:
        project.refresh()

    assert str(failed.value) == ("feature view 'spend': check 'amount_not_null' failed: 0.75 of 4 rows not null "
                                 "(1 null), expected at least 1.0 of rows not null")
    assert [f.check for f in failed.value.failures] == ["amount_not_null"]
    after = published(project, SPEND)
    assert after["marks"] == before["marks"] and after["online"] == before["online"]
    assert after["tables"].keys() == before["tables"].keys()  # no staging table left behind
    for name, rows in before["tables"].items():
        assert after["tables"][name].equals(rows), name
    # the other view was refreshed all the same, online too
    assert [r.view for r in failed.value.refreshed] == ["unchecked"]
    assert failed.value.refreshed[0].rows_written == 2
    run = project.context.catalog.state.runs("spend", limit=1)[0]
    assert run.status == "failed" and run.error.startswith("CheckFailedError: feature view 'spend'")
    results = project.context.catalog.checks.of_runs([run.run_id])[run.run_id]
    assert [(r.check, r.rows, r.observed, r.passed) for r in results] == [
        ("amount_not_null", 4, 0.75, False), ("amount_between", 4, 0, True)]


@pytest.mark.parametrize("request_", [RefreshRequest(full=True),
                                      RefreshRequest(start=T0 + timedelta(days=3), end=T0 + timedelta(days=7),
                                                     chunk=timedelta(days=2))],
                         ids=["rebuild", "backfill"])
def test_a_rebuild_and_a_backfill_are_checked_too(project, request_):
    project.refresh()
    before = published(project, SPEND)
    project.land(BAD)
    # a rebuild judges every row; a backfill each chunk's rows (by landing time), and stops at the
    # first that fails (the chunks before it, each a run of its own, are published)
    with pytest.raises(CheckFailedError, match="check 'amount_not_null' failed: 0.875 of 8 rows not null"
                       if request_.full else "check 'amount_not_null' failed: 0.5 of 2 rows not null"):
        project.refresh(request_)
    after = published(project, SPEND)
    assert after["marks"] == before["marks"] and after["online"] == before["online"]
    for name, rows in before["tables"].items():
        assert after["tables"][name].equals(rows), name
    assert [r.status for r in project.context.catalog.state.runs("spend")] == ["failed", "success"]


def test_a_warn_check_records_the_failure_and_publishes(project):
    warned = dataclasses.replace(SPEND, checks=(dataclasses.replace(PRESENT, severity="warn"),))
    project.registry = Registry.from_objects([warned])
    project.refresh()
    project.land(BAD)
    [result] = project.refresh()
    [warning] = result.warnings
    assert (warning.check, warning.observed, warning.passed, warning.severity) == ("amount_not_null", 0.75, False,
                                                                                   "warn")
    assert result.rows_written == 2 and result.online.rows > 0
    run = project.context.catalog.state.runs("spend", limit=1)[0]
    assert run.status == "success"
    assert [r.passed for r in project.context.catalog.checks.of_runs([run.run_id])[run.run_id]] == [False]
    assert project.context.catalog.checks.latest("spend").run_id == run.run_id


def test_table_scope_judges_the_table_the_swap_would_leave(project):
    checks = (Check(rows_at_least=6, scope="table", name="table_rows"),
              Check(rows_at_least=6, name="window_rows", severity="warn"),
              Check("customer_id", unique_per_time=True, scope="table"))
    project.registry = Registry.from_objects([dataclasses.replace(SPEND, checks=checks)])
    project.refresh()
    project.land(BAD[1:])
    [result] = project.refresh()
    assert result.mode == "incremental"
    run = project.context.catalog.state.runs("spend", limit=1)[0]
    observed = {r.check: (r.rows, r.observed, r.passed) for r in project.context.catalog.checks.of_runs(
        [run.run_id])[run.run_id]}
    assert observed == {"table_rows": (7, 7, True), "window_rows": (3, 3, False),
                        "customer_id_unique_per_time": (7, 0, True)}
    # the same event landed again: the table after the swap would hold it twice
    project.land([(2, BAD[1][1], BAD[1][2] + timedelta(hours=3), 7.0)])
    with pytest.raises(CheckFailedError, match="1 of 8 rows repeat the customer_id and event time of another row"):
        project.refresh()


def test_a_view_kept_as_no_table_checks_its_source_before_going_online(project):
    virtual = dataclasses.replace(SPEND, name="virtual", materialize="view", aggregations=())
    project.registry = Registry.from_objects([virtual])
    project.refresh()
    online = dict(project.online.store._rows)
    assert online
    project.land(BAD)
    with pytest.raises(CheckFailedError, match="feature view 'virtual': check 'amount_not_null' failed: "
                                               "0.875 of 8 rows not null"):
        project.refresh()
    assert {k: e.value for k, e in project.online.store._rows.items()} == {k: e.value for k, e in online.items()}
    assert [r.status for r in project.context.catalog.state.runs("virtual")] == ["failed", "success"]


@pytest.mark.parametrize(("check", "message"), [
    (Check("device", mean_between=(0, 1)), "check 'device_mean_between': mean_between needs a number column, "
                                           "but 'device' is string in the warehouse"),
    (Check("ordered_at", between=(0, 1)), "check 'ordered_at_between': between needs a number column, but "
                                          "'ordered_at' is timestamp"),
    (Check("customer_id", values=["a"]), "check 'customer_id_values': values ['a'] cannot be compared with "
                                         "'customer_id' of type int64"),
    # a column the view reads (so the check was accepted) that the warehouse does not have
    (Check("discount", not_null=0.5), "aggregation 'discounts_7d' column 'discount' is not a column of the source"),
])
def test_apply_refuses_a_check_the_warehouse_column_cannot_take(warehouse, check, message):
    table = pa.table({"customer_id": pa.array([1], pa.int64()), "ordered_at": pa.array([T0], pa.timestamp("us")),
                      "device": pa.array(["mobile"], pa.string())})
    create_user_table(warehouse, "visits", table)
    view = FeatureView("visits", [CUSTOMER], Source("visits", table="visits", timestamp="ordered_at"),
                       aggregations=[Aggregation("devices_7d", "count_distinct", "device", "7d"),
                                     *([Aggregation("discounts_7d", "sum", "discount", "7d")]
                                       if check.column == "discount" else [])], checks=[check])
    with pytest.raises(ValidationError, match="^feature view 'visits' \\(source 'visits'\\): ") as refused:
        validate_registry(warehouse, Registry.from_objects([view]))
    assert message in str(refused.value)


def test_a_check_on_a_column_one_stored_part_does_not_read_still_refreshes_online(project):
    # the online store keeps plain features and aggregations as two parts; a check on a column
    # only one of them reads must not make the other part an invalid view
    both = dataclasses.replace(SPEND, features=(Feature("amount", "float64"), Feature("note", "string")),
                               aggregations=(Aggregation("orders_30d", "count", "customer_id", "30d"),),
                               checks=(Check("note", not_null=0.5, severity="warn"),))
    project.warehouse.execute(exp.Drop(this=warehouse_table("orders", project.warehouse.dialect), kind="TABLE"))
    create_user_table(project.warehouse, "orders", orders(GOOD).append_column(
        "note", pa.array(["x"] * len(GOOD), pa.string())))
    project.registry = Registry.from_objects([both])
    [result] = project.refresh()
    assert result.online.rows > 0 and not result.warnings
