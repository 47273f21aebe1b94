"""CO2 factors (provincial greenhouse-gas inventory guideline defaults), grid factors and the
carbon market's allowance balance, against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.standards.carbon import ets, ipcc2006

# fuel: (NCV GJ/t or GJ/10^4 m3, carbon tC/TJ, oxidation) — transcribed a second time from the
# guideline's default table
DEFAULTS = {
    "raw_coal": (20.908, 26.37, 0.94), "washed_coal": (26.344, 25.41, 0.93), "coke": (28.435, 29.42, 0.93),
    "coke_oven_gas": (179.81, 13.58, 0.99), "crude_oil": (41.816, 20.08, 0.98), "gasoline": (43.070, 18.90, 0.98),
    "kerosene": (43.070, 19.60, 0.98), "diesel": (42.652, 20.20, 0.98), "fuel_oil": (41.816, 21.10, 0.98),
    "lpg": (50.179, 17.20, 0.98), "refinery_gas": (46.055, 18.20, 0.98), "natural_gas": (389.31, 15.32, 0.99),
}


@pytest.mark.parametrize("fuel", sorted(DEFAULTS))
def test_fuel_factor_table(fuel: str) -> None:
    f = ipcc2006.FUEL_FACTORS[fuel]
    assert (f.ncv_gj, f.carbon_tc_per_tj, f.oxidation) == DEFAULTS[fuel]


def test_raw_coal_co2_hand_computed() -> None:
    # 1 t raw coal: 20.908 GJ x 26.37 tC/TJ / 1000 x 0.94 x 44/12 = 1.90030 tCO2
    assert ipcc2006.combustion_co2([1000.0], ["raw_coal"])[0] == pytest.approx(1.900299, rel=1e-6)


def test_natural_gas_co2_hand_computed() -> None:
    # 10^4 m3: 389.31 GJ x 15.32 / 1000 x 0.99 x 44/12 = 21.65015 tCO2
    assert ipcc2006.combustion_co2([1e4], ["natural_gas"])[0] == pytest.approx(21.65015, rel=1e-6)


def test_non_fossil_and_electricity() -> None:
    assert ipcc2006.combustion_co2([1e6, 1e6], ["wind", "electricity"]).tolist() == [0.0, 0.0]
    # 1000 MWh at 0.5366 tCO2/MWh = 536.6 t; 1000 GJ heat x 0.11 = 110 t
    assert ipcc2006.electricity_co2([1e6], [0.5366])[0] == pytest.approx(536.6)
    assert ipcc2006.heat_co2([1e6])[0] == pytest.approx(110.0)


def test_grid_factors_as_published() -> None:
    # MEE / NBS: 2021 national 0.5568; 2022 national 0.5366, North China 0.6776, Hebei 0.7252
    assert ipcc2006.grid_factor(2021).factor == 0.5568  # type: ignore[union-attr]
    assert ipcc2006.grid_factor(2022).factor == 0.5366  # type: ignore[union-attr]
    assert ipcc2006.grid_factor(2022, scope="grid.north_china").factor == 0.6776  # type: ignore[union-attr]
    assert ipcc2006.grid_factor(2022, scope="130000").factor == 0.7252  # type: ignore[union-attr]
    # a year without a factor takes the nearest published year, and says so
    g = ipcc2006.grid_factor(2019)
    assert g is not None and g.year == 2021
    assert ipcc2006.grid_factor(2019, fallback=False) is None
    assert ipcc2006.grid_factor(2022, scope="nowhere") is None


def test_allowance_balance_and_status() -> None:
    # 第二十八条: allowances surrendered must cover verified emissions
    a = [100.0, 100.0, 100.0, 80.0, np.nan]
    v = [90.0, 100.2, 120.0, 100.0, 50.0]
    s = [np.nan, np.nan, np.nan, 100.0, np.nan]
    assert ets.balance(a, v).tolist()[:4] == pytest.approx([10.0, -0.2, -20.0, -20.0])
    assert ets.compliance_status(a, v, s).tolist() == ["surplus", "balanced", "shortfall", "covered", "missing"]


def test_ccer_offsets_count_up_to_five_percent() -> None:
    """第二十九条: offsets may cover at most 5 % of verified emissions."""
    assert ets.offsets_counted([10.0, 3.0], [100.0, 100.0]).tolist() == [5.0, 3.0]
    # short by 10: 95 allowances surrendered + 10 CCER (5 count) = 100 → covered; 94 + 10 → not
    assert ets.compliance_status([90.0, 90.0], [100.0, 100.0], [95.0, 94.0], [10.0, 10.0]).tolist() == \
        ["covered", "shortfall"]
    # offsets alone (nothing surrendered) never cover a shortfall larger than 5 %
    assert ets.compliance_status([90.0], [100.0], None, [50.0]).tolist() == ["shortfall"]
