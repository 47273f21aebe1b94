"""The energy account and intensities: hand-computed cases, row-level errors, a generated
province-decade, and the tracking verdicts of the plans' energy targets."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from ecozone.energy import service
from ecozone.errors import InputError
from ecozone.ingest.energy import read_energy, read_gdp
from ecozone.standards.energy import gb2589
from ecozone.store.db import transaction
from ecozone.tracking.evaluate import evaluate
from ecozone.tracking.status import Status
from tests.energy.conftest import GDP_TWO_YEARS, TWO_YEARS, where, write

RATE = {int(r["year"]): float(r["gce_per_kwh"]) / 1000 for r in gb2589.factor_table("power_coal_rate").rows}


def _two_years(tmp_path: Path) -> tuple[service.Account, list[dict]]:
    acc = service.account(read_energy(write(tmp_path / "e.csv", TWO_YEARS)))
    return acc, service.intensity(acc, read_gdp(write(tmp_path / "g.csv", GDP_TWO_YEARS)), 2020)


def test_account_hand_computed(tmp_path: Path) -> None:
    acc, _ = _two_years(tmp_path)
    r20, r22 = acc.rows
    # 2020: coal 1e6 kg x 0.7143 = 714.3 tce; gas 1e4 m3 x 1.2143 = 12.143; wind 1e6 kWh x rate(2020);
    # electricity 1e6 kWh x 0.1229 = 122.9
    wind20 = 1e6 * RATE[2020] / 1000
    total20 = 714.3 + 12.143 + wind20 + 122.9
    assert r20["tce_total"] == pytest.approx(total20)
    assert r20["tce_by_fuel"]["raw_coal"] == pytest.approx(714.3)
    assert r20["coal_t"] == pytest.approx(1000.0)  # physical tonnes of coal
    assert r20["coal_share"] == pytest.approx(100 * 714.3 / total20)
    assert r20["non_fossil_share"] == pytest.approx(100 * wind20 / total20)
    # CO2: coal 1000 t x 1.900299; gas 21.65015; electricity 1000 MWh x 0.5568 (2021 factor, the nearest)
    assert r20["co2_t"] == pytest.approx(1900.299 + 21.65015 + 556.8, rel=1e-6)
    assert r20["grid_factor_year"] == 2021 and any("2020" in w for w in acc.warnings)
    assert r22["year"] == 2022
    assert r22["tce_by_fuel"]["wind"] == pytest.approx(2e6 * RATE[2022] / 1000)  # the 2022 rate
    assert r22["co2_t"] == pytest.approx(0.9 * 1900.299 + 21.65015, rel=1e-6)
    assert "GB/T 2589-2020" in r20["energy_edition"] and "省级温室气体清单编制指南" in r20["co2_edition"]


def test_intensity_and_change_hand_computed(tmp_path: Path) -> None:
    acc, rows = _two_years(tmp_path)
    i20, i22 = rows
    e20, e22 = acc.rows[0]["tce_total"], acc.rows[1]["tce_total"]
    c20, c22 = acc.rows[0]["co2_t"], acc.rows[1]["co2_t"]
    assert i20["energy_intensity"] == pytest.approx(e20 / 1000)
    assert i22["energy_intensity"] == pytest.approx(e22 / 1250)
    assert i20["energy_intensity_change_pct"] == pytest.approx(0.0)
    assert i22["energy_intensity_change_pct"] == pytest.approx(100 * ((e22 / 1250) / (e20 / 1000) - 1))
    assert i22["co2_intensity_change_pct"] == pytest.approx(100 * ((c22 / 1250) / (c20 / 1000) - 1))
    assert i22["energy_intensity_change_pct"] < 0  # intensity fell


def test_volume_index_gives_the_same_change(tmp_path: Path) -> None:
    acc, rows = _two_years(tmp_path)
    idx = service.intensity(acc, read_gdp(write(tmp_path / "i.csv", "region,year,gdp_index\n130000,2020,100\n130000,2022,125\n")), 2020)
    assert idx[1]["energy_intensity"] is None  # the level needs GDP in money
    assert idx[1]["energy_intensity_change_pct"] == pytest.approx(rows[1]["energy_intensity_change_pct"])


def test_missing_base_year_is_an_input_error(tmp_path: Path) -> None:
    acc, _ = _two_years(tmp_path)
    with pytest.raises(InputError) as exc:
        service.intensity(acc, read_gdp(write(tmp_path / "g.csv", "region,year,gdp_constant\n130000,2022,1\n")), 2020)
    assert "2020" in exc.value.en


def test_year_without_coal_rate_is_refused_not_guessed(tmp_path: Path) -> None:
    energy = read_energy(write(tmp_path / "e.csv", "region,year,fuel,quantity,unit\n130000,1999,hydro,1,MWh\n"))
    with pytest.raises(InputError) as exc:
        service.account(energy)
    assert "1999" in exc.value.en and exc.value.exit_code == 2
    ok = service.account(energy, service.Options(primary_method="equivalent"))
    assert ok.rows[0]["tce_total"] == pytest.approx(0.1229)


@pytest.mark.parametrize(("line", "column", "reason"), [
    ("130000,2020,coal_tar,1,t", "fuel", "unknown fuel"),
    ("130000,2020,diesel,1,MWh", "unit", "unit does not fit"),
    ("130000,2020,diesel,1,barrel", "unit", "unknown unit"),
    ("130000,2020,diesel,-1,t", "quantity", "negative"),
    ("130000,2020,diesel,lots,t", "quantity", "not a number"),
    ("Atlantis,2020,diesel,1,t", "region", "unknown region"),
    ("130000,20x0,diesel,1,t", "year", "year must be"),
])
def test_row_level_errors(tmp_path: Path, line: str, column: str, reason: str) -> None:
    path = write(tmp_path / "bad.csv", "region,year,fuel,quantity,unit\n130000,2020,raw_coal,1,t\n" + line + "\n")
    with pytest.raises(InputError) as exc:
        read_energy(path)
    issues = exc.value.detail
    assert len(issues) == 1
    assert where(issues[0]) == (3, column) and reason in issues[0]


def test_missing_column_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_energy(write(tmp_path / "a.csv", "region,year,fuel,quantity\n130000,2020,raw_coal,1\n"))
    assert exc.value.column == "unit"
    with pytest.raises(InputError) as exc:
        read_energy(write(tmp_path / "b.csv", "地区,年份,能源品种,数量,单位\n130000,2020,原煤,1,吨\n河北省,2020,raw_coal,2,t\n"))
    assert where(exc.value.detail[0])[0] == 3 and "twice" in exc.value.detail[0]


def _decade(tmp_path: Path) -> Path:
    """A generated province-decade: the province and its 11 cities, 2015-2022 and every fuel."""
    rng = np.random.default_rng(12)
    regions = ["130000", *[f"13{c:02d}00" for c in range(1, 12)]]
    years = list(range(2013, 2023))
    fuels = list(gb2589.FUEL_IDS)
    unit = {"kg": "10^4 t", "m3": "10^4 m3", "kWh": "10^4 kWh", "MJ": "GJ"}
    r, y, f = np.meshgrid(np.arange(len(regions)), np.arange(len(years)), np.arange(len(fuels)), indexing="ij")
    q = rng.uniform(1, 1000, r.size)
    table = pa.table({"region": np.array(regions)[r.ravel()], "year": np.array(years)[y.ravel()],
                      "fuel": np.array(fuels)[f.ravel()], "quantity": q.round(3),
                      "unit": [unit[gb2589.REFERENCE_COEFFICIENTS[x].unit] for x in np.array(fuels)[f.ravel()]]})
    path = tmp_path / "decade.csv"
    pa_csv.write_csv(table, path)
    return path


def test_generated_province_decade(tmp_path: Path) -> None:
    path = _decade(tmp_path)
    t0 = time.perf_counter()
    energy = read_energy(path)
    acc = service.account(energy, service.Options(primary_method="equivalent"))
    elapsed = time.perf_counter() - t0
    assert energy.num_rows == 12 * 10 * 18 and len(acc.rows) == 120
    # the total is the sum of its fuels, and every share is within 0-100
    for r in acc.rows:
        assert r["tce_total"] == pytest.approx(sum(r["tce_by_fuel"].values()))
        assert 0 <= r["coal_share"] <= 100 and 0 <= r["non_fossil_share"] <= 100
    # independent re-computation of the whole decade with the table's coefficients
    q = np.asarray(energy.column("quantity_base"))
    k = np.array([gb2589.REFERENCE_COEFFICIENTS[f].kgce for f in energy.column("fuel").to_pylist()])
    assert sum(r["tce_total"] for r in acc.rows) == pytest.approx(float((q * k).sum()) / 1000, rel=1e-9)
    assert elapsed < 10
    # GDP growing 6 % a year from 2013 in every region: intensities against 2015 for the decade
    gdp = tmp_path / "gdp.csv"
    gdp.write_text("region,year,gdp_constant\n" + "".join(
        f"{r['region_code']},{r['year']},{1e6 * 1.06 ** (r['year'] - 2013)!r}\n" for r in acc.rows), encoding="utf-8")
    rows = service.intensity(acc, read_gdp(gdp), 2015)
    assert len(rows) == 120
    base = {r["region_code"]: r["tce_total"] / (1e6 * 1.06**2) for r in acc.rows if r["year"] == 2015}
    for r in rows:
        ei = r["tce_total"] / (1e6 * 1.06 ** (r["year"] - 2013))
        assert r["energy_intensity"] == pytest.approx(ei, rel=1e-12)
        assert r["energy_intensity_change_pct"] == pytest.approx(100 * (ei / base[r["region_code"]] - 1), abs=1e-9)


def test_record_feeds_tracking(tmp_path: Path, packaged: duckdb.DuckDBPyConnection) -> None:
    """The Hebei scheme's binding target T003-4.12-0001 (energy intensity −14.5 % against 2020)
    goes from 'insufficient data' to a verdict once the account is recorded."""
    con = packaged
    before = {r["target_id"]: r for r in evaluate(con, as_of=2025)}["T003-4.12-0001"]
    assert before["status"] == Status.INSUFFICIENT_DATA.value
    energy = write(tmp_path / "e.csv", "region,year,fuel,quantity,unit\n"
                   "130000,2020,raw_coal,1000,10^4 t\n130000,2022,raw_coal,900,10^4 t\n")
    gdp = write(tmp_path / "g.csv", "region,year,gdp_constant\n130000,2020,10000000\n130000,2022,10500000\n")
    acc = service.account(read_energy(energy))
    rows = service.intensity(acc, read_gdp(gdp), 2020)
    with transaction(con):
        res = service.record(con, acc, rows, [energy, gdp], service.Options())
    assert res.added > 0
    with transaction(con):  # recording again changes nothing
        again = service.record(con, acc, rows, [energy, gdp], service.Options())
    assert again.added == 0 and again.unchanged == res.added
    after = {r["target_id"]: r for r in evaluate(con, as_of=2025)}["T003-4.12-0001"]
    assert after["status"] != Status.INSUFFICIENT_DATA.value
    # 2022 intensity fell 100 x (1 − 0.9 / 1.05) = 14.29 %
    assert after["latest_year"] == 2022
    assert after["latest_value"] == pytest.approx(900e4 * 0.7143 / 10500000)  # 900 x 10^4 t x 0.7143 tce/t over 10^7 x 1.05
    # and the scheme's coal consumption target (−10 % against 2020) now has its series
    coal = {r["target_id"]: r for r in evaluate(con, as_of=2025)}["T003-4.12-0002"]
    assert coal["status"] != Status.INSUFFICIENT_DATA.value and coal["latest_value"] == pytest.approx(900.0)
    obs = con.execute("SELECT value FROM observation_current WHERE indicator_id = 'energy.energy_intensity' "
                      "AND measure = 'reduce_by_pct' AND period = '2022'").fetchall()
    assert obs[0][0] == pytest.approx(100 * (1 - 0.9 / 1.05))


def test_own_factor_tables_are_a_parameter_and_recorded(tmp_path: Path) -> None:
    """Changing an edition is a parameter: a bureau's own coal rates and grid factors."""
    energy = read_energy(write(tmp_path / "e.csv", "region,year,fuel,quantity,unit\n"
                               "130000,2025,wind,1000,MWh\n130000,2025,electricity,1000,MWh\n"))
    rates = write(tmp_path / "rates.csv", "# edition: 河北省统计局 2025 (test)\nyear,gce_per_kwh\n2025,290\n")
    grid = write(tmp_path / "grid.csv", "# edition: test grid 2025\nyear,scope,kind,factor,source\n"
                 "2025,130000,average,0.7,test\n")
    opts = service.Options(grid_scope="130000", coal_rate_file=rates, grid_factor_file=grid)
    acc = service.account(energy, opts)
    row = acc.rows[0]
    # wind 1e6 kWh x 0.290 kgce = 290 tce; electricity 1e6 x 0.1229 = 122.9 tce; CO2 1000 MWh x 0.7
    assert row["tce_total"] == pytest.approx(290 + 122.9) and row["co2_t"] == pytest.approx(700.0)
    assert row["coal_rate_edition"] == "河北省统计局 2025 (test)" and acc.editions["grid"] == "test grid 2025"
    obs = service.observation_rows(acc, None, [tmp_path / "e.csv"], opts)
    assert all("河北省统计局 2025 (test)" in v and "test grid 2025" in v for v in obs.column("method_version").to_pylist())
    # a table without an edition line, or with a non-number, is refused with the file named
    bad = write(tmp_path / "bad.csv", "year,gce_per_kwh\n2025,290\n")
    with pytest.raises(InputError) as exc:
        service.account(energy, service.Options(coal_rate_file=bad))
    assert "edition" in exc.value.en and exc.value.file == str(bad)
    worse = write(tmp_path / "worse.csv", "# edition: x\nyear,gce_per_kwh\n2025,lots\n")
    with pytest.raises(InputError) as exc:
        service.account(energy, service.Options(coal_rate_file=worse))
    assert "data row 1" in exc.value.en


