"""From raw file to national ranking: ecozone's import, store, engine and ranking beside a pandas script.

    python -m benchmarks.ingest                       # the national year: 1,900 stations, 13 cities
    python -m benchmarks.ingest --stations 200 --days 60          # a quick run
    python -m benchmarks.ingest --step import         # one step (each step runs in its own process)

The input is a generated national year written as one Parquet file with native types, the way
a data team hands it over: ``station`` (code), ``time`` (timestamp, end of the hour), ``pm25 pm10
so2 no2 co o3`` (float64, µg/m³; CO mg/m³), ``city`` (registers the stations).  Each step runs in
a fresh Python process so that its peak RSS is its own:

* ``import``: ``ecozone air import --format parquet`` with every check, into a new store;
* ``annual``: the HJ 663 annual assessment of every city from the store;
* ``rank``: the composite-index ranking from the store;
* ``end_to_end``: raw file -> ranking (import + annual + rank) in one process;
* ``pandas``: an independent pandas script on the same file (read, the same HJ 633/663 rules
  in group-bys and rolling windows, the ranking);
* ``engine``: the core engine against its pandas baseline on the same arrays (benchmarks.national);
* ``cnemc``: the first 240 hours as CNEMC hourly files (one file per hour, every station), imported
  with ``--register-stations``: files/s, rows/s and the time a year of files (8,760) would take.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

#: hourly CNEMC files the ``cnemc`` step writes and imports (10 days of the national network)
CNEMC_FILES = 240
CITIES = ["110000", "120000", "130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800",
          "130900", "131000", "131100"]
MAPPING = """station: station
time: time
time_format: "%Y-%m-%d %H:%M:%S"
time_label: end
city: city
columns: {pm25: pm25, pm10: pm10, so2: so2, no2: no2, co: co, o3: o3}
"""


def generate_parquet(path: Path, n_stations: int, n_days: int, seed: int = 1) -> int:
    """The national year of benchmarks.national as a Parquet file (returns the row count)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benchmarks import national

    g = national.generate(n_stations, len(CITIES), n_days, seed)
    phys = g.sh.physical()
    city_of = g.network.city_of[g.sh.station]
    codes = np.array([f"B{i:04d}" for i in range(n_stations)], dtype=object)
    # end-of-hour labels: the start-labelled hour h is published as h + 1
    ts = (g.sh.hour.astype(np.int64) + 1) * 3600 * 1_000_000
    table = pa.table({
        "station": pa.array(codes[g.sh.station], pa.string()),
        "time": pa.array(ts, pa.timestamp("us")),
        **{p: pa.array(v) for p, v in phys.items()},
        "city": pa.array(np.asarray(CITIES, dtype=object)[city_of], pa.string()),
    })
    pq.write_table(table, path, row_group_size=1 << 20)
    return table.num_rows


#: the city names the CNEMC release writes in ``area`` for the benchmark's cities
AREA = {"110000": "北京市", "120000": "天津市", "130100": "石家庄市", "130200": "唐山市", "130300": "秦皇岛市",
        "130400": "邯郸市", "130500": "邢台市", "130600": "保定市", "130700": "张家口市", "130800": "承德市",
        "130900": "沧州市", "131000": "廊坊市", "131100": "衡水市"}


