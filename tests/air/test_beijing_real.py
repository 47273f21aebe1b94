"""Real data: Beijing's 12 national-control stations, calendar years 2014-2016 (shared data).

Skips cleanly without ../shared/data/beijing-prsa.  Reference values: the Beijing environmental
bulletins (北京市环境状况公报) report PM2.5 85.9 / 80.6 / 73 µg/m³ and 172 / 186 / 198 good
days for 2014 / 2015 / 2016 from the municipal network (35 stations); the 12 national stations
must land close to them, and the engine must agree with the independent pandas baseline.
"""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.air import engine, service

from .conftest import SHARED

PRSA = SHARED / "beijing-prsa"
BULLETIN = {2014: (85.9, 172), 2015: (80.6, 186), 2016: (73.0, 198)}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not PRSA.is_dir(), reason="../shared/data/beijing-prsa not present")]


@pytest.fixture(scope="module")
def beijing() -> object:
    con, _ = service.memory_store(sorted(PRSA.glob("PRSA_Data_*.csv")), "prsa")
    yield con
    con.close()


@pytest.mark.parametrize("year", [2014, 2015, 2016])
def test_beijing_year(beijing: object, year: int) -> None:
    table = service.compute_annual(beijing, year)  # type: ignore[arg-type]
    row = table.to_pylist()[0]
    pm25, good = BULLETIN[year]
    assert abs(row["pm25_mean"] - pm25) <= 3
    assert abs(row["good_days"] - good) <= 8
    assert row["valid_days"] >= 355 and row["pm25_valid"]
    assert row["composite_index"] == pytest.approx(
        row["so2_mean"] / 60 + row["no2_mean"] / 40 + row["pm10_mean"] / 70 + row["pm25_mean"] / 35
        + row["co_p95"] / 4 + row["o3_8h_p90"] / 160, abs=0.006)


def test_beijing_engine_equals_pandas(beijing: object) -> None:
    import pandas as pd
    from benchmarks import pandas_baseline

    sh, net = service.load_span(beijing, 16071, 366 + 365 * 2)  # type: ignore[arg-type]
    frame = pd.DataFrame({"station": sh.station, "hour": sh.hour, **sh.physical()})
    days = pandas_baseline.city_days(frame, net.city_of)
    cd = engine.city_days(sh, net, 16071, 366 + 365 * 2)
    mine = cd.aqi[0, days["day"].to_numpy() - 16071]
    assert np.array_equal(np.nan_to_num(mine, nan=-1), np.nan_to_num(days["aqi"].to_numpy(), nan=-1))


@pytest.mark.parametrize("year", [2014, 2015, 2016])
def test_beijing_months_and_quarters_add_up_to_the_year(beijing: object, year: int) -> None:
    annual = service.compute_annual(beijing, year).to_pylist()[0]  # type: ignore[arg-type]
    months = service.compute_period(beijing, year, "month").to_pylist()  # type: ignore[arg-type]
    quarters = service.compute_period(beijing, year, "quarter").to_pylist()  # type: ignore[arg-type]
    for k in ("valid_days", "good_days", "heavy_days", "pm25_days", "o3_8h_days"):
        assert sum(r[k] for r in months) == sum(r[k] for r in quarters) == annual[k], k
    for pol in ("pm25", "pm10", "so2", "no2"):
        # rounded monthly means weighted by their valid days: within rounding of the annual mean
        weighted = sum(r[f"{pol}_mean"] * r[f"{pol}_days"] for r in months) / annual[f"{pol}_days"]
        assert abs(weighted - annual[f"{pol}_mean"]) <= 1.0, pol
    assert [q["pm25_valid"] for q in quarters] == [all(m["pm25_valid"] for m in months[3 * i:3 * i + 3])
                                                    for i in range(4)]
    assert annual["pm25_valid"] == (all(m["pm25_valid"] for m in months) and annual["pm25_days"] >= 324)
    assert max(m["pm25_mean"] for m in months) > annual["pm25_mean"] > min(m["pm25_mean"] for m in months)


def test_beijing_monthly_means_exact_over_the_days(beijing: object) -> None:
    from datetime import date

    from ecozone.standards.air import hj663

    cd = service.compute_days(beijing, date(2015, 1, 1), date(2015, 12, 31))  # type: ignore[arg-type]
    months = cd.dates.astype("datetime64[M]").astype(int) % 12
    x = cd.conc["pm25"][0]
    counts = np.bincount(months[~np.isnan(x)], minlength=12)
    assert (hj663.period_mean(x, months, 12) * counts).sum() / counts.sum() == pytest.approx(np.nanmean(x))
