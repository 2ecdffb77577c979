"""``virtualfs retrieve --save`` and ``virtualfs datasets ls|show|recreate|rm`` (``--json`` each)
on a small DuckDB repository, through ``FeatureStore``."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from tests.repo_factory import write_repo
from virtualfs.cli.main import app
from virtualfs.store import FeatureStore


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo")
    with FeatureStore(root) as store:
        store.apply()
    (tmp_path / "labels.csv").write_text(
        "customer_id,event_timestamp,label\n1,2026-01-03 00:00:00,1\n1,2026-01-01 12:00:00,0\n2,2026-01-03,1\n")
    return root


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def save(repo, name: str, *more: str) -> str:
    return run("retrieve", "--entities", str(repo.parent / "labels.csv"), "--service", "churn", "--save", name,
               "-r", str(repo), "--no-progress", *more)


def test_a_scientist_saves_lists_shows_recreates_and_removes_a_dataset(repo):
    out = save(repo, "churn_v1", "--description", "first cut", "--tag", "team=growth")
    assert "saved dataset churn_v1: 3 rows in virtualfs_features.shop__ds__churn_v1" in out
    listed = json.loads(run("datasets", "ls", "-r", str(repo), "--json"))
    assert [(d["name"], d["rows"], d["tags"]) for d in listed] == [("churn_v1", 3, {"team": "growth"})]
    assert "churn_v1" in run("datasets", "ls", "-r", str(repo))
    manifest = json.loads(run("datasets", "show", "churn_v1", "-r", str(repo), "--json"))
    assert manifest["service"] == "churn" and manifest["features"] == ["customer_orders:amount",
                                                                        "customer_orders:items"]
    shown = run("datasets", "show", "churn_v1", "-r", str(repo))
    assert "first cut" in shown and manifest["content_hash"] in shown and "amount" in shown
    report = json.loads(run("datasets", "recreate", "churn_v1", "-r", str(repo), "--json"))
    assert report["identical"] and report["caveats"] == [] and report["rows_recreated"] == 3
    assert "churn_v1: identical" in run("datasets", "recreate", "churn_v1", "-r", str(repo))
    with FeatureStore(repo) as store:  # garbage collection never lists a dataset's tables
        assert store.gc(dry_run=True).plan.unknown_tables == ()
    removed = json.loads(run("datasets", "rm", "churn_v1", "-r", str(repo), "--json"))
    gone = CliRunner().invoke(app, ["datasets", "show", "churn_v1", "-r", str(repo)])
    assert removed["removed"] and "does not exist (it was deleted)" in str(gone.exception)


def test_recreate_exits_1_and_names_the_columns_when_a_row_was_edited(repo):
    save(repo, "churn_v1")
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute("UPDATE orders SET amount = 10.5")
    out = run("datasets", "recreate", "churn_v1", "-r", str(repo), code=1)
    assert "churn_v1: DIFFERENT" in out and "differs       amount: 1 rows" in out
    report = json.loads(run("datasets", "recreate", "churn_v1", "-r", str(repo), "--json", code=1))
    assert report["differing"]["amount"] == 1 and report["differing"]["items"] == 0


def test_saving_over_a_name_needs_overwrite(repo):
    save(repo, "churn_v1")
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service",
                                      "churn", "--save", "churn_v1", "-r", str(repo), "--no-progress"])
    assert result.exit_code == 1 and "--overwrite" in str(result.exception)
    assert "saved dataset churn_v1" in save(repo, "churn_v1", "--overwrite")
    with FeatureStore(repo) as store:
        assert store.get_dataset("churn_v1").revision == 2


def test_retrieve_needs_an_output_or_a_name(repo):
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service",
                                      "churn", "-r", str(repo)])
    assert result.exit_code == 1 and "give --out FILE, --save NAME or both" in str(result.exception)
    bad = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service", "churn",
                                   "--save", "x", "--tag", "nokey", "-r", str(repo)])
    assert "--tag 'nokey': expected KEY=VALUE" in str(bad.exception)
