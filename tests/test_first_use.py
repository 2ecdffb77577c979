"""What a new user tripped over when building a repository from scratch (issue 14, part 2)."""

from __future__ import annotations

import pytest

from tests.repo_factory import write_repo
from virtualfs import FeatureStore
from virtualfs.errors import DefinitionError, WarehouseError

DEFINITIONS = """\
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureView, Source

user = Entity("user", ["user_id"])
tx = Source("tx", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView("customer_orders", [user], tx, [Feature("amount", "float64")])
user_tx = FeatureView("user_tx", [user], tx, [Feature("items", "int64")],
                      aggregations=[Aggregation("spend_7d", "sum", "amount", "7d")])
churn = FeatureService("churn", ["customer_orders:*"])
"""


def test_a_missing_duckdb_warehouse_is_named_and_never_created(tmp_path):
    repo = write_repo(tmp_path / "repo")
    (repo / "data" / "warehouse.duckdb").unlink()
    config = repo / "virtualfs.yaml"
    config.write_text(config.read_text().replace("data/warehouse.duckdb", "data/typo.duckdb"))
    with FeatureStore(repo) as store, pytest.raises(WarehouseError, match="warehouse file not found: .*typo.duckdb"):
        store.apply()
    assert not (repo / "data" / "typo.duckdb").exists()


@pytest.mark.parametrize(("reference", "message"), [
    ("usertx:*", "churn': usertx:\\*: no feature view 'usertx' \\(did you mean 'user_tx'\\?\\)"),
    ("user_tx:spend_3d", "churn': user_tx:spend_3d: feature view 'user_tx' has no feature 'spend_3d' "
                         "\\(did you mean 'spend_7d'\\?\\)"),
])
def test_plan_and_apply_refuse_a_service_naming_what_does_not_exist(tmp_path, reference, message):
    definitions = DEFINITIONS.replace('FeatureService("churn", ["customer_orders:*"])',
                                      f'FeatureService("churn", ["customer_orders:*", "{reference}"])')
    repo = write_repo(tmp_path / "repo", definitions=definitions)
    with FeatureStore(repo) as store:
        with pytest.raises(DefinitionError, match=message):
            store.plan()
        with pytest.raises(DefinitionError, match=message):
            store.apply()
        assert store.versions() == []