def write_cnemc_hours(data: Path, folder: Path, n_files: int) -> int:
    """The first ``n_files`` hours of the national Parquet file as CNEMC hourly CSV files (one per
    hour, every station, the release's columns and number formats); returns the rows written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    table = pq.read_table(data)
    table = table.take(pc.sort_indices(table, [("time", "ascending"), ("station", "ascending")]))
    ts = table.column("time").cast(pa.int64()).to_numpy()
    starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
    rows = 0
    for a, b in zip(starts[:n_files], np.r_[starts[1:], ts.size][:n_files], strict=True):
        part = table.slice(int(a), int(b - a))
        stamp = part.column("time")[0].as_py()
        text = {p: pc.if_else(pc.is_nan(part.column(p)), "", pc.cast(part.column(p), pa.string()))
                for p in ("pm25", "pm10", "so2", "no2", "o3")}
        co = pc.if_else(pc.is_nan(part.column("co")), "",
                        pc.utf8_replace_slice(pc.cast(pc.round(part.column("co"), 1), pa.string()), 99, 99, ""))
        out = pa.table({"timepoint": pa.array([stamp.strftime("%Y-%m-%dT%H:%M:%S")] * part.num_rows),
                        "stationcode": part.column("station"),
                        "area": pa.array([AREA[c] for c in part.column("city").to_pylist()]),
                        "positionname": part.column("station"), "pm2_5": text["pm25"], "pm10": text["pm10"],
                        "so2": text["so2"], "no2": text["no2"], "co": co, "o3": text["o3"]})
        pcsv.write_csv(out, folder / f"{stamp:%Y-%m-%dT%H}.csv", pcsv.WriteOptions(quoting_style="none"))
        rows += part.num_rows
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, work: Path, year: int, stations: int = 1900, days: int = 365) -> dict[str, Any]:
    """Run one step in this process; returns seconds and peak RSS (a fresh process per step:
    the peak RSS of a child starts from its parent's, so the driver holds no data)."""
    data, db, mapping = work / "national.parquet", work / "store.duckdb", work / "map.yaml"
    t = time.perf_counter()
    out: dict[str, Any] = {}
    if name == "generate":
        out["station_hours"] = generate_parquet(data, int(stations), int(days))
        mapping.write_text(MAPPING, encoding="utf-8")
        out["parquet_mb"] = round(data.stat().st_size / 2**20, 1)
    elif name in ("import", "end_to_end"):
        from ecozone.air import service
        from ecozone.ingest.readers import load_mapping
        from ecozone.store.db import connect

        target = db if name == "import" else work / "e2e.duckdb"
        target.unlink(missing_ok=True)
        con = connect(target)
        summary = service.import_files(con, [data], "parquet", mapping=load_mapping(mapping), register_stations=True)
        out["hours_added"] = summary.hours_added
        out["import_s"] = round(time.perf_counter() - t, 2)
        if name == "end_to_end":
            ranked = service.ranking(service.compute_annual(con, year))
            out["cities_ranked"] = int((ranked.column("rank").to_numpy() > 0).sum())
        con.close()
    elif name == "cnemc":  # a run of CNEMC hourly files: files/s (per-file overhead)
        from ecozone.air import service
        from ecozone.store.db import connect

        folder = work / "cnemc"
        out["rows_written"] = write_cnemc_hours(data, folder, CNEMC_FILES)
        files = sorted(folder.glob("*.csv"))
        target = work / "cnemc.duckdb"
        target.unlink(missing_ok=True)
        con = connect(target)
        t = time.perf_counter()
        summary = service.import_files(con, files, "cnemc", register_stations=True)
        took = time.perf_counter() - t
        con.close()
        out.update(files=len(files), import_s=round(took, 2), files_per_s=round(len(files) / took, 1),
                   rows_per_s=round(summary.rows_read / took), year_of_files_s=round(8760 * took / len(files)))
    elif name in ("annual", "rank"):
        from ecozone.air import service
        from ecozone.store.db import connect

        con = connect(db, read_only=True)
        table = service.compute_annual(con, year)
        if name == "rank":
            table = service.ranking(table)
        out["cities"] = table.num_rows
        con.close()
    elif name == "pandas":
        import pandas as pd

        from benchmarks import pandas_baseline

        df = pd.read_parquet(data)
        codes = {c: i for i, c in enumerate(sorted(df["station"].unique()))}
        city_index = {c: i for i, c in enumerate(CITIES)}
        st = df["station"].map(codes).to_numpy()
        city_of = np.zeros(len(codes), np.int32)
        city_of[st] = df["city"].map(city_index).to_numpy()
        hour = (df["time"].astype("int64") // 3_600_000_000 - 1).to_numpy()   # end label -> start
        frame = pd.DataFrame({"station": st, "hour": hour, **{p: df[p].to_numpy() for p in
                                                                ("pm25", "pm10", "so2", "no2", "co", "o3")}})
        days = pandas_baseline.city_days(frame, city_of)
        res = pandas_baseline.annual(days).sort_values("composite_index")
        out["cities"] = len(res)
    out["seconds"] = round(time.perf_counter() - t, 2)
    out["peak_rss_mb"] = round(_peak_mb(), 0)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=1900)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--step", default=None, help="run one step in this process (used by the driver)")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--steps", default="import,annual,rank,end_to_end,pandas,engine,cnemc")
    args = ap.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, args.work, 2015, args.stations, args.days)))
        return
    with tempfile.TemporaryDirectory(prefix="ecozone-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report: dict[str, Any] = {"stations": args.stations, "cities": len(CITIES), "days": args.days}

        def run(name: str) -> dict[str, Any]:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--step", name, "--work", str(work),
                                   "--stations", str(args.stations), "--days", str(args.days)],
                                  capture_output=True, text=True, check=False)
            if proc.returncode:
                return {"error": proc.stderr.strip().splitlines()[-1:]}
            return dict(json.loads(proc.stdout.strip().splitlines()[-1]))

        report["generate"] = run("generate")
        for name in args.steps.split(","):
            if name == "engine":
                from benchmarks import national

                res = national.measure(args.stations, 340, args.days, pandas=True, repeat=2)
                report["engine"] = {k: res[k] for k in ("engine_s", "pandas_s", "ratio")}
                continue
            report[name] = run(name)
            print(name, report[name], file=sys.stderr, flush=True)
        if "end_to_end" in report and "pandas" in report and "seconds" in report["end_to_end"]:
            report["end_to_end_vs_pandas"] = round(report["pandas"]["seconds"] / report["end_to_end"]["seconds"], 2)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
