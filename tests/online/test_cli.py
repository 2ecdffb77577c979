"""``virtualfs materialize`` and ``virtualfs get`` on a real repository (apply, then online)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from tests.repo_factory import online_watermark, write_repo
from virtualfs.cli import online, project
from virtualfs.cli.online import parse_entity
from virtualfs.store import FeatureStore


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    project.register(app)
    online.register(app)
    return app


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo", ttl="3650d")
    FeatureStore(str(root)).apply()
    return root


def test_materialize_then_get_prints_the_vector(app, repo):
    runner = CliRunner()
    done = runner.invoke(app, ["materialize", "customer_orders", "--end", "2026-06-01T00:00:00", "-r", str(repo)])
    assert done.exit_code == 0, done.output
    assert "customer_orders" in done.output and "materialized" in done.output
    got = runner.invoke(app, ["get", "--entity", "customer_id=1", "--features", "customer_orders:amount,"
                              "customer_orders:items", "-r", str(repo), "--json"])
    assert got.exit_code == 0, got.output
    vector = json.loads(got.output)
    assert vector["entity"] == {"customer_id": 1}
    assert [(f["feature"], f["value"], f["status"]) for f in vector["features"]] == [
        ("amount", 9.5, "PRESENT"), ("items", 2, "PRESENT")]
    table = runner.invoke(app, ["get", "-e", "customer_id=2", "--service", "churn", "-r", str(repo)])
    assert table.exit_code == 0 and "NOT_FOUND" in table.output


def test_materialize_continues_from_the_watermark(app, repo):
    runner = CliRunner()
    first = runner.invoke(app, ["materialize", "--end", "2026-06-01", "-r", str(repo)])
    again = runner.invoke(app, ["materialize", "--end", "2026-07-01", "-r", str(repo)])
    assert first.exit_code == again.exit_code == 0
    store = FeatureStore(str(repo))
    assert online_watermark(store, "customer_orders").isoformat() == "2026-07-01T00:00:00+00:00"


@pytest.mark.parametrize(("args", "message"), [
    (["get", "--entity", "customer_id"], "expected key=value"),
    (["get", "--entity", "customer_id=1"], "give --features or --service"),
    (["materialize", "--start", "yesterday"], "expected an ISO time"),
])
def test_bad_options_are_usage_errors(app, repo, args, message):
    result = CliRunner().invoke(app, [*args, "-r", str(repo)])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(("pairs", "row"), [
    (["customer_id=1"], {"customer_id": 1}),
    (["customer_id=-7", "product_id=p-1"], {"customer_id": -7, "product_id": "p-1"}),
    (["code=007"], {"code": "007"}),
    (["name=a=b"], {"name": "a=b"}),
])
def test_entity_values_that_look_like_integers_become_integers(pairs, row):
    assert parse_entity(pairs) == row


def test_materialize_json_reports_each_view(app, repo):
    result = CliRunner().invoke(app, ["materialize", "--end", "2026-06-01T00:00:00", "-r", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    (view,) = json.loads(result.stdout)
    assert (view["view"], view["rows"], view["keys_written"], view["state"]) == ("customer_orders", 1, 1, "done")
    assert view["end"].startswith("2026-06-01 00:00:00") and view["watermark"] == view["end"]
