"""Fuzz the live server from its OpenAPI document (schemathesis): no 500s, responses as documented.

A third test nests a value up to past the parser's depth limit in every field of a request.

The schema is built from ``openapi_document`` at import (schemathesis' lazy fixture loading does not
run on pytest 9), and a test checks that the live server serves exactly that document. A second
pass narrows the request to the repository's real names, so the fuzzer gets past name checks
into reads, limits and encoding.
"""

from __future__ import annotations

import copy

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from tests.server.live import FULL
from tests.server.nesting import KINDS, MAX_DEPTH, PLACES, document_depth, names_the_field, nested_body
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


@FUZZ
@given(place=st.sampled_from(PLACES), kind=st.sampled_from(KINDS), depth=st.integers(0, MAX_DEPTH + 50))
def test_nesting_at_any_depth_is_a_400_naming_the_field(open_server, place, kind, depth):
    template, field = place
    response = open_server.post(nested_body(template, depth, kind))
    if depth == 0 or (depth, field, kind) == (1, "entities.customer_id", "array"):
        assert response.status_code in (200, 400)  # a plain value, or a valid request
        return
    assert response.status_code == 400, response.text[:300]
    named = response.json()["error"]["field"]
    if document_depth(template, depth) > MAX_DEPTH:
        assert named == "body"
    else:
        assert names_the_field(named, field, kind), response.text[:300]