def test_many_bad_rows_are_counted_and_capped(tmp_path: Path) -> None:
    body = "".join(f"130000,{2000 + i % 20},unobtainium{i},1,t\n" for i in range(1500))
    with pytest.raises(InputError) as exc:
        read_energy(write(tmp_path / "bad.csv", "region,year,fuel,quantity,unit\n" + body))
    assert len(exc.value.detail) == 1000 and "1000+ error(s)" in exc.value.en


def test_encodings_and_number_formats(tmp_path: Path) -> None:
    """Excel on a Chinese Windows saves CSV as GBK; statistical tables write 1,234.5."""
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("地区,年份,能源品种,数量,单位\n河北省,2020,原煤,\"1,000\",吨\n".encode("gbk"))
    t = read_energy(gbk)
    assert t.column("quantity").to_pylist() == [1000.0] and t.column("fuel").to_pylist() == ["raw_coal"]
    # "1,5" is not 15: a decimal comma is refused, not misread
    with pytest.raises(InputError) as exc:
        read_energy(write(tmp_path / "c.csv", "region,year,fuel,quantity,unit\n130000,2020,diesel,\"1,5\",t\n"))
    assert where(exc.value.detail[0])[1] == "quantity"
    bad = tmp_path / "latin.csv"
    bad.write_bytes(b"region,year,fuel,quantity,unit\n\xff\xfe\x00,2020,diesel,1,t\n")
    with pytest.raises(InputError):
        read_energy(bad)


