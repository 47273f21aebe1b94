"""The energy and carbon endpoints and the facility page: the same services as the CLI."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from tests.web.conftest import Seeded

ENERGY = ("region,year,fuel,quantity,unit\n河北省,2020,raw_coal,1000,t\n河北省,2020,wind,1000,MWh\n"
          "130000,2022,raw_coal,900,t\n130000,2022,wind,2000,MWh\n").encode()
GDP = b"region,year,gdp_constant\n130000,2020,1000\n130000,2022,1250\n"


def test_account_and_intensity_from_uploads(client: TestClient) -> None:
    res = client.post("/api/v1/energy/account", files={"file": ("e.csv", ENERGY, "text/csv")})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["count"] == 2 and body["items"][0]["tce_by_fuel"]["raw_coal"] == 714.3
    assert "GB/T 2589-2020" in body["editions"]["energy"]
    res = client.post("/api/v1/energy/intensity", params={"base_year": 2020},
                      files={"file": ("e.csv", ENERGY, "text/csv"), "gdp": ("g.csv", GDP, "text/csv")})
    assert res.status_code == 200, res.text
    rows = res.json()["items"]
    assert rows[1]["energy_intensity"] == rows[1]["tce_total"] / 1250
    assert rows[1]["energy_intensity_change_pct"] < 0


def test_row_errors_are_the_error_body(client: TestClient) -> None:
    res = client.post("/api/v1/energy/account", files={"file": ("e.csv", b"region,year,fuel,quantity,unit\n130000,2020,plutonium,1,t\n", "text/csv")})
    assert res.status_code in (400, 422)
    body = res.json()
    assert body["code"] == "bad_rows" and "plutonium" in str(body["detail"])
    res = client.post("/api/v1/energy/account", files={"file": ("e.txt", b"x", "text/plain")})
    assert res.status_code in (400, 415, 422)


def test_facilities_ledger_and_page(client: TestClient, db_copy: Path) -> None:
    res = client.get("/api/v1/carbon/facilities")
    assert res.status_code == 200 and res.json()["total"] == 93
    info = client.get("/api/v1/carbon/facilities/registry").json()
    assert info["stated_count"] == 94 and info["listed_count"] == 93
    res = client.get("/api/v1/carbon/ledger", params={"year": 2021})
    assert res.status_code == 200 and res.json()["total"]["facilities_with_data"] == 0
    page = client.get("/facilities")
    assert page.status_code == 200 and "三河发电有限责任公司" in page.text and "94" in page.text
    en = client.get("/facilities", params={"lang": "en"})
    assert "Carbon-market emitters" in en.text


def test_ledger_import_needs_an_editor_and_shows_on_the_page(client: TestClient, seeded: Seeded) -> None:
    ledger = b"facility,year,verified_emissions,allowance\nHB2022-001,2021,4500000,4600000\nHB2022-055,2021,5000000,4800000\n"
    res = client.post("/api/v1/carbon/ledger/import", files={"file": ("l.csv", ledger, "text/csv")})
    assert res.status_code == 401
    headers = {"Authorization": f"Bearer {seeded.tokens['editor']}"}
    res = client.post("/api/v1/carbon/ledger/import", files={"file": ("l.csv", ledger, "text/csv")}, headers=headers)
    assert res.status_code == 201, res.text
    led = client.get("/api/v1/carbon/ledger", params={"year": 2021}).json()
    assert led["total"]["balance_t"] == -100000 and led["total"]["shortfall_count"] == 1
    page = client.get("/facilities").text
    assert "chart-ledger" in page and "<td>-200,000</td>" in page and "<td>4,500,000</td>" in page
    assert "Balance (t)" not in page and "盈余(+)/缺口(−) (t)" in page
