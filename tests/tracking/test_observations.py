"""Observations: bundled official figures, user imports with every error, the template, history."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from ecozone.ingest.observations import ImportFailed, import_file, load_bundled, write_template
from ecozone.store.observations import correct_observation, history


def count(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> int:
    row = con.execute(f"SELECT count(*) FROM observation WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def test_bundled_figures_load_with_sources_and_partial_flags(full: duckdb.DuckDBPyConnection) -> None:
    res = load_bundled(full)
    assert res is not None and res.rows == 183
    assert res.loaded == res.written.added > 0
    # the trimmed test dictionaries lack most indicators: those rows are skipped with a reason
    assert all("dictionary" in s for s in res.skipped)
    rows = full.execute(
        "SELECT period, year, quality_flag, source_id, quote FROM observation "
        "WHERE source_type = 'bulletin' AND region_code = '130000' AND indicator_id = 'air.pm25_annual_mean'"
    ).fetchall()
    assert ("2024", 2024) in {(p, y) for p, y, *_ in rows}
    assert all(src.startswith("http") and quote for *_, src, quote in rows)
    partial = full.execute(
        "SELECT period, quality_flag FROM observation WHERE source_type = 'bulletin' AND quality_flag LIKE 'partial%'"
    ).fetchall()
    assert partial and all(p.endswith("-01..11") for p, _ in partial)
    assert load_bundled(full) is None  # unchanged: nothing to do
    again = load_bundled(full, force=True)
    assert again is not None and again.written.added == 0 and again.written.unchanged == res.loaded


def test_correction_supersedes_and_keeps_history(full: duckdb.DuckDBPyConnection) -> None:
    (old,) = full.execute("SELECT obs_id FROM observation WHERE source_id = 'A900-001'").fetchone()  # type: ignore[misc]
    new = correct_observation(full, old, value=44.9, recorded_by="王五", reason="公报更正")
    chain = history(full, old)
    assert [r["obs_id"] for r in chain] == [old, new]
    assert chain[0]["value"] == 44.8 and chain[1]["value"] == 44.9
    assert chain[1]["supersedes"] == old and chain[1]["recorded_by"] == "王五" and chain[1]["reason"] == "公报更正"
    current = full.execute("SELECT value FROM observation_current WHERE source_id = 'A900-001'").fetchall()
    assert current == [(44.9,)]
    with pytest.raises(LookupError):
        correct_observation(full, old, value=1, recorded_by="x", reason="again")


HEADER = "region,indicator,period,value,unit,measure,base_year,source\n"


def write(tmp_path: Path, body: str, name: str = "obs.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_valid_import_then_reimport_supersedes(full: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    before = count(full)
    p = write(tmp_path, "河北省,air.pm25_annual_mean,2024,37.7,µg/m³,,,公报\n"
                        "130100,PM2.5浓度,2024,41,,,,\n"
                        "廊坊,air.pm25_annual_mean,2024-01..11,39,µg/m³,,,\n"
                        "130000,energy.energy_intensity,2024,14.2,%,reduce_by_pct,2020,\n")
    res = import_file(full, p, recorded_by="tester")
    assert res.rows == 4 and res.written.added == 4 and count(full) == before + 4
    assert full.execute("SELECT count(*) FROM import_batch").fetchone() == (1,)
    flags = dict(full.execute("SELECT period, quality_flag FROM observation WHERE source_type = 'import'").fetchall())
    assert flags["2024-01..11"] == "partial_year" and flags["2024"] == "ok"
    p = write(tmp_path, "河北省,air.pm25_annual_mean,2024,37.6,µg/m³,,,公报更正\n")
    res = import_file(full, p, recorded_by="tester")
    assert res.written.superseded == 1
    (value,) = full.execute(
        "SELECT value FROM observation_current WHERE source_type = 'import' AND region_code = '130000' "
        "AND indicator_id = 'air.pm25_annual_mean'").fetchone()  # type: ignore[misc]
    assert value == 37.6


@pytest.mark.parametrize(("body", "column", "words"), [
    ("火星,air.pm25_annual_mean,2024,37,µg/m³,,,\n", "region", "unknown region"),
    ("130000,air.nothing,2024,37,µg/m³,,,\n", "indicator", "unknown indicator"),
    ("130000,air.pm25_annual_mean,2024,37,mg/m³,,,\n", "unit", "does not match"),
    ("130000,air.pm25_annual_mean,2024,abc,µg/m³,,,\n", "value", "bad number"),
    ("130000,air.pm25_annual_mean,24,37,µg/m³,,,\n", "period", "bad period"),
    ("130000,air.pm25_annual_mean,2024,37,µg/m³,,,\n130000,air.pm25_annual_mean,2024,38,µg/m³,,,\n",
     "period", "duplicate period"),
    ("130000,energy.energy_intensity,2024,14,%,reduce_by_pct,,\n", "base_year", "needs base_year"),
    ("130000,air.pm25_annual_mean,2024,37,µg/m³,halved,,\n", "measure", "unknown measure"),
])
def test_each_import_error_is_reported_and_nothing_written(
    full: duckdb.DuckDBPyConnection, tmp_path: Path, body: str, column: str, words: str
) -> None:
    before = count(full)
    good = "130100,air.pm25_annual_mean,2023,44,µg/m³,,,\n"
    with pytest.raises(ImportFailed) as info:
        import_file(full, write(tmp_path, good + body))
    errors = info.value.errors
    assert any(e.column == column and words in e.en and e.row >= 3 for e in errors), errors
    assert all(e.zh for e in errors)
    assert count(full) == before  # the valid first row was not written either
    assert full.execute("SELECT count(*) FROM import_batch").fetchone() == (0,)


def test_missing_columns_and_empty_file(full: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("region,value\n130000,3\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="missing required"):
        import_file(full, p)
    with pytest.raises(ImportFailed, match="no data rows"):
        import_file(full, write(tmp_path, ""))


def test_template_has_lists_and_validation_and_round_trips(full: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_template(full, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["observations", "indicators", "regions"]
    ws = wb["observations"]
    assert [c.value for c in ws[1]][:4] == ["region", "indicator", "period", "value"]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any(f and f.startswith("=regions!") for f in formulas)
    assert any(f and f.startswith("=indicators!") for f in formulas)
    ind_ids = [r[0].value for r in wb["indicators"].iter_rows(min_row=2)]
    assert "air.pm25_annual_mean" in ind_ids
    assert {r[0].value for r in wb["regions"].iter_rows(min_row=2)} >= {"130000", "131000"}
    # the example row lives on its own sheet and can never be imported as data (issue 7)
    assert [c.value for c in wb["示例 example"][3]][:4] == ["130000", "air.pm25_annual_mean", "2024", "37.7"]
    with pytest.raises(ImportFailed, match="no data rows"):
        import_file(full, path)
    # the example, copied into the data sheet, imports as it is
    ws.append([c.value for c in wb["示例 example"][3]])
    wb.save(path)
    assert import_file(full, path).rows == 1
    csv_path = write_template(full, tmp_path / "t.csv")
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.startswith("region,indicator,period,value") and "\n# 示例 example: 130000," in text
    with pytest.raises(ImportFailed, match="no data rows"):
        import_file(full, csv_path)
