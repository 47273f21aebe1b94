"""HJ 663-2013 / GB 3095-2012: validity edges, percentile formula, rounding, limits."""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.standards.air import hj663, reference


def _day(n_present: int, value: float = 50.0) -> np.ndarray:
    h = np.full(24, np.nan)
    h[:n_present] = value
    return h


def test_daily_mean_19_vs_20_hours() -> None:
    mean, count, valid = hj663.daily_mean(np.stack([_day(19), _day(20)]))
    assert count.tolist() == [19, 20] and valid.tolist() == [False, True]
    assert np.isnan(mean[0]) and mean[1] == 50
    assert reference.daily_mean(list(_day(19))) is None or True  # reference uses None, below
    assert reference.daily_mean([None] * 5 + [50.0] * 19) is None
    assert reference.daily_mean([None] * 4 + [50.0] * 20) == 50


def test_8h_window_5_vs_6_hours() -> None:
    h = np.full(24, np.nan)
    h[0:5] = 100.0                       # window 0 (hours 0-7) has 5 values
    means, counts = hj663.moving_8h_in_day(h)
    assert counts[0] == 5 and np.isnan(means[0])
    h[5] = 100.0                         # now 6
    means, counts = hj663.moving_8h_in_day(h)
    assert counts[0] == 6 and means[0] == 100


def test_8h_windows_are_the_17_ending_08_to_24() -> None:
    h = np.arange(24, dtype=float)
    means, counts = hj663.moving_8h_in_day(h)
    assert means.shape == (17,) and counts.tolist() == [8] * 17
    assert means[0] == np.mean(np.arange(0, 8)) and means[-1] == np.mean(np.arange(16, 24))


def test_daily_max_8h_13_vs_14_windows_and_exceedance_exception() -> None:
    w = np.full((3, 17), np.nan)
    w[0, :13] = 100.0
    w[1, :14] = 100.0
    w[2, :13] = 100.0
    w[2, 0] = 170.0                     # 13 windows but the max exceeds 160: still valid
    best, n, valid = hj663.daily_max_8h(w)
    assert n.tolist() == [13, 14, 13]
    assert valid.tolist() == [False, True, True]
    assert np.isnan(best[0]) and best[1] == 100 and best[2] == 170


def test_daily_max_8h_matches_reference_on_a_day() -> None:
    rng = np.random.default_rng(3)
    h = rng.uniform(0, 200, 24)
    h[[2, 10]] = np.nan
    w, _ = hj663.moving_8h_in_day(h)
    best, _, _ = hj663.daily_max_8h(w)
    ref = reference.daily_max_8h([None if np.isnan(x) else float(x) for x in h])
    assert ref is not None and best == pytest.approx(ref)


def test_percentile_hand_computed() -> None:
    x = [1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 8, 9]
    # k = 1 + 11·0.9 = 10.9 -> X(10) + 0.9·(X(11) - X(10)) = 7 + 0.9·1 = 7.9
    assert hj663.percentile(np.array(x, float), 90) == pytest.approx(7.9)
    # n = 20, p = 95: k = 1 + 19·0.95 = 19.05 -> 19 + 0.05 = 19.05
    assert hj663.percentile(np.arange(1, 21, dtype=float), 95) == pytest.approx(19.05)
    # p = 98 of 365 values 1..365: k = 1 + 364·0.98 = 357.72 -> 357.72
    assert hj663.percentile(np.arange(1, 366, dtype=float), 98) == pytest.approx(357.72)
    assert hj663.percentile(np.array([42.0]), 90) == 42
    assert np.isnan(hj663.percentile(np.array([np.nan, np.nan]), 90))
    with_gaps = np.array([np.nan, 3, np.nan, 1, 2], float)
    assert hj663.percentile(with_gaps, 50) == 2 == reference.percentile([None, 3, None, 1, 2], 50)


def test_percentile_worked_example_of_the_source_copy() -> None:
    # the worked example of the 附录A formula in the copy read (CSDN 124068041):
    # {3, 4, 8, 2, 5, 4}, p = 90: k = 1 + 5·0.9 = 5.5 -> 5 + (8 - 5)·0.5 = 6.5
    assert hj663.percentile(np.array([3, 4, 8, 2, 5, 4], float), 90) == pytest.approx(6.5)
    assert reference.percentile([3.0, 4.0, 8.0, 2.0, 5.0, 4.0], 90) == pytest.approx(6.5)


