from pathlib import Path

import pytest

from virtualfs.config import load_config, parse_config
from virtualfs.errors import ConfigError


def test_env_variables_are_substituted_in_any_value(monkeypatch, tmp_path):
    monkeypatch.setenv("VFS_TEST_PASSWORD", "s3cret")
    monkeypatch.setenv("VFS_TEST_HOST", "db.internal")
    raw = {"project": "shop", "warehouse": {"type": "postgres", "host": "${VFS_TEST_HOST}",
                                           "password": "${VFS_TEST_PASSWORD}", "port": 5432}}
    config = parse_config(raw, tmp_path)
    assert config.warehouse.get("password") == "s3cret"
    assert config.warehouse.get("host") == "db.internal"
    assert "s3cret" not in repr(config)


def test_missing_env_variable_is_named_with_where_it_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("VFS_NOT_SET", raising=False)
    config = parse_config({"project": "shop", "catalog": {"url": "postgresql://u:${VFS_NOT_SET}@h/db"}}, tmp_path)
    with pytest.raises(ConfigError, match="catalog.url: environment variable VFS_NOT_SET is not set"):
        config.catalog_url  # noqa: B018


UNSET_IN_SERVER_AND_ONLINE = {
    "project": "shop",
    "online": {"type": "redis", "url": "redis://cache:6379/0", "password": "${VFS_UNSET_PASSWORD}"},
    "server": {"auth": {"tokens": {"ops": {"token": "${VFS_UNSET_TOKEN}", "allow": ["*"]}}}},
}


def test_a_section_needs_its_variables_only_when_it_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("VFS_UNSET_PASSWORD", raising=False)
    monkeypatch.delenv("VFS_UNSET_TOKEN", raising=False)
    config = parse_config(UNSET_IN_SERVER_AND_ONLINE, tmp_path)
    assert config.warehouse.type == "duckdb" and config.catalog_url.startswith("sqlite:///")
    with pytest.raises(ConfigError, match=r"online.password: environment variable VFS_UNSET_PASSWORD is not "
                                          r"set \(used as \$\{VFS_UNSET_PASSWORD\}\)"):
        config.online  # noqa: B018
    with pytest.raises(ConfigError, match="server.auth.tokens.ops.token: environment variable VFS_UNSET_TOKEN"):
        config.server  # noqa: B018
    monkeypatch.setenv("VFS_UNSET_PASSWORD", "s3cret")
    assert parse_config(UNSET_IN_SERVER_AND_ONLINE, tmp_path).online.get("password") == "s3cret"


@pytest.mark.parametrize(("raw", "message"), [
    ({"project": "${VFS_UNSET_PROJECT}"}, "project: environment variable VFS_UNSET_PROJECT is not set"),
    ({"project": "shop", "online": {"type": "${VFS_UNSET_TYPE}"}}, "online.type: environment variable"),
    ({"project": "shop", "warehouse": {"type": "duckdb", "feature_schema": "${VFS_UNSET_TYPE}"}},
     "warehouse.feature_schema: environment variable VFS_UNSET_TYPE is not set"),
    ({"project": "shop", "online": {"type": "redis", "passwrd": "${VFS_UNSET_PASSWORD}"}}, "unknown key 'passwrd'"),
])
def test_unset_variables_do_not_hide_errors_every_command_would_meet(monkeypatch, tmp_path, raw, message):
    for name in ("VFS_UNSET_PROJECT", "VFS_UNSET_TYPE", "VFS_UNSET_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match=message):
        parse_config(raw, tmp_path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"project": "shop", "colour": "blue"}, "unknown key 'colour'"),
        ({"project": "shop", "warehouse": {"type": "duckdb", "pth": "x"}}, "unknown key 'pth'"),
        ({"project": "shop", "online": {"type": "memcached"}}, "online.type 'memcached'"),
        ({"project": "shop", "catalog": {"uri": "x"}}, "unknown key 'uri'"),
        ({"project": "my shop"}, "project must be an identifier"),
        ({"warehouse": {"type": "duckdb"}}, "project must be an identifier"),
        ({"project": "shop", "warehouse": "duckdb"}, "must be a mapping with a type"),
        ({"project": "shop", "warehouse": {"type": "duckdb", "memory_limit": "lots"}},
         r"warehouse.memory_limit: expected a size like 3GB"),
        ({"project": "shop", "warehouse": {"type": "duckdb", "memory_limit": 3}}, "got 3"),
        ({"project": "shop", "warehouse": {"type": "duckdb", "threads": 0}}, r"warehouse.threads: expected a positive"),
        ({"project": "shop", "warehouse": {"type": "duckdb", "threads": True}}, "got True"),
    ],
)
def test_bad_config_is_refused(raw, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        parse_config(raw, tmp_path)


def test_relative_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "virtualfs.yaml").write_text("project: shop\n")
    monkeypatch.chdir("/")
    config = load_config(tmp_path)
    assert Path(config.warehouse.get("path")) == tmp_path.resolve() / "data" / "warehouse.duckdb"
    assert config.online.get("path") == str(tmp_path.resolve() / ".virtualfs" / "online.db")
    assert config.catalog_url == f"sqlite:///{tmp_path.resolve()}/.virtualfs/catalog.db"


def test_missing_config_file_says_where(tmp_path):
    with pytest.raises(ConfigError, match="virtualfs.yaml: not found"):
        load_config(tmp_path)


@pytest.mark.parametrize("is_set", [True, False])
def test_an_unquoted_variable_in_a_flow_mapping_says_how_to_write_it(tmp_path, monkeypatch, is_set):
    if is_set:
        monkeypatch.setenv("PGPASSWORD", "s3cret")
    else:
        monkeypatch.delenv("PGPASSWORD", raising=False)
    (tmp_path / "virtualfs.yaml").write_text(
        "project: shop\nwarehouse: {type: postgres, host: db, password: ${PGPASSWORD}}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert 'line 2: ' in message and 'must be quoted: write "${PGPASSWORD}"' in message
    assert ("environment variable PGPASSWORD is not set" in message) is not is_set
    assert "\n" not in message and "s3cret" not in message


def test_a_postgres_feature_schema_is_one_name(tmp_path):
    (tmp_path / "virtualfs.yaml").write_text(
        "project: shop\nwarehouse: {type: postgres, host: db, feature_schema: analytics.features}\n")
    with pytest.raises(ConfigError, match="PostgreSQL schemas take one name"):
        load_config(tmp_path)


def test_duckdb_resources_reach_the_engine(tmp_path):
    from virtualfs.warehouses import open_warehouse

    config = parse_config({"project": "shop", "warehouse": {
        "type": "duckdb", "memory_limit": "256MiB", "temp_directory": "spill", "threads": 1}}, tmp_path)
    assert config.warehouse.get("temp_directory") == str(tmp_path.resolve() / "spill")
    warehouse = open_warehouse(parse_config({"project": "shop", "warehouse": {
        "type": "duckdb", "path": ":memory:", "memory_limit": "256MiB", "temp_directory": "spill",
        "threads": 1}}, tmp_path).warehouse)
    try:
        settings = warehouse.connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('threads')").fetchone()
    finally:
        warehouse.close()
    assert settings == ("256.0 MiB", str(tmp_path.resolve() / "spill"), 1)
