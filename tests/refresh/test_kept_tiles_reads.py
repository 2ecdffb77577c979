"""Refreshes keep tiles for long windows; training frames read them once they are built past every
label, and get the pandas reference's answer under either rule."""

from __future__ import annotations

from datetime import timedelta, timezone

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.aggregate.helpers import assert_rows_match
from tests.reference.aggregate import ReferenceAggregation, ReferenceSource, reference_aggregates
from tests.refresh.test_refresh import COLUMNS, T0, land, make_repo
from tests.repo_factory import table_watermark
from virtualfs import FeatureStore
from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles

DEFINITIONS = '''
from virtualfs import Aggregation, Entity, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
spend = FeatureView(
    "spend", [customer], orders, [], materialize="incremental",
    aggregations=[Aggregation("orders_30d", "count", "amount", "30d"),
                  Aggregation("spend_7d", "sum", "amount", "7d"),
                  Aggregation("top_items_30d", "max", "items", "30d", filter="amount > {floor}"),
                  Aggregation("orders_1d", "count", "amount", "1d")],
)
'''
FEATURES = ["spend:orders_30d", "spend:spend_7d", "spend:top_items_30d", "spend:orders_1d"]


def reference(rows: list[tuple], labels: pd.DataFrame, floor: float = 10.0, rule: str = "known") -> list[dict]:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("ordered_at", "loaded_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)

    def over(row) -> bool:
        return row["amount"] is not None and not pd.isna(row["amount"]) and row["amount"] > floor

    aggregations = [ReferenceAggregation("orders_30d", "count", "amount", timedelta(days=30)),
                    ReferenceAggregation("spend_7d", "sum", "amount", timedelta(days=7)),
                    ReferenceAggregation("top_items_30d", "max", "items", timedelta(days=30), over),
                    ReferenceAggregation("orders_1d", "count", "amount", timedelta(days=1))]
    source = ReferenceSource(frame, ("customer_id",), "ordered_at", "loaded_at")
    return reference_aggregates(labels, source, aggregations, rule)


def make_spend_repo(root):
    repo = make_repo(root)  # an empty orders table with a landing time
    (repo / "features.py").write_text(DEFINITIONS.format(floor=10))
    return repo


batch_rows = st.lists(
    st.tuples(
        st.integers(1, 3),                          # customer
        st.integers(0, 24 * 60),                    # minutes into the batch's day it landed
        st.sampled_from([0, 0, 1, 30, 24 * 9]),     # hours between event and landing
        st.one_of(st.none(), st.integers(0, 40).map(float)),
        st.integers(0, 9),
    ),
    max_size=10,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(batch_rows, min_size=1, max_size=4),
       label_hours=st.lists(st.tuples(st.integers(1, 4), st.integers(-48, 24 * 60)), min_size=1, max_size=8))
def test_reads_through_kept_tiles_equal_the_reference(tmp_path_factory, batches, label_hours):
    repo = make_spend_repo(tmp_path_factory.mktemp("repo"))
    landed_all: list[tuple] = []
    day = T0 + timedelta(days=20)
    with FeatureStore(repo) as store:
        store.apply()
        kept = plan_kept_tiles(store.registry().views["spend"], store.copies.schema)
        assert kept  # 1-day tiles for the 7- and 30-day windows
        for batch in batches:
            # rows land during the day after the previous refresh; events up to nine days older
            rows = [(c, day + timedelta(minutes=m) - timedelta(hours=late), day + timedelta(minutes=m), a, i)
                    for c, m, late, a, i in batch]
            land(repo, rows)
            landed_all += rows
            day += timedelta(days=1)
            store.refresh()
            watermark = table_watermark(store, "spend")
            if watermark is None:
                continue
            # the tiles are built as far as the table is complete: its watermark less the lookback
            complete = watermark - store.get_feature_view("spend").effective_lookback
            for tiles in kept:
                assert store.catalog.marks.watermark("spend", store.copies.tiles_mark(tiles)) == complete
            labels = pd.DataFrame({
                "customer_id": [c for c, _ in label_hours],
                "event_timestamp": [min(T0 + timedelta(days=20, hours=h), complete.replace(tzinfo=None))
                                    for _, h in label_hours]})
            job = store.get_historical_features(labels, FEATURES)
            assert kept[0].table.split(".")[1] in job.sql
            got = job.to_pandas()[[f.split(":")[1] for f in FEATURES]]
            assert_rows_match(_records(got), reference(landed_all, labels), "kept tiles")


def test_kept_tiles_are_read_only_when_they_give_the_sources_answer(tmp_path):
    repo = make_spend_repo(tmp_path / "repo")
    rows = [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h + late), float(h % 37), h % 7)
            for c in (1, 2) for h in range(0, 24 * 50, 7) for late in (0, 30)]
    land(repo, rows)
    labels = pd.DataFrame({"customer_id": [1, 2, 1, 3],
                           "event_timestamp": [T0 + timedelta(days=d) for d in (10, 31, 45, 40)]})
    with FeatureStore(repo) as store:
        store.apply()
        name = plan_kept_tiles(store.registry().views["spend"], store.copies.schema)[0].table
        name = name.split(".")[1]
        assert name not in store.get_historical_features(labels, FEATURES).sql  # not refreshed yet
        store.refresh()
        job = store.get_historical_features(labels, FEATURES)
        assert name in job.sql
        got = job.to_pandas()[[f.split(":")[1] for f in FEATURES]]
        assert_rows_match(_records(got), reference(rows, labels), "kept tiles")
        # the event-time rule also counts rows landing after the refresh: read apart from the tiles
        late = [(2, T0 + timedelta(days=30), T0 + timedelta(days=60), 100.0, 9)]
        land(repo, late)
        job = store.get_historical_features(labels, FEATURES, point_in_time="event")
        assert name in job.sql
        got = job.to_pandas()[[f.split(":")[1] for f in FEATURES]]
        assert_rows_match(_records(got), reference(rows + late, labels, rule="event"), "event rule")
        rows += late
        # a label after the tiles' watermark could see rows they do not hold
        later = labels.assign(event_timestamp=T0 + timedelta(days=80))
        assert name not in store.get_historical_features(later, FEATURES).sql
        # rows landing late for old days: the next refresh rewrites those days' tiles
        old = [(1, T0 + timedelta(days=9, hours=h), T0 + timedelta(days=51), 50.0, 9) for h in range(3)]
        land(repo, old)
        store.refresh()
        job = store.get_historical_features(labels.assign(event_timestamp=T0 + timedelta(days=51)), FEATURES)
        assert name in job.sql
        expected = reference(rows + old, labels.assign(event_timestamp=T0 + timedelta(days=51)))
        assert_rows_match(_records(job.to_pandas()[[f.split(":")[1] for f in FEATURES]]), expected, "late rows")
    # a changed filter is other tiles: not read until a refresh builds them
    (repo / "features.py").write_text(DEFINITIONS.format(floor=20))
    with FeatureStore(repo) as store:
        store.apply()
        assert name not in store.get_historical_features(labels, FEATURES).sql
        store.refresh()
        job = store.get_historical_features(labels, FEATURES)
        assert "__tiles_" in job.sql and name not in job.sql
        got = job.to_pandas()[[f.split(":")[1] for f in FEATURES]]
        assert_rows_match(_records(got), reference(rows + old, labels, floor=20.0), "new tiles")


def _records(frame: pd.DataFrame) -> list[dict]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (v.tz_convert(timezone.utc) if isinstance(v, pd.Timestamp) else v) for k, v in r.items()}
            for r in records]
