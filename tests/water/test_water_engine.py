"""Water data in (every import error), a generated basin-year through the service, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ecozone.cli import app
from ecozone.errors import InputError
from ecozone.ingest.water import read_file, write_template
from ecozone.store.db import connect
from ecozone.water import service
from tests.water.basin import limit, section_rows, write

HEADER = "section,name,water_type,region,date,item,value\n"
REPO = Path(__file__).resolve().parents[2]


def _csv(tmp_path: Path, body: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


@pytest.mark.parametrize(("body", "column", "reason"), [
    ("S1,甲,river,保定市,2024-01,foo,1\n", "item", "unknown item"),
    ("S1,甲,river,保定市,2024-13,codmn,1\n", "date", "malformed date"),
    ("S1,甲,river,保定市,24/1,codmn,1\n", "date", "malformed date"),
    ("S1,甲,river,保定市,2024-01,codmn,abc\n", "value", "not a number"),
    ("S1,甲,river,保定市,2024-01,codmn,-1\n", "value", "negative"),
    ("S1,甲,river,保定市,2024-01,ph,15\n", "value", "pH outside"),
    ("S1,甲,sea,保定市,2024-01,codmn,1\n", "water_type", "river or lake"),
    ("S1,甲,river,火星市,2024-01,codmn,1\n", "region", "unknown region"),
    (",甲,river,保定市,2024-01,codmn,1\n", "section", "missing section"),
    ("S1,甲,river,保定市,2024-01,codmn,1\nS1,甲,river,保定市,2024-01,codmn,2\n", "section,date,item", "different value"),
    ("S1,甲,river,保定市,2024-01,codmn,1\nS1,甲,lake,保定市,2024-02,codmn,1\n", "water_type", "two water types"),
])
def test_each_row_error_is_named_and_nothing_is_written(tmp_path: Path, body: str, column: str, reason: str) -> None:
    con = connect(":memory:")
    with pytest.raises(InputError) as exc:
        service.import_files(con, [_csv(tmp_path, body)])
    assert exc.value.column == column and reason in exc.value.detail[0]
    assert exc.value.file and exc.value.row is not None and exc.value.exit_code == 2
    assert con.execute("SELECT count(*) FROM water_sample").fetchone() == (0,)


def test_missing_columns(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text("section,date,item\nS1,2024-01,codmn\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        service.import_files(connect(":memory:"), [p])
    assert "water_type" in str(exc.value.column) and "value" in str(exc.value.column)


def test_below_detection_limit_and_identical_duplicate(tmp_path: Path) -> None:
    p = _csv(tmp_path, "S1,甲,river,保定市,2024-01,hg,0.00004L\nS1,甲,river,保定市,2024-01,cu,<0.01\n"
                       "S1,甲,river,保定市,2024-01,cu,<0.01\n")
    r = read_file(duckdb.connect(), p)
    values = dict(zip(r.samples.column("item").to_pylist(), r.samples.column("value").to_pylist(), strict=True))
    assert values == {"cu": 0.005, "hg": 0.00002}
    assert all(r.samples.column("below_dl").to_pylist())
    assert [i.severity for i in r.issues] == ["warning"]


def test_all_or_nothing_over_files_and_conflicts_with_the_store(tmp_path: Path) -> None:
    con = connect(":memory:")
    good = _csv(tmp_path, "S1,甲,river,保定市,2024-01,codmn,3\n", "good.csv")
    bad = _csv(tmp_path, "S2,乙,river,保定市,2024-01,codmn,x\n", "bad.csv")
    with pytest.raises(InputError):
        service.import_files(con, [good, bad])
    assert con.execute("SELECT count(*) FROM water_sample").fetchone() == (0,)
    assert service.import_files(con, [good]).samples_added == 1
    assert service.import_files(con, [good]).samples_unchanged == 1
    changed = _csv(tmp_path, "S1,甲,river,保定市,2024-01,codmn,4\n", "changed.csv")
    with pytest.raises(InputError) as exc:
        service.import_files(con, [changed])
    assert "differs from the stored" in exc.value.detail[0]
    # a registered lake cannot arrive as a river
    lake_as_river = _csv(tmp_path, "HB-BYD-QUANTOU,圈头,river,雄安新区,2024-01,tp,0.04\n", "l.csv")
    with pytest.raises(InputError) as exc:
        service.import_files(con, [lake_as_river])
    assert "registered as lake" in exc.value.detail[0]


def test_wide_template_round_trip(tmp_path: Path) -> None:
    out = write_template(tmp_path / "t.xlsx", [{"code": "S1", "name_zh": "甲", "water_type": "river",
                                                "region_code": "130600", "level": "national"}], 2024)
    wb = load_workbook(out)
    ws = wb["数据"]
    head = [c.value for c in ws[1]]
    ws.cell(row=3, column=head.index("codmn") + 1, value=7.0)      # January: class Ⅳ
    ws.cell(row=3, column=head.index("hg") + 1, value="0.00004L")
    ws.cell(row=4, column=head.index("codmn") + 1, value=5.0)      # February
    wb.save(out)
    con = connect(":memory:")
    summary = service.import_files(con, [out])
    assert summary.samples_added == 3
    rows = service.assess(con, 2024)
    assert rows[0]["class"] == "III" and rows[0]["samples"] == 2   # mean CODMn 6.0: on the Ⅲ limit
    assert service.assess(con, 2024, (1, 1))[0]["class"] == "IV"


def test_national_release_layout(tmp_path: Path) -> None:
    p = tmp_path / "auto.csv"
    p.write_text(
        "省份,流域,断面名称,监测时间,水质类别,水温,pH,溶解氧,电导率,浊度,高锰酸盐指数,氨氮,总磷,总氮,叶绿素α,藻密度,站点情况\n"
        "河北省,海河流域,白河后城,01-05 08:00,Ⅱ,2.1,8.1,11.2,400,3,2.1,0.12,0.03,3.2,--,--,正常\n"
        "河北省,海河流域,白河后城,01-05 12:00,Ⅱ,2.3,8.2,11.0,401,3,2.3,0.14,0.05,3.1,0.002,--,正常\n",
        encoding="utf-8")
    con = connect(":memory:")
    service.import_files(con, [p], year=2024)
    rows = service.assess(con, 2024, (1, 1))
    assert [r["section"] for r in rows] == ["HB-MY-BAIHE-HOUCHENG"]       # matched to the registry by name
    assert rows[0]["class"] == "II" and rows[0]["target_class"] == "II"   # CODMn 2.2, TP 0.04
    chla = con.execute("SELECT value FROM water_sample WHERE item = 'chla'").fetchone()
    assert chla == (2.0,)                                                 # 0.002 mg/L = 2 mg/m³


def _basin(tmp_path: Path) -> Path:
    """A generated basin-year: classes known by design (on-limit means belong to the better class)."""
    rows = []
    rows += section_rows("B1", "一", "river", "保定市", "national", 2024, {"codmn": limit("codmn", 1)})      # Ⅰ
    rows += section_rows("B2", "二", "river", "保定市", "national", 2024, {"nh3_n": limit("nh3_n", 3)})     # Ⅲ
    rows += section_rows("B3", "三", "river", "保定市", "provincial", 2024, {"cod": limit("cod", 4)})       # Ⅳ
    rows += section_rows("B4", "四", "river", "廊坊市", "provincial", 2024, {"do": 2.0})                    # Ⅴ
    rows += section_rows("B5", "五", "river", "廊坊市", "national", 2024, {"tp": 0.41, "cd": 0.006})        # 劣Ⅴ
    rows += section_rows("B6", "六", "lake", "雄安新区", "national", 2024, {"tp": 0.05, "tn": 2.5})          # Ⅲ, TN 劣Ⅴ
    return write(tmp_path / "basin.csv", rows)


def test_generated_basin_year(tmp_path: Path) -> None:
    con, _ = service.memory_store([_basin(tmp_path)])
    rows = {r["section"]: r for r in service.assess(con, 2024)}
    assert {k: r["class"] for k, r in rows.items()} == {"B1": "I", "B2": "III", "B3": "IV", "B4": "V",
                                                        "B5": "劣V", "B6": "III"}
    assert rows["B6"]["tn_class"] == "劣V" and rows["B6"]["trophic_state"] is not None
    assert rows["B5"]["main_pollutants"][0] == "cd"            # heavy metal first
    assert rows["B5"]["exceeding"][0]["item"] == "tp" and rows["B5"]["exceeding"][0]["multiple"] == 1.05
    assert all(r["samples"] == 12 and r["enough_samples"] for r in rows.values())
    total = service.summary(con, 2024)[0]
    assert (total["sections"], total["good"], total["worse_v"]) == (6, 3, 1)
    # 6 sections, so the shares decide (Table 2): Ⅰ-Ⅲ 50 % < 75 %, 劣Ⅴ 16.7 % < 20 % → 轻度污染
    assert total["share_good"] == 50.0 and total["quality"] == "轻度污染" and total["description_method"] == "shares"
    cities = service.cwqi_cities(con, 2024)
    assert [c["rank"] for c in cities] == [1, 2, 3]
    obs = service.observations_table(con, 2024, ["basin.csv"]).to_pylist()
    ratio = {(o["region_code"], o["indicator_id"]): o["value"] for o in obs}
    assert ratio[("130000", "water.national_section_good_ratio")] == 75.0   # B1, B2, B6 of 4 national
    assert ratio[("130000", "water.national_provincial_section_inferior_v_ratio")] == pytest.approx(100 / 6)
    assert ratio[("130000", "water.class_v_section_ratio")] == pytest.approx(100 / 6)   # B4: class Ⅴ exactly
    assert ratio[("130600", "water.surface_good_ratio")] == pytest.approx(200 / 3)      # B1, B2 of B1-B3


def test_cli_assess_summary_cwqi_and_record(tmp_path: Path, db_path: Path) -> None:
    runner = CliRunner()
    example = REPO / "examples" / "water" / "hebei_2024_monthly.csv"
    res = runner.invoke(app, ["water", "assess", "--year", "2024", "--input", str(example), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = {r["section"]: r for r in json.loads(res.stdout)}
    assert data["HB-BYD-NANLIUZHUANG"]["class"] == "IV" and data["HB-BYD-NANLIUZHUANG"]["meets_target"] is False
    assert data["EX-LF-LONGHE"]["class_label"] == "劣Ⅴ类"
    res = runner.invoke(app, ["water", "import", str(example)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["water", "cwqi", "--year", "2024", "--record", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith("city,city_name")
    res = runner.invoke(app, ["track", "--region", "water.baiyangdian", "--format", "json"])
    assert res.exit_code == 0, res.output
    verdicts = {t["target_id"]: t for t in json.loads(res.stdout)}
    # 淀区考核断面水质达到地表水Ⅲ类 (2025): the recorded lake class of 2024 is what tracking reads
    baiyangdian = verdicts["T000-0014"]
    assert (baiyangdian["latest_year"], baiyangdian["latest_value"]) == (2024, 3.0)
    assert baiyangdian["status"] not in ("off_track", "moderately_off_track", "insufficient_data")
    bad = _csv(tmp_path, "S1,甲,river,保定市,2024-01,codmn,abc\n")
    res = runner.invoke(app, ["water", "assess", "--year", "2024", "--input", str(bad)])
    assert res.exit_code == 2 and "not a number" in res.output


def test_section_registry_import_and_errors(tmp_path: Path, db_path: Path) -> None:
    good = tmp_path / "sections.csv"
    good.write_text("code,name_zh,water_type,region,level,groups,targets\n"
                    "X1,新断面,river,保定市,provincial,water.baiyangdian;basin.baiyangdian,2025:Ⅲ类;2023:4\n",
                    encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["water", "sections", "import", str(good)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["water", "sections", "list", "--format", "json"])
    rows = {r["code"]: r for r in json.loads(res.stdout)}
    assert rows["X1"]["targets"] == "2023:4;2025:3" and rows["X1"]["groups"] == ["water.baiyangdian", "basin.baiyangdian"]
    assert rows["HB-BYD-QUANTOU"]["water_type"] == "lake"                  # the packaged registry
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_zh,water_type,region,level,targets\n"
                   "X2,乙,sea,保定市,county,2025:劣V\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        service.read_section_file(bad)
    reasons = " ".join(exc.value.detail)
    assert "target must be" in reasons and "water_type" in reasons and "level must be" in reasons
    res = runner.invoke(app, ["water", "sections", "import", str(bad)])
    assert res.exit_code == 2


def test_record_twice_changes_nothing(tmp_path: Path) -> None:
    con = connect(":memory:")
    from ecozone.store.catalogue_load import ensure_loaded

    ensure_loaded(con)
    service.import_files(con, [_basin(tmp_path)])
    first = service.record(con, 2024)
    again = service.record(con, 2024)
    assert first.added > 0 and (again.added, again.superseded) == (0, 0) and again.unchanged == first.added
    # indicators a catalogue version may lack are left out and named, never written under another id
    assert set(first.skipped_indicators) <= {"water.surface_good_ratio", "water.inferior_v_section_ratio"}
    row = con.execute("SELECT method, method_version, source_detail FROM observation_current "
                      "WHERE indicator_id = 'water.cwqi' AND source_id = 'ecozone.water' LIMIT 1").fetchone()
    assert row is not None and "2017" in row[0] and row[1].startswith("ecozone-water") and "basin.csv" in row[2]


def test_template_and_section_commands(tmp_path: Path, db_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "模板.xlsx"
    res = runner.invoke(app, ["water", "template", "--out", str(out), "--year", "2025"])
    assert res.exit_code == 0, res.output
    ws = load_workbook(out)["数据"]
    assert ws.max_row == 2 + 12 * 13                  # the 13 packaged sections, twelve months each
    example = REPO / "examples" / "water" / "hebei_2024_monthly.csv"
    res = runner.invoke(app, ["water", "section", "南刘庄", "--year", "2024", "--input", str(example), "--format", "json"])
    assert res.exit_code == 0, res.output
    months = json.loads(res.stdout)
    assert len(months) == 12 and {m["class"] for m in months} == {"IV"}


def test_drinking_water_sources_at_class_iii_or_better(tmp_path: Path) -> None:
    """Share of the registered drinking-water sources at Ⅲ or better: B2 (Ⅲ) complies, B3 (Ⅳ) does not."""
    con = connect(":memory:")
    registry = tmp_path / "sources.csv"
    registry.write_text("code,name_zh,water_type,region,level,drinking_source\n"
                        "B2,二,river,保定市,national,是\nB3,三,river,保定市,provincial,true\n", encoding="utf-8")
    service.upsert_sections(con, service.read_section_file(registry))
    service.import_files(con, [_basin(tmp_path)])
    obs = service.observations_table(con, 2024, ["basin.csv"]).to_pylist()
    share = {o["region_code"]: o["value"] for o in obs if o["indicator_id"] == "water.urban_drinking_source_compliance"}
    assert share == {"130600": 50.0, "130000": 50.0}


def test_cwqi_change_against_a_base_year(tmp_path: Path) -> None:
    """Baoding worsens from 2023 to 2024 (ΔCWQI > 0); Xiong'an's lake point stays the same."""
    rows = section_rows("B1", "一", "river", "保定市", "national", 2023, {"codmn": 2.0})
    rows += section_rows("B6", "六", "lake", "雄安新区", "national", 2023, {"tp": 0.05, "tn": 2.5})
    base = write(tmp_path / "base.csv", rows)
    con, _ = service.memory_store([_basin(tmp_path), base])
    cities = {c["city"]: c for c in service.cwqi_cities(con, 2024, base_year=2023)}
    bd, xa = cities["130600"], cities["133100"]
    assert bd["change_pct"] == pytest.approx((bd["cwqi"] - bd["base_cwqi"]) / bd["base_cwqi"] * 100, abs=0.01)
    assert bd["change_pct"] > 0 and xa["change_pct"] == pytest.approx(0.0, abs=1e-9)
    assert xa["change_rank"] == 1 and bd["change_rank"] == 2


def test_published_class_is_cross_checked(tmp_path: Path) -> None:
    """The release says Ⅱ on a row whose TP of 0.15 mg/L is class Ⅲ: a warning, not an error."""
    p = tmp_path / "auto.csv"
    p.write_text(
        "省份,流域,断面名称,监测时间,水质类别,水温,pH,溶解氧,电导率,浊度,高锰酸盐指数,氨氮,总磷,总氮,叶绿素α,藻密度,站点情况\n"
        "河北省,海河流域,白河后城,2024-01-05 08:00,Ⅱ,2.1,8.1,11.2,400,3,2.1,0.12,0.03,3.2,--,--,正常\n"
        "河北省,海河流域,白河后城,2024-01-05 12:00,Ⅱ,2.3,8.2,11.0,401,3,2.3,0.14,0.15,3.1,--,--,正常\n",
        encoding="utf-8")
    summary = service.import_files(connect(":memory:"), [p])
    assert [(w.line, w.value) for w in summary.warnings] == [(3, "II")]
    assert "gives III" in summary.warnings[0].reason


def test_excluded_items_never_decide_the_class(tmp_path: Path) -> None:
    """一(一)1: water temperature, total nitrogen and faecal coliform do not count (river or lake);
    the lake's TN and the coliform are reported on their own."""
    rows = section_rows("R", "河", "river", "保定市", "national", 2024, {"tn": 5.0, "fecal_coliform": 100000, "wt": 30})
    rows += section_rows("L", "湖", "lake", "雄安新区", "national", 2024, {"tn": 5.0, "fecal_coliform": 100000})
    con, _ = service.memory_store([write(tmp_path / "x.csv", rows)])
    got = {r["section"]: r for r in service.assess(con, 2024)}
    assert got["R"]["class"] == "I" and got["R"]["tn_class"] is None and got["R"]["fecal_coliform_class"] == "劣V"
    assert got["L"]["class"] == "I" and got["L"]["tn_class"] == "劣V" and got["L"]["exceeding"] == []


