"""Pushes to the online store: newer-wins under out-of-order concurrent pushes (hypothesis vs a
plain-Python reference), one write per push, and the view's TTL, on every online store."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.online.conftest import STORES, make_store
from tests.push.helpers import online_context, pushed_project
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.online.memory import MemoryOnlineStore
from virtualfs.push import PushTargets, push_rows
from virtualfs.serving.read import get_online_features

BASE = datetime(2026, 6, 1, tzinfo=timezone.utc)
card = Entity("card", ["card_id"])
card_tx = Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"})


def card_view(ttl: str | None = None) -> FeatureView:
    return FeatureView("card_tx", [card], card_tx, [Feature("amount", "int64")], ttl=ttl, push=True)


# a batch: rows of (card, minutes after BASE, amount); several rows of a card in one batch may tie
batches = st.lists(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 4),
                                      st.integers(0, 10**6)), min_size=1, max_size=8),
                   min_size=1, max_size=6)


def as_rows(batch):
    """A batch as columns (the Python path) or, when its first amount is odd, as an Arrow table."""
    columns = {"card_id": [card for card, _, _ in batch],
               "tx_at": [BASE + timedelta(minutes=minutes) for _, minutes, _ in batch],
               "amount": [amount for _, _, amount in batch]}
    return pa.table(columns) if batch[0][2] % 2 else columns


def newer_wins(pushes) -> dict[str, int]:
    """The reference: per card, the row with the greatest (event, push time); within one push
    the later of two rows with the same event time."""
    best: dict[str, tuple] = {}
    for pushed_at, batch in pushes:
        for position, (card, minutes, amount) in enumerate(batch):
            order = (minutes, pushed_at, position)
            if card not in best or order > best[card][0]:
                best[card] = (order, amount)
    return {card: amount for card, (_, amount) in best.items()}


@pytest.mark.parametrize("kind", STORES)
def test_concurrent_out_of_order_pushes_keep_the_newest_row(kind, tmp_path):
    with pushed_project("duckdb", tmp_path, [card_view()]) as project:

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        @given(batches)
        def check(pushes):
            with make_store(kind, tmp_path, project="shop") as store:
                online, targets = online_context(store), PushTargets()
                with ThreadPoolExecutor(4) as pool:
                    results = list(pool.map(lambda b: push_rows(project.context, online, project.view("card_tx"),
                                                                as_rows(b), "online", targets), pushes))
                expected = newer_wins([(r.pushed_at, b) for r, b in zip(results, pushes, strict=True)])
                cards = sorted(expected)
                read = get_online_features(store, project.registry, {"card_id": cards}, ["card_tx:amount"])
                assert read.to_dict()["amount"] == [expected[c] for c in cards]

        check()


class CountingStore(MemoryOnlineStore):
    """The memory store, counting its writes."""

    writes = 0

    def write(self, batch):
        self.writes += 1
        return super().write(batch)


def test_a_push_of_ten_thousand_rows_is_one_write(tmp_path):
    with pushed_project("duckdb", tmp_path, [card_view()]) as project:
        store = CountingStore(project="shop")
        rows = {"card_id": [f"c{i}" for i in range(10_000)], "tx_at": [BASE] * 10_000,
                "amount": list(range(10_000))}
        result = push_rows(project.context, online_context(store), project.view("card_tx"), rows, "online")
        assert (store.writes, result.online_keys) == (1, 10_000)


def test_a_pushed_row_older_than_the_ttl_reads_as_outside_ttl(tmp_path):
    now = datetime.now(timezone.utc)
    with pushed_project("duckdb", tmp_path, [card_view(ttl="1h")]) as project:
        store = MemoryOnlineStore(project="shop")
        rows = {"card_id": ["old", "new"], "tx_at": [now - timedelta(hours=2), now], "amount": [1, 2]}
        push_rows(project.context, online_context(store), project.view("card_tx"), rows, "online")
        read = get_online_features(store, project.registry, {"card_id": ["old", "new"]}, ["card_tx:amount"],
                                   now=now)
        assert read.to_dict()["amount"] == [None, 2]
        assert [str(s) for s in read.statuses["amount"]] == ["OUTSIDE_TTL", "PRESENT"]


values = st.tuples(st.one_of(st.none(), st.floats(allow_nan=False)), st.one_of(st.none(), st.text()),
                   st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), st.one_of(st.none(), st.booleans()),
                   st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc))))


@settings(max_examples=200, deadline=None)
@given(values, st.datetimes(timezones=st.just(timezone.utc)))
def test_a_row_encoded_in_python_reads_back_and_matches_the_column_wise_encoding(row, event):
    from virtualfs.online.codec import ViewCodec, to_micros

    view = FeatureView("v", [card], card_tx, [Feature("f", "float64"), Feature("s", "string"),
                                              Feature("i", "int64"), Feature("b", "bool"),
                                              Feature("t", "timestamp")], push=True)
    codec = ViewCodec(view)
    encoded = codec.encode_row(to_micros(event), to_micros(BASE), list(row))
    decoded = codec.decode(encoded)
    assert decoded.values == list(row) and decoded.event_us == to_micros(event)
    types = [pa.float64(), pa.string(), pa.int64(), pa.bool_(), pa.timestamp("us", tz="UTC")]
    columns = [pa.array([value], kind) for value, kind in zip(row, types, strict=True)]
    times = pa.timestamp("us", tz="UTC")
    assert codec.encode(pa.array([event], times), pa.array([BASE], times), columns).values == [encoded]
