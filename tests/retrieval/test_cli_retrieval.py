"""``virtualfs retrieve`` and ``virtualfs sql`` on a small repository."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from tests.repo_factory import write_repo
from virtualfs.cli.retrieval import register
from virtualfs.errors import RequestError
from virtualfs.store import FeatureStore


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo")
    with FeatureStore(root) as store:
        store.apply()
    (tmp_path / "labels.csv").write_text(
        "customer_id,event_timestamp,label\n1,2026-01-03 00:00:00,1\n1,2026-01-01 12:00:00,0\n2,2026-01-03,1\n"
    )
    return root


def test_retrieve_writes_the_training_frame(app, repo) -> None:
    out = repo.parent / "train.parquet"
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"),
                                      "--service", "churn", "--out", str(out), "-r", str(repo)])
    assert result.exit_code == 0, result.output
    assert "wrote 3 rows, 2 features" in result.output
    frame = pq.read_table(out).to_pydict()
    assert frame["label"] == [1, 0, 1]
    assert frame["amount"] == [9.5, None, None]  # the order landed on Jan 2: unknown at noon on Jan 1


def test_retrieve_with_feature_references_and_event_rule(app, repo) -> None:
    out = repo.parent / "train.parquet"
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"),
                                      "--features", "customer_orders:amount", "--out", str(out),
                                      "--point-in-time", "event", "-r", str(repo)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column("amount").to_pylist() == [9.5, 9.5, None]


@pytest.mark.parametrize(("args", "message"), [
    (["--service", "churn", "--features", "customer_orders:amount"], "either --features"),
    ([], "either --features"),
])
def test_retrieve_needs_features_or_service(app, repo, args, message) -> None:
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"),
                                      "--out", "x.parquet", "-r", str(repo), *args])
    assert isinstance(result.exception, RequestError) and message in str(result.exception)


@pytest.mark.parametrize(("entities", "out", "message"), [
    ("labels.json", "x.parquet", "expected a .parquet or .csv file"),
    ("missing.csv", "x.parquet", "no such file"),
    ("labels.csv", "x.csv", "expected a .parquet file"),
])
def test_retrieve_file_errors_name_the_file(app, repo, entities, out, message) -> None:
    (repo.parent / "labels.json").write_text("{}")
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / entities), "--out",
                                      str(repo.parent / out), "--service", "churn", "-r", str(repo)])
    assert isinstance(result.exception, RequestError) and message in str(result.exception)


def test_sql_prints_the_compiled_service(app, repo) -> None:
    duckdb = CliRunner().invoke(app, ["sql", "--service", "churn", "-r", str(repo)])
    assert duckdb.exit_code == 0 and "ASOF LEFT JOIN" in duckdb.output
    snowflake = CliRunner().invoke(app, ["sql", "--service", "churn", "--dialect", "snowflake", "-r", str(repo)])
    assert "MATCH_CONDITION" in snowflake.output and '"ORDERS"' in snowflake.output


def test_retrieve_json_names_the_frame_written(app, repo) -> None:
    out = repo.parent / "train.parquet"
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service",
                                      "churn", "--out", str(out), "-r", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "out": str(out), "rows": 3, "entity_rows": 3, "features": ["amount", "items"],
        "columns": ["customer_id", "event_timestamp", "label", "amount", "items"]}


def test_retrieve_progress_names_each_phase_on_stderr(app, repo) -> None:
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service",
                                      "churn", "--out", str(repo.parent / "train.parquet"), "-r", str(repo),
                                      "--progress"])
    assert result.exit_code == 0, result.output
    phases = ["reading entities", "running the query", "writing the output"]
    assert all(phase in result.stderr for phase in phases)
    assert [result.stderr.index(phase) for phase in phases] == sorted(result.stderr.index(p) for p in phases)
    assert result.stdout.startswith("wrote 3 rows")


def test_retrieve_shows_no_progress_when_not_asked_off_a_terminal(app, repo) -> None:
    result = CliRunner().invoke(app, ["retrieve", "--entities", str(repo.parent / "labels.csv"), "--service",
                                      "churn", "--out", str(repo.parent / "train.parquet"), "-r", str(repo)])
    assert result.exit_code == 0 and result.stderr == ""