def test_registry_refers_to_known_regions() -> None:
    """Every city and group code of the packaged sections is a region of the catalogue, so the
    recorded observations meet their targets (a renamed region code would fail here)."""
    from ecozone.ingest.stations import region_names

    known = region_names()
    for s in service.packaged_sections():
        assert s["region_code"] in known, s["code"]
        assert all(g in known for g in s["groups"]), s["code"]
        assert s["water_type"] in ("river", "lake") and s["level"] in ("national", "provincial", "municipal")
        assert all(1 <= c <= 5 for c in s["targets"].values())


def test_chinese_headers_and_item_names(tmp_path: Path) -> None:
    p = tmp_path / "zh.csv"
    p.write_text("断面编码,断面名称,水体类型,所属城市,日期,项目,监测值\n"
                 "S1,甲,河流,保定市,2024-01,高锰酸盐指数,4.5\nS1,甲,河流,保定市,2024-01,NH3-N,0.5\n"
                 "S1,甲,河流,保定市,2024-01,总磷（以P计）,0.1\nS1,甲,湖库,保定市,2024-02,pH值,7\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:   # the same section as river and lake
        service.import_files(connect(":memory:"), [p])
    assert exc.value.column == "water_type"
    p.write_text(p.read_text(encoding="utf-8").replace("湖库", "河流"), encoding="utf-8")
    con = connect(":memory:")
    service.import_files(con, [p])
    assert sorted(r[0] for r in con.execute("SELECT item FROM water_sample").fetchall()) == ["codmn", "nh3_n", "ph", "tp"]


def test_not_detected_without_a_limit_says_how_to_write_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        service.import_files(connect(":memory:"), [_csv(tmp_path, "S1,甲,river,保定市,2024-01,hg,未检出\n")])
    assert "0.01L" in exc.value.detail[0]


@pytest.mark.parametrize(("content", "reason"), [
    (b"notazip", "not a readable Excel workbook"),
])
def test_unreadable_files_are_input_errors(tmp_path: Path, content: bytes, reason: str) -> None:
    p = tmp_path / "broken.xlsx"
    p.write_bytes(content)
    for call in (lambda: service.import_files(connect(":memory:"), [p]), lambda: service.read_section_file(p)):
        with pytest.raises(InputError) as exc:
            call()
        assert reason in exc.value.en and exc.value.exit_code == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError):
        service.import_files(connect(":memory:"), [empty])


def test_a_file_that_places_a_registered_section_elsewhere_gets_a_warning(tmp_path: Path) -> None:
    p = _csv(tmp_path, "HB-BYD-QUANTOU,圈头,lake,保定市,2024-01,tp,0.04\n")
    summary = service.import_files(connect(":memory:"), [p])
    assert [(w.column, w.value) for w in summary.warnings] == [("region", "130600")]


def test_reads_survive_a_half_read_result_on_the_connection(tmp_path: Path) -> None:
    """A shared connection (the API's per-thread cursor) may hold a half-read result: the
    assessment reads on a cursor of its own, so it still works."""
    con, _ = service.memory_store([_basin(tmp_path)])
    con.execute("SELECT 1 UNION ALL SELECT 2").fetchone()   # left unfinished
    assert len(service.assess(con, 2024)) == 6
    con.execute("SELECT 1 UNION ALL SELECT 2").fetchone()
    assert len(service.monthly_classes(con, "B1", 2024)) == 12
