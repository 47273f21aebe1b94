"""Surface-water benchmark: a generated national year of monthly section results.

    python -m benchmarks.water                    # 3,641 sections (the national network size) × 12 months × 24 items
    python -m benchmarks.water --sections 300     # a quick run

Steps timed: reading and checking the long CSV (ingest), storing it (one transaction),
section assessment (GB 3838 classes, main pollutants, TLI), region shares and CWQI.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from ecozone.standards.water import gb3838
from ecozone.water import service

CITIES = ("130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800", "130900", "131000",
          "131100", "133100")


def generate(path: Path, n_sections: int, year: int = 2024, seed: int = 1) -> int:
    """Monthly values drawn around each section's level; 10 % lake points; some values below DL."""
    rng = np.random.default_rng(seed)
    items = [i for i in gb3838.ITEMS if i not in ("wt",)]
    typical = {i: (gb3838.CLASS_LIMITS.get(i, (1, 1, 1, 1, 1))[2] if i in gb3838.CLASS_LIMITS else 1.0) for i in items}
    typical.update({"ph": 7.6, "do": 7.0, "chla": 10.0, "sd": 1.0})
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["section", "name", "water_type", "region", "level", "date", "item", "value"])
        for s in range(n_sections):
            wt = "lake" if s % 10 == 0 else "river"
            level = "national" if s % 2 == 0 else "provincial"
            city = CITIES[s % len(CITIES)]
            scale = rng.lognormal(-0.3, 0.6)
            for item in items:
                base = typical[item] * (scale if item not in ("ph", "do") else 1.0)
                vals = np.abs(base * rng.lognormal(0, 0.25, 12))
                if item == "ph":
                    vals = rng.normal(7.6, 0.4, 12)
                for m, v in enumerate(vals, start=1):
                    cell = f"{typical[item] / 20:g}L" if item in ("hg", "cd", "pb") and v < typical[item] / 10 else f"{v:.4g}"
                    w.writerow([f"S{s:05d}", f"断面{s}", wt, city, level, f"{year}-{m:02d}", item, cell])
                    n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", type=int, default=3641)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national.csv"
        t0 = time.perf_counter()
        rows = generate(path, args.sections)
        t1 = time.perf_counter()
        con, summary = service.memory_store([path])
        t2 = time.perf_counter()
        assessed = service.assess(con, 2024)
        t3 = time.perf_counter()
        service.summary(con, 2024, "region")
        t4 = time.perf_counter()
        service.cwqi_cities(con, 2024)
        t5 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows {rows:,} ({args.sections} sections): generate {t1 - t0:.1f} s, import {t2 - t1:.1f} s, "
          f"assess {t3 - t2:.2f} s ({len(assessed)} sections), shares {t4 - t3:.2f} s, cwqi {t5 - t4:.2f} s; "
          f"peak RSS {peak:.0f} MiB; stored {summary.samples_added:,}")


if __name__ == "__main__":
    main()
