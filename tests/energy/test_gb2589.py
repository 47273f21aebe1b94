"""GB/T 2589-2020 Table A.1 and the conversion to standard coal.

The table below is transcribed a second time, independently of data/factors/gb2589_2020.csv,
from the standard's Appendix A (低位发热量 → 折标准煤系数 = 低位发热量 / 29307 kJ).
"""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.standards.energy import gb2589

# fuel: (low heating value kJ, the same in kcal, kgce per unit) — GB/T 2589-2020 Table A.1 (per kg;
# electricity per kWh).  The table's coefficients are the heating value in kcal over the 7 000 kcal
# of one kgce, rounded to four places.
TABLE_A1 = {
    "raw_coal": (20908, 5000, 0.7143),
    "washed_coal": (26344, 6300, 0.9000),
    "coke": (28435, 6800, 0.9714),
    "crude_oil": (41816, 10000, 1.4286),
    "fuel_oil": (41816, 10000, 1.4286),
    "gasoline": (43070, 10300, 1.4714),
    "kerosene": (43070, 10300, 1.4714),
    "diesel": (42652, 10200, 1.4571),
    "lpg": (50179, 12000, 1.7143),
    "refinery_gas": (46055, 11000, 1.5714),
    "electricity": (3600, 860, 0.1229),
}
RANGES = {"natural_gas": (1.1000, 1.3300), "coke_oven_gas": (0.5714, 0.6143)}


@pytest.mark.parametrize("fuel", sorted(TABLE_A1))
def test_every_single_value_coefficient_matches_table_a1(fuel: str) -> None:
    kj, kcal, kgce = TABLE_A1[fuel]
    row = gb2589.REFERENCE_COEFFICIENTS[fuel]
    assert row.kgce == kgce and row.kgce_min == row.kgce_max == kgce
    assert round(kcal / 7000, 4) == kgce
    # and the data file carries the table's heating value in kJ
    ncv = {r["fuel"]: float(r["ncv_kj_min"]) for r in gb2589.factor_table("gb2589_2020").rows}
    assert ncv[fuel] == kj


@pytest.mark.parametrize("fuel", sorted(RANGES))
def test_range_rows_keep_the_range_and_name_the_choice(fuel: str) -> None:
    row = gb2589.REFERENCE_COEFFICIENTS[fuel]
    assert (row.kgce_min, row.kgce_max) == RANGES[fuel]
    assert row.kgce_min <= row.kgce <= row.kgce_max
    assert row.choice  # the chosen value says why


def test_heat_equivalent_value_is_one_megajoule_over_standard_coal() -> None:
    # 1 MJ / 29.307 MJ per kgce = 0.03412 kgce
    assert gb2589.REFERENCE_COEFFICIENTS["heat"].kgce == pytest.approx(1000 / gb2589.KJ_PER_KGCE, abs=1e-5)


def test_every_fuel_of_the_issue_is_known() -> None:
    wanted = ["raw_coal", "washed_coal", "coke", "coke_oven_gas", "crude_oil", "gasoline", "kerosene", "diesel",
              "fuel_oil", "lpg", "refinery_gas", "natural_gas", "electricity", "heat", "hydro", "wind", "solar",
              "nuclear"]
    assert sorted(gb2589.FUEL_IDS) == sorted(wanted)


def test_standard_coal_hand_computed() -> None:
    # 10^4 t raw coal = 1e7 kg x 0.7143 = 7143 tce; 10^4 m3 gas x 1.2143 = 12.143 tce;
    # 1 GWh electricity (equivalent) = 1e6 kWh x 0.1229 = 122.9 tce; 1000 GJ heat = 1e6 MJ x 0.03412 = 34.12 tce
    tce = gb2589.standard_coal([1e7, 1e4, 1e6, 1e6], ["raw_coal", "natural_gas", "electricity", "heat"], [2020] * 4)
    np.testing.assert_allclose(tce, [7143.0, 12.143, 122.9, 34.12])


def test_primary_electricity_by_coal_consumption_method_uses_the_year_rate() -> None:
    # 1 GWh of wind in 2020 at the data file's 305.5 gce/kWh = 305.5 tce; at the equivalent value 122.9 tce
    rate = {int(r["year"]): float(r["gce_per_kwh"]) for r in gb2589.factor_table("power_coal_rate").rows}
    coal = gb2589.standard_coal([1e6], ["wind"], [2020])
    eq = gb2589.standard_coal([1e6], ["wind"], [2020], primary_method="equivalent")
    assert coal[0] == pytest.approx(rate[2020]) and eq[0] == pytest.approx(122.9)
    # purchased electricity follows its own switch
    assert gb2589.standard_coal([1e6], ["electricity"], [2020], electricity_method="coal_consumption")[0] == \
        pytest.approx(rate[2020])
    # a year without a rate is NaN (the service reports it), never a silent default
    assert np.isnan(gb2589.standard_coal([1e6], ["hydro"], [1990])[0])


def test_units_and_aliases() -> None:
    assert gb2589.canonical_unit("万吨") == "10^4 t"
    assert gb2589.canonical_unit("万千瓦时") == "10^4 kWh"
    assert gb2589.canonical_unit("mwh") == "MWh"
    assert gb2589.canonical_unit("barrel") is None
    assert gb2589.UNITS["10^4 kWh"] == ("kWh", 1e4) and gb2589.UNITS["GJ"] == ("MJ", 1e3)


def test_unknown_method_refused() -> None:
    with pytest.raises(ValueError):
        gb2589.coefficient(["wind"], [2020], primary_method="magic")
