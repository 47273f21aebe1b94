"""Benchmark of the energy account: ``python -m benchmarks.energy [regions] [years]``.

Generates a long energy file (every region × year × the 18 fuels), then times reading and
checking it (``read_energy``) and the account (``account``) — the set-based path a county-level
national file would take.  Outside the test suite.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from ecozone.energy import service
from ecozone.ingest.energy import read_energy
from ecozone.standards.energy import gb2589

UNIT = {"kg": "10^4 t", "m3": "10^4 m3", "kWh": "10^4 kWh", "MJ": "GJ"}


def generate(path: Path, n_regions: int, n_years: int) -> int:
    """Region codes of Hebei's counties (repeated with a suffix-free GB/T 2260 look) are not all in the
    dictionary; the benchmark uses the known region codes, cycled through the years."""
    from ecozone.catalogue.loader import packaged_catalogue

    codes = sorted(c for c in packaged_catalogue().regions if c.isdigit())[:n_regions]
    years = np.arange(2022 - n_years + 1, 2023)
    fuels = np.array(gb2589.FUEL_IDS)
    r, y, f = np.meshgrid(np.arange(len(codes)), years, np.arange(len(fuels)), indexing="ij")
    rng = np.random.default_rng(1)
    table = pa.table({"region": np.array(codes)[r.ravel()], "year": y.ravel(), "fuel": fuels[f.ravel()],
                      "quantity": rng.uniform(1, 1000, r.size).round(3),
                      "unit": [UNIT[gb2589.REFERENCE_COEFFICIENTS[x].unit] for x in fuels[f.ravel()]]})
    pa_csv.write_csv(table, path)
    return table.num_rows


def main() -> None:
    n_regions = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n_years = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "energy.csv"
        rows = generate(path, n_regions, n_years)
        t0 = time.perf_counter()
        energy = read_energy(path)
        t1 = time.perf_counter()
        acc = service.account(energy, service.Options(primary_method="equivalent"))
        t2 = time.perf_counter()
    print(f"{rows} rows ({len(acc.rows)} region-years): read and check {t1 - t0:.2f} s, account {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
