"""An import killed with SIGKILL leaves the store consistent, and a rerun completes it (issue 7).

The import runs as a real ``ecozone air import`` process on a file of ~35,000 station hours.
It is killed at several moments spread over its run (reading, writing, committing); after
each kill the store must open, and hold either none of the file or all of it (with its one
import record), never a part.  A last run without a kill then imports everything, exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from ecozone.ingest.stations import ensure_packaged_stations
from ecozone.store.db import connect, transaction

STATIONS = [f"10{n:02d}A" for n in range(1, 13)]
HOURS = 24 * 120
CLI = "import sys; from ecozone.cli import main; sys.argv[0] = 'ecozone'; main()"


def _big_file(path: Path) -> int:
    """A CNEMC-style mapped CSV: 12 stations x 120 days of hours (2021), plausible values."""
    n = len(STATIONS) * HOURS
    rng = np.random.default_rng(7)
    hours = np.tile(np.arange(HOURS), len(STATIONS))
    times = (np.datetime64("2021-01-01T00:00") + hours.astype("timedelta64[h]")).astype(str)
    table = pa.table({
        "station": np.repeat(STATIONS, HOURS), "time": [t.replace("T", " ") for t in times],
        **{p: np.round(rng.uniform(1, 200, n), 1) for p in ("pm25", "pm10", "so2", "no2", "o3")},
        "co": np.round(rng.uniform(0.2, 3, n), 2)})
    pcsv.write_csv(table, path)
    return n


def _state(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        hours = con.execute("SELECT count(*) FROM air_station_hour").fetchone()
        batches = con.execute("SELECT count(*) FROM air_import_batch").fetchone()
    finally:
        con.close()
    assert hours is not None and batches is not None
    return int(hours[0]), int(batches[0])


def _start(db: Path, data: Path, mapping: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "air", "import", "--db", str(db), "--format", "csv", "--mapping", str(mapping),
         str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_import_leaves_the_store_consistent_and_a_rerun_completes(tmp_path: Path) -> None:
    data, mapping, db = tmp_path / "year.csv", tmp_path / "mapping.yaml", tmp_path / "store.duckdb"
    n = _big_file(data)
    mapping.write_text("station: station\ntime: time\ntime_format: '%Y-%m-%d %H:%M'\ntime_label: start\n"
                       "columns: {pm25: pm25, pm10: pm10, so2: so2, no2: no2, co: co, o3: o3}\n", encoding="utf-8")
    con = connect(db)
    with transaction(con):
        ensure_packaged_stations(con)
    con.close()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "ECOZONE_LOCK_TIMEOUT": "30"}

    wal = Path(f"{db}.wal")
    outcomes = []
    for moment in ("reading", "commit", "after commit"):
        journal = wal.stat().st_size if wal.exists() else 0
        proc = _start(db, data, mapping, env)
        if moment == "reading":
            time.sleep(1.0)  # start-up and reading the file (the write comes at the end)
        else:  # DuckDB writes the station hours to its journal when the import's transaction commits
            while (wal.stat().st_size if wal.exists() else 0) < journal + 100_000 and proc.poll() is None:
                time.sleep(0.002)
            if moment == "after commit":
                time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        hours, batches = _state(db)   # the store opens (DuckDB replays or drops its journal)
        assert (hours, batches) in ((0, 0), (n, 1)), f"partial import after a kill while {moment}"
        outcomes.append((moment, hours))
        if hours:
            break
    print("kills:", outcomes)
    proc = _start(db, data, mapping, env)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _state(db) == (n, 1)       # completed, exactly once (a completed file is recognised by its hash)
    assert not (tmp_path / "state").exists()
