"""Fuzz the live server from its OpenAPI document (schemathesis): no 500s, responses as documented.

The schema is built from ``openapi_document`` at import (schemathesis' lazy fixture loading does not
run on pytest 9), and a test checks that the live server serves exactly that document. A second
pass narrows the request to the repository's real names, so the fuzzer gets past name checks
into reads, limits and encoding.
"""

from __future__ import annotations

import copy

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from tests.server.live import FULL
from virtualfs.server.config import ServerConfig, TokenGrant, token_digest
from virtualfs.server.openapi import openapi_document

# The sqlite_server's limits (tests/server/conftest.py LIMITS) and its having tokens.
CONFIG = ServerConfig(tokens=(TokenGrant("full", token_digest(FULL), frozenset("*")),),
                      max_entities=5, max_body_bytes=4096)
FEATURES = ["customer_orders:amount", "customer_orders:items", "customer_orders:*", "recent_orders:amount",
            "recent_orders:*", "order_counts:items", "order_counts:orders_7d"]
SERVICES = ["churn", "recent", "mixed"]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def with_real_names(document: dict) -> dict:
    """The document with requests narrowed to this repository's features, services and join key."""
    narrowed = copy.deepcopy(document)
    request = narrowed["components"]["schemas"]["OnlineFeaturesRequest"]["properties"]
    request["features"]["items"] = {"enum": FEATURES}
    request["feature_service"] = {"enum": SERVICES}
    column = request["entities"]["additionalProperties"]
    column["maxItems"] = CONFIG.max_entities + 2  # step over the limit now and then: a 413
    request["entities"] = {"type": "object", "required": ["customer_id"], "additionalProperties": False,
                           "properties": {"customer_id": column}}
    return narrowed


# Over a limit the server answers 413, which schemathesis does not expect for invalid data by default.
REJECTED = [400, 401, 403, 404, 405, 413]
OPTIONS = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}})
generic = schemathesis.openapi.from_dict(openapi_document(CONFIG), config=OPTIONS)
narrowed = schemathesis.openapi.from_dict(with_real_names(openapi_document(CONFIG)), config=OPTIONS).include(
    path="/v1/online-features")


def test_the_server_serves_the_fuzzed_document(sqlite_server):
    assert sqlite_server.get("/openapi.json").json() == openapi_document(CONFIG)


def check(case, server) -> None:
    # Schema-valid bodies may still name features that do not exist, or ask for one column twice
    # (documented 400s), so "valid data is accepted" cannot hold; every other built-in check must.
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {FULL}"},
                           excluded_checks=[positive_data_acceptance])


@generic.parametrize()
@FUZZ
def test_api_answers_as_documented(case, sqlite_server):
    check(case, sqlite_server)


@narrowed.parametrize()
@FUZZ
def test_reads_with_real_names_answer_as_documented(case, sqlite_server):
    check(case, sqlite_server)
