"""Properties of the conversion that hold for any quantity: units of one dimension agree, and
the account is additive over rows (total = sum of the fuels, whatever the split)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ecozone.energy import service
from ecozone.ingest.energy import read_energy
from ecozone.standards.energy import gb2589

FUELS = st.sampled_from(gb2589.FUEL_IDS)
QTY = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@settings(max_examples=8, deadline=None)
@given(fuel=FUELS, q=st.floats(min_value=1e-3, max_value=1e9, allow_nan=False))
def test_one_amount_in_every_unit_of_its_dimension_gives_one_result(tmp_path_factory, fuel: str, q: float) -> None:  # type: ignore[no-untyped-def]
    """The same physical amount written as t, 10^4 t, kg (or m3, 10^4 m3 …) converts alike."""
    base = gb2589.REFERENCE_COEFFICIENTS[fuel].unit
    units = [u for u, (b, _) in gb2589.UNITS.items() if b == base]
    path: Path = tmp_path_factory.mktemp("u") / "e.csv"
    path.write_text("region,year,fuel,quantity,unit\n" + "".join(
        f"130000,{2001 + i},{fuel},{q / gb2589.UNITS[u][1]!r},{u}\n" for i, u in enumerate(units)), encoding="utf-8")
    acc = service.account(read_energy(path), service.Options(primary_method="equivalent"))
    np.testing.assert_allclose([r["tce_total"] for r in acc.rows], acc.rows[0]["tce_total"], rtol=1e-9)


@settings(max_examples=6, deadline=None)
@given(parts=st.lists(st.tuples(FUELS, st.floats(min_value=0, max_value=1e6, allow_nan=False)), min_size=1,
                      max_size=12, unique_by=lambda p: p[0]))
def test_total_is_the_sum_of_its_fuels(tmp_path_factory, parts: list[tuple[str, float]]) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("p") / "e.csv"
    unit = {"kg": "t", "m3": "m3", "kWh": "MWh", "MJ": "GJ"}
    path.write_text("region,year,fuel,quantity,unit\n" + "".join(
        f"130000,2020,{f},{q!r},{unit[gb2589.REFERENCE_COEFFICIENTS[f].unit]}\n" for f, q in parts), encoding="utf-8")
    row = service.account(read_energy(path)).rows[0]
    assert np.isclose(row["tce_total"], sum(row["tce_by_fuel"].values()), rtol=1e-12)
    assert set(row["tce_by_fuel"]) == {f for f, _ in parts}
    if row["tce_total"] > 0:  # a region without coal has a coal share of 0, not an empty one
        assert 0 <= row["coal_share"] <= 100 + 1e-9 and 0 <= row["non_fossil_share"] <= 100 + 1e-9
