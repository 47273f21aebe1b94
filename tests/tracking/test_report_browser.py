"""The HTML review report in a real browser (Debian chromium via Playwright): it renders its
charts, asks for nothing from the network, logs no error, and prints to PDF."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from playwright import sync_api as playwright

from ecozone.ingest.observations import load_bundled
from ecozone.reports.review import review

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI (scripts/test.sh) installs chromium, so there a missing browser fails instead of skipping
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Debian chromium not installed (scripts/test.sh installs it)"
)


def test_report_renders_and_prints(full: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    load_bundled(full)
    files = review(full, document="900", year=2025, out_dir=tmp_path)
    requests: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(files.html.as_uri())
        charts = page.locator("svg.chart")
        assert charts.count() >= files.charts == 5  # one per target with data (matplotlib SVG)
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        assert page.locator("svg.chart #observed-0").count() == files.charts
        assert "执行摘要" in page.inner_text("body")
        page.goto(files.html_en.as_uri())
        assert "Executive summary" in page.inner_text("body")
        pdf = page.pdf(path=str(tmp_path / "report.pdf"))
        browser.close()
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) >= 2
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
