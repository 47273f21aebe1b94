"""The lean import path of issue 13: rows-based progress, the CSV header read without DuckDB's
sniffer, the flat-O3 pre-check and the CO-unit decision by counts, each against a reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ecozone.air import service
from ecozone.air.units import SCALE
from ecozone.errors import InputError
from ecozone.ingest.common import _co_unit_issue, flat_o3_warnings
from ecozone.ingest.readers import load_mapping
from ecozone.store.db import connect

from .test_readers_import import MAPPING, _mapped_table


def test_rows_progress_counts_every_row_and_files(cnemc_files: list[Path]) -> None:
    rows: list[int] = []
    files: list[str] = []
    summary = service.import_files(connect(":memory:"), cnemc_files[:5], "cnemc", register_stations=True,
                                   progress=files.append, rows=rows.append)
    assert sum(rows) == summary.rows_read > 0
    assert len(files) == 5 and all(n > 0 for n in rows)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_mapped_csv_with_another_delimiter(tmp_path: Path, delimiter: str) -> None:
    import pyarrow.csv as pcsv

    path = tmp_path / "data.csv"
    pcsv.write_csv(_mapped_table(), path, pcsv.WriteOptions(delimiter=delimiter))
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    summary = service.import_files(connect(":memory:"), [path], "csv", mapping=load_mapping(mapping))
    assert summary.hours_added == 3


def test_csv_header_repeating_a_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3,o3\n2022-01-04T00:00:00,1001A,1,2,3,4,0.5,6,7\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        service.import_files(connect(":memory:"), [path], "cnemc")
    assert "repeats" in exc.value.en and "o3" in exc.value.en


def _runs_reference(station: list[str], hour: list[int], o3: list[int], min_run: int) -> dict[str, tuple[int, int]]:
    """Brute force: per station, the longest run ≥ min_run of equal non-missing values in
    consecutive hours (value, length), and the number of such runs."""
    by: dict[str, dict[int, int]] = {}
    for s, h, v in zip(station, hour, o3, strict=True):
        by.setdefault(s, {})[h] = v
    out: dict[str, tuple[int, int]] = {}
    for s, series in by.items():
        best, count = (0, 0), 0
        hours = sorted(series)
        i = 0
        while i < len(hours):
            j = i
            while (j + 1 < len(hours) and hours[j + 1] == hours[j] + 1 and series[hours[j + 1]] == series[hours[i]]
                   and series[hours[i]] != -1):
                j += 1
            length = j - i + 1
            if series[hours[i]] != -1 and length >= min_run:
                count += 1
                best = max(best, (length, series[hours[i]]), key=lambda t: t[0])
            i = j + 1
        if count:
            out[s] = (best[1], best[0] * 1000 + count)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_flat_o3_equals_a_brute_force_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_st, n_h = 6, 120
    station = np.repeat(np.arange(n_st), n_h)
    hour = np.tile(np.arange(n_h), n_st)
    o3 = rng.integers(0, 4, station.size) * 10_000          # few distinct values: natural short runs
    for _ in range(rng.integers(0, 4)):                       # stuck stretches of 8 to 20 hours
        at, length = int(rng.integers(0, station.size - 20)), int(rng.integers(8, 21))
        o3[at:at + length] = o3[at]
    o3[rng.random(station.size) < 0.05] = -1                 # missing values end runs
    keep = rng.random(station.size) > 0.05                   # missing hours end runs
    codes = np.array([f"S{i}" for i in range(n_st)], dtype=object)[station[keep]]
    table = pa.table({"station_code": pa.array(codes, pa.string()), "hour": pa.array(hour[keep], pa.int32()),
                      "o3": pa.array(np.where(o3[keep] < 0, None, o3[keep]), pa.int32())})
    order = rng.permutation(table.num_rows) if seed % 2 else np.arange(table.num_rows)
    table = table.take(pa.array(order))
    got = {w.value.split(":")[0]: w for w in flat_o3_warnings(table, "f")}
    want = _runs_reference(table.column("station_code").to_pylist(), table.column("hour").to_pylist(),
                           [-1 if v is None else v for v in table.column("o3").to_pylist()], 12)
    assert set(got) == set(want)
    for s, (value, packed) in want.items():
        length, count = divmod(packed, 1000)
        assert got[s].value == f"{s}: {value / SCALE['o3']:g}"
        assert f"for {length} hours ({count} runs" in got[s].reason


@pytest.mark.parametrize(("above", "flagged"), [(11, False), (12, False), (13, True)])
def test_co_unit_decided_by_counts_as_by_the_median(above: int, flagged: bool) -> None:
    """24 values, ``above`` of them 40 mg/m³ and the rest 1: the median is above 30 only from 13 on
    (12 gives (1 + 40) / 2 = 20.5)."""
    co = pa.array([40 * SCALE["co"]] * above + [1 * SCALE["co"]] * (24 - above), pa.int32())
    assert bool(_co_unit_issue("f", 1.0, "mg/m³", co)) is flagged


def _store_dump(con: object, summary: service.ImportSummary) -> tuple[object, ...]:
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT s.code, h.hour, h.pm25, h.pm10, h.so2, h.no2, h.co, h.o3, h.source_row, b.file, b.rows_read, "
        "b.file_sha256 FROM air_station_hour h JOIN air_station s USING (station_id) "
        "JOIN air_import_batch b USING (batch_id) ORDER BY 1, 2").fetchall()
    stations = con.execute(  # type: ignore[attr-defined]
        "SELECT code, name_zh, city_code, longitude, latitude, background FROM air_station ORDER BY 1").fetchall()
    return rows, stations, [str(w) for w in summary.warnings], summary.rows_read, summary.hours_added


def test_hourly_files_read_together_store_what_one_by_one_stores(cnemc_files: list[Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """CNEMC hourly files are read in one scan (readers.read_cnemc_group); the store, the
    registered stations, the warnings and the provenance (file, line, hash) are those of reading
    them one by one."""
    together = connect(":memory:")
    dump_together = _store_dump(together, service.import_files(together, cnemc_files, "cnemc",
                                                               register_stations=True))
    monkeypatch.setattr(service, "GROUP_FILES", 1)
    alone = connect(":memory:")
    assert _store_dump(alone, service.import_files(alone, cnemc_files, "cnemc", register_stations=True)) \
        == dump_together
    # and one append per file (service._store_one) stores the same as one append for all
    monkeypatch.setattr(service, "_append_all", lambda *a, **k: False)
    each = connect(":memory:")
    assert _store_dump(each, service.import_files(each, cnemc_files, "cnemc", register_stations=True)) \
        == dump_together


def test_a_bad_hourly_file_among_many_is_reported_as_alone(cnemc_files: list[Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from ecozone.ingest.common import ImportRejected

    files = []
    for f in cnemc_files[:6]:
        shutil.copy(f, tmp_path / f.name)
        files.append(tmp_path / f.name)
    lines = files[3].read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")
    cells[10] = "abc"  # pm2_5 of the 5th data row
    lines[5] = ",".join(cells)
    files[3].write_text("\n".join(lines) + "\n", encoding="utf-8")

    def refused() -> list[str]:
        with pytest.raises(ImportRejected) as exc:
            service.import_files(connect(":memory:"), files, "cnemc", register_stations=True)
        return [str(i) for i in exc.value.issues]

    grouped = refused()
    monkeypatch.setattr(service, "GROUP_FILES", 1)
    assert grouped == refused()
    assert any(files[3].name in i and ":6 [pm25]" in i for i in grouped)


def test_the_ingest_benchmark_runs_small(tmp_path: Path) -> None:
    """Smoke run of ``python -m benchmarks.ingest`` (the measured run is outside the suite)."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--stations", "40", "--days", "10",
                           "--steps", "import,annual,rank,end_to_end,cnemc", "--work", str(tmp_path)],
                          capture_output=True, text=True, check=False, timeout=600,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert report["import"]["hours_added"] == report["end_to_end"]["hours_added"] > 0
    assert report["annual"]["cities"] == report["rank"]["cities"] == 13
    assert report["cnemc"]["files"] == 240 and report["cnemc"]["files_per_s"] > 0


