import threading
import uuid

import pytest

from tests.repo_factory import DEFINITIONS, make_orders_table, write_repo
from tests.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_URL, require_service
from virtualfs import ConflictError, FeatureStore, NotFoundError, ValidationError


@pytest.fixture(params=["sqlite", "postgres"])
def catalog_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/catalog.db"
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    return POSTGRES_URL


@pytest.fixture
def project():
    return f"shop_{uuid.uuid4().hex[:10]}"


def test_apply_writes_a_version_and_lists_definitions(tmp_path, catalog_url, project):
    store = FeatureStore(write_repo(tmp_path / "repo", project=project, catalog_url=catalog_url))
    result = store.apply()
    assert result.version.version == 1
    assert [v.name for v in store.list_feature_views()] == ["customer_orders"]
    assert [e.name for e in store.list_entities()] == ["customer"]
    assert [s.name for s in store.list_sources()] == ["orders"]
    assert [s.name for s in store.list_feature_services()] == ["churn"]
    assert store.get_feature_view("customer_orders").ttl.days == 30
    assert store.apply().version is None  # nothing changed, nothing written


def test_every_apply_is_a_new_readable_version(tmp_path, catalog_url, project):
    root = write_repo(tmp_path / "repo", project=project, catalog_url=catalog_url)
    FeatureStore(root).apply()
    write_repo(root, project=project, catalog_url=catalog_url, ttl="7d")
    store = FeatureStore(root)
    assert [c.name for c in store.plan().changes] == ["customer_orders"]
    assert store.apply().version.version == 2
    assert [v.version for v in store.versions()] == [1, 2]
    assert store.catalog.registry(1).view("customer_orders").ttl.days == 30
    assert store.catalog.registry(2).view("customer_orders").ttl.days == 7
    with pytest.raises(NotFoundError, match="version 9 does not exist"):
        store.catalog.registry(9)


def test_unknown_view_suggests_close_names(tmp_path):
    store = FeatureStore(write_repo(tmp_path / "repo"))
    store.apply()
    with pytest.raises(NotFoundError, match="did you mean 'customer_orders'"):
        store.get_feature_view("customer_order")


def test_apply_refuses_a_missing_table(tmp_path):
    root = write_repo(tmp_path / "repo", definitions=DEFINITIONS.replace('table="orders"', 'table="ordrs"')
                      .format(entity_description="", ttl="1d"))
    with pytest.raises(ValidationError, match="source 'orders': table 'ordrs' cannot be read"):
        FeatureStore(root).apply()
    assert FeatureStore(root).versions() == []


def test_apply_refuses_a_missing_column(tmp_path):
    text = DEFINITIONS.format(entity_description="", ttl="1d").replace('Feature("items"', 'Feature("itemz"')
    with pytest.raises(ValidationError, match="feature 'itemz' is not a column of the source"):
        FeatureStore(write_repo(tmp_path / "repo", definitions=text)).apply()


def test_apply_refuses_a_wrong_type(tmp_path):
    root = write_repo(tmp_path / "repo")
    make_orders_table(root / "data" / "warehouse.duckdb", amount_type="VARCHAR")
    with pytest.raises(ValidationError, match="'amount' is declared float64 but the warehouse column is string"):
        FeatureStore(root).apply()


def test_apply_refuses_a_query_source_missing_the_created_column(tmp_path):
    text = DEFINITIONS.format(entity_description="", ttl="1d").replace(
        'table="orders"', 'query="SELECT customer_id, ordered_at, amount, items FROM orders"')
    with pytest.raises(Exception, match="loaded_at"):
        FeatureStore(write_repo(tmp_path / "repo", definitions=text)).apply()


def test_two_applies_from_the_same_version_one_wins(tmp_path, catalog_url, project):
    root = write_repo(tmp_path / "repo", project=project, catalog_url=catalog_url)
    FeatureStore(root).apply()
    write_repo(root, project=project, catalog_url=catalog_url, entity_description="changed")
    stores = [FeatureStore(root), FeatureStore(root)]
    plans = [s.plan() for s in stores]  # both plan from version 1
    barrier, outcomes = threading.Barrier(2), []

    def write(store, plan):
        barrier.wait()
        try:
            outcomes.append(store.catalog.write_version(store.repository(), plan).version)
        except ConflictError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=write, args=pair) for pair in zip(stores, plans, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(type, outcomes), key=str) == sorted([int, ConflictError], key=str)
    assert [v.version for v in FeatureStore(root).versions()] == [1, 2]
    assert FeatureStore(root).registry().entities["customer"].description == "changed"
