"""``virtualfs profile`` as a user runs it: a real subprocess on a small DuckDB repository."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.cli.test_cli import run
from tests.repo_factory import write_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = write_repo(tmp_path_factory.mktemp("profile") / "repo")
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        # January: amounts around 10; February: around 30, a fifth of them null
        connection.execute("""
            INSERT INTO orders
            SELECT i % 50, TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE, TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE,
                   10 + (hash(i) % 100) / 20.0, i % 4 FROM range(2000) r(i)
            UNION ALL
            SELECT i % 50, TIMESTAMP '2026-02-01' + INTERVAL (i) MINUTE, TIMESTAMP '2026-02-01' + INTERVAL (i) MINUTE,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE 30 + (hash(i) % 100) / 20.0 END, i % 4 FROM range(2000) r(i)
        """)
    assert run("apply", "-r", str(root)).returncode == 0
    return root


def test_profile_prints_a_table_and_writes_html_and_png(repo, tmp_path):
    page, picture = tmp_path / "p.html", tmp_path / "p.png"
    done = run("profile", "customer_orders", "-r", str(repo), "--start", "2026-01-01", "--end", "2026-02-01",
               "--html", str(page), "--png", str(picture), columns=120)
    assert done.returncode == 0, done.stderr
    assert "Profile: feature view customer_orders (2,001 rows)" in done.stdout  # and the factory's row
    assert "amount" in done.stdout and "QUANTILE_CONT" in done.stdout
    assert page.read_text().count("<svg ") == 2 and picture.stat().st_size > 10_000


def test_profile_json_of_references(repo):
    done = run("profile", "customer_orders:amount", "customer_orders:items", "-r", str(repo), "--json")
    data = json.loads(done.stdout)["profile"]
    assert [f["feature"] for f in data["features"]] == ["customer_orders:amount", "customer_orders:items"]
    assert data["features"][0]["rows"] == 4001 and data["features"][0]["count"] == 3601


def test_profile_compare_shows_drift(repo):
    done = run("profile", "customer_orders", "-r", str(repo), "--start", "2026-02-01", "--compare-start",
               "2026-01-01", "--compare-end", "2026-02-01", "--json")
    drift = {f["feature"]: f for f in json.loads(done.stdout)["drift"]["features"]}
    assert drift["customer_orders:amount"]["flags"] == ["psi", "null_fraction", "mean"]
    assert drift["customer_orders:items"]["flags"] == []
    table = run("profile", "customer_orders", "-r", str(repo), "--start", "2026-02-01", "--compare-start",
                "2026-01-01", "--compare-end", "2026-02-01", columns=160)
    assert "Drift from feature view customer_orders" in table.stdout
    assert "drifted: customer_orders:amount" in table.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["customer_ordrs"], "did you mean 'customer_orders'"),
    (["customer_orders:amont"], "has no feature 'amont'"),
    (["customer_orders", "--start", "2026-02-01", "--end", "2026-01-01"], "must be before end"),
    (["customer_orders", "--start", "yesterday"], "--start"),
])
def test_profile_errors_are_one_line_and_exit_1(repo, args, message):
    done = run("profile", *args, "-r", str(repo))
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
