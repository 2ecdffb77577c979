"""The server: section of virtualfs.yaml, the bind check, and the metrics text, in-process."""

from __future__ import annotations

import pytest
import typer

from virtualfs.cli.serve import check_bind, is_loopback
from virtualfs.errors import ConfigError
from virtualfs.server.config import ServerConfig, parse_server_config, token_digest
from virtualfs.server.metrics import Metrics

TOKEN = "a-token-of-sixteen-chars"


def test_defaults_without_a_server_section():
    assert parse_server_config(None) == ServerConfig()
    assert not ServerConfig().auth_enabled


def test_a_full_section():
    config = parse_server_config({
        "max_entities": 10, "max_body_bytes": 2048, "reload_seconds": 0,
        "auth": {"tokens": {"app": {"token": TOKEN, "allow": ["churn", "customer_orders"]}}},
    })
    assert (config.max_entities, config.max_body_bytes, config.reload_seconds) == (10, 2048, 0.0)
    (grant,) = config.tokens
    assert grant.name == "app" and grant.digest == token_digest(TOKEN)
    assert grant.allows("churn") and not grant.allows("other") and not grant.allows_all
    assert TOKEN not in repr(config)


@pytest.mark.parametrize(("raw", "seconds"), [
    ({}, (0.25, 10.0)),
    ({"read_timeout": "100ms", "body_timeout": "30s"}, (0.1, 30.0)),
    ({"read_timeout": 0.5, "body_timeout": 5}, (0.5, 5.0)),
    ({"read_timeout": "1.5 s"}, (1.5, 10.0)),
])
def test_timeouts_in_seconds_or_with_a_unit(raw, seconds):
    config = parse_server_config(raw)
    assert (config.read_timeout, config.body_timeout) == seconds


@pytest.mark.parametrize(("raw", "message"), [
    ({"max_entitites": 5}, "unknown key 'max_entitites'"),
    ({"read_timeout": 0}, "read_timeout must be a positive number of seconds or a duration like '250ms'"),
    ({"read_timeout": "250"}, "read_timeout must be a positive number"),
    ({"read_timeout": "1m"}, "read_timeout must be a positive number"),
    ({"body_timeout": True}, "body_timeout must be a positive number"),
    ({"body_timeout": "0ms"}, "body_timeout must be a positive number"),
    ({"max_entities": 0}, "max_entities must be a positive integer"),
    ({"max_entities": "10"}, "max_entities must be a positive integer"),
    ({"max_body_bytes": True}, "max_body_bytes must be a positive integer"),
    ({"reload_seconds": -1}, "reload_seconds must be a number of seconds >= 0"),
    ({"auth": ["x"]}, "auth must be a mapping"),
    ({"auth": {"token": {}}}, "auth: unknown key 'token'"),
    ({"auth": {"tokens": {}}}, "tokens must be a non-empty mapping"),
    ({"auth": {"tokens": {"app": TOKEN}}}, "tokens.app must be a mapping"),
    ({"auth": {"tokens": {"app": {"token": "short", "allow": ["*"]}}}}, "at least 16 characters"),
    ({"auth": {"tokens": {"app": {"token": 1234567890123456789, "allow": ["*"]}}}}, "must be a string"),
    ({"auth": {"tokens": {"app": {"token": TOKEN}}}}, "allow must be a non-empty list"),
    ({"auth": {"tokens": {"app": {"token": TOKEN, "allow": "churn"}}}}, "allow must be a non-empty list"),
    ({"auth": {"tokens": {"app": {"token": TOKEN, "allow": ["a:b"]}}}}, "'a:b' is not a feature service"),
    ({"auth": {"tokens": {"app": {"token": TOKEN, "allow": ["*"], "alow": []}}}}, "unknown key 'alow'"),
    ({"auth": {"tokens": {"my app": {"token": TOKEN, "allow": ["*"]}}}}, "must be an identifier"),
    ({"auth": {"tokens": {"a": {"token": TOKEN, "allow": ["*"]}, "b": {"token": TOKEN, "allow": ["x"]}}}},
     "'a' and 'b' have the same token"),
])
def test_bad_sections_name_the_key(raw, message):
    with pytest.raises(ConfigError, match="virtualfs.yaml: server") as error:
        parse_server_config(raw)
    assert message in str(error.value)
    assert TOKEN not in str(error.value)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("example.com", False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_exposed_bind_needs_tokens_or_insecure():
    with pytest.raises(typer.BadParameter, match="--insecure"):
        check_bind("0.0.0.0", auth_enabled=False, insecure=False)
    check_bind("0.0.0.0", auth_enabled=True, insecure=False)
    check_bind("0.0.0.0", auth_enabled=False, insecure=True)
    check_bind("127.0.0.1", auth_enabled=False, insecure=False)


def test_metrics_text_escapes_labels_and_bounds_methods():
    metrics = Metrics()
    metrics.observe('/a"b', "BREW", 405, 0.003)
    metrics.observe("/x", "GET", 200, 0.0001)
    metrics.observe("/x", "GET", 200, 10.0)
    metrics.store_error("redis")
    text = metrics.render()
    assert 'virtualfs_http_requests_total{route="/a\\"b",method="OTHER",status="405"} 1' in text
    assert 'virtualfs_http_request_duration_seconds_bucket{route="/x",le="0.0005"} 1' in text
    assert 'virtualfs_http_request_duration_seconds_bucket{route="/x",le="+Inf"} 2' in text
    assert 'virtualfs_http_request_duration_seconds_count{route="/x"} 2' in text
    assert 'virtualfs_online_store_errors_total{store="redis"} 1' in text
    assert text.endswith("\n")
