"""A generated basin-year: monthly results of sections whose annual classes are known by design.

Each section gets a target class and a "driver" item whose annual mean sits exactly on (or just
above) a GB 3838-2002 Table 1 limit; every other item stays in class Ⅰ.  Monthly values vary
around the annual mean (±10 %, summing to zero), so only the mean decides the class.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ecozone.standards.water import gb3838

#: class-Ⅰ values of the items that are not the driver (mg/L; pH, DO as noted)
CLEAN = {"ph": 7.5, "do": 8.0, "codmn": 1.5, "cod": 10, "bod5": 2, "nh3_n": 0.1, "tp": 0.01,
         "tn": 0.15, "fluoride": 0.3, "as": 0.001, "hg": 0.00002, "cd": 0.0005, "cr6": 0.004,
         "pb": 0.002, "cyanide": 0.002, "phenol": 0.001, "petroleum": 0.01, "las": 0.05, "sulfide": 0.01,
         "cu": 0.005, "zn": 0.02, "se": 0.0005, "fecal_coliform": 150}
#: monthly deviations from the mean, summing to zero (as fractions)
SWING = (0.1, -0.1, 0.05, -0.05, 0.08, -0.08, 0.02, -0.02, 0.06, -0.06, 0.0, 0.0)


def monthly(mean: float) -> list[float]:
    return [round(mean * (1 + s), 10) for s in SWING]


def section_rows(code: str, name: str, water_type: str, region: str, level: str, year: int,
                 means: dict[str, float]) -> list[dict[str, str]]:
    values = {**CLEAN, **means}
    if water_type == "lake":
        values = {**values, "tp": means.get("tp", 0.005), "chla": means.get("chla", 5.0), "sd": means.get("sd", 1.5)}
    rows = []
    for item, mean in values.items():
        for month, v in enumerate(monthly(mean), start=1):
            rows.append({"section": code, "name": name, "water_type": water_type, "region": region,
                         "level": level, "date": f"{year}-{month:02d}", "item": item, "value": repr(v)})
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["section", "name", "water_type", "region", "level", "date", "item", "value"])
        w.writeheader()
        w.writerows(rows)
    return path


def limit(item: str, cls: int, water_type: str = "river") -> float:
    return gb3838.limits_for(item, water_type)[cls - 1]