def test_a_year_without_gdp_is_kept_empty_not_dropped(tmp_path: Path) -> None:
    acc, _ = _two_years(tmp_path)
    rows = service.intensity(acc, read_gdp(write(tmp_path / "g.csv", "region,year,gdp_constant\n130000,2020,1000\n")), 2020)
    assert [(r["year"], r["gdp_missing"]) for r in rows] == [(2020, False), (2022, True)]
    assert rows[1]["energy_intensity"] is None and rows[1]["energy_intensity_change_pct"] is None


def test_recorded_indicators_exist_with_these_units() -> None:
    """The engine writes observations of catalogue indicators: if the catalogue renames one or
    changes its unit, this fails rather than tracking silently losing the values."""
    from ecozone.carbon.service import REDUCTION_INDICATORS
    from ecozone.catalogue.loader import packaged_catalogue

    ind = packaged_catalogue().indicators
    units = {service.IND_TOTAL: "万吨标准煤", service.IND_COAL: "万吨", service.IND_COAL_SHARE: "%",
             service.IND_NON_FOSSIL: "%", service.IND_CO2: "万吨", service.IND_ENERGY_INTENSITY: "吨标准煤/万元",
             service.IND_CO2_INTENSITY: "吨/万元", **dict.fromkeys(REDUCTION_INDICATORS.values(), "万吨")}
    assert {i: ind[i].unit for i in units} == units


