"""``virtualfs refresh`` says what it then wrote online, and ``--no-online`` leaves the online store alone."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
import typer
from typer.testing import CliRunner

from tests.repo_factory import online_watermark, write_repo
from virtualfs.cli import online, refresh
from virtualfs.store import FeatureStore

MATERIALIZED_AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    refresh.register(app)
    online.register(app)
    return app


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo", ttl="3650d")
    with FeatureStore(root) as store:
        store.apply()
    return root


def materialized_to_june(app, repo) -> None:
    done = CliRunner().invoke(app, ["materialize", "--end", "2026-06-01", "-r", str(repo)])
    assert done.exit_code == 0, done.output


def test_refresh_no_online_leaves_what_materialize_wrote(app, repo):
    materialized_to_june(app, repo)
    result = CliRunner().invoke(app, ["refresh", "--no-online", "-r", str(repo)])
    assert result.exit_code == 0, result.output
    assert "online store: left as it was (--no-online)" in result.output
    assert online_watermark(FeatureStore(repo), "customer_orders") == MATERIALIZED_AT


def test_refresh_says_what_it_wrote_online_and_as_of_when(app, repo):
    materialized_to_june(app, repo)
    before = datetime.now(timezone.utc)
    result = CliRunner().invoke(app, ["refresh", "-r", str(repo)])
    assert result.exit_code == 0, result.output
    assert "each view then materialized as of now, replacing older values (--no-online skips this)" in result.output
    line = next(line for line in result.output.splitlines() if line.startswith("  customer_orders "))
    assert re.fullmatch(r"  customer_orders  0 rows read, 0 keys changed, as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC",
                        line), line
    assert online_watermark(FeatureStore(repo), "customer_orders") >= before.replace(microsecond=0)


def test_refresh_json_reports_the_online_write(app, repo):
    written = json.loads(CliRunner().invoke(app, ["refresh", "--json", "-r", str(repo)]).output)
    (row,) = written
    assert row["view"] == "customer_orders" and row["online"]["rows"] == 1 and row["online"]["keys_changed"] == 1
    assert row["online"]["as_of"] is not None
    skipped = json.loads(CliRunner().invoke(app, ["refresh", "--json", "--no-online", "-r", str(repo)]).output)
    assert skipped[0]["online"] is None