def test_chunks_store_the_same_and_stay_all_or_nothing(cnemc_files: list[Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are stored chunk by chunk (bounded memory) in one transaction: the same store as one
    chunk; an error in a late chunk leaves nothing behind and every file's errors are listed."""
    import shutil

    from ecozone.ingest.common import ImportRejected

    whole = connect(":memory:")
    expected = _store_dump(whole, service.import_files(whole, cnemc_files, "cnemc", register_stations=True))
    monkeypatch.setattr(service, "CHUNK_ROWS", 50)      # about three files a chunk
    monkeypatch.setattr(service, "GROUP_FILES", 1)
    chunked = connect(":memory:")
    assert _store_dump(chunked, service.import_files(chunked, cnemc_files, "cnemc", register_stations=True)) \
        == expected
    files = []
    for f in cnemc_files[:12]:
        shutil.copy(f, tmp_path / f.name)
        files.append(tmp_path / f.name)
    for bad in (files[7], files[10]):                     # two late chunks, one error each
        text = bad.read_text(encoding="utf-8").splitlines()
        cells = text[2].split(",")
        cells[10] = "-5"                                 # a negative PM2.5 on line 3
        text[2] = ",".join(cells)
        bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    con = connect(":memory:")
    with pytest.raises(ImportRejected) as exc:
        service.import_files(con, files, "cnemc", register_stations=True)
    assert [i.file.rsplit("/", 1)[-1] for i in exc.value.issues] == [files[7].name, files[10].name]
    assert con.execute("SELECT count(*) FROM air_station_hour").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM air_import_batch").fetchall()[0][0] == 0
