"""POST /v1/push on a live server: its own grant (403 for a token that may only read), limits
(413), 400s naming the field, 404 with a suggestion, and pushed rows readable at once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest

from tests.push.test_store import DEFINITIONS
from tests.repo_factory import write_repo
from tests.server.live import LiveServer, serve
from virtualfs import FeatureStore

TOKENS = {"VFS_PUSH_READER": "reader-token-0123456789", "VFS_PUSH_WRITER": "writer-token-0123456789"}
READER, WRITER = TOKENS.values()
SERVER = """\
server:
  max_push_rows: 3
  max_body_bytes: 2048
  reload_seconds: 0
  auth:
    tokens:
      reader: {token: "${VFS_PUSH_READER}", allow: ["*"]}
      writer: {token: "${VFS_PUSH_WRITER}", allow: ["*"], push: true}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    root = write_repo(tmp_path_factory.mktemp("push_server") / "repo", DEFINITIONS)
    (root / "virtualfs.yaml").write_text((root / "virtualfs.yaml").read_text() + SERVER)
    with mock.patch.dict(os.environ, TOKENS):
        with FeatureStore(root) as store:
            store.apply()
        with serve(root) as live:
            yield live


def body(**changes):
    now = datetime.now(timezone.utc).isoformat()
    return {"view": "card_tx", "rows": {"card_id": ["c1"], "tx_at": [now], "amount": [4.5]}, "to": "online",
            **changes}


def push(server, payload, token=WRITER):
    return server.post(payload, token, path="/v1/push")


def test_a_pushed_row_is_read_back_at_once(server):
    response = push(server, body())
    assert response.status_code == 200, response.text
    assert response.json()["online_keys"] == 1
    read = server.post({"features": ["card_tx:amount"], "entities": {"card_id": ["c1"]}}, READER)
    assert read.json()["values"]["amount"] == [4.5]


def test_a_token_that_may_read_may_not_push(server):
    response = push(server, body(), READER)
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "view" and "push" in response.json()["error"]["message"]
    assert push(server, body(), None).status_code == 401


@pytest.mark.parametrize(("payload", "field", "message"), [
    (body(rows={"card_id": ["c1"], "tx_at": ["2026-01-01T00:00:00Z"]}), "rows.amount", "is missing"),
    (body(rows={"card_id": ["c1"], "tx_at": ["soon"], "amount": [1.0]}), "rows.tx_at", "ISO-8601"),
    (body(rows={"card_id": [None], "tx_at": ["2026-01-01T00:00:00Z"], "amount": [1.0]}), "rows.card_id",
     "null"),
    (body(rows={"card_id": ["c1"], "tx_at": ["2026-01-01T00:00:00Z"], "amount": ["x"]}), "rows.amount",
     "float64"),
    (body(rows={"card_id": ["c1", "c2"], "tx_at": ["2026-01-01T00:00:00Z"], "amount": [1.0]}), "rows.tx_at",
     "same length"),
    (body(to="warehouse"), "to", "online, offline, both"),
    (body(view=""), "view", "name of a feature view"),
    (body(extra=1), "extra", "unknown field"),
    (b"{", "body", "malformed JSON"),
])
def test_bad_pushes_are_400_naming_the_field(server, payload, field, message):
    response = push(server, payload)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field and message in error["message"]


def test_an_unknown_view_is_404_with_a_suggestion(server):
    response = push(server, body(view="card_txs"))
    assert response.status_code == 404 and "card_tx" in response.json()["error"]["message"]


def test_pushes_over_the_limits_are_413(server):
    rows = {"card_id": ["a"] * 4, "tx_at": ["2026-01-01T00:00:00Z"] * 4, "amount": [1.0] * 4}
    assert push(server, body(rows=rows)).status_code == 413
    assert push(server, body(rows={"card_id": ["x" * 3000]})).status_code == 413


def test_a_push_to_both_reaches_the_warehouse_and_the_store(server):
    now = datetime.now(timezone.utc)  # within the view's TTL of a day
    zoned = now.astimezone(timezone(timedelta(hours=1))).isoformat()
    rows = {"card_id": ["w1", "w2"], "tx_at": [zoned, now.replace(tzinfo=None).isoformat()], "amount": [1, 2.5]}
    response = push(server, body(rows=rows, to="both"))
    assert response.status_code == 200, response.text
    assert (response.json()["offline_rows"], response.json()["online_keys"]) == (2, 2)
    read = server.post({"features": ["card_tx:amount"], "entities": {"card_id": ["w1", "w2"]}}, READER)
    assert read.json()["values"]["amount"] == [1.0, 2.5]
