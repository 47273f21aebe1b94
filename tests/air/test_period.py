"""Monthly and quarterly evaluation: engine on a synthetic year, the Beijing fixture, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ecozone.air import engine, service
from ecozone.cli import app
from ecozone.standards.air import hj663

runner = CliRunner()
FIRST_2015 = (date(2015, 1, 1) - date(1970, 1, 1)).days


def _synthetic_year(drop: dict[int, int]) -> engine.CityDays:
    """One station, 2015, every hour equal to the day of the month (CO: a tenth of it);
    ``drop[month]`` days removed from the end of that month."""
    days = np.arange(np.datetime64("2015-01-01"), np.datetime64("2016-01-01"))
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    keep = np.ones(days.size, bool)
    for m, n in drop.items():
        idx = np.flatnonzero(month == m)
        keep[idx[idx.size - n:]] = False
    kept = np.flatnonzero(keep)
    hours = (kept[:, None] * 24 + np.arange(24)[None, :]).ravel() + FIRST_2015 * 24
    value = np.repeat(dom[kept], 24).astype(np.float32)
    values = {p: value for p in ("pm25", "pm10", "so2", "no2", "o3")}
    values["co"] = (value / 10).astype(np.float32)
    sh = engine.StationHours.from_physical(np.zeros(hours.size, np.int32), hours.astype(np.int32), values)
    return engine.city_days(sh, engine.Network(["A"], np.zeros(1, np.int32)), FIRST_2015, days.size)


def test_engine_monthly_values_and_validity() -> None:
    cd = _synthetic_year({2: 3, 3: 5})          # February 25 days (valid), March 26 (not)
    rows = engine.period(cd, 2015, "month").to_pylist()
    assert [r["period"] for r in rows] == [f"2015-{m:02d}" for m in range(1, 13)]
    jan, feb, mar = rows[:3]
    assert jan["pm25_mean"] == 16 and jan["o3_8h_p90"] == 28 and jan["co_p95"] == 3.0   # 2.95 -> 3.0
    assert feb["pm25_days"] == 25 and feb["pm25_mean"] == 13 and feb["pm25_valid"]     # mean of 1..25
    assert mar["pm25_days"] == 26 and mar["pm25_mean"] == 14 and not mar["pm25_valid"]  # 13.5 -> 14
    assert not mar["all_valid"] and all(r["all_valid"] for r in rows if r["period_no"] != 3)
    assert [r["valid_days"] for r in rows[:4]] == [31, 25, 26, 30]
    assert jan["good_days"] == 31 and jan["good_day_ratio"] == 100 and jan["heavy_days"] == 0
    want = (16 / 60 + 16 / 40 + 16 / 70 + 16 / 35 + 3.0 / 4 + 28 / 160)
    assert jan["composite_index"] == pytest.approx(want, abs=0.006)


def test_engine_quarterly_validity_follows_the_months() -> None:
    cd = _synthetic_year({2: 3, 3: 5})
    rows = engine.period(cd, 2015, "quarter").to_pylist()
    assert [r["period"] for r in rows] == ["2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4"]
    assert [r["pm25_valid"] for r in rows] == [False, True, True, True]
    assert [r["pm25_days"] for r in rows] == [31 + 25 + 26, 91, 92, 92]
    q1 = (31 * 16 + sum(range(1, 26)) + sum(range(1, 27))) / 82
    assert rows[0]["pm25_mean"] == hj663.round_gbt8170(q1, 0)
    months = engine.period(cd, 2015, "month").to_pylist()
    for k in ("valid_days", "good_days", "heavy_days", "o3_8h_days"):
        assert [r[k] for r in rows] == [sum(m[k] for m in months[3 * q:3 * q + 3]) for q in range(4)]


@pytest.fixture(scope="module")
def fixture_store() -> object:
    here = Path(__file__).resolve().parent.parent / "fixtures" / "air"
    con, _ = service.memory_store(sorted(here.glob("PRSA_Data_*_excerpt.csv")), "prsa")
    yield con
    con.close()


def test_fixture_months_weighted_equal_the_mean_over_the_days(fixture_store: object) -> None:
    # the fixture spans 2014-12-31 .. 2015-01-10: two months; the monthly means weighted by their
    # valid days give back the mean over all the days (no day lost or counted twice)
    cd = service.compute_days(fixture_store, date(2014, 12, 31), date(2015, 1, 10))  # type: ignore[arg-type]
    per = (cd.dates.astype("datetime64[M]") != np.datetime64("2014-12")).astype(int)
    for pol in ("pm25", "pm10", "so2", "no2"):
        x = cd.conc[pol][0]
        counts = np.bincount(per[~np.isnan(x)], minlength=2)
        assert counts.sum() >= 9 and counts[1] >= 9
        monthly = hj663.period_mean(x, per, 2)
        weighted = np.nansum(monthly * counts) / counts.sum()
        assert weighted == pytest.approx(np.nanmean(x), rel=1e-12), pol


def test_fixture_period_equals_annual_when_one_month_holds_the_year(fixture_store: object) -> None:
    annual = service.compute_annual(fixture_store, 2015).to_pylist()[0]  # type: ignore[arg-type]
    months = service.compute_period(fixture_store, 2015, "month").to_pylist()  # type: ignore[arg-type]
    jan = months[0]
    for k in ("pm25_mean", "pm10_mean", "so2_mean", "no2_mean", "co_p95", "o3_8h_p90", "valid_days",
              "good_days", "heavy_days", "good_day_ratio", "composite_index", "pm25_days"):
        assert jan[k] == annual[k], k
    assert jan["valid_days"] == 9 and not jan["pm25_valid"]        # 9 < 27: reported, flagged
    rest = months[1:]
    assert all(r["valid_days"] == 0 and r["pm25_days"] == 0 and np.isnan(r["pm25_mean"]) for r in rest)
    assert not any(r["all_valid"] for r in months)
    assert sum(r["pm25_days"] for r in months) == annual["pm25_days"]


def test_cli_period_from_files(prsa_excerpt: list[Path]) -> None:
    args = ["air", "period", "--input", *map(str, prsa_excerpt), "--input-format", "prsa", "--year", "2015",
            "--by", "quarter", "--format", "json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout[res.stdout.index("["):])
    assert [r["period"] for r in data] == ["2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4"]
    q1 = data[0]
    for key in ("city", "pm25_mean", "pm10_mean", "so2_mean", "no2_mean", "co_p95", "o3_8h_p90", "valid_days",
                "good_days", "good_day_ratio", "heavy_days", "heavy_day_ratio", "composite_index", "validity"):
        assert key in q1
    assert q1["valid_days"] == 9 and q1["validity"]["pm25_mean"] is False
    assert data[1]["pm25_mean"] is None and data[1]["valid_days"] == 0


def test_cli_period_month_csv_city_and_bad_by(prsa_excerpt: list[Path]) -> None:
    base = ["air", "period", "--input", *map(str, prsa_excerpt), "--year", "2015", "--city", "北京市"]
    res = runner.invoke(app, [*base, "--by", "month", "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith(("city,", "110000,"))]
    assert lines[0].startswith("city,") and len(lines) == 13
    res = runner.invoke(app, [*base, "--by", "week"])
    assert res.exit_code == 2
    other = ["air", "period", "--input", *map(str, prsa_excerpt), "--year", "2015", "--city", "天津市",
             "--format", "json"]
    res = runner.invoke(app, other)                  # a city without station data: no rows, no crash
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout[res.stdout.index("["):]) == []
