"""The power emitters' ledger (seed 003, document 4.19) and the pollutant-reduction ledger."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ecozone.carbon import service as carbon
from ecozone.errors import InputError
from ecozone.ingest.energy import read_reductions
from ecozone.store.db import connect, transaction
from ecozone.tracking.evaluate import evaluate
from ecozone.tracking.status import Status
from tests.energy.conftest import where, write


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def test_registry_keeps_both_counts(con: duckdb.DuckDBPyConnection) -> None:
    """4.19's text says 94 units; its annex lists 93 (number 4 is missing): both are kept."""
    info = carbon.registry_info(con)
    assert info["stated_count"] == 94 and info["listed_count"] == 93 and info["missing_numbers"] == [4]
    facilities = carbon.list_facilities(con)
    assert len(facilities) == 93
    first = facilities[0]
    assert first == {"facility_id": "HB2022-001", "list_no": 1, "city_name": "张家口市", "region_code": "130700",
                     "city_name_en": "Zhangjiakou",
                     "name_zh": "大唐国际发电股份有限公司张家口发电分公司"}
    assert [f["name_zh"] for f in carbon.list_facilities(con, "廊坊")] == [
        "三河发电有限责任公司", "国家能源集团华北电力有限公司廊坊热电厂"]
    # 辛集市 and 定州市 (directly administered by the province) have their own codes
    assert {f["region_code"] for f in facilities if f["city_name"] in ("辛集市", "定州市")} == {"130181", "130682"}
    assert all(f["region_code"] for f in facilities)
    carbon.ensure_registry(con)  # loading again changes nothing
    assert con.execute("SELECT count(*) FROM facility").fetchall() == [(93,)]


def test_ledger_balances_and_total(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "ledger.csv", "facility,year,verified_emissions,allowance,surrendered\n"
                 "HB2022-001,2021,4500000,4600000,\n"        # surplus 100 000
                 "2,2021,3000000,2900000,\n"                 # by list number: shortfall 100 000
                 "三河发电有限责任公司,2021,5000000,4800000,5000000\n"  # by name: short, but surrendered
                 "HB2022-094,2021,1000000,1000000.2,\n")     # balanced within 0.5 t
    assert carbon.import_ledger(con, path) == 4
    led = carbon.ledger(con, 2021)
    by_id = {r["facility_id"]: r for r in led.rows}
    assert by_id["HB2022-001"]["balance_t"] == 100000 and by_id["HB2022-001"]["status"] == "surplus"
    assert by_id["HB2022-002"]["balance_t"] == -100000 and by_id["HB2022-002"]["status"] == "shortfall"
    assert by_id["HB2022-055"]["status"] == "covered"
    assert by_id["HB2022-094"]["status"] == "balanced"
    assert by_id["HB2022-003"]["status"] == "missing" and by_id["HB2022-003"]["balance_t"] is None
    t = led.total
    assert t["facilities"] == 93 and t["facilities_with_data"] == 4
    assert t["verified_t"] == 13_500_000 and t["allowance_t"] == pytest.approx(13_300_000.2)
    assert t["balance_t"] == pytest.approx(-199_999.8)
    assert t["shortfall_count"] == 1 and t["shortfall_t"] == 100000
    # a re-import replaces that facility-year, never duplicates it
    carbon.import_ledger(con, write(tmp_path / "fix.csv", "facility,year,verified_emissions,allowance\n2,2021,2900000,2900000\n"))
    assert {r["facility_id"]: r for r in carbon.ledger(con, 2021).rows}["HB2022-002"]["status"] == "balanced"


def test_ledger_errors_are_row_level(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "facility,year,verified_emissions,allowance\n"
                 "HB2022-004,2021,1,1\n"          # number 4 is not in the list
                 "HB2022-001,2021,-5,1\n"
                 "HB2022-001,2021,5,1\n")
    with pytest.raises(InputError) as exc:
        carbon.import_ledger(con, path)
    got = [where(d) for d in exc.value.detail]
    assert got == [(2, "facility"), (3, "verified_emissions"), (4, "facility,year")]
    assert con.execute("SELECT count(*) FROM facility_year").fetchall() == [(0,)]  # nothing written


