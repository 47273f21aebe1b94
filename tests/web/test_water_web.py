"""The water endpoints and pages over a store holding the example year of section results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ecozone.store.db import connect
from ecozone.water import service as water
from ecozone.web.site import export_site
from tests.web.conftest import Seeded, make_client

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "water" / "hebei_2024_monthly.csv"


@pytest.fixture
def water_db(seeded: Seeded, tmp_path: Path) -> Path:
    path = tmp_path / "water.duckdb"
    shutil.copy(seeded.path, path)
    con = connect(path)
    water.import_files(con, [EXAMPLE])
    water.record(con, 2024)
    con.close()
    return path


def test_water_api(water_db: Path) -> None:
    with make_client(water_db) as c:
        sections = c.get("/api/v1/water/sections").json()
        assert sections["total"] >= 16
        rows = c.get("/api/v1/water/assessment", params={"year": 2024}).json()["items"]
        by = {r["section"]: r for r in rows}
        assert by["HB-BYD-NANLIUZHUANG"]["class"] == "IV" and by["EX-LF-LONGHE"]["class"] == "劣V"
        one = c.get("/api/v1/water/sections/南刘庄", params={"year": 2024}).json()
        assert one["section"]["code"] == "HB-BYD-NANLIUZHUANG" and len(one["months"]) == 12
        assert c.get("/api/v1/water/sections/nowhere", params={"year": 2024}).status_code in (400, 404)
        summary = c.get("/api/v1/water/summary", params={"year": 2024, "by": "region"}).json()["items"]
        assert {r["group"] for r in summary} >= {"133100", "131000"}
        cwqi = c.get("/api/v1/water/cwqi", params={"year": 2024}).json()["items"]
        assert [r["rank"] for r in cwqi] == sorted(r["rank"] for r in cwqi)
        csv = c.get("/api/v1/water/cwqi", params={"year": 2024, "format": "csv"})
        assert csv.headers["content-type"].startswith("text/csv") and "city_name" in csv.text
        assert c.get("/api/v1/water/assessment", params={"year": 2024, "period": "13"}).status_code == 400


def test_water_pages_and_map_layer(water_db: Path, tmp_path: Path) -> None:
    client: TestClient
    with make_client(water_db) as client:
        page = client.get("/water")
        assert page.status_code == 200 and "南刘庄" in page.text and "water-cwqi-2024" in page.text
        assert client.get("/water", params={"lang": "en"}).status_code == 200
        sec = client.get("/water/sections/HB-BYD-NANLIUZHUANG")
        assert sec.status_code == 200 and "2024-12" in sec.text
        assert client.get("/water/sections/nowhere").status_code == 404
        home = client.get("/").text
        assert "water.cwqi" in home   # the recorded city CWQI is a layer of the map
    con = connect(water_db)
    try:
        result = export_site(con, tmp_path / "site", cities=[], targets=[])
    finally:
        con.close()
    assert (tmp_path / "site" / "water" / "sections" / "HB-BYD-NANLIUZHUANG" / "index.html").is_file()
    assert result.pages > 0


def test_water_pages_in_a_real_browser(water_db: Path) -> None:
    """The water page and a section page in chromium: the charts draw, no script error, nothing
    fetched from another host, and a click on a section opens its months."""
    import shutil as _shutil
    import threading
    import time

    import uvicorn

    from ecozone.api.app import create_app
    from ecozone.api.state import Settings
    from tests.web.conftest import free_port
    from tests.web.test_pages_browser import CHROMIUM, _browser_page

    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (scripts/test.sh installs it)")
    from playwright import sync_api as playwright

    assert _shutil.which(CHROMIUM)
    app = create_app(Settings(db=water_db, rate_per_ip=0, rate_per_token=0, load_bundled=False))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with playwright.sync_playwright() as p:
            browser, page, outside, errors = _browser_page(p, base)
            page.goto(base + "/water")
            page.wait_for_function("window.ecozoneCharts && window.ecozoneCharts.length >= 2")
            assert page.locator("#water-sections tbody tr").count() == 16
            page.click("text=南刘庄")
            page.wait_for_url("**/water/sections/HB-BYD-NANLIUZHUANG*")
            page.wait_for_function("window.ecozoneCharts && window.ecozoneCharts.length >= 1")
            assert page.locator("#water-months tbody tr").count() == 12
            browser.close()
        assert not outside and not errors, (outside, errors)
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
