"""Checks on the command line: a refused refresh and a failed ``virtualfs check`` exit 1 with one
line naming the view, the check and the numbers; ``runs`` and ``describe`` show what the checks
observed; ``plan`` shows a changed check as only that, and applying it keeps the watermarks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from tests.refresh.test_refresh import T0, land, make_repo, refresh
from tests.repo_factory import table_watermark
from virtualfs import CheckFailedError, FeatureStore
from virtualfs.cli import checks, project
from virtualfs.cli import refresh as refresh_cli
from virtualfs.cli.refresh import checks_summary

CHECKS = 'checks=[Check("amount", not_null=1.0), Check("items", between=(0, 10), severity="warn")]'
GOOD = [(1, T0, T0 + timedelta(hours=1), 5.0, 1), (2, T0, T0 + timedelta(hours=2), 6.0, 2)]
# landed hours later: an incremental run re-reads from an hour (the lookback) before the
# watermark, so its window holds this row and both good ones
BAD = [(3, T0, T0 + timedelta(hours=5), None, 20)]
REFUSED = ("error: feature view 'customer_orders': check 'amount_not_null' failed: 0.666667 of 3 rows not null "
           "(1 null), expected at least 1.0 of rows not null")


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    for module in (project, refresh_cli, checks):
        module.register(app)
    return app


@pytest.fixture
def repo(tmp_path):
    root = make_repo(tmp_path / "repo", extra=CHECKS)
    land(root, GOOD)
    refresh(root)
    land(root, BAD)
    return root


def runs_checks(repo) -> list:
    with FeatureStore(repo) as store:
        runs = store.catalog.state.runs("customer_orders")
        checked = store.catalog.checks.of_runs(run.run_id for run in runs)
    return [checked.get(run.run_id, ()) for run in runs]


def cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "virtualfs.cli", *arguments], capture_output=True, text=True,
                          timeout=120)


def test_a_refused_refresh_exits_1_with_one_line_naming_view_check_and_numbers(repo):
    done = cli("refresh", "-r", str(repo))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [REFUSED]


def test_a_failed_check_on_demand_exits_1_and_a_passing_one_0(repo):
    done = cli("check", "customer_orders", "-r", str(repo), "--json")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [REFUSED]
    report = json.loads(done.stdout)
    assert not report["passed"]
    assert [(r["check"], r["observed"], r["passed"]) for r in report["results"]] == [
        ("amount_not_null", pytest.approx(2 / 3), False), ("items_between", 1, False)]
    before_bad = cli("check", "customer_orders", "-r", str(repo), "--end", "2026-01-01T00:00:00.000001",
                     "--start", "2025-12-31")
    assert before_bad.returncode == 1  # every row of the source shares T0: the bad one is in range
    empty = cli("check", "customer_orders", "-r", str(repo), "--start", "2026-02-01")
    assert empty.returncode == 0, empty.stderr
    assert "passed" in empty.stdout and "FAILED" not in empty.stdout


def test_runs_and_describe_show_what_the_checks_observed(app, repo):
    with pytest.raises(CheckFailedError):
        refresh(repo)
    runner = CliRunner(env={"COLUMNS": "300"})
    shown = runner.invoke(app, ["runs", "-r", str(repo)])
    assert shown.exit_code == 0, shown.output
    # the table wraps its cells between words: "failed amount_not_null; warned items_between", "2 passed"
    assert {"failed", "amount_not_null;", "warned", "items_between"} <= set(shown.output.split())
    assert "2 passed" in shown.output
    assert checks_summary(runs_checks(repo)[0]) == "failed amount_not_null; warned items_between"
    runs = json.loads(runner.invoke(app, ["runs", "-r", str(repo), "--json"]).output)
    assert [run["status"] for run in runs] == ["failed", "success"]
    assert [(c["check"], c["observed"]) for c in runs[0]["checks"]] == [
        ("amount_not_null", pytest.approx(2 / 3)), ("items_between", 1)]
    page = runner.invoke(app, ["describe", "customer_orders", "-r", str(repo)]).output
    assert "  checks        last run " in page and "(failed)" in page
    assert "    amount_not_null  FAILED  0.666667 of 3 rows not null (1 null); expected at least 1.0 of rows " \
           "not null" in page
    assert "    items_between    warned  1 of 3 rows outside (min 1, max 20); expected every value within " \
           "[0, 10]" in page
    data = json.loads(runner.invoke(app, ["describe", "customer_orders", "-r", str(repo), "--json"]).output)
    assert data["status"]["checks"]["status"] == "failed"
    assert [r["passed"] for r in data["status"]["checks"]["results"]] == [False, False]


def test_a_warn_check_is_printed_and_the_refresh_goes_on(repo):
    land(repo, [(3, T0, T0 + timedelta(hours=6), 4.0, 30)])
    (repo / "features.py").write_text((repo / "features.py").read_text().replace("not_null=1.0", "not_null=0.5"))
    assert cli("apply", "-r", str(repo)).returncode == 0
    done = cli("refresh", "-r", str(repo))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "warning: feature view 'customer_orders': check 'items_between' failed (warn): 2 of 4 rows outside "
        "(min 1, max 30), expected every value within [0, 10]"]


def test_a_changed_check_plans_as_such_and_keeps_the_watermarks(app, repo):
    with FeatureStore(repo) as store:
        marks = store.catalog.marks.of_view("customer_orders")
        watermark = table_watermark(store, "customer_orders")
    (repo / "features.py").write_text((repo / "features.py").read_text().replace("not_null=1.0", "not_null=0.5"))
    plan = CliRunner().invoke(app, ["plan", "-r", str(repo)])
    assert plan.exit_code == 0, plan.output
    assert "customer_orders.amount_not_null.not_null: 1.0 -> 0.5  (checks only: no rebuild)" in plan.output
    assert CliRunner().invoke(app, ["apply", "-r", str(repo)]).exit_code == 0
    with FeatureStore(repo) as store:
        assert store.catalog.marks.of_view("customer_orders") == marks  # nothing dropped, nothing rewritten
        assert table_watermark(store, "customer_orders") == watermark
    [result] = refresh(repo)
    assert (result.mode, result.rows_written) == ("incremental", 1)  # not a rebuild
