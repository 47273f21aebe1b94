"""National-scale benchmark: a generated year of 1,900 stations × 8,760 hours, ~340 cities.

    python -m benchmarks.national                 # engine + pandas baseline, full size
    python -m benchmarks.national --stations 60 --cities 12 --days 31   # a quick run

Steps timed (the engine): dense grid, validity (GB 3095 Table 4 / HJ 663), station daily means,
O3 8-hour windows and daily maxima, city aggregation, HJ 633 daily AQI, HJ 663 annual
evaluation and the composite index.  Input: long station-hour arrays with realistic gaps
(random missing hours, multi-day station outages, whole days partly missing).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecozone.air import engine

FIRST_DAY = 16436  # 2015-01-01
#: generated values are capped below the import's "impossible value" limits (ingest.common)
TOP = {"pm25": 1500, "pm10": 3000, "so2": 3000, "no2": 2000, "co": 100, "o3": 1500}


@dataclass
class Generated:
    sh: engine.StationHours
    network: engine.Network
    first_day: int
    n_days: int


def generate(n_stations: int = 1900, n_cities: int = 340, n_days: int = 365, seed: int = 1) -> Generated:
    """A synthetic national year with realistic levels, cycles and gaps (vectorised)."""
    rng = np.random.default_rng(seed)
    city_of = np.sort(rng.integers(0, n_cities, n_stations)).astype(np.int32)
    city_of[:n_cities] = np.arange(n_cities, dtype=np.int32)  # every city has a station
    n_hours = n_days * 24
    hours = np.arange(n_hours)
    season = 1 + 0.5 * np.cos(2 * np.pi * hours / (24 * 365))          # winter high
    diurnal = 1 + 0.6 * np.sin(2 * np.pi * ((hours % 24) - 9) / 24)    # afternoon O3 peak
    station_level = rng.lognormal(0, 0.35, (n_stations, 1)).astype(np.float32)
    keep = rng.random((n_stations, n_hours), dtype=np.float32) > 0.03   # 3 % random gaps
    for _ in range(n_stations // 4):                                    # multi-day outages
        s, start = rng.integers(0, n_stations), rng.integers(0, n_hours - 200)
        keep[s, start:start + rng.integers(5, 200)] = False
    st, hr = np.nonzero(keep)
    noise = lambda sigma: rng.lognormal(0, sigma, st.size).astype(np.float32)  # noqa: E731
    base = station_level[st, 0] * season[hr].astype(np.float32)
    values = {
        "pm25": np.round(45 * base * noise(0.6)),
        "pm10": np.round(80 * base * noise(0.5)),
        "so2": np.round(12 * base * noise(0.5)),
        "no2": np.round(35 * base * noise(0.4)),
        "co": np.round(0.9 * base * noise(0.4), 1),
        "o3": np.round(70 * (2 - season[hr]).astype(np.float32) * diurnal[hr].astype(np.float32)
                       * noise(0.4)),
    }
    for k, v in values.items():                     # plausible values only (the import refuses others),
        np.minimum(v, np.float32(TOP[k]), out=v)    # some single values missing too
        v[rng.random(v.size) < 0.01] = np.nan
    sh = engine.StationHours.from_physical(st.astype(np.int32), (hr + FIRST_DAY * 24).astype(np.int32),
                             {k: v.astype(np.float32) for k, v in values.items()})
    cities = [f"c{c:03d}" for c in range(n_cities)]
    return Generated(sh, engine.Network(cities, city_of), FIRST_DAY, n_days)


def run_engine(g: Generated) -> Any:
    cd = engine.city_days(g.sh, g.network, g.first_day, g.n_days)
    return engine.annual(cd, 2015)


def as_frame(g: Generated) -> Any:
    import pandas as pd

    return pd.DataFrame({"station": g.sh.station, "hour": g.sh.hour, **g.sh.physical()})


def run_pandas(g: Generated) -> Any:
    from benchmarks import pandas_baseline

    days = pandas_baseline.city_days(as_frame(g), g.network.city_of)
    return pandas_baseline.annual(days)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n_stations: int, n_cities: int, n_days: int, pandas: bool = True, repeat: int = 3) -> dict[str, Any]:
    t0 = time.perf_counter()
    g = generate(n_stations, n_cities, n_days)
    gen_s = time.perf_counter() - t0
    rows = int(g.sh.station.size)
    gc.collect()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = run_engine(g)
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    run_engine(g)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out: dict[str, Any] = {
        "stations": n_stations, "cities": n_cities, "days": n_days, "station_hours": rows,
        "generate_s": round(gen_s, 2), "engine_s": round(min(times), 3),
        "engine_runs_s": [round(t, 3) for t in times],
        "engine_peak_alloc_mb": round(traced / 2**20, 1), "process_peak_rss_mb_after_engine": round(_peak_mb(), 1),
        "cities_out": result.num_rows,
    }
    if pandas:
        t = time.perf_counter()
        base = run_pandas(g)
        out["pandas_s"] = round(time.perf_counter() - t, 3)
        out["ratio"] = round(out["pandas_s"] / out["engine_s"], 1)
        out["process_peak_rss_mb_after_pandas"] = round(_peak_mb(), 1)
        mine = {c: v for c, v in zip(result.column("city").to_pylist(),
                                     result.column("composite_index").to_pylist(), strict=True)}
        names = g.network.cities
        diff = [abs(mine[names[c]] - v) for c, v in base["composite_index"].items() if names[c] in mine]
        out["max_composite_index_difference_vs_pandas"] = float(max(diff)) if diff else None
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stations", type=int, default=1900)
    ap.add_argument("--cities", type=int, default=340)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.stations, args.cities, args.days, not args.no_pandas, args.repeat), indent=2))


if __name__ == "__main__":
    main()
