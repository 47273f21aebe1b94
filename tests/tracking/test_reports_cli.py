"""Review reports, roll-ups, alerts and the command line, on the fixture catalogue plus the
bundled official figures."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ecozone.ingest.observations import load_bundled
from ecozone.reports.review import clean_quote, review
from ecozone.tracking.alerts import alerts, near_bottom, record_snapshot
from ecozone.tracking.evaluate import TrackFilter, evaluate
from ecozone.tracking.rollup import league_table, matrix, rollup

from .conftest import add_obs


@pytest.fixture()
def loaded(full: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    load_bundled(full)
    return full


class Charts(HTMLParser):
    """The report's charts (matplotlib SVG, class "chart") and the ids of their parts."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, set[str]] = {}
        self.current: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg" and (a.get("class") or "").startswith("chart"):
            self.current = a.get("data-target") or ""
            self.charts[self.current] = set()
            self.depth = 0
        elif self.current is not None:
            if tag == "svg":
                self.depth += 1
            if a.get("id"):
                self.charts[self.current].add(re.sub(r"-\d+$", "", str(a["id"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            if self.depth:
                self.depth -= 1
            else:
                self.current = None


CJK = re.compile(r"[\u3400-\u9fff]")


def _strip_quotes(html: str) -> str:
    """The English page without the plan sentences (quoted in their original Chinese) and the
    sources' own names."""
    html = re.sub(r'<(p|td) class="quote">.*?</\1>', "", html, flags=re.S)
    return re.sub(r'<table class="vintages">.*?</table>', "", html, flags=re.S)


def test_review_report_workbook_and_html(loaded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    files = review(loaded, document="900", year=2024, out_dir=tmp_path)
    assert files.targets == 9
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames[:2] == ["汇总 Summary", "图表 Charts"]
    assert len(wb["图表 Charts"]._charts) == 1  # openpyxl's native chart
    assert {"大气环境", "水环境", "能源", "生态保护"} <= set(wb.sheetnames)
    summary = wb["汇总 Summary"]
    labels = [summary.cell(row=r, column=1).value for r in range(5, 15)]
    assert "● 提前达到（需保持）" in labels and "… 待目标年数据" in labels
    air = wb["大气环境"]
    header = [c.value for c in air[1]]
    assert "原文" in header and "出处" in header and "理由" in header and "达标概率%" in header
    assert air.auto_filter.ref and air.auto_filter.ref.startswith("A2:")
    body = list(air.iter_rows(min_row=3, values_only=True))
    ids = {r[header.index("编号")] for r in body}
    assert {"T900-001", "T900-002", "T900-008", "T900-009"} == ids
    pm = next(r for r in body if r[header.index("编号")] == "T900-001")
    assert pm[header.index("原文")] == "全省PM2.5平均浓度下降到38微克/立方米"
    for sheet in wb.worksheets[2:]:  # numbers rounded: never 0.7000000000000028
        for row in sheet.iter_rows(min_row=3, values_only=True):
            assert all(round(v, 2) == v for v in row if isinstance(v, float))
    rules = [r for cf in air.conditional_formatting for r in cf.rules]
    assert len(rules) == 9 and all(r.dxf.fill is not None for r in rules)

    rows = evaluate(loaded, TrackFilter(document="900"), as_of=2024)
    with_data = {r["target_id"] for r in rows if r["n_points"] and r["comparison"] != "qualitative"}
    for path in (files.html, files.html_en):
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html and "http://" not in html.split("<body>")[0]
        for section in ("summary", "cities", "charts", "needed", "conflicts", "method", "vintages", "all"):
            assert f'id="{section}"' in html, section
        parser = Charts()
        parser.feed(html)
        target_charts = {k: v for k, v in parser.charts.items() if not k.startswith("cities-")}
        assert set(target_charts) == with_data and files.charts == len(with_data)  # none without data
        assert all({"deadline", "observed"} <= parts for parts in target_charts.values())
        assert "@media print" in html
    en = files.html_en.read_text(encoding="utf-8")
    assert CJK.findall(_strip_quotes(en)) == []  # the English report reads fully in English
    assert "Executive summary" in en and "µg/m³" in en


def test_projection_band_drawn_when_ahead(loaded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    files = review(loaded, document="900", year=2023, out_dir=tmp_path)
    parser = Charts()
    parser.feed(files.html.read_text(encoding="utf-8"))
    assert "projection-band" in parser.charts["T900-001"]  # 2023: PM2.5 still above 38


def test_clean_quote() -> None:
    assert clean_quote("细颗粒物（PM _{2.5}）浓度 下降到 38 微克") == "细颗粒物（PM2.5）浓度下降到38微克"
    assert clean_quote("PM 2.5 and m^{3}") == "PM2.5 and m3"


def test_rollups_matrix_league(loaded: duckdb.DuckDBPyConnection) -> None:
    rows = evaluate(loaded, as_of=2026)
    kinds = rollup(rows, "kind")
    assert [g["key"] for g in kinds] == ["binding", "expected", "strive"]
    assert sum(g["total"] for g in kinds) == len(rows) == 9
    binding = kinds[0]
    assert binding["total"] == 6 and sum(binding[s] for s in (
        "achieved", "met_early", "on_track", "moderately_off_track", "off_track", "not_yet_due",
        "awaiting_data", "insufficient_data", "needs_judgement")) == 6
    domains, mat = matrix(rows)
    assert "air" in domains and {m["region_code"] for m in mat} == {"130000", "130100"}
    add_obs(loaded, "air.pm25_annual_mean", {2024: 40}, region="130200")
    add_obs(loaded, "air.pm25_annual_mean", {2024: 45}, region="131000")
    league = [r for r in league_table(loaded, as_of=2026) if r["indicator_id"] == "air.pm25_annual_mean"]
    assert [(r["region_code"], r["rank"]) for r in league] == [("130200", 1), ("131000", 2)]


def test_alerts_changes_binding_and_ranking(loaded: duckdb.DuckDBPyConnection) -> None:
    rows = evaluate(loaded, as_of=2026)
    assert not [a for a in alerts(loaded, rows, as_of=2026) if a["type"] == "status_change"]
    record_snapshot(loaded, rows, 2026)
    add_obs(loaded, "air.pm25_annual_mean", {2025: 39.5}, source_type="import")  # misses 38
    rows = evaluate(loaded, as_of=2026)
    found = alerts(loaded, rows, as_of=2026)
    change = [a for a in found if a["type"] == "status_change"]
    assert [(a["target_id"], a["from"], a["to"]) for a in change] == [("T900-001", "awaiting_data", "off_track")]
    assert any(a["type"] == "binding_off_track" and a["target_id"] == "T900-001" and a["severity"] == "alert"
               for a in found)
    near = near_bottom(loaded, as_of=2026)
    assert near and all(a["severity"] in ("alert", "warning") for a in near)
    assert any("石家庄" in a["message_zh"] for a in near)


def test_cli_track_json_summary_alerts_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecozone.cli import app

    monkeypatch.setenv("ECOZONE_DB", str(tmp_path / "t.duckdb"))
    monkeypatch.setenv("ECOZONE_LANG", "en")
    from ecozone.catalogue import loader

    fixture = loader.load_catalogue(Path(__file__).parents[1] / "fixtures" / "tracking" / "data")
    monkeypatch.setattr(loader, "packaged_catalogue", lambda: fixture)
    runner = CliRunner()
    res = runner.invoke(app, ["track", "--region", "河北省", "--year", "2026", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) == 7
    need = {"target_id", "region_name", "indicator_name", "target_year", "target_value", "latest_year",
            "latest_value", "status", "projected_value", "reason"}
    assert all(need <= set(r) for r in rows)
    assert rows[0]["reason"] == rows[0]["reason_en"]
    pm = next(r for r in rows if r["target_id"] == "T900-001")
    assert pm["latest_year"] == 2024 and pm["latest_value"] == 37.7 and pm["status"] == "awaiting_data"
    res = runner.invoke(app, ["track", "--status", "not_yet_due", "--format", "csv", "--year", "2026"])
    assert res.exit_code == 0 and res.output.count("\n") == 2 and "T900-007" in res.output
    res = runner.invoke(app, ["track", "--year", "2026"])
    assert res.exit_code == 0 and "T900-001" in res.output
    res = runner.invoke(app, ["track", "summary", "--year", "2026"])
    assert res.exit_code == 0 and "By kind" in res.output and "Region × domain" in res.output
    res = runner.invoke(app, ["alerts", "--year", "2026"])
    assert res.exit_code == 0 and "near" in res.output.lower()
    res = runner.invoke(app, ["report", "review", "--plan", "900", "--year", "2025", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "review_900_2025.xlsx").exists() and (tmp_path / "review_900_2025.html").exists()
    res = runner.invoke(app, ["obs", "template", "--out", str(tmp_path / "tpl.xlsx")])
    assert res.exit_code == 0 and (tmp_path / "tpl.xlsx").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("region,indicator,period,value\n火星,air.pm25_annual_mean,2024,1\n", encoding="utf-8")
    res = runner.invoke(app, ["obs", "import", str(bad)])
    assert res.exit_code == 2 and "unknown region" in res.output
    res = runner.invoke(app, ["obs", "judge", "T900-006", "--status", "on_track", "--reason", "稳定", "--by", "me",
                              "--year", "2025"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["track", "--plan", "900", "--format", "json", "--year", "2026"])
    assert next(r for r in json.loads(res.output) if r["target_id"] == "T900-006")["status"] == "on_track"
    res = runner.invoke(app, ["obs", "correct", "1", "--value", "44.7", "--reason", "typo", "--by", "me"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["obs", "history", "1", "--format", "json"])
    chain = json.loads(res.output)
    assert len(chain) == 2 and chain[0]["value"] in (44.8, 69.9) and chain[1]["value"] == 44.7
    assert chain[1]["supersedes"] == 1 and chain[1]["reason"] == "typo" and chain[1]["recorded_by"] == "me"


def test_p_meet_reads_the_same_in_the_table_and_the_reason(loaded: duckdb.DuckDBPyConnection) -> None:
    """The CLI's P(meet) column once rounded 0.585 to 59 % while the reason beside it, rounded down so
    that an off-track 0.4996 never reads 50 %, said 58 %: every face now uses one rounding."""
    from ecozone.tracking.reasons import p_meet_percent, reason_zh

    assert p_meet_percent(0.585) == 58
    assert p_meet_percent(0.4996) == 49
    assert p_meet_percent(0.8) == 80
    assert p_meet_percent(None) is None
    rows = evaluate(loaded, as_of=2023) + evaluate(loaded, as_of=2024)
    stated = [r for r in rows if "达标概率" in reason_zh(r)]
    assert stated
    for r in stated:
        assert f"达标概率{p_meet_percent(r['p_meet'])}%" in reason_zh(r), (r.get("target_id"), reason_zh(r))
