"""CO2 from fuel combustion: the IPCC 2006 sectoral approach as China's 《省级温室气体清单编制指南
（试行）》(2011) applies it, and CO2 of purchased electricity and heat.

Vectorised over NumPy arrays.  Factors are the versioned data files ``data/factors/
fuel_co2_provincial.csv`` (default net calorific values, carbon contents, oxidation rates) and
``data/factors/grid_co2.csv`` (electricity CO2 factors by year and scope, MEE / NBS).

Clauses implemented (docs/methods/carbon.md):

* IPCC 2006 Guidelines Vol. 2 Ch. 2, Tier 1/2 sectoral approach, equation 2.1, as the provincial
  guideline's 第一章 能源活动 化石燃料燃烧 writes it:
  ``CO2 = AD × NCV × CC × OF × 44/12`` (activity, net calorific value, carbon content per unit
  heat, oxidation rate): :func:`combustion_co2`.
* Purchased (net imported) electricity: ``CO2 = E × EF_grid`` with the electricity CO2 factor of
  the year (MEE / NBS 公告 2024年第12号 for 2021; the 2022 公告 of 2024-12-20), national, regional
  grid or provincial as the caller chooses: :func:`electricity_co2`.
* Purchased heat: 0.11 tCO2/GJ (:data:`HEAT_CO2_T_PER_GJ`), the default of the national
  enterprise accounting guidelines (a choice: the provincial guideline counts heat where it is
  produced).
* Non-fossil primary electricity (hydro, wind, solar, nuclear): zero combustion CO2.

A region-year's CO2 here is the sum of its fuels' combustion plus its net purchased electricity
and heat; process emissions (cement, steel) are outside this account (named, not estimated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.factors import FactorTable, factor_table

EDITION: Final = factor_table("fuel_co2_provincial").edition
GRID_EDITION: Final = factor_table("grid_co2").edition
#: molar mass ratio CO2 / C (IPCC 2006 Vol. 2, eq. 2.1 note)
CO2_PER_C: Final = 44.0 / 12.0
#: CO2 of purchased heat [tCO2/GJ]: default of the national enterprise accounting guidelines
HEAT_CO2_T_PER_GJ: Final = 0.11
GRID_KINDS: Final = ("average", "average_excl_market_nonfossil", "fossil", "ets")
DEFAULT_GRID_SCOPE: Final = "country.cn"


@dataclass(frozen=True)
class FuelFactor:
    """One row of the fuel factor table."""

    fuel: str
    ncv_gj: float  # GJ per t, or per 10^4 m3 for gases
    ncv_unit: str  # "t" or "10^4 m3"
    carbon_tc_per_tj: float
    oxidation: float

    @property
    def co2_t_per_base_unit(self) -> float:
        """tCO2 per kg (solids, liquids) or per m³ (gases)."""
        per_unit = 1e3 if self.ncv_unit == "t" else 1e4  # base units (kg or m³) in the NCV's unit
        return self.ncv_gj / per_unit * self.carbon_tc_per_tj / 1000.0 * self.oxidation * CO2_PER_C


#: 省级温室气体清单编制指南 defaults, keyed by ecozone's fuel id (fossil fuels only)
FUEL_FACTORS: Final[dict[str, FuelFactor]] = {
    r["fuel"]: FuelFactor(r["fuel"], float(r["ncv_gj"]), r["ncv_unit"], float(r["carbon_tc_per_tj"]),
                          float(r["oxidation"]))
    for r in factor_table("fuel_co2_provincial").rows
}


@dataclass(frozen=True)
class GridFactor:
    year: int
    scope: str
    kind: str
    factor: float  # tCO2/MWh
    source: str


GRID_COLUMNS: Final = ("year", "scope", "kind", "factor", "source")


def grid_factors(table: FactorTable | None = None) -> tuple[GridFactor, ...]:
    """The rows of a grid factor table (default: the packaged ``grid_co2.csv``)."""
    table = table or factor_table("grid_co2")
    return tuple(GridFactor(int(r["year"]), r["scope"], r["kind"], float(r["factor"]), r["source"]) for r in table.rows)


GRID_FACTORS: Final[tuple[GridFactor, ...]] = grid_factors()


def combustion_co2(quantity: npt.ArrayLike, fuel: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """CO2 of burning each row's fuel [t], from quantities in the base unit (kg or m³).

    IPCC 2006 eq. 2.1 with the guideline's defaults: ``AD × NCV × CC × OF × 44/12``.  Fuels that
    are not fossil (electricity, heat, primary electricity) give 0 here.
    """
    fuels = np.asarray(fuel, dtype=object)
    uniq, inv = np.unique(fuels, return_inverse=True)
    per_unit = np.array([FUEL_FACTORS[f].co2_t_per_base_unit if f in FUEL_FACTORS else 0.0 for f in uniq])[inv]
    return np.asarray(quantity, dtype=np.float64) * per_unit


def grid_factor(year: int, *, scope: str = DEFAULT_GRID_SCOPE, kind: str = "average",
                fallback: bool = True, factors: Sequence[GridFactor] = GRID_FACTORS) -> GridFactor | None:
    """The electricity CO2 factor of ``year`` for ``scope`` and ``kind``.

    With ``fallback`` a year without a published factor takes the nearest published year
    (earlier preferred) and the caller records which year was used; None if the scope has none.
    """
    rows = [g for g in factors if g.scope == scope and g.kind == kind]
    exact = [g for g in rows if g.year == year]
    if exact or not fallback:
        return exact[0] if exact else None
    if not rows:
        return None
    return min(rows, key=lambda g: (abs(g.year - year), g.year > year))


def electricity_co2(kwh: npt.ArrayLike, factor_t_per_mwh: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """CO2 of purchased electricity [t]: ``E [MWh] × EF [tCO2/MWh]`` from kWh."""
    return np.asarray(kwh, dtype=np.float64) / 1000.0 * np.asarray(factor_t_per_mwh, dtype=np.float64)


def heat_co2(mj: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """CO2 of purchased heat [t]: ``Q [GJ] × 0.11 tCO2/GJ`` from MJ."""
    return np.asarray(mj, dtype=np.float64) / 1000.0 * HEAT_CO2_T_PER_GJ
