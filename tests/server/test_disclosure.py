"""What a 503 tells whom: public probes and callers without a token learn which component is not
ready, by kind; the path, URL, host or user behind it goes to the log and to callers with a token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live import FULL, HOST, LiveServer, build_repo, free_port, serve

SECRET_USER, SECRET_DB = "vfs_secret_user", "vfs_secret_db"
ONE = {"feature_service": "churn", "entities": {"customer_id": [1]}}


def _rewire(repo: Path, old: str, new: str) -> Path:
    config = repo / "virtualfs.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    return repo


@pytest.fixture(scope="module")
def catalog_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, list[str]]]:
    """A server with tokens whose catalog is a PostgreSQL nobody listens for."""
    port = free_port()
    repo = build_repo(tmp_path_factory.mktemp("catalog_down"), "{type: sqlite}", auth=True)
    url = f"postgresql+psycopg://{SECRET_USER}@{HOST}:{port}/{SECRET_DB}"
    _rewire(repo, "url: 'sqlite:///.virtualfs/catalog.db'", f"url: '{url}'")
    with serve(repo) as server:
        yield server, [SECRET_USER, SECRET_DB, HOST, str(port), "postgresql", str(repo)]


@pytest.fixture(scope="module")
def store_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, list[str]]]:
    """A server with tokens whose online store is a Redis nobody listens for."""
    port = free_port()
    repo = build_repo(tmp_path_factory.mktemp("store_down"), "{type: sqlite}", auth=True)
    _rewire(repo, "online: {type: sqlite}", f"online: {{type: redis, url: 'redis://{HOST}:{port}/3'}}")
    with serve(repo) as server:
        yield server, [HOST, str(port), "redis://", str(repo)]


def _leaks(text: str, secrets: list[str]) -> list[str]:
    found = [secret for secret in secrets if secret in text]
    return found + re.findall(r"\w+://\S+|/\w+/\S+", text)  # any URL or absolute path at all


@pytest.mark.parametrize(("fixture", "component"), [("catalog_down", "catalog"), ("store_down", "online_store")])
def test_readyz_without_a_token_names_the_component_only(request, fixture, component):
    server, secrets = request.getfixturevalue(fixture)
    for header in (None, "Bearer not-a-valid-token-0123456789"):  # a wrong token is no token
        response = server.client.get("/readyz", headers={"authorization": header} if header else {})
        assert response.status_code == 503
        assert response.json()["error"]["component"] == component
        assert "detail" not in response.json()["error"]
        assert _leaks(response.text, secrets) == []


@pytest.mark.parametrize(("fixture", "component"), [("catalog_down", "catalog"), ("store_down", "online_store")])
def test_a_caller_with_a_token_and_the_log_get_the_details(request, fixture, component):
    server, secrets = request.getfixturevalue(fixture)
    for response in (server.get("/readyz", token=FULL), server.post(ONE, token=FULL)):
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["component"] == component
        assert _leaks(error["message"], secrets) == []
        assert secrets[0] in error["detail"] and secrets[1] in error["detail"]
    assert secrets[0] in server.logs() and secrets[1] in server.logs()


def test_listings_without_a_catalog_show_details_only_with_a_token(catalog_down):
    server, secrets = catalog_down
    assert server.get("/v1/feature-views").status_code == 401  # no token: no further
    listed = server.get("/v1/feature-views", token=FULL)
    assert listed.status_code == 503 and SECRET_DB in listed.json()["error"]["detail"]
