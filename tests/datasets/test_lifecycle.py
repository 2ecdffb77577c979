"""Saving, reading, listing, overwriting, deleting; what a manifest records; clear errors."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import create_user_table
from tests.datasets.helpers import CUSTOMER, T0, at, orders_view, project, spend_view
from tests.retrieval.helpers import python_values
from virtualfs import Aggregation, FeatureView, Source
from virtualfs.datasets import delete_dataset, get_dataset, list_datasets, recreate_dataset
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.errors import ConflictError, NotFoundError, RequestError
from virtualfs.refresh import RefreshRequest, RefreshRunner
from virtualfs.retrieval import get_historical_features

ROWS = [(1, at(1), at(1.1), 1.25, 1), (1, at(3), at(3.5), 3.5, 2), (2, at(2), at(2), 7.125, 3)]
LABELS = pd.DataFrame({"customer_id": [1, 2, 1], "event_timestamp": [T0 + timedelta(days=d) for d in (4, 3, 2)],
                       "label": [True, False, None]})


def test_a_saved_dataset_reads_back_in_input_order_with_its_manifest(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        version = p.apply(orders_view(p.orders), spend_view(p.orders))
        job = p.frame(LABELS, ["orders:amount", "spend:*"], full_feature_names=True)
        saved = job.save("train", description="first cut", tags={"team": "growth"})
        again = get_dataset(p.context, "train")
        assert python_values(again.to_pandas()) == python_values(job.to_pandas())
        assert saved.to_arrow().equals(again.to_arrow())
        manifest = again.manifest
        assert [d.name for d in list_datasets(p.context)] == ["train"]
    assert manifest["features"] == ["orders:amount", "spend:sum_amount", "spend:avg_amount", "spend:count_amount"]
    assert (manifest["catalog_version"], manifest["rule"], manifest["full_feature_names"]) == (version, "known", True)
    assert (manifest["description"], manifest["tags"], manifest["rows"]) == ("first cut", {"team": "growth"}, 3)
    assert manifest["entities"]["kind"] == "frame" and manifest["entities"]["rows"] == 3
    assert manifest["entities"]["table"].endswith("shop__ds__train__entities")
    assert manifest["table"].endswith("shop__ds__train") and manifest["warehouse"] == warehouse.dialect
    assert [c["name"] for c in manifest["columns"]] == ["customer_id", "event_timestamp", "label", "orders__amount",
                                                        "spend__sum_amount", "spend__avg_amount", "spend__count_amount"]
    assert manifest["columns"][2]["type"] == "bool" and manifest["columns"][3]["type"] == "float64"
    assert manifest["statistics"]["columns"]["label"] == {"count": 2, "null_count": 1}
    assert manifest["statistics"]["columns"]["orders__amount"] == {"count": 3, "null_count": 0}
    assert "_vfs_row" in manifest["sql"] and len(manifest["content_hash"]) == 16


def test_saving_a_name_twice_is_refused_unless_overwritten_and_history_keeps_both(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        first = p.frame(LABELS, ["orders:amount"]).save("train")
        with pytest.raises(ConflictError, match=r"dataset 'train' already exists .*overwrite=True"):
            p.frame(LABELS.head(1), ["orders:amount"]).save("train")
        assert get_dataset(p.context, "train").info.rows == 3  # untouched
        second = p.frame(LABELS.head(1), ["orders:amount"]).save("train", overwrite=True)
        history = p.context.catalog.datasets.history("train")
        assert get_dataset(p.context, "train").to_pandas().shape == (1, 4)
    assert (first.revision, second.revision) == (1, 2)
    assert [r.manifest["content_hash"] for r in history] == [second.info.content_hash, first.info.content_hash]
    assert first.info.content_hash != second.info.content_hash


@pytest.mark.parametrize("name", ["", "1train", "train-v1", "train v1", "x; DROP TABLE orders", 'a"b', "a__b",
                                  "_vfs_train", "tiles_3f2a9c01b7e4", "t" * 101, None])
def test_a_bad_name_is_refused_before_anything_is_written(warehouse, tmp_path, name):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        with pytest.raises(RequestError, match="dataset name"):
            p.frame(LABELS, ["orders:amount"]).save(name)
        assert warehouse.tables_in(p.context.copies.schema.parts) == []


def test_an_unknown_or_deleted_dataset_is_a_clear_error(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        p.frame(LABELS, ["orders:amount"]).save("train_v1")
        unknown = r"dataset 'train_v2' does not exist \(did you mean 'train_v1'\?\); saved datasets: train_v1"
        with pytest.raises(NotFoundError, match=unknown):
            get_dataset(p.context, "train_v2")
        delete_dataset(p.context, "train_v1")
        assert warehouse.tables_in(p.context.copies.schema.parts) == []
        with pytest.raises(NotFoundError, match=r"'train_v1' does not exist \(it was deleted\)"):
            recreate_dataset(p.context, "train_v1")
        with pytest.raises(NotFoundError, match="does not exist"):
            delete_dataset(p.context, "train_v1")
        states = [r.state for r in p.context.catalog.datasets.history("train_v1")]
        again = p.frame(LABELS, ["orders:amount"]).save("train_v1")  # the name is free again
    assert states == ["deleted", "saved"] and again.revision == 3


def test_entity_rows_of_a_query_are_kept_and_replayed(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        table = create_user_table(warehouse, f"{p.orders}_labels", pa_labels())
        query = f"SELECT customer_id, event_timestamp FROM {p.orders}_labels ORDER BY event_timestamp"
        saved = p.frame(query, ["orders:amount"]).save("train")
        create_user_table(warehouse, f"{p.orders}_more", pa_labels())
        warehouse.execute(exp.insert(exp.select("*").from_(warehouse_table(f"{p.orders}_more", warehouse.dialect)),
                                     table))
        report = recreate_dataset(p.context, "train")
    assert saved.info.entities.kind == "query" and "ORDER BY" in saved.info.entities.sql
    assert report.identical and report.rows_recreated == 3, report  # the kept rows, not today's six


def test_recreate_into_a_table_keeps_the_rebuilt_rows(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        p.frame(LABELS, ["orders:amount"]).save("train")
        into = f"{p.orders}_rebuilt"
        report = recreate_dataset(p.context, "train", into=into)
        kept = warehouse.fetch_arrow(exp.select("*").from_(warehouse_table(into, warehouse.dialect)))
        with pytest.raises(RequestError, match="already exists"):
            recreate_dataset(p.context, "train", into=into)
        warehouse.execute(exp.Drop(this=warehouse_table(into, warehouse.dialect), kind="TABLE"))
    assert report.identical and report.table == into and kept.num_rows == 3


def test_recreate_names_what_it_cannot_promise(duckdb_warehouse, tmp_path):
    warehouse = duckdb_warehouse
    with project(warehouse, tmp_path, ROWS) as p:
        plain = orders_view(p.orders)
        bare = FeatureView("bare", [CUSTOMER], Source("bare", table=p.orders, timestamp="ordered_at"),
                           [], aggregations=[Aggregation("sd", "stddev", "amount", "5d")])
        queried = FeatureView("queried", [CUSTOMER], Source("queried", query=f"SELECT * FROM {p.orders}",
                                                            timestamp="ordered_at", created="loaded_at"), [],
                              aggregations=[Aggregation("n", "count", "amount", "5d")])
        refreshed = FeatureView("kept", [CUSTOMER], plain.source, plain.features, materialize="table")
        p.apply(plain, bare, queried, refreshed)
        RefreshRunner(p.context).refresh(refreshed, RefreshRequest())
        # labels before the table's watermark (Jan 4, 12:00) less the lookback: the table is read
        early = LABELS.assign(event_timestamp=[T0 + timedelta(days=d) for d in (3, 2, 1)])
        saved = p.frame(early, ["bare:sd", "queried:n", "kept:items"]).save("train")
        report = recreate_dataset(p.context, "train")
    assert [r.view for r in saved.info.reads] == ["kept"] and saved.info.reads[0].watermark is not None
    assert report.identical, report
    text = "\n".join(report.caveats)
    assert "'bare': source 'bare' has no created time" in text and "stddev (sd)" in text
    assert "'queried': source 'queried' is a query" in text and "'kept' was read from its stored copy" in text


def test_save_needs_a_project_catalog(duckdb_warehouse, tmp_path):
    with project(duckdb_warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders))
        job = get_historical_features(duckdb_warehouse, p.context.catalog.registry(), LABELS, ["orders:amount"])
        with pytest.raises(RequestError, match="save needs a project"):
            job.save("train")


def pa_labels() -> pa.Table:
    return pa.table({"customer_id": pa.array([1, 2, 1], pa.int64()),
                     "event_timestamp": pa.array([at(d) for d in (4, 3, 2)], pa.timestamp("us"))})