def test_gb3095_table1_limits() -> None:
    grade_ii = {("so2", "year"): 60, ("so2", "24h"): 150, ("so2", "1h"): 500,
                ("no2", "year"): 40, ("no2", "24h"): 80, ("no2", "1h"): 200,
                ("co", "24h"): 4, ("co", "1h"): 10, ("o3", "8h"): 160, ("o3", "1h"): 200,
                ("pm10", "year"): 70, ("pm10", "24h"): 150, ("pm25", "year"): 35, ("pm25", "24h"): 75}
    grade_i = {**grade_ii, ("so2", "year"): 20, ("so2", "24h"): 50, ("so2", "1h"): 150,
               ("o3", "8h"): 100, ("o3", "1h"): 160, ("pm10", "year"): 40, ("pm10", "24h"): 50,
               ("pm25", "year"): 15, ("pm25", "24h"): 35}
    assert grade_ii == hj663.GRADE_II
    assert grade_i == hj663.GRADE_I


def _year_mask(n_valid_by_month: dict[int, int], year: int = 2015) -> tuple[np.ndarray, np.ndarray]:
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    valid = np.zeros(days.size, bool)
    for m in range(1, 13):
        idx = np.flatnonzero(months == m)
        valid[idx[: n_valid_by_month.get(m, idx.size)]] = True
    return valid, months


def test_annual_323_vs_324_days() -> None:
    # 365 days; drop 41 or 42 days spread so every month keeps ≥ 27 (Feb ≥ 25)
    base = {m: 28 for m in range(1, 13)}
    base[2] = 25
    full = sum(base.values())            # 11·28 + 25 = 333 valid days
    v333, months = _year_mask(base)
    total, months_ok, valid = hj663.annual_validity(v333, months)
    assert total == full == 333 and months_ok and valid
    low = dict(base)
    for m in (1, 3, 4, 5, 6, 7, 8, 9, 10):   # 9 months at 27 -> 333 - 9 = 324
        low[m] = 27
    v, months = _year_mask(low)
    total, months_ok, valid = hj663.annual_validity(v, months)
    assert total == 324 and months_ok and valid
    low[11] = 27                              # 323
    v, months = _year_mask(low)
    total, months_ok, valid = hj663.annual_validity(v, months)
    assert total == 323 and months_ok and not valid


def test_month_minimum_27_and_february_25() -> None:
    v, months = _year_mask({5: 26})
    total, months_ok, valid = hj663.annual_validity(v, months)
    assert total == 365 - 5 and not months_ok and not valid
    v, months = _year_mask({2: 25})
    assert bool(hj663.annual_validity(v, months)[1])
    v, months = _year_mask({2: 24})
    assert not bool(hj663.annual_validity(v, months)[1])
    assert hj663.month_min_days([1, 2, 3]).tolist() == [27, 25, 27]


@pytest.mark.parametrize(("x", "d", "want"), [(2.5, 0, 2), (3.5, 0, 4), (2.675, 2, 2.68), (1.05, 1, 1.0),
                                              (1.15, 1, 1.2), (5.475, 2, 5.48), (84.5, 0, 84), (84.51, 0, 85)])
def test_gbt8170_rounding(x: float, d: int, want: float) -> None:
    assert hj663.round_gbt8170(x, d) == want == reference.round_gbt8170(x, d)


def test_limits_compliance_exceedance() -> None:
    assert hj663.GRADE_II[("pm25", "year")] == 35 and hj663.GRADE_II[("o3", "8h")] == 160
    assert hj663.complies(np.array([35, 36, np.nan]), 35).tolist() == [True, False, None]
    assert hj663.exceedance_multiple(np.array([70.0, 30.0]), 35).tolist()[0] == 1.0
    assert np.isnan(hj663.exceedance_multiple(np.array([30.0]), 35)[0])
    keys = [i.key for i in hj663.ANNUAL_ITEMS]
    assert keys == ["so2_mean", "so2_p98", "no2_mean", "no2_p98", "pm10_mean", "pm10_p95",
                    "pm25_mean", "pm25_p95", "co_p95", "o3_8h_p90"]
