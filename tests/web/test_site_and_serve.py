"""The static site, the city page's AQI calendar, ``ecozone serve`` as a process, and the clear
refusal to start without the vendored front-end files."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ecozone.air import service as air
from ecozone.errors import StoreError
from ecozone.store.db import connect
from ecozone.web import render
from ecozone.web.site import export_site
from tests.web.conftest import free_port, make_client

AIR = Path(__file__).resolve().parents[1] / "fixtures" / "air"


def test_static_site_pages_and_relative_links(db_copy: Path, tmp_path: Path) -> None:
    con = connect(db_copy)
    res = export_site(con, tmp_path / "site", cities=["131000"], targets=["T002-0016"])
    con.close()
    out = res.out
    assert res.pages == 2 * 7  # home, one city, one target, plans, rankings, data, water; zh and en
    for page in ("index.html", "cities/131000/index.html", "targets/T002-0016/index.html", "en/plans/index.html",
                 "en/rankings/index.html", "data/index.html"):
        assert (out / page).is_file(), page
    assert (out / "static" / "vendor" / "echarts.min.js").is_file()
    assert not (out / "static" / "vendor" / "swagger-ui-bundle.js").exists()
    target = (out / "en" / "targets" / "T002-0016" / "index.html").read_text(encoding="utf-8")
    assert '<mark id="quote">' in target and "Provenance" in target
    # every navigation and asset link of the exported page resolves inside the site
    base = out / "en" / "targets" / "T002-0016"
    links = re.findall(r'(?:href|src)="([^"#?]+)"', target)
    local = [u for u in links if not u.startswith(("http:", "https:"))]
    for u in local:
        if "/cities/" in u and "131000" not in u:
            continue
        assert (base / u).resolve().is_file(), u
    assert "/api/v1" not in target and 'href="/' not in target


def test_city_page_calendar_from_station_data(db_copy: Path) -> None:
    con = connect(db_copy)
    air.import_files(con, sorted(AIR.glob("PRSA_Data_*_excerpt.csv")), "prsa")
    con.close()
    with make_client(db_copy) as c:
        page = c.get("/cities/110000").text
        assert 'id="chart-calendar"' in page and '"heatmap"' in page
        assert 'id="chart-calendar"' not in c.get("/cities/131000").text
        # the rankings page ranks the cities with station data (here: Beijing alone)
        ranking = c.get("/rankings").text
        assert 'id="chart-station-ranking"' in ranking and "北京" in ranking


def test_missing_vendor_files_stop_the_app_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "vendor_dir", lambda: tmp_path)
    with pytest.raises(StoreError) as exc:
        render.check_vendor()
    assert "vendor_echarts.sh" in exc.value.message("en") and "echarts.min.js" in exc.value.message("zh")


def test_serve_command_starts_prints_the_url_and_stops(db_copy: Path) -> None:
    port = free_port()
    env = {**os.environ, "ECOZONE_DB": str(db_copy), "ECOZONE_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-c", "from ecozone.cli import app; app()", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.json()["status"] == "ok"
        assert 'id="map"' in httpx.get(f"http://127.0.0.1:{port}/").text
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in out


@pytest.mark.skipif(shutil.which("chromium") is None and not os.environ.get("CI"), reason="Debian chromium not installed")
def test_static_site_works_from_disk_in_a_browser(db_copy: Path, tmp_path: Path) -> None:
    from playwright import sync_api as playwright

    con = connect(db_copy)
    out = export_site(con, tmp_path / "site", cities=["131000"], targets=["T002-0016"]).out
    con.close()
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((out / "index.html").as_uri())
        page.wait_for_function("window.ecozoneCharts && window.ecozoneCharts.length > 6")  # map + tiles
        page.locator("a.city-link", has_text="廊坊市").click()
        page.wait_for_url("**/cities/131000/index.html")
        page.locator("#city-targets a.target-link", has_text="T002-0016").click()
        page.wait_for_url("**/targets/T002-0016/index.html")
        assert page.locator("mark#quote").is_visible()
        page.locator("#lang-switch").click()
        page.wait_for_url("**/en/targets/T002-0016/index.html")
        assert "Provenance" in page.inner_text("body")
        browser.close()
    assert errors == []
