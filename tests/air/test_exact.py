"""Exact arithmetic: the engine's daily and annual values equal a ``fractions.Fraction`` reference.

Concentrations are stored as scaled integers and every mean is rounded by GB/T 8170 in integer
arithmetic, so no value may land on the wrong side of a .5 boundary.  The reference below is
written from the rules with exact rationals only (no NumPy, no floats).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecozone.air import engine
from ecozone.standards import gbt8170
from ecozone.standards.air import composite, hj633

FIRST = 16436  # 2015-01-01
DEC = {"pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "co": 1, "o3_1h": 0, "o3_8h": 0}
LIMITS = {"so2_mean": 60, "no2_mean": 40, "pm10_mean": 70, "pm25_mean": 35, "co_p95": 4, "o3_8h_p90": 160}


def rnd(x: Fraction, decimals: int) -> Fraction:
    """GB/T 8170 §3.3 四舍六入五成双 on an exact rational."""
    scaled = x * 10**decimals
    q = scaled.numerator // scaled.denominator
    rest = scaled - q
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and q % 2 == 1):
        q += 1
    return Fraction(q, 10**decimals)


def mean(xs: list[Fraction]) -> Fraction:
    return sum(xs, Fraction(0)) / len(xs)


def percentile(xs: list[Fraction], p: int) -> Fraction:
    """HJ 663-2013 附录A: k = 1 + (n-1)p/100, X_(s) + (X_(s+1) - X_(s))(k - s)."""
    v = sorted(xs)
    k = 1 + (len(v) - 1) * Fraction(p, 100)
    s = int(k)
    hi = v[min(s, len(v) - 1)]
    return v[s - 1] + (hi - v[s - 1]) * (k - s)


def reference_days(hours: dict[str, list[list[Fraction | None]]], n_days: int) -> list[dict[str, Fraction | None]]:
    """One city: the rounded daily values of HJ 663 / GB 3095 §6 from the stations' hours."""
    out = []
    for d in range(n_days):
        day: dict[str, Fraction | None] = {}
        for p in ("pm25", "pm10", "so2", "no2", "co"):
            means = []
            for station in hours[p]:
                got = [x for x in station[d * 24:(d + 1) * 24] if x is not None]
                if len(got) >= 20:
                    means.append(mean(got))
            day[p] = rnd(mean(means), DEC[p]) if means else None
        o3 = hours["o3"]
        hourly = []
        for h in range(24):
            got = [s[d * 24 + h] for s in o3 if s[d * 24 + h] is not None]
            if got:
                hourly.append(mean(got))  # type: ignore[arg-type]
        best = max(hourly) if hourly else None
        day["o3_1h"] = rnd(best, 0) if best is not None and (len(hourly) >= 20 or best > 200) else None
        windows = []
        for j in range(17):
            ws = []
            for s in o3:
                got = [x for x in s[d * 24 + j:d * 24 + j + 8] if x is not None]
                if len(got) >= 6:
                    ws.append(mean(got))
            if ws:
                windows.append(mean(ws))
        best8 = max(windows) if windows else None
        day["o3_8h"] = rnd(best8, 0) if best8 is not None and (len(windows) >= 14 or best8 > 160) else None
        out.append(day)
    return out


# values on the stored steps, chosen from few levels so that means often fall on .5 exactly
LEVELS = {"pm25": [Fraction(v, 10) for v in (345, 350, 355, 752)],
          "pm10": [Fraction(v) for v in (69, 70, 71, 150)],
          "so2": [Fraction(v, 10000) for v in (125000, 125001, 83_6808)],
          "no2": [Fraction(v, 10) for v in (395, 405, 800)],
          "co": [Fraction(v, 1000) for v in (2400, 2900, 2450, 4000)],
          "o3": [Fraction(v, 10) for v in (1595, 1605, 2005, 2000, 1000)]}


@st.composite
def city_hours(draw: st.DrawFn) -> tuple[int, int, dict[str, list[list[Fraction | None]]]]:
    n_st = draw(st.integers(1, 3))
    n_days = draw(st.integers(1, 3))
    n = n_days * 24
    hours: dict[str, list[list[Fraction | None]]] = {}
    for p, levels in LEVELS.items():
        hours[p] = []
        for _ in range(n_st):
            picks = draw(st.lists(st.integers(0, len(levels)), min_size=n, max_size=n))
            # index len(levels) = missing; most hours present keeps validity near its edges
            hours[p].append([levels[i] if i < len(levels) else None for i in picks])
    return n_st, n_days, hours


def _station_hours(n_st: int, n_days: int, hours: dict[str, list[list[Fraction | None]]]) -> engine.StationHours:
    st_idx, hr = np.meshgrid(np.arange(n_st), np.arange(n_days * 24), indexing="ij")
    values = {p: np.array([[np.nan if x is None else float(x) for x in s] for s in hours[p]]).ravel()
              for p in hours}
    return engine.StationHours.from_physical(st_idx.ravel(), hr.ravel() + FIRST * 24, values)


def _as_fraction(x: float, decimals: int) -> Fraction | None:
    return None if np.isnan(x) else Fraction(round(x * 10**decimals), 10**decimals)


