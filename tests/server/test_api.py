"""The HTTP API against a real server process: reads, errors naming the field, limits, probes."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from tests.server.live import FULL, LiveServer, build_repo, serve

ARROW = "application/vnd.apache.arrow.stream"
AMOUNT_ITEMS = ["customer_orders:amount", "customer_orders:items"]


def read(server: LiveServer, body: dict, **kwargs):
    return server.post(body, token=FULL, **kwargs)


def test_online_features_are_columns_in_row_order(server):
    response = read(server, {"features": AMOUNT_ITEMS, "entities": {"customer_id": [2, 1, 3]}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "entities": {"customer_id": [2, 1, 3]},
        "features": ["amount", "items"],
        "values": {"amount": [4.0, 9.5, None], "items": [1, 3, None]},
        "statuses": {"amount": ["PRESENT", "PRESENT", "NOT_FOUND"],
                     "items": ["PRESENT", "PRESENT", "NOT_FOUND"]},
        "event_times": {"amount": ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", None],
                        "items": ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", None]},
    }


def test_feature_service_with_full_feature_names(server):
    response = read(server, {"feature_service": "churn", "entities": {"customer_id": [1]},
                             "full_feature_names": True})
    assert response.status_code == 200, response.text
    assert response.json()["values"] == {"customer_orders__amount": [9.5], "customer_orders__items": [3]}


def test_value_older_than_ttl_is_null_with_its_event_time(server):
    response = read(server, {"feature_service": "recent", "entities": {"customer_id": [1]}})
    body = response.json()
    assert (body["values"], body["statuses"]) == ({"amount": [None]}, {"amount": ["OUTSIDE_TTL"]})
    assert body["event_times"] == {"amount": ["2026-01-03T00:00:00Z"]}


def test_ids_sent_as_text_find_integer_keys(server):
    response = read(server, {"features": ["customer_orders:amount"], "entities": {"customer_id": ["1", 2]}})
    assert response.json()["values"] == {"amount": [9.5, 4.0]}


def test_arrow_stream_when_asked(server):
    response = read(server, {"features": AMOUNT_ITEMS, "entities": {"customer_id": [1, 3]}}, accept=ARROW)
    assert response.status_code == 200
    assert response.headers["content-type"] == ARROW
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.schema.names == ["customer_id", "amount", "items", "amount.status", "amount.event_time",
                                  "items.status", "items.event_time"]
    assert table.schema.field("amount").type == pa.float64()
    assert table.schema.field("items").type == pa.int64()
    assert table.schema.field("items.event_time").type == pa.timestamp("us", tz="UTC")
    assert table.column("customer_id").to_pylist() == [1, 3]
    assert table.column("amount").to_pylist() == [9.5, None]
    assert table.column("amount.status").to_pylist() == ["PRESENT", "NOT_FOUND"]


BAD_REQUESTS = [
    # (body, field, part of the message)
    (b"{not json", "body", "malformed JSON"),
    (b"", "body", "empty"),
    (b"[1, 2]", "body", "must be a JSON object"),
    ({"entities": {"customer_id": [1]}}, "features", "exactly one of"),
    ({"features": ["customer_orders:amount"], "feature_service": "churn", "entities": {"customer_id": [1]}},
     "features", "exactly one of"),
    ({"features": "customer_orders:amount", "entities": {"customer_id": [1]}}, "features", "non-empty list"),
    ({"features": [], "entities": {"customer_id": [1]}}, "features", "non-empty list"),
    ({"features": ["amount"], "entities": {"customer_id": [1]}}, "features[0]", "'view:feature'"),
    ({"features": ["customer_orders:amount", 7], "entities": {"customer_id": [1]}}, "features[1]", "an integer"),
    ({"features": ["customer_orders:amont"], "entities": {"customer_id": [1]}}, "features",
     "did you mean 'amount'"),
    ({"features": ["orders:amount"], "entities": {"customer_id": [1]}}, "features", "unknown feature view"),
    ({"features": ["customer_orders:amount", "recent_orders:amount"], "entities": {"customer_id": [1]}},
     "features", "requested twice"),
    ({"feature_service": "chrun", "entities": {"customer_id": [1]}}, "feature_service", "did you mean 'churn'"),
    ({"feature_service": 3, "entities": {"customer_id": [1]}}, "feature_service", "service's name"),
    ({"feature_service": "churn"}, "entities", "join key columns"),
    ({"feature_service": "churn", "entities": {}}, "entities", "join key columns"),
    ({"feature_service": "churn", "entities": {"customer_id": 1}}, "entities.customer_id", "non-empty list"),
    ({"feature_service": "churn", "entities": {"customer_id": []}}, "entities.customer_id", "non-empty list"),
    ({"feature_service": "churn", "entities": {"customer_id": [1, 1.5]}}, "entities.customer_id[1]",
     "integer or a string, got a number 1.5"),
    ({"feature_service": "churn", "entities": {"customer_id": [True]}}, "entities.customer_id[0]", "boolean"),
    ({"feature_service": "churn", "entities": {"customer_id": [None]}}, "entities.customer_id[0]", "null"),
    ({"feature_service": "churn", "entities": {"customer_id": [[1]]}}, "entities.customer_id[0]", "array"),
    ({"feature_service": "churn", "entities": {"customerid": [1]}}, "entities.customer_id", "missing join key"),
    ({"feature_service": "churn", "entities": {"customer_id": [1], "shop": [2]}}, "entities.shop",
     "not a join key"),
    ({"feature_service": "churn", "entities": {"customer_id": [1, 2], "shop": [2]}}, "entities.shop",
     "same length"),
    ({"feature_service": "churn", "entities": {"customer_id": [1]}, "full_feature_names": "yes"},
     "full_feature_names", "true or false"),
    ({"feature_service": "churn", "entities": {"customer_id": [1]}, "featurs": []}, "featurs", "unknown field"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_REQUESTS)
def test_bad_request_is_400_naming_the_field(sqlite_server, body, field, message):
    response = read(sqlite_server, body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["status"] == 400 and error["field"] == field
    assert message in error["message"]


def test_too_many_entities_is_413(server):
    response = read(server, {"feature_service": "churn", "entities": {"customer_id": list(range(6))}})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["field"] == "entities"
    assert error["message"] == "6 entity rows in one request; this server takes at most 5 (server.max_entities)"


def test_body_over_the_limit_is_413_before_it_is_read(sqlite_server):
    body = b'{"feature_service": "churn", "entities": {"customer_id": [1]}, "pad": "' + b"x" * 5000 + b'"}'
    response = read(sqlite_server, body)
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "body"
    assert "at most 4,096 bytes (server.max_body_bytes)" in response.json()["error"]["message"]


def test_chunked_body_over_the_limit_is_413(sqlite_server):
    def chunks():
        yield b'{"feature_service": "churn", "entities": {"customer_id": ['
        for _ in range(1000):
            yield b"1, 2, 3, 4, 5, "
        yield b"1]}}"

    response = sqlite_server.client.post("/v1/online-features", content=chunks(),
                                         headers={"authorization": f"Bearer {FULL}"})
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "body"


def test_unknown_route_is_404_and_wrong_method_405_as_json(sqlite_server):
    missing = sqlite_server.get("/v2/online-features")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no route '/v2/online-features'; see /openapi.json"
    wrong = sqlite_server.get("/v1/online-features", token=FULL)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["status"] == 405
    assert wrong.headers["allow"] == "POST"


def test_feature_views_and_services_are_listed(server):
    views = server.get("/v1/feature-views", token=FULL).json()["feature_views"]
    assert [view["name"] for view in views] == ["customer_orders", "order_counts", "recent_orders"]
    assert views[0]["join_keys"] == ["customer_id"]
    assert views[0]["features"] == [{"name": "amount", "dtype": "float64", "pii": False},
                                    {"name": "items", "dtype": "int64", "pii": False}]
    assert views[1]["aggregations"] == [{"name": "orders_7d", "function": "count", "column": "items",
                                         "window_seconds": 604800.0, "pii": False}]
    assert views[2]["ttl_seconds"] == 86400.0
    services = server.get("/v1/feature-services", token=FULL).json()["feature_services"]
    assert {s["name"]: s["features"] for s in services} == {
        "churn": ["customer_orders:*"], "mixed": ["customer_orders:items", "recent_orders:amount"],
        "recent": ["recent_orders:amount"],
    }


def test_health_and_readiness(server):
    assert server.get("/healthz").json() == {"status": "ok"}
    ready = server.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["registry_version"] == 1


def test_openapi_document_describes_the_routes(sqlite_server):
    document = sqlite_server.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/v1/online-features", "/v1/push", "/v1/feature-views",
                                      "/v1/feature-services", "/healthz", "/readyz", "/metrics"}
    request = document["components"]["schemas"]["OnlineFeaturesRequest"]
    assert request["properties"]["entities"]["additionalProperties"]["maxItems"] == 5
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+$')


def test_metrics_count_requests_by_route_and_status(sqlite_server):
    read(sqlite_server, {"feature_service": "churn", "entities": {"customer_id": [1]}})
    read(sqlite_server, b"{")
    text = sqlite_server.get("/metrics", token=FULL).text
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(SAMPLE.match(line) for line in lines), [line for line in lines if not SAMPLE.match(line)]
    counts = {line.rpartition(" ")[0]: float(line.rpartition(" ")[2]) for line in lines}
    route = 'route="/v1/online-features",method="POST"'
    assert counts[f'virtualfs_http_requests_total{{{route},status="200"}}'] >= 1
    assert counts[f'virtualfs_http_requests_total{{{route},status="400"}}'] >= 1
    buckets = [value for key, value in counts.items()
               if key.startswith('virtualfs_http_request_duration_seconds_bucket{route="/v1/online-features"')]
    assert buckets == sorted(buckets) and buckets[-1] >= 2  # cumulative, +Inf last
    assert counts["virtualfs_registry_version"] == 1


def test_head_on_a_get_route_has_no_body(sqlite_server):
    response = sqlite_server.client.head("/healthz")
    assert response.status_code == 200 and response.content == b""


def test_read_through_fills_misses_from_the_warehouse(tmp_path):
    repo = build_repo(tmp_path / "repo", "{type: sqlite, fallback: warehouse}")
    config = repo / "virtualfs.yaml"  # serve from an empty store: every key is a miss
    config.write_text(config.read_text().replace("fallback: warehouse}", "fallback: warehouse, path: empty.db}"))
    with serve(repo) as server:
        for _ in range(2):  # read through, then from the cache it filled
            response = server.post({"feature_service": "churn", "entities": {"customer_id": [2, 1, 3]}})
            assert response.status_code == 200, response.text
            assert response.json()["values"] == {"amount": [4.0, 9.5, None], "items": [1, 3, None]}
    assert (repo / "empty.db").exists()
