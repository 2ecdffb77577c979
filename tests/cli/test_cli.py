"""The CLI as a user runs it: a real subprocess, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from tests.repo_factory import DEFINITIONS, write_repo


def run(*args, cwd=None, columns=None):
    env = None if columns is None else {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "virtualfs.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, env=env)


def test_init_then_apply_then_list(tmp_path):
    assert run("init", str(tmp_path / "repo")).returncode == 0
    plan = run("plan", "-r", str(tmp_path / "repo"))
    assert plan.returncode == 0 and "+ feature view customer_orders" in plan.stdout
    applied = run("apply", "-r", str(tmp_path / "repo"), "--json")
    assert applied.returncode == 0 and json.loads(applied.stdout)["version"] == 1
    listed = json.loads(run("ls", "views", "-r", str(tmp_path / "repo"), "--json").stdout)
    assert [row["name"] for row in listed] == ["customer_orders"]
    described = json.loads(run("describe", "customer_orders", "-r", str(tmp_path / "repo"), "--json").stdout)
    assert described["kind"] == "feature view" and described["ttl"] == "30d"
    versions = json.loads(run("versions", "-r", str(tmp_path / "repo"), "--json").stdout)
    assert [v["version"] for v in versions] == [1]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["plan"], "virtualfs.yaml: not found"),
        ("repo", ["describe", "nope"], "no definition named 'nope'"),
        ("repo", ["describe", "customer_ordrs"], "did you mean 'customer_orders'"),
        ("bad_definition", ["plan"], "duplicate feature name 'amount'"),
        ("broken_python", ["plan"], "cannot be loaded: NameError"),
        ("missing_table", ["apply"], "table 'ordrs' cannot be read"),
        ("unterminated_table", ["plan"], "source 'orders': table 'orders\" ; DROP TABLE orders' is not a"),
        ("deleting_query", ["plan"], "source 'orders': query must only read, but contains DELETE"),
        ("existing", ["init", "."], "already a virtualfs repository"),
    ],
)
def test_user_errors_print_one_line_and_exit_1(tmp_path, setup, args, message):
    repo = tmp_path / "repo"
    if setup is not None:
        text = DEFINITIONS.format(entity_description="", ttl="1d")
        text = {
            "bad_definition": text.replace('Feature("items", "int64")', 'Feature("amount", "int64")'),
            "broken_python": text + "\nundefined_name\n",
            "missing_table": text.replace('table="orders"', 'table="ordrs"'),
            "unterminated_table": text.replace('table="orders"', """table='orders" ; DROP TABLE orders'"""),
            "deleting_query": text.replace(
                'table="orders"', 'query="WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"'),
        }.get(setup, text)
        write_repo(repo, definitions=text)
        if setup == "repo":
            assert run("apply", "-r", str(repo)).returncode == 0
    repo.mkdir(exist_ok=True)
    result = run(*args, "-r", str(repo)) if args[0] != "init" else run(*args, cwd=repo)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(tmp_path):
    result = run("ls", "gadgets", "-r", str(tmp_path))
    assert result.returncode == 2
    assert run("no-such-command").returncode == 2


def test_commands_need_only_the_variables_of_the_sections_they_use(tmp_path, monkeypatch):
    monkeypatch.delenv("VFS_UNSET_OPS_TOKEN", raising=False)
    monkeypatch.delenv("VFS_UNSET_REDIS_PASSWORD", raising=False)
    repo = write_repo(tmp_path / "repo")
    config = repo / "virtualfs.yaml"
    server = 'server: {auth: {tokens: {ops: {token: "${VFS_UNSET_OPS_TOKEN}", allow: ["*"]}}}}\n'
    config.write_text(config.read_text() + server)
    get = ["get", "-e", "customer_id=1", "-f", "customer_orders:amount", "--now", "2026-01-03"]
    for args in (["plan"], ["apply"], ["materialize"], get):
        result = run(*args, "-r", str(repo))
        assert result.returncode == 0, (args, result.stderr)
    served = run("serve", "-r", str(repo))
    assert served.returncode == 1 and "server.auth.tokens.ops.token: environment variable " \
                                      "VFS_UNSET_OPS_TOKEN is not set" in served.stderr

    # An online store whose password is not set: plan, apply and retrieve never open it; get does.
    online = 'online: {type: redis, url: "redis://127.0.0.1:6379/0", password: "${VFS_UNSET_REDIS_PASSWORD}"}'
    config.write_text(config.read_text().replace("online: {type: sqlite, path: .virtualfs/online.db}", online))
    labels = tmp_path / "labels.csv"
    labels.write_text("customer_id,event_timestamp\n1,2026-01-03T00:00:00\n")
    retrieve = ["retrieve", "--entities", str(labels), "--out", str(tmp_path / "frame.parquet"),
                "--features", "customer_orders:amount"]
    for args in (["plan"], ["apply"], retrieve):
        result = run(*args, "-r", str(repo))
        assert result.returncode == 0, (args, result.stderr)
    failed = run(*get, "-r", str(repo))
    assert failed.returncode == 1 and len(failed.stderr.strip().splitlines()) == 1
    assert "online.password: environment variable VFS_UNSET_REDIS_PASSWORD is not set" in failed.stderr


def test_plan_shows_a_changed_view_field_by_field(tmp_path):
    repo = write_repo(tmp_path / "repo", ttl="30d")
    assert run("apply", "-r", str(repo)).returncode == 0
    text = DEFINITIONS.format(entity_description="A shopper.", ttl="14d")
    text = text.replace('Feature("amount", "float64")', 'Feature("amount", "int64"), Feature("discount", "float64")')
    text = text.replace('ttl="14d",', 'ttl="14d", description="The latest order.",')
    (repo / "features.py").write_text(text)

    plan = run("plan", "-r", str(repo))
    assert plan.returncode == 0, plan.stderr
    lines = [line.strip() for line in plan.stdout.splitlines()]
    assert lines == ["~ feature view customer_orders",
                     "customer_orders.amount: float64 -> int64",
                     "+ feature customer_orders.discount (float64)",
                     "ttl: 30d -> 14d",
                     'description: "" -> "The latest order."  (metadata only)',
                     "0 to create, 1 to update, 0 to delete"]
    assert "__type__" not in plan.stdout and "__seconds__" not in plan.stdout

    data = json.loads(run("plan", "-r", str(repo), "--json").stdout)
    (change,) = data["changes"]
    assert {f["field"]: (f["old"], f["new"]) for f in change["fields"]}["ttl"] == ("30d", "14d")
    assert [(d["path"], d["action"]) for d in change["differences"]] == [
        ("customer_orders.amount", "change"), ("customer_orders.discount", "add"), ("ttl", "change"),
        ("description", "change")]
    assert "__seconds__" not in json.dumps(data)


WITH_AGGREGATIONS = DEFINITIONS.replace(
    'ttl="{ttl}",',
    'ttl="{ttl}", aggregations=[Aggregation("orders_7d", "count", "items", "7d"), '
    'Aggregation("spend_30d", "sum", "amount", "30d"), Aggregation("top_30d", "max", "amount", "30d")],',
).replace("Entity, Feature,", "Aggregation, Entity, Feature,")


def test_ls_views_counts_features_and_aggregations_apart(tmp_path):
    repo = write_repo(tmp_path / "repo", definitions=WITH_AGGREGATIONS.format(entity_description="", ttl="1d"))
    assert run("apply", "-r", str(repo)).returncode == 0
    (row,) = json.loads(run("ls", "views", "-r", str(repo), "--json").stdout)
    assert row["details"] == "2 features, 3 aggregations; ttl 1d; source orders"


def test_describe_prints_a_page_with_what_is_stored_of_a_view(tmp_path):
    from datetime import datetime, timezone

    from virtualfs.store import FeatureStore

    text = WITH_AGGREGATIONS.format(entity_description="A shopper.", ttl="1d")
    repo = write_repo(tmp_path / "repo", definitions=text.replace('ttl="1d",', 'ttl="1d", materialize="table",'))
    with FeatureStore(repo) as store:
        store.apply()
        store.refresh(online=False)
        store.materialize(end=datetime(2026, 6, 1, tzinfo=timezone.utc))

    page = run("describe", "customer_orders", "-r", str(repo))
    assert page.returncode == 0, page.stderr
    lines = [line.strip() for line in page.stdout.splitlines()]
    assert lines[0] == "feature view customer_orders"
    assert "ttl           1d" in lines and "materialize   table" in lines
    assert "orders_7d  count of items over 7d" in lines
    assert any(line.startswith("last run      success ") and ", 1 row in " in line for line in lines)
    assert "table         virtualfs_features.shop__customer_orders: 1 row, watermark 2026-01-02 00:00:00 UTC" in lines
    assert any(line.startswith("latest rows   as of 2026-06-01 00:00:00 UTC (written ") for line in lines)
    assert any(line.startswith("aggregates    as of 2026-06-01 00:00:00 UTC (written ") for line in lines)
    assert "__seconds__" not in page.stdout and "{" not in page.stdout

    data = json.loads(run("describe", "customer_orders", "-r", str(repo), "--json").stdout)
    assert data["ttl"] == "1d" and data["aggregations"][0]["window"] == "7d"
    status = data["status"]
    assert status["last_run"]["status"] == "success" and status["table"]["rows"] == 1
    assert status["table"]["watermark"].startswith("2026-01-02 00:00:00")
    assert [(p["part"], p["as_of"][:10]) for p in status["online"]] == [
        ("latest rows", "2026-06-01"), ("aggregates", "2026-06-01")]


def test_describe_a_view_never_refreshed_says_so(tmp_path):
    repo = write_repo(tmp_path / "repo")
    assert run("apply", "-r", str(repo)).returncode == 0
    lines = [line.strip() for line in run("describe", "customer_orders", "-r", str(repo)).stdout.splitlines()]
    assert "last run      never" in lines
    assert "table         none (materialize=view: reads compile against the source)" in lines
    assert "latest rows   not materialized since this definition was applied" in lines


LONG_NAMES = """\
from virtualfs import Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at",
                description="One row per order; corrections are re-sent with the same order_id, loaded later.")
customer_product_history_last_ninety_days = FeatureView(
    "customer_product_history_last_ninety_days", [customer], orders, [Feature("amount", "float64")], ttl="90d",
    description="When the customer last bought this product, and how many, over the last quarter.")
customer_orders = FeatureView("customer_orders", [customer], orders, [Feature("items", "int64")],
                              description="The customer's most recent order, as loaded.")
"""


def test_tables_keep_names_whole_at_80_columns(tmp_path):
    repo = write_repo(tmp_path / "repo", definitions=LONG_NAMES)
    assert run("apply", "-r", str(repo)).returncode == 0
    listed = run("ls", "-r", str(repo), columns=80)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in listed.stdout
    for name in ("customer_product_history_last_ninety_days", "customer_orders", "customer", "orders"):
        assert any(f" {name} " in line for line in lines), name
    # the other columns wrap (folding a word only where it cannot fit) and lose no character
    rows = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    descriptions = "".join(row[3].strip() for row in rows).replace(" ", "")
    expected = [row["description"] for row in json.loads(run("ls", "-r", str(repo), "--json").stdout)]
    assert descriptions == "".join(expected).replace(" ", "")
