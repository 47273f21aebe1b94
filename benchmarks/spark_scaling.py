"""DuckDB engine vs the same engine on Spark (local mode) for 1, 2, 4, 8 years of the network.

    python -m benchmarks.spark_scaling                          # 1,900 stations (a national year each)
    python -m benchmarks.spark_scaling --stations 190 --years 1,2,4,8 --master "local[2]"

Each size is a store holding that many generated years (benchmarks.national, 340 cities),
filled directly (the import is measured by benchmarks.ingest).  Timed:

* ``duckdb_s``: ``service.compute_annual`` for every year, one after the other, from the store;
* ``spark_s``: ``spark.annual`` over all years from the Parquet layout (partitioned by year and
  province), in a session that is already started; ``spark_start_s`` is the session start-up
  and ``export_s`` the Parquet export, reported apart.

The cross-over is the first size at which Spark (without start-up) beats DuckDB, if any.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

FIRST_YEAR = 2015


def fill_store(con: Any, n_stations: int, n_cities: int, years: int, seed: int = 1) -> int:
    """``years`` generated years in the store (stations registered with real city codes)."""
    from benchmarks import national
    from ecozone.ingest.stations import Station, region_names, upsert_stations

    codes = sorted(c for c in region_names() if len(c) == 6 and c.isdigit() and c.endswith("00")
                   and not c.endswith("0000"))[:n_cities]
    n_days = (date(FIRST_YEAR + years, 1, 1) - date(FIRST_YEAR, 1, 1)).days
    g = national.generate(n_stations, len(codes), n_days, seed)
    upsert_stations(con, [Station(f"S{i:05d}", f"s{i}", codes[int(c)]) for i, c in enumerate(g.network.city_of)])
    ids = dict(con.execute("SELECT code, station_id FROM air_station").fetchall())
    sid = np.array([ids[f"S{i:05d}"] for i in range(n_stations)], np.int32)[g.sh.station]
    hours = pa.table({"station_id": sid, "hour": g.sh.hour,  # noqa: F841 - read by DuckDB
                      **{p: pa.array(v, mask=v < 0) for p, v in g.sh.values.items()},
                      "batch_id": np.zeros(sid.size, np.int32), "source_row": np.zeros(sid.size, np.int32)})
    con.execute("INSERT INTO air_station_hour SELECT * FROM hours ORDER BY station_id, hour")
    return int(sid.size)


def measure(sizes: list[int], n_stations: int, n_cities: int, master: str) -> dict[str, Any]:
    from ecozone.air import service, spark
    from ecozone.store.db import connect

    out: dict[str, Any] = {"stations": n_stations, "cities": n_cities, "master": master, "runs": []}
    t = time.perf_counter()
    with spark.session(master) as session:
        out["spark_start_s"] = round(time.perf_counter() - t, 1)
        for years in sizes:
            with tempfile.TemporaryDirectory(prefix="ecozone-scaling-") as tmp:
                con = connect(Path(tmp) / "s.duckdb")
                rows = fill_store(con, n_stations, n_cities, years)
                span = list(range(FIRST_YEAR, FIRST_YEAR + years))
                t = time.perf_counter()
                duck = [service.compute_annual(con, y) for y in span]
                duck_s = time.perf_counter() - t
                t = time.perf_counter()
                folder = spark.export_parquet(con, Path(tmp) / "parquet", span)
                export_s = time.perf_counter() - t
                t = time.perf_counter()
                sp = spark.annual(session, folder, span)
                spark_s = time.perf_counter() - t
                run = {"years": years, "station_hours": rows, "duckdb_s": round(duck_s, 2),
                       "export_s": round(export_s, 2), "spark_s": round(spark_s, 2),
                       "city_years": sp.num_rows, "duckdb_city_years": sum(d.num_rows for d in duck)}
                out["runs"].append(run)
                print(json.dumps(run), flush=True)
                con.close()
    faster = [r["years"] for r in out["runs"] if r["spark_s"] < r["duckdb_s"]]
    out["crossover_years"] = faster[0] if faster else None
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=1900)
    ap.add_argument("--cities", type=int, default=340)
    ap.add_argument("--years", default="1,2,4,8")
    ap.add_argument("--master", default="local[*]")
    args = ap.parse_args(argv)
    print(json.dumps(measure([int(y) for y in args.years.split(",")], args.stations, args.cities, args.master),
                     indent=2))


if __name__ == "__main__":
    main()
