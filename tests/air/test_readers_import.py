"""Readers and the all-or-nothing import: real excerpts, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ecozone.air import service
from ecozone.ingest.common import ImportRejected
from ecozone.ingest.readers import read_file
from ecozone.store.db import connect

from .conftest import FIXTURES

PRSA_HEADER = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"'


def _prsa(tmp_path: Path, rows: list[str], name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_text(PRSA_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _row(no: int, day: int, hour: int, pm25: str = "10", co: str = "300", station: str = "Dongsi") -> str:
    return f'{no},2015,1,{day},{hour},{pm25},20,5,30,{co},40,0,1020,-10,0,"N",2,"{station}"'


def _hours(tmp_path: Path, n: int = 30, **kw: str) -> list[str]:
    return [_row(i + 1, 1 + i // 24, i % 24, **kw) for i in range(n)]


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM air_station_hour").fetchall()[0][0])


def test_prsa_excerpt_reads_real_rows(prsa_excerpt: list[Path]) -> None:
    con = connect(":memory:")
    summary = service.import_files(con, prsa_excerpt, "prsa")
    assert summary.files == 3 and summary.rows_read == 3 * 240
    assert summary.hours_added == 3 * 240
    # provenance: every hour knows its file and line; CO converted from µg/m³ to mg/m³
    row = con.execute(
        "SELECT b.file, h.source_row, h.co, h.hour FROM air_station_hour h JOIN air_import_batch b USING (batch_id) "
        "JOIN air_station s USING (station_id) WHERE s.code = '1003A' ORDER BY h.hour LIMIT 1").fetchall()[0]
    assert row[0].endswith("PRSA_Data_Dongsi_excerpt.csv") and row[1] == 2
    lines = (FIXTURES / "PRSA_Data_Dongsi_excerpt.csv").read_text(encoding="utf-8").splitlines()
    co_ug = float(lines[1].split(",")[9])
    assert row[2] == co_ug  # stored in 0.001 mg/m³ = µg/m³, as an exact integer
    # hour label 0 of 2014-12-31 ends the hour: stored as the hour starting 2014-12-30 23:00
    assert row[3] == (16435 * 24) - 1


def test_reimport_is_unchanged_and_conflict_is_refused(tmp_path: Path) -> None:
    con = connect(":memory:")
    path = _prsa(tmp_path, _hours(tmp_path))
    first = service.import_files(con, [path], "prsa")
    # the same bytes again: recognised by content hash, nothing recorded (issue 7, idempotence)
    again = service.import_files(con, [path], "prsa")
    assert again.files == 0 and again.hours_added == 0
    assert again.already == [(str(path), str(path.resolve()), first.batch_ids[0])]
    assert con.execute("SELECT count(*) FROM air_import_batch").fetchone() == (1,)
    # the same hours under another name and other bytes (a trailing blank line) are unchanged
    copy = tmp_path / "copy.csv"
    copy.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    other = service.import_files(con, [copy], "prsa")
    assert other.hours_added == 0 and other.hours_unchanged == 30
    changed = _prsa(tmp_path, _hours(tmp_path, pm25="11"), "q.csv")
    with pytest.raises(ImportRejected) as exc:
        service.import_files(con, [changed], "prsa")
    assert "differs from the stored value" in str(exc.value)
    assert _count(con) == 30


@pytest.mark.parametrize(("bad", "column", "reason"), [
    (_row(3, 1, 2, pm25="-5"), "pm25", "negative"),
    (_row(3, 1, 2, pm25="abc"), "pm25", "not a number"),
    (_row(3, 1, 2, pm25="99999"), "pm25", "impossible"),
    ('3,2015,1,32,2,10,20,5,30,300,40,0,1020,-10,0,"N",2,"Dongsi"', "time", "malformed timestamp"),
    (_row(3, 1, 2, station="Atlantis"), "station", "unknown PRSA station"),
])
def test_bad_input_rejected_with_file_row_column_reason(tmp_path: Path, bad: str, column: str, reason: str) -> None:
    rows = _hours(tmp_path)
    rows[2] = bad
    path = _prsa(tmp_path, rows)
    good = _prsa(tmp_path, _hours(tmp_path), "good.csv")
    con = connect(":memory:")
    with pytest.raises(ImportRejected) as exc:
        service.import_files(con, [good, path], "prsa")   # one bad file: nothing at all is written
    issue = next(i for i in exc.value.issues if reason in i.reason)
    assert issue.file.endswith("p.csv") and issue.line == 4 and issue.column == column
    assert _count(con) == 0


def test_duplicate_station_hour(tmp_path: Path) -> None:
    rows = _hours(tmp_path)
    con = connect(":memory:")
    same = _prsa(tmp_path, [*rows, rows[5].replace("6,", "31,", 1)], "same.csv")
    summary = service.import_files(con, [same], "prsa")
    assert summary.hours_added == 30
    assert any("identical values" in w.reason and w.line == 32 for w in summary.warnings)
    differs = _prsa(tmp_path, [*rows, _row(31, 1, 5, pm25="99")], "diff.csv")
    with pytest.raises(ImportRejected) as exc:
        service.import_files(connect(":memory:"), [differs], "prsa")
    assert any("different values" in i.reason and i.line == 32 for i in exc.value.issues)


def test_co_unit_mixup(tmp_path: Path) -> None:
    # PRSA declares µg/m³; a file whose CO is in mg/m³ (0.3) is a unit mix-up, not clean air
    path = _prsa(tmp_path, _hours(tmp_path, co="0.3"))
    with pytest.raises(ImportRejected) as exc:
        service.import_files(connect(":memory:"), [path], "prsa")
    assert any(i.column == "co" and "unit" in i.reason.lower() for i in exc.value.issues)


def test_cnemc_needs_registration_for_unknown_stations(cnemc_files: list[Path], tmp_path: Path) -> None:
    con = connect(":memory:")
    # the packaged registry knows the fixture's stations (cnemc_network.yaml); a station code
    # it does not know (1015A renamed 9015A) must be registered first
    renamed = []
    for f in cnemc_files:
        path = tmp_path / f.name
        path.write_text(f.read_text(encoding="utf-8").replace(",1015A,", ",9015A,"), encoding="utf-8")
        renamed.append(path)
    with pytest.raises(ImportRejected) as exc:
        service.import_files(con, renamed, "cnemc")
    assert any(i.column == "station" and i.value == "9015A" and "unknown station" in i.reason
               for i in exc.value.issues)
    assert _count(con) == 0
    summary = service.import_files(con, renamed, "cnemc", register_stations=True)
    assert summary.stations_registered == 1
    city = con.execute("SELECT DISTINCT city_code FROM air_station WHERE code LIKE '1%'").fetchall()
    assert ("120000",) in city and ("110000",) in city
    # 2022-01-04T00:00 ends the hour 2022-01-03 23:00-24:00
    first = con.execute("SELECT min(hour) FROM air_station_hour").fetchall()[0][0]
    assert first == 18996 * 24 - 1
    # the stuck O3 columns of this archive are flagged, not dropped
    assert any(w.column == "o3" for w in summary.warnings)
    flagged = con.execute("SELECT count(*) FROM air_import_issue WHERE \"column\" = 'o3'").fetchall()[0][0]
    assert flagged > 0


def test_china_sites_reader(tmp_path: Path) -> None:
    con = connect(":memory:")
    path = FIXTURES / "china_sites_20220104.csv"
    result = read_file(con, path, "china_sites")
    assert not result.errors
    assert result.hours.num_rows == 3 * 24
    # the same real values as the CNEMC file of that hour
    t = result.hours.to_pylist()
    dongsi_00 = next(r for r in t if r["station_code"] == "1003A" and r["hour"] == 18996 * 24 - 1)
    assert dongsi_00["pm25"] == 190 and dongsi_00["co"] == 500  # 0.1 µg/m³ and 0.001 mg/m³ steps
    summary = service.import_files(con, [path], "china_sites")
    assert summary.hours_added == 72


def test_china_sites_duplicate_type_row(tmp_path: Path) -> None:
    src = (FIXTURES / "china_sites_20220104.csv").read_text(encoding="utf-8").splitlines()
    pm = next(line for line in src if ",PM2.5," in line)
    path = tmp_path / "china_sites_20220104.csv"
    path.write_text("\n".join([*src, pm.replace(",PM2.5,", ",PM2.5,").rsplit(",", 1)[0] + ",99"]) + "\n",
                    encoding="utf-8")
    result = read_file(connect(":memory:"), path, "china_sites")
    assert any(i.column == "type" for i in result.errors)


def _mapped_table() -> pa.Table:
    return pa.table({
        "站点": ["1003A"] * 3, "时间": ["2015-01-01 01:00:00", "2015-01-01 02:00:00", "2015-01-01 03:00:00"],
        "PM2.5": ["10", "12", ""], "CO": ["800", "900", "1000"],
    })


MAPPING = """\
station: 站点
time: 时间
time_label: end
co_unit: ug/m3
columns: {pm25: PM2.5, co: CO}
"""


@pytest.mark.parametrize("kind", ["csv", "parquet", "excel"])
def test_mapped_files(tmp_path: Path, kind: str) -> None:
    table = _mapped_table()
    if kind == "csv":
        path = tmp_path / "data.csv"
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, path)
    elif kind == "parquet":
        path = tmp_path / "data.parquet"
        pq.write_table(table, path)
    else:
        from openpyxl import Workbook

        path = tmp_path / "data.xlsx"
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(table.column_names)
        for r in table.to_pylist():
            ws.append(list(r.values()))
        wb.save(path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    from ecozone.ingest.readers import load_mapping

    con = connect(":memory:")
    summary = service.import_files(con, [path], kind, mapping=load_mapping(mapping))
    assert summary.hours_added == 3
    rows = con.execute("SELECT hour, pm25, co FROM air_station_hour ORDER BY hour").fetchall()
    assert rows[0][0] == 16436 * 24 and rows[0][1] == 100 and rows[0][2] == 800  # 10 µg/m³, 0.8 mg/m³
    assert rows[2][1] is None


def test_time_label_start_or_end_for_prsa(tmp_path: Path) -> None:
    """PRSA files follow the national release (hour 0 = 23:00-24:00 of the day before); a file
    labelled by the start of the hour is read as such with time_label="start"."""
    path = _prsa(tmp_path, _hours(tmp_path, 2))
    first = 16436 * 24  # 2015-01-01 00:00
    end = service.import_files(connect(":memory:"), [path], "prsa")
    con = connect(":memory:")
    start = service.import_files(con, [path], "prsa", time_label="start")
    assert end.hours_added == start.hours_added == 2
    assert con.execute("SELECT min(hour) FROM air_station_hour").fetchall()[0][0] == first
    assert con.execute("SELECT time_convention FROM air_import_batch").fetchall()[0][0].startswith("start")
    from ecozone.errors import InputError

    with pytest.raises(InputError, match="start or end"):
        service.import_files(connect(":memory:"), [path], "prsa", time_label="middle")


def test_flat_o3_runs_the_same_in_file_order_or_shuffled() -> None:
    """The flat-O3 flag finds runs of ≥ 12 equal consecutive hours per station, whatever the row order."""
    import numpy as np

    from ecozone.ingest.common import flat_o3_warnings

    hours = np.arange(48, dtype=np.int32)
    o3_a = np.r_[np.full(14, 500), np.arange(34) * 10].astype(np.int32)        # one run of 14 at the start
    o3_b = np.r_[np.arange(20) * 10, np.full(11, 700), np.arange(17)].astype(np.int32)  # 11: not a run
    table = pa.table({"station_code": ["A"] * 48 + ["B"] * 48, "hour": np.r_[hours, hours],
                      "o3": np.r_[o3_a, o3_b], "line": np.arange(96, dtype=np.int32)})
    sorted_flags = flat_o3_warnings(table, "f")
    shuffled = table.take(pa.array(np.random.default_rng(3).permutation(96)))
    assert [(w.value, w.reason) for w in flat_o3_warnings(shuffled, "f")] == [(w.value, w.reason) for w in sorted_flags]
    assert [w.value for w in sorted_flags] == ["A: 0.05"] and "14 hours" in sorted_flags[0].reason