@settings(max_examples=60, deadline=None)
@given(city_hours())
def test_daily_and_annual_values_equal_the_exact_reference(data: tuple) -> None:
    n_st, n_days, hours = data
    sh = _station_hours(n_st, n_days, hours)
    cd = engine.city_days(sh, engine.Network(["A"], np.zeros(n_st, np.int32)), FIRST, n_days)
    ref = reference_days(hours, n_days)
    for d in range(n_days):
        for k, dec in DEC.items():
            assert _as_fraction(cd.conc[k][0, d], dec) == ref[d][k], (k, d)
    # annual statistics of the rounded daily values (validity aside: the values themselves)
    year = engine.annual(cd, 2015).to_pylist()[0]
    want: dict[str, Fraction | None] = {}
    for key, pol, stat in (("so2_mean", "so2", 0), ("no2_mean", "no2", 0), ("pm10_mean", "pm10", 0),
                           ("pm25_mean", "pm25", 0), ("co_p95", "co", 95), ("o3_8h_p90", "o3_8h", 90),
                           ("pm25_p95", "pm25", 95), ("so2_p98", "so2", 98)):
        xs = [day[pol] for day in ref if day[pol] is not None]
        dec = DEC[pol]
        want[key] = None if not xs else rnd(mean(xs) if stat == 0 else percentile(xs, stat), dec)  # type: ignore[arg-type]
        got = year[key]
        assert (got is None or np.isnan(got)) if want[key] is None else Fraction(round(got * 10**dec), 10**dec) == want[key], key
    if all(want[k] is not None for k in LIMITS):
        index = rnd(sum((want[k] / LIMITS[k] for k in LIMITS), Fraction(0)), 2)  # type: ignore[operator]
        assert Fraction(round(year["composite_index"] * 100), 100) == index


def test_co_daily_mean_of_2_65_rounds_to_even() -> None:
    """The reported defect: 12 hours of CO 2.4 and 12 of 2.9 mg/m³ average exactly 2.65, which
    GB/T 8170 rounds to 2.6 (IAQI 65); float32 storage made it 2.65000009 -> 2.7 (IAQI 68)."""
    co = np.r_[np.full(12, 2.4), np.full(12, 2.9)]
    values = {"co": co, **{p: np.full(24, 10.0) for p in ("pm25", "pm10", "so2", "no2", "o3")}}
    sh = engine.StationHours.from_physical(np.zeros(24, np.int32), np.arange(24) + FIRST * 24, values)
    cd = engine.city_days(sh, engine.Network(["A"], np.zeros(1, np.int32)), FIRST, 1)
    assert cd.conc["co"][0, 0] == 2.6
    assert hj633.daily_iaqi(cd.conc)["co"][0, 0] == 65


def test_o3_daily_maximum_1h_needs_20_hours_unless_above_the_limit() -> None:
    """O3 1-h daily maximum: ≥ 20 hourly values (GB 3095-2012 Table 4 day rule), or a maximum
    above the 200 µg/m³ grade II 1-hour limit, which more hours could only raise."""
    def day_max(o3_hours: list[float]) -> float:
        o3 = np.full(24, np.nan)
        o3[:len(o3_hours)] = o3_hours
        sh = engine.StationHours.from_physical(np.zeros(24, np.int32), np.arange(24) + FIRST * 24, {"o3": o3})
        cd = engine.city_days(sh, engine.Network(["A"], np.zeros(1, np.int32)), FIRST, 1)
        return float(cd.conc["o3_1h"][0, 0])

    assert day_max([100.0] * 20) == 100
    assert np.isnan(day_max([100.0] * 19))
    assert np.isnan(day_max([100.0] * 11))
    assert day_max([100.0] * 10 + [201.0]) == 201


def test_round_ratio_is_gbt8170() -> None:
    """GB/T 8170 §3.3: 四舍六入五成双 (2.65 -> 2.6, 2.75 -> 2.8, 2.651 -> 2.7)."""
    assert gbt8170.round_ratio([265, 275, 2651, 264, 266], [10, 10, 100, 10, 10]).tolist() == [26, 28, 27, 26, 27]


def test_composite_index_is_exact_at_the_boundary() -> None:
    """Σ C_i/S_i = 0.025 exactly rounds to 0.02 and 0.075 to 0.08 (五成双), not as floats say."""
    zero = np.array([0.0])
    stats = {"so2_mean": zero, "no2_mean": zero, "pm10_mean": zero, "pm25_mean": zero,
             "co_p95": np.array([0.1]), "o3_8h_p90": zero}
    assert composite.composite_index(stats)[0][0] == pytest.approx(0.02)   # 0.1 / 4 = 0.025
    stats["co_p95"] = np.array([0.3])
    assert composite.composite_index(stats)[0][0] == pytest.approx(0.08)   # 0.3 / 4 = 0.075
    stats["pm25_mean"] = np.array([35.0])                                  # 1 + 0.075 -> 1.08
    assert composite.composite_index(stats)[0][0] == pytest.approx(1.08)
