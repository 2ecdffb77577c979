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


def test_missing_env_variable_is_named(monkeypatch, tmp_path):
    monkeypatch.delenv("VFS_NOT_SET", raising=False)
    with pytest.raises(ConfigError, match="VFS_NOT_SET is not set"):
        parse_config({"project": "shop", "catalog": {"url": "postgresql://u:${VFS_NOT_SET}@h/db"}}, tmp_path)


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
