"""The UI tests' shop (built once), its apps (open, and guarded by the repository's tokens and
policy), live servers for the browser, and the one headless Chromium of the run."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.ui.shop import build_shop
from virtualfs.server.config import ServerConfig
from virtualfs.store import FeatureStore
from virtualfs.ui import build_ui_app

HOST = "127.0.0.1"
SCREENSHOTS_ENV = "VIRTUALFS_UI_SCREENSHOTS"  # where the browser tests write their pictures


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shop(tmp_path_factory.mktemp("uishop"))


@pytest.fixture(scope="session")
def open_client(shop: Path) -> Iterator[TestClient]:
    """The UI with no tokens and no policy: everything shows."""
    with FeatureStore(shop) as store, TestClient(build_ui_app(store, ServerConfig())) as client:
        yield client


@pytest.fixture(scope="session")
def guarded_client(shop: Path) -> Iterator[TestClient]:
    """The UI with the repository's tokens and access policy (ada: admin, mia: masked, ian: intern)."""
    with FeatureStore(shop) as store, TestClient(build_ui_app(store)) as client:
        yield client


@dataclass(frozen=True)
class LiveUi:
    url: str


@pytest.fixture(scope="session")
def live_open(shop: Path) -> Iterator[LiveUi]:
    with FeatureStore(shop) as store, _serve(build_ui_app(store, ServerConfig())) as url:
        yield LiveUi(url)


@pytest.fixture(scope="session")
def live_guarded(shop: Path) -> Iterator[LiveUi]:
    with FeatureStore(shop) as store, _serve(build_ui_app(store)) as url:
        yield LiveUi(url)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the browser tests write their screenshots to: $VIRTUALFS_UI_SCREENSHOTS, else a
    temporary folder (either way never committed: .screenshots/ is ignored)."""
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run (Debian's chromium and chromium-driver), with
    its console and network logs readable."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class _Serving:
    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the UI server did not start")
            time.sleep(0.05)
        return f"http://{HOST}:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _serve(app: object) -> _Serving:
    return _Serving(app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