REDUCTIONS = """region,year,pollutant,reduction,unit,project
廊坊市,2021,cod,0.3,10^4 t,污水处理厂提标
廊坊市,2022,COD,2000,t,
廊坊市,2022,化学需氧量,0.1,万吨,
廊坊市,2021,nox,0.2,10^4 t,
131000,2022,nox,0.1,,
河北省,2022,vocs,1.5,10^4 t,
"""


def test_reductions_against_the_quotas(tmp_path: Path) -> None:
    """Langfang's 14th FYP table (T002-0023 …): COD at least 1.21 万吨 over 2021-2025."""
    con = connect(":memory:")
    from ecozone.store.catalogue_load import ensure_loaded

    ensure_loaded(con)
    red = read_reductions(write(tmp_path / "r.csv", REDUCTIONS))
    progress = carbon.reduction_progress(con, red)
    rows = {(r["region_code"], r["pollutant"]): r for r in progress}
    cod = rows[("131000", "cod")]
    assert cod["done_10kt"] == pytest.approx(0.3 + 0.2 + 0.1) and cod["through_year"] == 2022
    assert cod["target_id"] == "T002-0023" and cod["quota_10kt"] == pytest.approx(1.21)
    assert cod["share_pct"] == pytest.approx(100 * 0.6 / 1.21)
    assert rows[("131000", "nox")]["share_pct"] == pytest.approx(100 * 0.3 / 0.55)
    # the province: VOCs at least 5.64 万吨 (003-4.7; restated in 003-4.12), one row per target
    vocs = [r for r in progress if (r["region_code"], r["pollutant"]) == ("130000", "vocs")]
    assert "T003-4.7-0017" in {r["target_id"] for r in vocs}
    assert all(r["quota_10kt"] == pytest.approx(5.64) for r in vocs)
    assert all(r["share_pct"] == pytest.approx(100 * 1.5 / 5.64) for r in vocs)
    with transaction(con):
        res = carbon.record_reductions(con, red, [tmp_path / "r.csv"])
    assert res.added == 5  # cumulative values: cod 2021, 2022; nox 2021, 2022; vocs 2022 (province)
    verdict = {r["target_id"]: r for r in evaluate(con, as_of=2022)}["T002-0023"]
    assert verdict["status"] != Status.INSUFFICIENT_DATA.value
    assert verdict["latest_value"] == pytest.approx(0.6)
    con.close()


def test_reduction_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_reductions(write(tmp_path / "r.csv", "region,year,pollutant,reduction,unit\n"
                              "廊坊市,2021,so3,1,t\n廊坊市,2021,cod,1,kg\n廊坊市,2021,cod,x,t\n"))
    assert [where(d) for d in exc.value.detail] == [(2, "pollutant"), (3, "unit"), (4, "reduction")]


def test_stored_reduction_ledger(tmp_path: Path, packaged: duckdb.DuckDBPyConnection) -> None:
    """Imported reductions are kept; re-importing a file replaces its rows, another file adds."""
    con = packaged
    first = write(tmp_path / "2021.csv", "region,year,pollutant,reduction,unit,project\n廊坊市,2021,nox,0.2,10^4 t,A\n")
    second = write(tmp_path / "2022.csv", "region,year,pollutant,reduction,unit,project\n廊坊市,2022,nox,0.1,10^4 t,B\n")
    assert carbon.import_reductions(con, first)[0] == 1
    carbon.import_reductions(con, second)
    carbon.import_reductions(con, second)  # the same file again: replaced, not doubled
    nox = next(r for r in carbon.reduction_progress(con, carbon.stored_reductions(con)) if r["target_id"] == "T002-0025")
    assert nox["done_10kt"] == pytest.approx(0.3) and nox["through_year"] == 2022
    obs = con.execute("SELECT period, value FROM observation_current WHERE indicator_id = 'emission.nox_reduction' "
                      "AND region_code = '131000' ORDER BY period").fetchall()
    assert [(p, round(v, 6)) for p, v in obs] == [("2021", 0.2), ("2022", 0.3)]
