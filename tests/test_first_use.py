"""What a new user tripped over when building a repository from scratch (issue 14, part 2)."""

from __future__ import annotations

import pytest

from tests.repo_factory import write_repo
from virtualfs import FeatureStore
from virtualfs.errors import WarehouseError


def test_a_missing_duckdb_warehouse_is_named_and_never_created(tmp_path):
    repo = write_repo(tmp_path / "repo")
    (repo / "data" / "warehouse.duckdb").unlink()
    config = repo / "virtualfs.yaml"
    config.write_text(config.read_text().replace("data/warehouse.duckdb", "data/typo.duckdb"))
    with FeatureStore(repo) as store, pytest.raises(WarehouseError, match="warehouse file not found: .*typo.duckdb"):
        store.apply()
    assert not (repo / "data" / "typo.duckdb").exists()
