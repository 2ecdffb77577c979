"""The HTML page and the PNG: structure, nothing loaded from outside, and a real browser's view.

The page is rendered once per test run in Debian's headless Chromium (``/usr/bin/chromium``;
.ci/run installs it): a screenshot that is not blank and shows the chart's bar colour proves
the inline SVG draws. Without Chromium the test fails under CI and skips elsewhere, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone

import pytest
from PIL import Image

from virtualfs.definitions import DType
from virtualfs.profiles import FeatureProfile, Histogram, Profile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BAR_RGB = (0x4C, 0x78, 0xA8)


def example() -> Profile:
    amount = FeatureProfile("orders:amount", DType.FLOAT64, 1000, 950, 640, 1.5, 99.0, 31.2, 12.9,
                            (2.0, 4.1, 20.0, 30.5, 41.0, 60.0, 80.0),
                            Histogram(tuple(1.5 + k * 4.875 for k in range(21)),
                                      (5, 20, 60, 110, 160, 170, 140, 100, 70, 40, 30, 15, 10, 8, 5, 3, 2, 1, 1, 0),
                                      4.875))
    device = FeatureProfile("orders:device", DType.STRING, 1000, 990, 3, "desktop", "tablet",
                            top_values=(("mobile", 600), ("desktop", 300), ("tablet", 90)))
    gift = FeatureProfile("orders:is_gift", DType.BOOL, 1000, 1000, 2, mean=0.1,
                          top_values=((False, 900), (True, 100)))
    seen = FeatureProfile("orders:seen_at", DType.TIMESTAMP, 1000, 1000, 1000,
                          datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 4, tzinfo=timezone.utc),
                          days=tuple((date(2026, 3, d), 200 + 50 * d) for d in range(1, 5)))
    empty = FeatureProfile("orders:note <b>", DType.STRING, 1000, 0, 0)
    return Profile("feature view orders", (amount, device, gift, seen, empty), "duckdb", "exact (COUNT(DISTINCT))",
                   "QUANTILE_CONT (exact, linear interpolation)", datetime(2026, 3, 1, tzinfo=timezone.utc),
                   datetime(2026, 3, 5, tzinfo=timezone.utc))


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory) -> Image.Image:
    """The example page as headless Chromium draws it: one browser for the whole run."""
    if not os.path.exists(CHROMIUM):
        message = "headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("browser")
    page, shot = folder / "profile.html", folder / "profile.png"
    example().to_html(page)
    subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--hide-scrollbars", f"--user-data-dir={folder / 'profile'}", "--window-size=1000,1600",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return Image.open(shot).convert("RGB")


def test_html_has_one_chart_and_one_table_per_feature_and_loads_nothing(tmp_path):
    path = tmp_path / "profile.html"
    example().to_html(path)
    page = path.read_text()
    assert page.count('<section class="feature">') == page.count("<svg ") == page.count("<table") == 5
    assert not re.search(r"(src|href)\s*=|<script|<link|@import|url\(|https?:", page, re.IGNORECASE)
    assert "orders:note &lt;b&gt;" in page and "no values to draw" in page  # escaped; an empty feature still shows
    assert page.count("<rect") >= 20 + 3 + 2 + 4  # bins, top values, booleans, days
    assert "30.5" in page and "QUANTILE_CONT" in page  # p50 beside the chart, the method in the header


def test_the_page_renders_in_headless_chromium(screenshot):
    colours = screenshot.getcolors(maxcolors=1_000_000)
    assert screenshot.size == (1000, 1600)
    assert len(colours) > 50  # text, axes and bars, not a blank page
    bars = sum(n for n, c in colours if all(abs(a - b) <= 8 for a, b in zip(c, BAR_RGB, strict=True)))
    assert bars > 5000  # the SVG bars are drawn


def test_png_of_one_feature_and_of_a_grid(tmp_path):
    profile = example()
    one, grid = tmp_path / "one.png", tmp_path / "grid.png"
    profile.to_png(one, "orders:amount")
    profile.to_png(grid)
    single, every = Image.open(one).convert("RGB"), Image.open(grid).convert("RGB")
    assert single.width < every.width and single.height < every.height  # one card; 2 x 3 cards
    for image in (single, every):
        colours = image.getcolors(maxcolors=1_000_000)
        assert len(colours) > 50
        assert any(colour == BAR_RGB for _, colour in colours)
    assert one.stat().st_size > 10_000


def test_to_png_of_an_unknown_feature_names_it(tmp_path):
    with pytest.raises(KeyError, match="no feature 'orders:amont'.*did you mean 'orders:amount'"):
        example().to_png(tmp_path / "x.png", "orders:amont")


def test_to_dict_is_json_ready():
    import json

    data = json.loads(json.dumps(example().to_dict()))
    seen = data["features"][3]
    assert seen["min"] == "2026-03-01T00:00:00+00:00" and seen["days"][0] == {"day": "2026-03-01", "count": 250}
    assert data["features"][0]["histogram"]["counts"][4] == 160
