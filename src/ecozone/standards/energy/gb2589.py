"""GB/T 2589-2020 《综合能耗计算通则》: energy quantities converted to standard coal (tce).

Vectorised over NumPy arrays (one value per region-year-fuel row).  The coefficients are the
versioned data file ``data/factors/gb2589_2020.csv``; :data:`REFERENCE_COEFFICIENTS` is read from
it, and tests/energy/test_gb2589.py checks every value against an independent transcription.

Clauses implemented (sources and what could not be read: docs/methods/gb2589.md):

* §3 术语和定义, 标准煤 (coal equivalent): 1 kgce has a low heating value of 29 307 kJ
  (:data:`KJ_PER_KGCE`).
* §4 (energy counted by its measured low heating value, else) Appendix A, Table A.1 《各种能源折标准煤参考系数》: the reference coefficient of each fuel
  where its measured heating value is not known (:data:`REFERENCE_COEFFICIENTS`).  Where the
  table gives a range (natural gas 1.1000–1.3300 kgce/m³, coke-oven gas 0.5714–0.6143), one
  value is chosen and named in the file's ``choice`` column: the value of the national energy
  statistics reporting forms.
* Table A.1, electricity: the equivalent value (当量值) 0.1229 kgce/kWh (3 600 kJ/kWh); heat:
  0.034 12 kgce/MJ.
* Primary electricity (hydro, wind, solar, nuclear) by the coal-consumption method (发电煤耗
  计算法) of national energy statistics: at the thermal-power coal rate of the year, a data file
  (``power_coal_rate.csv``) since it changes every year; the equivalent value on request.

Not settled by the text and chosen here (a parameter, never hidden): purchased / net imported
electricity (``electricity``) is counted at the equivalent value by default, as GB/T 2589
counts purchased electricity in comprehensive energy consumption; ``electricity_method=
"coal_consumption"`` counts it at the year's coal rate instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.factors import FactorTable, factor_table

EDITION: Final = "GB/T 2589-2020"
#: GB/T 2589-2020 §3 (标准煤): low heating value of one kilogram of standard coal
KJ_PER_KGCE: Final = 29307.0

ELECTRICITY_METHODS: Final = ("equivalent", "coal_consumption")
#: fuel groups; ``coal`` enters the coal share, ``primary_electricity`` the non-fossil share
GROUPS: Final = ("coal", "oil", "gas", "electricity", "heat", "primary_electricity")
NON_FOSSIL_GROUPS: Final = ("primary_electricity",)
#: fuels whose physical tonnes make up coal consumption (煤炭消费量, 实物量): coal itself, not the
#: products made from it (coke, coke-oven gas), which would count the same coal twice (a choice,
#: docs/methods/gb2589.md)
COAL_CONSUMPTION_FUELS: Final = ("raw_coal", "washed_coal")


@dataclass(frozen=True)
class Fuel:
    """One row of Table A.1 as ecozone applies it."""

    id: str
    name_zh: str
    name_en: str
    group: str
    unit: str  # the base unit the coefficient is per: kg, m3, kWh, MJ
    kgce: float  # kgce per base unit
    kgce_min: float
    kgce_max: float
    choice: str


def _fuels() -> dict[str, Fuel]:
    table = factor_table("gb2589_2020")
    return {r["fuel"]: Fuel(r["fuel"], r["name_zh"], r["name_en"], r["group"], r["unit"], float(r["kgce"]),
                            float(r["kgce_min"]), float(r["kgce_max"]), r["choice"]) for r in table.rows}


#: GB/T 2589-2020 Table A.1, keyed by ecozone's fuel id
REFERENCE_COEFFICIENTS: Final[dict[str, Fuel]] = _fuels()
FUEL_IDS: Final = tuple(REFERENCE_COEFFICIENTS)

#: physical units accepted in input files: unit -> (base unit, factor to the base unit)
UNITS: Final[dict[str, tuple[str, float]]] = {
    "kg": ("kg", 1.0), "t": ("kg", 1e3), "10^4 t": ("kg", 1e7),
    "m3": ("m3", 1.0), "10^4 m3": ("m3", 1e4), "10^8 m3": ("m3", 1e8),
    "kWh": ("kWh", 1.0), "MWh": ("kWh", 1e3), "10^4 kWh": ("kWh", 1e4), "10^8 kWh": ("kWh", 1e8),
    "MJ": ("MJ", 1.0), "GJ": ("MJ", 1e3), "10^4 GJ": ("MJ", 1e7),
}
#: spellings of the units that input files use
UNIT_ALIASES: Final[dict[str, str]] = {
    "吨": "t", "万吨": "10^4 t", "千克": "kg", "公斤": "kg",
    "立方米": "m3", "m³": "m3", "万立方米": "10^4 m3", "10^4 m³": "10^4 m3", "10^4m3": "10^4 m3",
    "亿立方米": "10^8 m3", "10^8 m³": "10^8 m3",
    "千瓦时": "kWh", "kwh": "kWh", "兆瓦时": "MWh", "mwh": "MWh", "万千瓦时": "10^4 kWh", "10^4kWh": "10^4 kWh",
    "亿千瓦时": "10^8 kWh", "吉焦": "GJ", "gj": "GJ", "兆焦": "MJ", "百万千焦": "GJ", "万吉焦": "10^4 GJ",
    "10^4t": "10^4 t",
}


def canonical_unit(unit: str) -> str | None:
    """The canonical spelling of ``unit`` (``"万吨"`` → ``"10^4 t"``), or None if unknown."""
    u = unit.strip()
    if u in UNITS:
        return u
    return UNIT_ALIASES.get(u) or UNIT_ALIASES.get(u.lower())


COAL_RATE_COLUMNS: Final = ("year", "gce_per_kwh")


def coal_rate(year: npt.ArrayLike, table: FactorTable | None = None) -> npt.NDArray[np.float64]:
    """Thermal-power coal rate of each year [kgce/kWh] from ``table`` (default: the packaged
    ``power_coal_rate.csv``); NaN for a year the table lacks."""
    table = table or factor_table("power_coal_rate")
    rates = {int(r["year"]): float(r["gce_per_kwh"]) / 1000.0 for r in table.rows}
    years = np.asarray(year, dtype=np.int64)
    return np.array([rates.get(int(y), np.nan) for y in np.unique(years)])[np.unique(years, return_inverse=True)[1]]


def coefficient(fuel: npt.ArrayLike, year: npt.ArrayLike, *, electricity_method: str = "equivalent",
                primary_method: str = "coal_consumption",
                coal_rates: FactorTable | None = None) -> npt.NDArray[np.float64]:
    """Coefficient to standard coal of each row [kgce per base unit] (Table A.1).

    ``primary_method`` is how hydro, wind, solar and nuclear power are counted, and
    ``electricity_method`` how (net purchased) electricity is: ``"equivalent"`` (当量值,
    0.1229 kgce/kWh) or ``"coal_consumption"`` (the year's thermal-power coal rate, from
    ``coal_rates`` or the packaged table).  A year without a coal rate gives NaN for those rows
    (the caller reports it).
    """
    for m in (electricity_method, primary_method):
        if m not in ELECTRICITY_METHODS:
            raise ValueError(f"unknown electricity method {m!r}: use one of {ELECTRICITY_METHODS}")
    fuels = np.asarray(fuel, dtype=object)
    uniq, inv = np.unique(fuels, return_inverse=True)
    base = np.array([REFERENCE_COEFFICIENTS[f].kgce for f in uniq])[inv]
    group = np.array([REFERENCE_COEFFICIENTS[f].group for f in uniq], dtype=object)[inv]
    rate = coal_rate(year, coal_rates)
    use_rate = ((group == "primary_electricity") & (primary_method == "coal_consumption")) | (
        (group == "electricity") & (electricity_method == "coal_consumption"))
    return np.where(use_rate, rate, base)


def standard_coal(quantity: npt.ArrayLike, fuel: npt.ArrayLike, year: npt.ArrayLike, *,
                  electricity_method: str = "equivalent", primary_method: str = "coal_consumption",
                  coal_rates: FactorTable | None = None) -> npt.NDArray[np.float64]:
    """Standard coal of each row [tce] from quantities in the fuel's base unit (kg, m³, kWh, MJ).

    ``E = Σ q_i × k_i`` (the comprehensive energy consumption sum of GB/T 2589-2020 §5, summed by the caller per region-year),
    with ``k_i`` from :func:`coefficient` in kgce per base unit; the result is in tonnes.
    """
    q = np.asarray(quantity, dtype=np.float64)
    return q * coefficient(fuel, year, electricity_method=electricity_method, primary_method=primary_method,
                           coal_rates=coal_rates) / 1000.0


def method_label(electricity_method: str, primary_method: str) -> str:
    """The provenance text of a conversion: edition and the two electricity choices."""
    return f"{EDITION} Table A.1; electricity {electricity_method}; primary electricity {primary_method}"
