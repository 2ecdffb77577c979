"""Where the pages live: ``virtualfs serve`` mounts them at /ui with ``server: {ui: true}`` (and
documents their JSON endpoints in /openapi.json); ``virtualfs ui`` serves them alone."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.ui.conftest import HOST, free_port
from tests.ui.shop import ADA
from virtualfs.cli.main import app as cli
from virtualfs.errors import ConfigError
from virtualfs.server.app import build_app
from virtualfs.server.config import parse_server_config
from virtualfs.store import FeatureStore
from virtualfs.ui.routes import PAGES


def test_the_server_mounts_the_pages_when_asked(shop):
    with FeatureStore(shop) as store:
        config = parse_server_config({**store.config.server, "ui": True}, store.config.access)
        with TestClient(build_app(store, config)) as client:
            headers = {"Authorization": f"Bearer {ADA}"}
            assert client.get("/ui/views/customer_orders", headers=headers).status_code == 200
            assert client.get("/ui/api/views/customer_orders", headers=headers).json()["name"] == "customer_orders"
            assert client.get("/ui/views/customer_orders").status_code == 401  # the API's tokens
            assert client.get("/v1/feature-views", headers=headers).status_code == 200
            paths = client.get("/openapi.json").json()["paths"]
            assert {"/ui/api/views/{name}", "/ui/api/features/{ref}", "/ui/api/lineage/{ref}"} <= set(paths)
            assert len([p for p in paths if p.startswith("/ui/api")]) == len(PAGES)


def test_the_server_leaves_them_out_by_default(shop):
    with FeatureStore(shop) as store:
        config = parse_server_config(store.config.server, store.config.access)
        assert config.ui is False
        with TestClient(build_app(store, config)) as client:
            assert client.get("/ui", headers={"Authorization": f"Bearer {ADA}"}).status_code == 404
            assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/ui")]


def test_the_ui_key_must_be_true_or_false():
    with pytest.raises(ConfigError, match=r"server\.ui must be true or false, got 'yes'"):
        parse_server_config({"ui": "yes"})


def test_the_ui_command_is_registered_and_refuses_an_open_public_address(shop):
    runner = CliRunner()
    shown = runner.invoke(cli, ["ui", "--help"])
    assert shown.exit_code == 0 and "--port" in shown.output and "6567" in shown.output
    open_repo = shop.parent / "open_repo"
    open_repo.mkdir(exist_ok=True)
    (open_repo / "virtualfs.yaml").write_text("project: p\nwarehouse: {type: duckdb}\n")
    refused = runner.invoke(cli, ["ui", "-r", str(open_repo), "--host", "0.0.0.0"])
    assert refused.exit_code != 0 and "server.auth has no tokens" in refused.output


def test_the_ui_command_serves_the_pages(shop):
    port = free_port()
    command = [sys.executable, "-m", "virtualfs.cli", "ui", "-r", str(shop), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://{HOST}:{port}/ui/api/views/customer_orders",
                                   headers={"Authorization": f"Bearer {ADA}"})
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None, process.stdout.read().decode() if process.poll() is not None else "no answer"
        assert answer.status_code == 200 and answer.json()["name"] == "customer_orders"
        assert httpx.get(f"http://{HOST}:{port}/ui").status_code == 401
    finally:
        process.terminate()
        process.wait(10)
