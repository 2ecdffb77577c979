"""Bearer tokens on a real server: 401 for who, 403 for what, listings filtered, secrets not logged."""

from __future__ import annotations

import pytest

from tests.server.live import CHURN, FULL, RECENT, TOKENS

ONE = {"customer_id": [1]}


@pytest.mark.parametrize("header", [None, "", "Bearer", "Token " + FULL, "Basic " + FULL, "Bearer wrong-token-123456789",
                                    "Bearer " + FULL + "x", FULL])
def test_missing_or_wrong_token_is_401(sqlite_server, header):
    headers = {"authorization": header} if header is not None else {}
    response = sqlite_server.client.post("/v1/online-features", headers=headers,
                                         json={"feature_service": "churn", "entities": ONE})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer realm="virtualfs"')
    assert response.json()["error"]["status"] == 401


@pytest.mark.parametrize(("token", "body", "status"), [
    (FULL, {"feature_service": "mixed"}, 200),
    (FULL, {"features": ["recent_orders:amount", "customer_orders:items"]}, 200),
    # a service by name
    (CHURN, {"feature_service": "churn"}, 200),
    # a grant on a service is a grant on the features it holds, however they are asked for (one
    # policy, virtualfs.policy: the same values either way)
    (CHURN, {"features": ["customer_orders:amount"]}, 200),
    (CHURN, {"features": ["recent_orders:amount"]}, 403),
    (CHURN, {"feature_service": "recent"}, 403),
    (CHURN, {"feature_service": "no_such_service"}, 403),  # not 400: a restricted token learns nothing
    # a view: its features, and any service made only of granted views
    (RECENT, {"features": ["recent_orders:amount"]}, 200),
    (RECENT, {"features": ["recent_orders:*"]}, 200),
    (RECENT, {"feature_service": "recent"}, 200),
    (RECENT, {"feature_service": "mixed"}, 403),
    (RECENT, {"features": ["recent_orders:amount", "customer_orders:items"]}, 403),
    (RECENT, {"features": ["no_such_view:x"]}, 403),
])
def test_tokens_read_only_what_they_allow(sqlite_server, token, body, status):
    response = sqlite_server.post({**body, "entities": ONE}, token=token)
    assert response.status_code == status, response.text
    if status == 403:
        assert "may not read" in response.json()["error"]["message"]


def test_a_full_token_still_gets_400_for_unknown_names(sqlite_server):
    response = sqlite_server.post({"feature_service": "no_such_service", "entities": ONE}, token=FULL)
    assert response.status_code == 400


@pytest.mark.parametrize(("token", "views", "services"), [
    (FULL, ["customer_orders", "order_counts", "recent_orders"], ["churn", "mixed", "recent"]),
    (CHURN, ["customer_orders"], ["churn"]),  # churn holds every feature of customer_orders
    (RECENT, ["recent_orders"], ["recent"]),
])
def test_listings_show_what_the_token_may_read(sqlite_server, token, views, services):
    listed_views = sqlite_server.get("/v1/feature-views", token=token).json()["feature_views"]
    listed_services = sqlite_server.get("/v1/feature-services", token=token).json()["feature_services"]
    assert [v["name"] for v in listed_views] == views
    assert [s["name"] for s in listed_services] == services


@pytest.mark.parametrize("path", ["/v1/feature-views", "/v1/feature-services", "/metrics"])
def test_listings_and_metrics_need_a_token(sqlite_server, path):
    assert sqlite_server.get(path).status_code == 401
    assert sqlite_server.get(path, token=RECENT).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_probes_and_the_document_are_public(sqlite_server, path):
    assert sqlite_server.get(path).status_code == 200


def test_without_tokens_everyone_may_read(open_server):
    response = open_server.post({"feature_service": "churn", "entities": ONE})
    assert response.status_code == 200
    assert open_server.get("/metrics").status_code == 200
    assert "securitySchemes" not in open_server.get("/openapi.json").json()["components"]


def test_tokens_never_reach_the_log(sqlite_server):
    sqlite_server.post({"feature_service": "churn", "entities": ONE}, token="Bearer leaked-" + FULL)
    sqlite_server.post({"feature_service": "churn", "entities": ONE}, token=CHURN)
    log = sqlite_server.logs()
    assert not any(token in log for token in TOKENS.values())
