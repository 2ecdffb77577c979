"""``virtualfs consistency``: the report as text, JSON and an HTML page, windowed by request time;
and a source row corrected in place after the refresh shows up as ``different``."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from tests.consistency.repos import START, consistency_repo, hours
from virtualfs import FeatureStore
from virtualfs.cli.main import app

ROWS = [(k, START + hours(k), START + hours(k + 1), k * 1.5, k) for k in range(1, 5)]


def test_the_command_prints_the_report_as_text_json_and_html(tmp_path):
    with consistency_repo(tmp_path / "repo", "duckdb", "{type: sqlite}", rows=ROWS) as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        # corrected in place: same event and created time, another amount (a transform that differs)
        with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
            connection.execute("UPDATE orders SET amount = 100.0 WHERE customer_id = 3")
        with FeatureStore(root) as store:
            store.get_online_features([{"customer_id": k} for k in range(1, 5)], "churn")
        runner = CliRunner(env={"COLUMNS": "200"})
        text = runner.invoke(app, ["consistency", "-r", str(root), "--service", "churn",
                                   "--html", str(tmp_path / "c.html")])
        shown = runner.invoke(app, ["consistency", "-r", str(root), "--json"])
        later = runner.invoke(app, ["consistency", "-r", str(root), "--json", "--since", "2100-01-01"])
        wrong = runner.invoke(app, ["consistency", "-r", str(root), "--until", "yesterday"])
    assert text.exit_code == 0, text.output
    rows = {line.split()[0]: line.split()[1:] for line in text.output.splitlines()[2:4]}
    assert rows == {"customer_orders:amount": ["4", "75.00%", "0.00%", "0.00%", "25.00%", "-", "-"],
                    "customer_orders:items": ["4", "100.00%", "0.00%", "0.00%", "0.00%", "-", "-"]}
    assert 'customer_orders:amount different: {"customer_id": 3}' in text.output
    assert f"wrote {tmp_path / 'c.html'}" in text.output and (tmp_path / "c.html").read_text().count("<svg") == 2
    report = json.loads(shown.output)
    amount = next(f for f in report["features"] if f["feature"] == "customer_orders:amount")
    assert (amount["rows"], amount["equal"], amount["different"]) == (4, 0.75, 0.25)
    assert amount["worst"][0]["online"] == 4.5 and amount["worst"][0]["offline"] == 100.0
    items = next(f for f in report["features"] if f["feature"] == "customer_orders:items")
    assert items["equal"] == 1.0 and items["worst"] == []
    assert json.loads(later.output)["features"] == [] and json.loads(later.output)["requests"] == 0
    assert wrong.exit_code == 1 and "--until: expected an ISO date or time" in str(wrong.exception)
