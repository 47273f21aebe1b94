"""Writes: refused without a valid token of the right role, all or nothing, and every accepted
write in the append-only audit log; private reads; rate, size limits; ``ecozone users``."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from ecozone.cli import app as cli
from ecozone.store.db import connect
from tests.web.conftest import auth, make_client

GOOD_CSV = "region,indicator,period,value,source\n131000,air.pm25_annual_mean,2024,33.1,廊坊市2024年公报\n"
BAD_CSV = ("region,indicator,period,value\n131000,air.pm25_annual_mean,2024,33.1\n"
           "亚特兰蒂斯,air.pm25_annual_mean,2024,1\n131000,air.pm25_annual_mean,20x4,abc\n")


def _upload(client: TestClient, text: str, token: str | None, name: str = "langfang.csv") -> object:
    headers = auth(token) if token else {}
    return client.post("/api/v1/observations/import", files={"file": (name, text.encode(), "text/csv")},
                       headers=headers)


def _audit(where: TestClient | Path) -> list[tuple[object, ...]]:
    """The audit rows (user management left out), read through the app's own connection while
    it runs (DuckDB allows one configuration per file and process), else from the file."""
    sql = ("SELECT actor, role, action, object, before_json, after_json FROM audit_log "
           "WHERE action NOT LIKE 'user.%' ORDER BY audit_id")
    if isinstance(where, TestClient):
        return where.app.state.ecozone.con.cursor().execute(sql).fetchall()  # type: ignore[attr-defined,no-any-return]
    con = connect(where)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_writes_without_a_valid_token_are_refused(client: TestClient, tokens: dict[str, str], db_copy: Path) -> None:
    r = _upload(client, GOOD_CSV, None)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"  # type: ignore[attr-defined]
    assert _upload(client, GOOD_CSV, "ecz_wrong").status_code == 401  # type: ignore[attr-defined]
    r = client.post("/api/v1/observations/import", files={"file": ("a.csv", b"x")}, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    viewer = _upload(client, GOOD_CSV, tokens["viewer"])
    assert viewer.status_code == 403 and viewer.json()["detail"] == {"role": "viewer", "needs": "editor"}  # type: ignore[attr-defined]
    assert client.post("/api/v1/targets/T002-0016/judgements", json={"status": "achieved", "reason": "r", "year": 2024},
                       headers=auth(tokens["viewer"])).status_code == 403
    assert _audit(client) == []
    assert client.get("/api/v1/observations", params={"region": "131000", "source_type": "import"}).json()["total"] == 0


def test_accepted_import_is_written_and_audited(client: TestClient, tokens: dict[str, str], db_copy: Path) -> None:
    before = client.get("/api/v1/tracking", params={"region": "131000", "indicator": "air.pm25_annual_mean"}).json()
    r = _upload(client, GOOD_CSV, tokens["editor"])
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    report = r.json()  # type: ignore[attr-defined]
    assert report["rows"] == 1 and report["added"] == 1 and report["file"] == "langfang.csv"
    obs = client.get("/api/v1/observations", params={"region": "131000", "source_type": "import"}).json()["items"]
    assert [(o["value"], o["recorded_by"], o["source_id"]) for o in obs] == [(33.1, "editor-user", "langfang.csv")]
    # the cache and the tracking snapshot follow the write: the new value is the latest now
    after = client.get("/api/v1/tracking", params={"region": "131000", "indicator": "air.pm25_annual_mean"}).json()
    assert after["items"][0]["latest_value"] == 33.1 and before != after
    (row,) = _audit(client)
    assert row[:4] == ("editor-user", "editor", "observations.import", f"batch {report['batch_id']}")
    assert '"added": 1' in str(row[5]) and row[4] is None


def test_a_file_with_one_bad_row_writes_nothing(client: TestClient, tokens: dict[str, str], db_copy: Path) -> None:
    r = _upload(client, BAD_CSV, tokens["editor"])
    assert r.status_code == 422  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["code"] == "import_failed" and body["detail"]["error_count"] == 3
    assert {(e["row"], e["column"]) for e in body["detail"]["errors"]} == {(3, "region"), (4, "period"), (4, "value")}
    assert client.get("/api/v1/observations", params={"region": "131000", "source_type": "import"}).json()["total"] == 0
    assert _audit(client) == []
    assert _upload(client, "x", tokens["editor"], name="evil.exe").status_code == 415  # type: ignore[attr-defined]


def test_correction_and_judgement_keep_before_and_after(client: TestClient, tokens: dict[str, str], db_copy: Path) -> None:
    obs = client.get("/api/v1/observations", params={"region": "130000", "indicator": "air.pm25_annual_mean",
                                                     "year": 2024}).json()["items"][0]
    r = client.post(f"/api/v1/observations/{obs['obs_id']}/corrections",
                    json={"value": 37.6, "reason": "公报更正"}, headers=auth(tokens["editor"]))
    assert r.status_code == 201, r.text
    new_id = r.json()["obs_id"]
    hist = client.get(f"/api/v1/observations/{new_id}/history").json()["items"]
    assert [h["value"] for h in hist] == [obs["value"], 37.6] and hist[1]["supersedes"] == obs["obs_id"]
    again = client.post(f"/api/v1/observations/{obs['obs_id']}/corrections", json={"value": 1, "reason": "x"},
                        headers=auth(tokens["editor"]))
    assert again.status_code == 404  # already superseded
    j = client.post("/api/v1/targets/T003-4.7-0018/judgements",
                    json={"status": "on_track", "reason": "2024年调度会结论", "year": 2024}, headers=auth(tokens["editor"]))
    assert j.status_code == 201, j.text
    assert client.get("/api/v1/targets/T003-4.7-0018").json()["evaluation"]["status"] == "on_track"
    bad = client.post("/api/v1/targets/T003-4.7-0018/judgements", json={"status": "perfect", "reason": "r", "year": 2024},
                      headers=auth(tokens["editor"]))
    assert bad.status_code == 400 and bad.json()["code"] == "bad_input"
    rows = _audit(client)
    assert [r[2] for r in rows] == ["observation.correct", "target.judge"]
    assert '"value": 37.7' in str(rows[0][4]) and '"value": 37.6' in str(rows[0][5])


def test_audit_log_is_for_admins_and_revoked_tokens_fail(client: TestClient, tokens: dict[str, str], db_copy: Path) -> None:
    assert _upload(client, GOOD_CSV, tokens["editor"]).status_code == 201  # type: ignore[attr-defined]
    assert client.get("/api/v1/audit", headers=auth(tokens["editor"])).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
    log = client.get("/api/v1/audit", headers=auth(tokens["admin"])).json()["items"]
    assert log[0]["action"] == "observations.import" and log[0]["after"]["added"] == 1
    assert client.get("/api/v1/me", headers=auth(tokens["editor"])).json()["role"] == "editor"
    # revoke with the CLI (the service is the same); the store is shared by file
    client.close()
    res = CliRunner().invoke(cli, ["users", "revoke", "editor-user", "--db", str(db_copy)])
    assert res.exit_code == 0, res.output
    with make_client(db_copy) as c2:
        r = _upload(c2, GOOD_CSV, tokens["editor"])
        assert r.status_code == 401 and r.json()["detail"]["reason"] == "unknown or revoked token"  # type: ignore[attr-defined]
        assert c2.get("/api/v1/audit", params={"action": "token.revoke"}, headers=auth(tokens["admin"])).json()["total"] == 1


def test_users_cli_creates_lists_and_refuses_bad_roles(db_copy: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["users", "create", "zhang", "--role", "editor", "--db", str(db_copy)])
    assert res.exit_code == 0, res.output
    token = next(w for w in res.output.split() if w.startswith("ecz_"))
    listed = runner.invoke(cli, ["users", "list", "--format", "json", "--db", str(db_copy)])
    assert '"zhang"' in listed.output and token not in listed.output
    con = connect(db_copy, read_only=True)
    stored = con.execute("SELECT token_sha256 FROM api_token t JOIN api_user u USING (user_id) WHERE name = 'zhang'").fetchall()
    con.close()
    assert len(stored) == 1 and stored[0][0] != token and len(stored[0][0]) == 64
    bad = runner.invoke(cli, ["users", "create", "li", "--role", "superuser", "--db", str(db_copy)])
    assert bad.exit_code == 2 and "未知角色 'superuser'" in bad.output
    dup = runner.invoke(cli, ["users", "create", "zhang", "--db", str(db_copy)])
    assert dup.exit_code == 2


def test_private_reads_need_a_token(db_copy: Path, tokens: dict[str, str]) -> None:
    with make_client(db_copy, public_reads=False) as c:
        assert c.get("/api/v1/plans").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/v1/plans", headers=auth(tokens["viewer"])).status_code == 200


def test_rate_limits_and_body_size(db_copy: Path, tokens: dict[str, str]) -> None:
    with make_client(db_copy, rate_per_ip=0.05, burst_per_ip=3) as c:  # one more every 20 s
        codes = [c.get("/api/v1/health").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        r = c.get("/api/v1/health")
        assert r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
    with make_client(db_copy, rate_per_token=0.05, burst_per_token=1) as c:
        h = auth(tokens["editor"])
        body = {"status": "on_track", "reason": "r", "year": 2024}
        assert c.post("/api/v1/targets/T003-4.7-0018/judgements", json=body, headers=h).status_code == 201
        assert c.post("/api/v1/targets/T003-4.7-0018/judgements", json=body, headers=h).status_code == 429
    with make_client(db_copy, max_upload_bytes=1000, max_body_bytes=200) as c:
        big = GOOD_CSV + "131000,air.pm25_annual_mean,2023,33.1\n" * 100
        r = _upload(c, big, tokens["editor"])
        assert r.status_code == 413 and r.json()["code"] == "too_large"  # type: ignore[attr-defined]
        r = c.post("/api/v1/targets/T003-4.7-0018/judgements", json={"status": "on_track", "reason": "x" * 500,
                                                                      "year": 2024}, headers=auth(tokens["editor"]))
        assert r.status_code == 413
    assert _audit(db_copy)[-1][2] == "target.judge" and len(_audit(db_copy)) == 1


def test_a_request_past_the_time_limit_gets_503(db_copy: Path) -> None:
    # a fresh evaluation of every target for another year takes far longer than 1 ms
    with make_client(db_copy, request_timeout_s=0.001) as c:
        r = c.get("/api/v1/tracking", params={"as_of": 2023})
        assert r.status_code == 503 and r.json()["code"] == "timeout"


def test_needs_template_filled_and_uploaded_closes_the_loop(client: TestClient, tokens: dict[str, str]) -> None:
    """needs → the pre-filled template → one value filled in → upload: that need is gone."""
    import io

    from openpyxl import load_workbook

    needs = client.get("/api/v1/needs", params={"region": "131000", "limit": 1000}).json()
    assert needs["total"] > 0
    r = client.get("/api/v1/needs/template.xlsx", params={"region": "131000"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["observations"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == needs["total"]
    first = dict(zip(header, rows[0], strict=False))
    ws.cell(row=2, column=header.index("value") + 1, value=50)
    ws.cell(row=2, column=header.index("source") + 1, value="测试公报")
    buf = io.BytesIO()
    wb.save(buf)
    up = client.post("/api/v1/observations/import", headers=auth(tokens["editor"]),
                     files={"file": ("needs.xlsx", buf.getvalue(), "application/octet-stream")})
    assert up.status_code == 201, up.text
    assert up.json()["added"] == 1  # rows left without a value are skipped
    after = client.get("/api/v1/needs", params={"region": "131000", "limit": 1000}).json()["items"]
    assert (first["region"], first["indicator"], int(first["period"])) not in {
        (n["region_code"], n["indicator_id"], n["year"]) for n in after}
    empty = client.get("/api/v1/observations/template.xlsx")
    assert empty.status_code == 200 and load_workbook(io.BytesIO(empty.content))["observations"].max_row >= 1
