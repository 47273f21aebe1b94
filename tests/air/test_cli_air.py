"""The ``ecozone air`` commands, end to end (store and file-only modes)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ecozone.cli import app

from .conftest import FIXTURES

runner = CliRunner()


def test_annual_from_files_json(prsa_excerpt: list[Path]) -> None:
    args = ["air", "annual", "--input", *map(str, prsa_excerpt), "--input-format", "prsa", "--year", "2015",
            "--format", "json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout[res.stdout.index("["):])
    assert len(data) == 1
    row = data[0]
    for key in ("city", "year", "pm25_mean", "pm10_mean", "so2_mean", "no2_mean", "co_p95", "o3_8h_p90",
                "valid_days", "good_days", "good_day_ratio", "heavy_days", "heavy_day_ratio",
                "composite_index", "compliance"):
        assert key in row
    assert row["city"] == "110000" and row["year"] == 2015
    assert row["valid_days"] == 9                 # 2015-01-01 .. 01-09 (hour 0 of 01-10 missing)
    assert row["pm25_valid"] is False             # 9 days are far below 324: flagged, not hidden


def test_import_daily_annual_record_rank(db_path: Path, prsa_excerpt: list[Path], cnemc_files: list[Path]) -> None:
    res = runner.invoke(app, ["air", "import", *map(str, prsa_excerpt), "--format", "prsa"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["air", "daily", "--city", "北京市", "--from", "2015-01-01", "--to", "2015-01-03",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    days = json.loads(res.stdout)
    assert [d["date"] for d in days] == ["2015-01-01", "2015-01-02", "2015-01-03"]
    assert all(d["aqi"] is not None and d["category"] for d in days)
    res = runner.invoke(app, ["air", "annual", "--year", "2015", "--record", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "composite_index" in res.stdout.splitlines()[0]
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        cur = con.execute("SELECT indicator_id, quality_flag, method, source_detail FROM observation_current "
                          "WHERE source_type = 'computed'")
        obs = [dict(zip(["indicator_id", "quality_flag", "method", "source_detail"], r, strict=True))
               for r in cur.fetchall()]
    assert all(o["method"] == "HJ 663-2013" and "PRSA_Data_Dongsi_excerpt.csv" in o["source_detail"]
               for o in obs)
    assert {o["indicator_id"] for o in obs} >= {"air.pm25_annual_mean", "air.composite_index"}
    assert all(o["quality_flag"] == "incomplete" for o in obs if o["indicator_id"] == "air.pm25_annual_mean")
    res = runner.invoke(app, ["air", "import", *map(str, cnemc_files), "--format", "cnemc", "--register-stations"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["air", "rank", "--year", "2022", "--format", "json"])
    assert res.exit_code == 0, res.output
    ranked = json.loads(res.stdout)
    assert {r["city"] for r in ranked} == {"110000", "120000"}
    res = runner.invoke(app, ["air", "stations", "list", "--city", "北京市", "--format", "json"])
    assert len(json.loads(res.stdout)) == 12


def test_import_refused_reports_and_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES",'
                   '"DEWP","RAIN","wd","WSPM","station"\n1,2015,1,1,0,-3,1,1,1,300,1,0,0,0,0,"N",1,"Dongsi"\n',
                   encoding="utf-8")
    res = runner.invoke(app, ["air", "import", str(bad), "--format", "prsa"])
    assert res.exit_code == 2
    assert "bad.csv:2" in res.output and "negative" in res.output


def test_import_time_label_option(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    src = FIXTURES / "PRSA_Data_Dongsi_excerpt.csv"
    res = runner.invoke(app, ["air", "import", str(src), "--format", "prsa", "--time-label", "start", "--db", str(db)])
    assert res.exit_code == 0, res.output
    from ecozone.store.db import connect

    con = connect(db)
    assert con.execute("SELECT time_convention FROM air_import_batch").fetchall()[0][0].startswith("start")
