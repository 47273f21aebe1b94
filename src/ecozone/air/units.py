"""How station-hour concentrations are held: scaled integers, so that sums are exact.

The national network publishes µg/m³ as integers and CO in mg/m³ with up to two decimals; the
UCI PRSA files carry PM with one decimal, CO in µg/m³ (0.001 mg/m³) and SO2, NO2, O3 with four
decimals (converted from ppb).  ecozone keeps every value as an integer count of a fixed step
that holds all of these exactly (int32: the largest plausible values fit):

==============  ===================  ==========
pollutant       stored unit          scale
==============  ===================  ==========
PM2.5, PM10     0.1 µg/m³            10
SO2, NO2, O3    0.0001 µg/m³         10000
CO              0.001 mg/m³          1000
==============  ===================  ==========

A value with more decimals than its step is refused on import (never silently rounded); sums,
means and the GB/T 8170 rounding of the standards are then exact integer arithmetic
(:mod:`ecozone.standards.gbt8170`); floats appear only where a standard divides.
"""

from __future__ import annotations

from typing import Final

#: stored integer units per physical unit (µg/m³; CO mg/m³)
SCALE: Final[dict[str, int]] = {"pm25": 10, "pm10": 10, "so2": 10_000, "no2": 10_000, "co": 1000,
                                "o3": 10_000}
#: a missing value in the engine's int32 arrays (concentrations are never negative)
MISSING: Final = -1
#: physical unit of each pollutant
UNIT: Final[dict[str, str]] = {"pm25": "µg/m³", "pm10": "µg/m³", "so2": "µg/m³", "no2": "µg/m³",
                               "co": "mg/m³", "o3": "µg/m³"}
#: the stored step written out, for messages
STEP: Final[dict[str, str]] = {p: f"{1 / s:g} {UNIT[p]}" for p, s in SCALE.items()}
