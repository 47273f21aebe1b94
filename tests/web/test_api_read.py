"""The read API: every endpoint on the packaged catalogue and bundled figures, JSON and CSV,
cursor pagination, ETags, and the one error body."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from starlette.testclient import TestClient

from ecozone.air import service as air
from ecozone.store.db import connect

AIR = Path(__file__).resolve().parents[1] / "fixtures" / "air"


def _error(r: object, status: int, code: str) -> dict[str, object]:
    resp = r  # httpx.Response
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    body = resp.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "message_zh", "message_en", "detail"}
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    return body  # type: ignore[no-any-return]


def test_plans_and_health(client: TestClient) -> None:
    body = client.get("/api/v1/plans").json()
    docs = {d["document"]: d for d in body["items"]}
    assert body["total"] == 24 and "003-4.7" in docs and docs["002"]["targets"] > 0
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_targets_filters_match_the_cli(client: TestClient) -> None:
    # the README's Langfang example: two binding air targets of document 002
    body = client.get("/api/v1/targets", params={"region": "廊坊市", "domain": "air", "kind": "binding"}).json()
    assert [t["id"] for t in body["items"]] == ["T002-0016", "T002-0017"]
    assert body["items"][0]["target_value"] == 35
    by_year = client.get("/api/v1/targets", params={"region": "130000", "year": 2025, "document": "003",
                                                    "indicator": "air.pm25_annual_mean", "limit": 1000}).json()
    assert {t["id"] for t in by_year["items"]} >= {"T003-4.7-0006"}
    children = client.get("/api/v1/targets", params={"region": "130000", "with_children": True, "limit": 1}).json()
    own = client.get("/api/v1/targets", params={"region": "130000", "limit": 1}).json()
    assert children["total"] > own["total"]


def test_target_detail_has_evaluation_and_the_quote_in_its_paragraph(client: TestClient) -> None:
    from ecozone.tracking.status import Status

    t = client.get("/api/v1/targets/T003-4.7-0006").json()
    ev = t["evaluation"]
    assert ev["status"] in {s.value for s in Status} and ev["reason_zh"] and ev["reason_en"]
    assert ev["latest_year"] == 2024 and ev["latest_value"] == 37.7 and 0 <= ev["p_meet"] <= 1
    # the table row (primary) and the body sentence that restates it, each found in its paragraph
    primary, restated = t["statements"]
    assert primary["is_primary"] and primary["found"] and "37" in primary["match"] and "约束性" in primary["match"]
    assert not restated["is_primary"] and restated["found"] and "37" in restated["match"]
    stm = client.get("/api/v1/targets/T003-4.7-0006/statements").json()
    assert [s["match"] for s in stm["items"]] == [primary["match"], restated["match"]]
    # a record merged into this target stays resolvable by its old id; its page moves permanently
    assert client.get("/api/v1/targets/T003-4.7-0050").json()["id"] == "T003-4.7-0006"
    moved = client.get("/targets/T003-4.7-0050", params={"lang": "en"}, follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/targets/T003-4.7-0006?lang=en"


def test_regions_indicators(client: TestClient) -> None:
    cities = client.get("/api/v1/regions", params={"type": "prefecture_city", "parent": "130000"}).json()
    assert cities["total"] == 11
    assert client.get("/api/v1/regions/131000").json()["name_zh"] == "廊坊市"
    air_inds = client.get("/api/v1/indicators", params={"domain": "air", "limit": 1000}).json()["items"]
    assert "air.pm25_annual_mean" in {i["id"] for i in air_inds} and all(i["domain"] == "air" for i in air_inds)


def test_observations_and_history(client: TestClient) -> None:
    body = client.get("/api/v1/observations", params={"region": "130000", "indicator": "air.pm25_annual_mean",
                                                      "source_type": "bulletin"}).json()
    years = {o["year"]: o["value"] for o in body["items"]}
    assert years[2024] == 37.7
    obs_id = body["items"][0]["obs_id"]
    hist = client.get(f"/api/v1/observations/{obs_id}/history").json()
    assert [h["obs_id"] for h in hist["items"]] == [obs_id]


def test_tracking_verdicts_and_rollups(client: TestClient) -> None:
    rows = client.get("/api/v1/tracking", params={"region": "河北省", "kind": "binding", "limit": 1000}).json()["items"]
    pm = next(r for r in rows if r["target_id"] == "T003-4.7-0006")
    assert pm["status"] and pm["reason_en"] and pm["latest_year"] >= 2024
    only = client.get("/api/v1/tracking", params={"status": pm["status"], "limit": 1000}).json()["items"]
    assert only and {r["status"] for r in only} == {pm["status"]}
    summary = client.get("/api/v1/tracking/summary", params={"by": "domain"}).json()["items"]
    assert {"air", "water"} <= {g["key"] for g in summary}
    assert sum(g["total"] for g in summary) == client.get("/api/v1/tracking", params={
        "region": "130000", "with_children": True, "limit": 1}).json()["total"]
    league = client.get("/api/v1/tracking/league").json()
    assert league["total"] > 0 and {"rank", "region_code", "indicator_id"} <= set(league["items"][0])


def test_air_endpoints_on_station_data(db_copy: Path) -> None:
    con = connect(db_copy)
    air.import_files(con, sorted(AIR.glob("PRSA_Data_*_excerpt.csv")), "prsa")
    con.close()
    from tests.web.conftest import make_client

    with make_client(db_copy) as c:
        years = c.get("/api/v1/air/years").json()["items"]
        assert years and {y["stations"] for y in years} == {3}
        year = max(years, key=lambda y: y["station_hours"])["year"]  # the excerpt: 2014-12-31 .. 2015-01-09
        daily = c.get("/api/v1/air/daily", params={"start": f"{year}-01-01", "end": f"{year}-01-09",
                                                   "city": "北京市"}).json()
        assert daily["total"] == 9 and {d["city"] for d in daily["items"]} == {"110000"}
        annual = c.get("/api/v1/air/annual", params={"year": year}).json()["items"]
        assert annual[0]["city"] == "110000" and "composite_index" in annual[0]
        assert c.get("/api/v1/air/ranking", params={"year": year}).json()["items"][0]["city"] == "110000"
        assert c.get("/api/v1/engines").json()["total"] == 0  # nothing recorded as observations yet
        _error(c.get("/api/v1/air/daily", params={"start": "2015-01-10", "end": "2015-01-01"}), 400, "bad_input")
        _error(c.get("/api/v1/air/annual", params={"year": year, "city": "Atlantis"}), 404, "not_found")


def test_cursor_pagination_walks_every_row_once(client: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        r = client.get("/api/v1/targets", params=params)
        body = r.json()
        seen += [t["id"] for t in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            assert "link" not in r.headers
            break
        assert 'rel="next"' in r.headers["link"]
    con = client.app.state.ecozone.cursor()  # type: ignore[attr-defined]
    n_targets = con.execute("SELECT count(*) FROM target").fetchone()[0]
    assert len(seen) == len(set(seen)) == body["total"] == n_targets > 600
    assert pages == -(-n_targets // 200)


def test_csv_by_parameter_and_by_accept_header(client: TestClient) -> None:
    r = client.get("/api/v1/targets", params={"region": "131000", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == client.get("/api/v1/targets", params={"region": "131000"}).json()["total"]
    assert {"id", "quote", "target_value"} <= set(rows[0])
    r2 = client.get("/api/v1/plans", headers={"Accept": "text/csv"})
    assert r2.headers["content-type"].startswith("text/csv") and "document" in r2.text.splitlines()[0]


def test_etag_and_not_modified(client: TestClient) -> None:
    # a HEAD first must not leave an empty body in the cache for the GETs that follow
    assert client.head("/api/v1/targets/T002-0016").content == b""
    r = client.get("/api/v1/targets/T002-0016")
    etag = r.headers["etag"]
    again = client.get("/api/v1/targets/T002-0016", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/targets/T002-0017", headers={"If-None-Match": etag}).status_code == 200
    page = client.get("/cities/131000")
    assert client.get("/cities/131000", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    # pages may load nothing from another host (the browser enforces it too)
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_errors_share_one_body(client: TestClient) -> None:
    _error(client.get("/api/v1/targets/T999-0000"), 404, "not_found")
    body = _error(client.get("/api/v1/targets", params={"region": "亚特兰蒂斯"}), 404, "not_found")
    assert "亚特兰蒂斯" in str(body["message_zh"])
    _error(client.get("/api/v1/targets", params={"kind": "wishful"}), 400, "bad_input")
    _error(client.get("/api/v1/targets", params={"cursor": "%%%not-a-cursor"}), 400, "bad_input")
    _error(client.get("/api/v1/targets", params={"limit": 0}), 422, "invalid_request")
    _error(client.get("/api/v1/targets", params={"format": "xml"}), 422, "invalid_request")
    _error(client.get("/api/v1/regions/nowhere"), 404, "not_found")
    _error(client.get("/api/v1/observations/99999999/history"), 404, "not_found")
    _error(client.delete("/api/v1/targets/T002-0016"), 405, "method_not_allowed")
    _error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_tracking_from_the_snapshot_equals_a_fresh_evaluation(client: TestClient) -> None:
    from ecozone.tracking.evaluate import TrackFilter, evaluate

    st = client.app.state.ecozone  # type: ignore[attr-defined]
    for params in ({"region": "130000", "with_children": True, "domain": "air"}, {"region": "131000"},
                   {"kind": "binding", "document": "003", "year": 2025}, {"status": "awaiting_data"},
                   {"indicator": "air.pm25_annual_mean"}):
        fresh = evaluate(st.cursor(), TrackFilter(**params), as_of=st.snapshot().as_of)  # type: ignore[arg-type]
        api = client.get("/api/v1/tracking", params={**params, "limit": 1000}).json()["items"]
        assert [(r["target_id"], r["status"], r["reason_zh"]) for r in api] == [
            (r["target_id"], r["status"], r["reason_zh"]) for r in fresh], params
        assert len(api) > 3


def test_engines_list_what_each_engine_recorded(db_copy: Path) -> None:
    from tests.web.conftest import make_client

    con = connect(db_copy)
    air.import_files(con, sorted(AIR.glob("PRSA_Data_*_excerpt.csv")), "prsa")
    year = int(con.execute("SELECT min(year(TIMESTAMP '1970-01-01' + to_hours(hour))) FROM air_station_hour").fetchone()[0])  # type: ignore[index]
    air.record_annual(con, air.compute_annual(con, year), air.input_files(con, year))
    con.close()
    with make_client(db_copy) as c:
        (eng,) = c.get("/api/v1/engines").json()["items"]
        assert eng["engine"] == "ecozone.air" and eng["regions"] == 1 and "air.pm25_annual_mean" in eng["indicators"]
        assert eng["first_year"] == eng["last_year"] == year and eng["method"].startswith("HJ 663")
        computed = c.get("/api/v1/observations", params={"source_type": "computed", "region": "110000"}).json()
        assert computed["total"] == eng["observations"]