def test_no_coal_is_a_zero_coal_share(tmp_path: Path) -> None:
    """Regression (found by the property test): a region-year without coal had an empty coal share
    (SQL sum over no rows is NULL); it is 0 %."""
    acc = service.account(read_energy(write(tmp_path / "e.csv", "region,year,fuel,quantity,unit\n130000,2020,diesel,1,t\n")))
    assert acc.rows[0]["coal_share"] == 0.0


def test_notebook_api_takes_dataframes() -> None:
    """``ecozone.energy.account`` / ``intensity`` on DataFrames give the CLI's numbers."""
    import pandas as pd

    import ecozone

    energy = pd.DataFrame({"region": ["河北省", "河北省", "130000"], "year": [2020, 2020, 2022],
                           "fuel": ["raw_coal", "natural_gas", "raw_coal"], "quantity": [1000, 1, 900],
                           "unit": ["t", "10^4 m3", "t"]})
    acct = ecozone.energy.account(energy)
    assert list(acct["year"]) == [2020, 2022]
    assert acct["tce_raw_coal"].tolist() == pytest.approx([714.3, 642.87])
    gdp = pd.DataFrame({"region": ["130000", "130000"], "year": [2020, 2022], "gdp_constant": [1000.0, 1250.0]})
    ints = ecozone.energy.intensity(energy, gdp, base_year=2020, output="arrow")
    change = ints.column("energy_intensity_change_pct").to_pylist()[1]
    assert change == pytest.approx(100 * ((642.87 / 1250) / ((714.3 + 12.143) / 1000) - 1))
    bad = energy.assign(fuel=["raw_coal", "natural_gas", "moonrock"])
    with pytest.raises(InputError) as exc:
        ecozone.energy.account(bad)
    assert where(exc.value.detail[0]) == (4, "fuel")
