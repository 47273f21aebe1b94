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


# ---------------------------------------------------------------- monthly and quarterly statistics


def _days(year: int) -> tuple[np.ndarray, np.ndarray]:
    """(day of month, month) of every day of ``year``."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    return dom, months


@pytest.mark.parametrize(("year", "month", "n_valid", "ok"), [
    (2015, 5, 26, False), (2015, 5, 27, True), (2015, 4, 26, False), (2015, 4, 27, True),
    (2015, 2, 24, False), (2015, 2, 25, True),
    (2016, 2, 24, False), (2016, 2, 25, True), (2016, 2, 29, True),   # leap February: still 25
])
def test_monthly_validity_edges(year: int, month: int, n_valid: int, ok: bool) -> None:
    v, months = _year_mask({month: n_valid}, year)
    per_month, month_ok = hj663.monthly_validity(v, months)
    assert per_month[month - 1] == n_valid
    assert bool(month_ok[month - 1]) is ok
    assert month_ok[[m - 1 for m in range(1, 13) if m != month]].all()


def test_monthly_validity_counts_leap_day_in_february() -> None:
    v, months = _year_mask({}, 2016)
    per_month, _ = hj663.monthly_validity(v, months)
    assert per_month.tolist() == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def test_quarterly_validity_needs_every_month() -> None:
    cases = [
        ({}, [True] * 4, [90, 91, 92, 92]),
        ({2: 24}, [False, True, True, True], [86, 91, 92, 92]),    # 86 days, yet February short
        ({4: 27, 5: 27, 6: 27}, [True] * 4, [90, 81, 92, 92]),     # each month at its minimum
        ({8: 26}, [True, True, False, True], [90, 91, 87, 92]),
        ({12: 27, 11: 26}, [True, True, True, False], [90, 91, 92, 84]),
    ]
    for short, want_ok, want_days in cases:
        v, months = _year_mask(short)
        per_quarter, ok = hj663.quarterly_validity(v, months)
        assert ok.tolist() == want_ok and per_quarter.tolist() == want_days, short
    stacked = np.stack([_year_mask({})[0], _year_mask({2: 24})[0]])     # leading (city) axis
    assert hj663.quarterly_validity(stacked, _year_mask({})[1])[1].tolist() == [[True] * 4,
                                                                                [False, True, True, True]]


def test_annual_validity_reuses_the_monthly_rule() -> None:
    v, months = _year_mask({2: 24})
    assert bool(hj663.annual_validity(v, months)[1]) is bool(hj663.monthly_validity(v, months)[1].all())


def test_period_mean_and_percentile_hand_computed() -> None:
    x = np.array([[10.0, 20.0, np.nan, 1.0, 2.0, 4.0],
                  [np.nan, np.nan, np.nan, 3.0, np.nan, 5.0]])
    per = np.array([0, 0, 0, 1, 1, 1])
    mean = hj663.period_mean(x, per, 2)
    assert mean[0].tolist() == pytest.approx([15.0, 7 / 3]) and np.isnan(mean[1, 0]) and mean[1, 1] == 4
    # period 1 of row 0 = {1, 2, 4}: k = 1 + 2·0.9 = 2.8 -> 2 + 0.8·(4 - 2) = 3.6
    p90 = hj663.period_percentile(x, per, 2, 90)
    assert p90[0].tolist() == pytest.approx([19.0, 3.6]) and np.isnan(p90[1, 0]) and p90[1, 1] == pytest.approx(4.8)


def test_period_statistics_by_month_of_a_year() -> None:
    # daily value = day of the month: a month of L days has mean (L+1)/2 and, by 附录A,
    # P90 = X(k) with k = 1 + (L-1)·0.9 (values 1..L), P95 likewise
    dom, months = _days(2015)
    per = months - 1
    items = {i.key: i for i in hj663.PERIOD_ITEMS}
    mean = hj663.period_statistic(items["pm25_mean"], dom.astype(float), per, 12)
    p90 = hj663.period_statistic(items["o3_8h_p90"], dom.astype(float), per, 12)
    p95 = hj663.period_statistic(items["co_p95"], dom / 10.0, per, 12)
    assert mean[:4].tolist() == [16.0, 14.5, 16.0, 15.5]
    assert p90[:4].tolist() == pytest.approx([28.0, 25.3, 28.0, 27.1])
    assert p95[0] == pytest.approx(2.95) and hj663.round_gbt8170(p95[0], 1) == 3.0
    q = hj663.period_mean(dom.astype(float), (months - 1) // 3, 4)
    assert q[0] == pytest.approx((31 * 16 + 28 * 14.5 + 31 * 16) / 90)
    assert [i.key for i in hj663.PERIOD_ITEMS] == ["so2_mean", "no2_mean", "pm10_mean", "pm25_mean",
                                                   "co_p95", "o3_8h_p90"]


def test_by_period_keeps_day_order_and_pads() -> None:
    grid = hj663.by_period(np.array([1, 2, 3, 4, 5]), np.array([1, 0, 1, 0, 1]), 3, fill=-1)
    assert grid.tolist() == [[2, 4, -1], [1, 3, 5], [-1, -1, -1]]
