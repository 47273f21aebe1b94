"""HJ 663-2013 《环境空气质量评价技术规范（试行）》 with GB 3095-2012: validity, statistics, limits.

All functions are vectorised over NumPy arrays whose last axis is the time axis of one
statistic (24 hours of a day, the days of a year ...); leading axes are stations or cities.
Missing values are NaN.  The single-value versions live in :mod:`.reference` (tests only).

Clauses implemented (sources, and which clause numbers could not be read: docs/methods/hj663.md).
HJ 663-2013 sections: §3 术语和定义, §4 评价范围和评价项目, §5 评价方法, §6 数据统计要求,
附录A (规范性) 数据统计方法; GB 3095-2012: Table 1 limits, §6 数据统计的有效性规定 with Table 4
《污染物浓度数据有效性的最低要求》.

* GB 3095-2012 §6, Table 4 (the minimum data requirements HJ 663-2013 §6 builds on):
  - 24-hour mean: at least 20 hourly values in the natural day (:data:`MIN_HOURS_DAY`);
  - 8-hour mean (O3): at least 6 hourly values in the 8 hours (:data:`MIN_HOURS_8H`);
  - annual: at least 324 daily values in the year, and at least 27 in every month (25 in
    February) (:data:`MIN_DAYS_YEAR`, :data:`MIN_DAYS_MONTH`, :data:`MIN_DAYS_FEB`);
  - monthly: at least 27 daily values (25 in February) -- the per-month condition of the annual
    row, which HJ 663-2013 (§6 数据统计要求, text not read) applies to a monthly statistic
    (:func:`monthly_validity`).
* Quarterly statistics (:func:`quarterly_validity`): no text read states the rule; ecozone's
  reading, pending the primary text, is that every month of the quarter meets the monthly
  condition (docs/methods/hj663.md records what was searched).
* Period statistics of daily values (HJ 663-2013 §4 评价项目 for a month or quarter, 附录A):
  mean of the daily means (SO2, NO2, PM10, PM2.5), CO 24-hour 95th and O3 daily maximum 8-hour
  90th percentile (:data:`PERIOD_ITEMS`, :func:`period_statistic`).
* O3 daily maximum 8-hour mean (HJ 663-2013 §3/§6, as recalled; the text was not readable): at
  least 14 valid 8-hour means among those ending 08:00-24:00 of the day (:data:`MIN_8H_WINDOWS`);
  with fewer, the value still stands when it exceeds the limit (GB 3095-2012 grade II 160 µg/m³),
  since more data could only raise it.
* 8-hour moving mean = mean of 8 consecutive hourly values; the O3 daily maximum 8-hour mean =
  the largest 8-hour moving mean of the natural day whose windows end at 08:00 ... 24:00
  (17 windows, all inside the day; the 08:00 value covers 00:00-08:00).
* HJ 663-2013 附录A percentile: ascending order, ``k = 1 + (n - 1) * p%``, ``s`` = integer part
  of ``k``, ``m_p = X_(s) + (X_(s+1) - X_(s)) * (k - s)``.
* HJ 663-2013 §4 annual evaluation items: SO2, NO2 annual mean and 24-hour 98th percentile;
  PM10, PM2.5 annual mean and 24-hour 95th percentile; CO 24-hour 95th percentile; O3 daily
  maximum 8-hour 90th percentile.  §5: each item judged against the GB 3095-2012 Table 1 limit
  of the same averaging time (grade II here); exceedance multiple ``(C - S) / S``.
* Rounding (修约): GB/T 8170 (a normative reference of HJ 663-2013), 四舍六入五成双;
  concentrations as integers in µg/m³, CO to 0.1 mg/m³.  The statistics of rounded daily values
  (:func:`mean_rounded`, :func:`percentile_rounded`) are computed and rounded exactly, in
  integers (:mod:`ecozone.standards.gbt8170`).
* O3 daily maximum 1-hour mean (the HJ 633-2012 daily item ``o3_1h``): no clause read gives it an
  hour-count rule.  ecozone applies the rule the daily statistics imply: like every statistic of
  the natural day (GB 3095-2012 §6 Table 4, 24-hour mean: ≥ 20 hourly values) it needs at least
  20 hourly values (:data:`MIN_HOURS_O3_1H`); with fewer it still stands when it exceeds the
  grade II 1-hour limit (200 µg/m³), as for the 8-hour maximum, since more hours could only
  raise a maximum (:func:`daily_max_1h_valid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.gbt8170 import round_ratio

FloatArray = npt.NDArray[np.floating]
BoolArray = npt.NDArray[np.bool_]

MIN_HOURS_DAY: Final = 20
MIN_HOURS_8H: Final = 6
#: hourly values needed for the O3 daily maximum 1-hour mean (ecozone's reading, see above)
MIN_HOURS_O3_1H: Final = 20
MIN_8H_WINDOWS: Final = 14
MIN_DAYS_YEAR: Final = 324
MIN_DAYS_MONTH: Final = 27
MIN_DAYS_FEB: Final = 25
#: windows of the O3 daily maximum: 8-hour means ending at 08:00, 09:00 ... 24:00
WINDOWS_PER_DAY: Final = 17

#: GB 3095-2012 Table 1, grade II (二级) concentration limits: (pollutant, averaging) -> limit.
GRADE_II: Final[dict[tuple[str, str], float]] = {
    ("so2", "year"): 60, ("so2", "24h"): 150, ("so2", "1h"): 500,
    ("no2", "year"): 40, ("no2", "24h"): 80, ("no2", "1h"): 200,
    ("co", "24h"): 4, ("co", "1h"): 10,
    ("o3", "8h"): 160, ("o3", "1h"): 200,
    ("pm10", "year"): 70, ("pm10", "24h"): 150,
    ("pm25", "year"): 35, ("pm25", "24h"): 75,
}
#: GB 3095-2012 Table 1, grade I (一级) limits, for class-one areas.
GRADE_I: Final[dict[tuple[str, str], float]] = {
    ("so2", "year"): 20, ("so2", "24h"): 50, ("so2", "1h"): 150,
    ("no2", "year"): 40, ("no2", "24h"): 80, ("no2", "1h"): 200,
    ("co", "24h"): 4, ("co", "1h"): 10,
    ("o3", "8h"): 100, ("o3", "1h"): 160,
    ("pm10", "year"): 40, ("pm10", "24h"): 50,
    ("pm25", "year"): 15, ("pm25", "24h"): 35,
}

#: Decimals kept for each pollutant's concentrations (HJ 663-2013 修约; clause not read).
DECIMALS: Final = {"so2": 0, "no2": 0, "pm10": 0, "pm25": 0, "o3": 0, "co": 1}


@dataclass(frozen=True)
class AnnualItem:
    """One HJ 663-2013 annual evaluation item and the GB 3095-2012 limit it is judged against."""

    key: str            # stable output id, e.g. ``pm25_p95``
    pollutant: str
    statistic: str      # "mean" or "percentile"
    percentile: float | None
    limit_key: tuple[str, str]


ANNUAL_ITEMS: Final = (
    AnnualItem("so2_mean", "so2", "mean", None, ("so2", "year")),
    AnnualItem("so2_p98", "so2", "percentile", 98, ("so2", "24h")),
    AnnualItem("no2_mean", "no2", "mean", None, ("no2", "year")),
    AnnualItem("no2_p98", "no2", "percentile", 98, ("no2", "24h")),
    AnnualItem("pm10_mean", "pm10", "mean", None, ("pm10", "year")),
    AnnualItem("pm10_p95", "pm10", "percentile", 95, ("pm10", "24h")),
    AnnualItem("pm25_mean", "pm25", "mean", None, ("pm25", "year")),
    AnnualItem("pm25_p95", "pm25", "percentile", 95, ("pm25", "24h")),
    AnnualItem("co_p95", "co", "percentile", 95, ("co", "24h")),
    AnnualItem("o3_8h_p90", "o3_8h", "percentile", 90, ("o3", "8h")),
)
#: items of a monthly or quarterly evaluation: the period means of SO2, NO2, PM10, PM2.5, the
#: CO 24-hour 95th and the O3 daily maximum 8-hour 90th percentile (HJ 663-2013 §4; the
#: statistics of the composite index used for monthly and quarterly rankings).
PERIOD_ITEMS: Final = tuple(i for i in ANNUAL_ITEMS if i.key in (
    "so2_mean", "no2_mean", "pm10_mean", "pm25_mean", "co_p95", "o3_8h_p90"))


def round_gbt8170(x: npt.ArrayLike, decimals: int = 0) -> FloatArray:
    """GB/T 8170 rounding (四舍六入五成双), the rule HJ 663-2013 names for reported values.

    The scaled value is first rounded to 6 decimals so that binary representation noise
    (2.675 stored as 2.67499999…) does not turn an exact trailing 5 into a round-down.
    """
    scale = 10.0 ** decimals
    y = np.round(np.asarray(x, dtype=np.float64) * scale, 6)
    return np.round(y) / scale


def daily_mean(hourly: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.int16], BoolArray]:
    """24-hour means of ``hourly[..., 24]``: (mean, number of hourly values, valid ≥ 20)."""
    h = np.asarray(hourly)
    present = ~np.isnan(h)
    count = present.sum(axis=-1, dtype=np.int16)
    total = np.where(present, h, 0).sum(axis=-1, dtype=np.float64)
    valid = count >= MIN_HOURS_DAY
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, total / count, np.nan)
    return mean, count, valid


def daily_max_8h_valid(n_windows: npt.ArrayLike, maximum: npt.ArrayLike,
                       limit: float = GRADE_II[("o3", "8h")]) -> BoolArray:
    """The O3 daily maximum 8-hour validity of :func:`daily_max_8h`: ≥ 14 windows or above ``limit``."""
    with np.errstate(invalid="ignore"):
        return np.asarray((np.asarray(n_windows) >= MIN_8H_WINDOWS) | (np.asarray(maximum) > limit), dtype=bool)


def moving_8h_in_day(hourly: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.int16]]:
    """The 17 eight-hour moving means of each day, ``hourly[..., 24]`` -> ``[..., 17]``.

    Window ``j`` covers hours ``j .. j+7`` (hours labelled by their start), i.e. it ends at
    ``j + 8`` o'clock, 08:00 ... 24:00.  A cumulative-sum difference, no sort and no loop over
    rows; a window with fewer than 6 hourly values is missing (GB 3095-2012 §6 Table 4).
    """
    h = np.asarray(hourly)
    present = ~np.isnan(h)
    # float32 sums are exact for the integer µg/m³ values the network publishes (< 2**24);
    # the division below is float64
    filled = np.where(present, h, np.float32(0)).astype(np.float32, copy=False)
    csum = np.cumsum(filled, axis=-1, dtype=np.float32)                       # (..., 24)
    ccnt = np.cumsum(present, axis=-1, dtype=np.int8)
    # window j = hours j..j+7: cumsum[j+7] - cumsum[j-1] (cumsum[-1] = 0), in place
    sums = csum[..., 7:].copy()
    sums[..., 1:] -= csum[..., :16]
    counts = ccnt[..., 7:].copy()
    counts[..., 1:] -= ccnt[..., :16]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts >= MIN_HOURS_8H, sums / counts.astype(np.float64), np.nan)
    return means, counts.astype(np.int16)


def daily_max_8h(means_8h: npt.ArrayLike, limit: float = GRADE_II[("o3", "8h")]
                 ) -> tuple[FloatArray, npt.NDArray[np.int16], BoolArray]:
    """O3 daily maximum 8-hour mean from ``[..., 17]`` window means: (max, windows, valid).

    Valid with ≥ 14 valid windows, or with fewer when the maximum already exceeds ``limit``
    (the HJ 663-2013 O3 daily-maximum rule; see the module docstring for its status).
    """
    m = np.asarray(means_8h, dtype=np.float64)
    present = ~np.isnan(m)
    n = present.sum(axis=-1, dtype=np.int16)
    best = np.where(n > 0, np.max(np.where(present, m, -np.inf), axis=-1), np.nan)
    with np.errstate(invalid="ignore"):
        valid = (n >= MIN_8H_WINDOWS) | (best > limit)
    return np.where(valid, best, np.nan), n, valid


def daily_max_1h_valid(n_hours: npt.ArrayLike, maximum: npt.ArrayLike,
                       limit: float = GRADE_II[("o3", "1h")]) -> BoolArray:
    """Validity of an O3 daily maximum 1-hour mean: ≥ 20 hourly values, or above ``limit``.

    ``n_hours``: hourly values of the day; ``maximum``: the largest of them (µg/m³).  See the
    module docstring: the day's 20-hour rule of GB 3095-2012 Table 4, with the exceedance
    exception HJ 663-2013 gives the 8-hour maximum.
    """
    with np.errstate(invalid="ignore"):
        return np.asarray((np.asarray(n_hours) >= MIN_HOURS_O3_1H) | (np.asarray(maximum) > limit), dtype=bool)


def _units(values: npt.ArrayLike, decimals: int) -> tuple[npt.NDArray[np.int64], BoolArray]:
    """Values on the ``10**-decimals`` grid (NaN = missing) as exact integers, and presence."""
    v = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(v)
    return np.where(present, np.rint(v * 10.0 ** decimals), 0).astype(np.int64), present


def mean_rounded(values: npt.ArrayLike, decimals: int) -> FloatArray:
    """Mean of the non-missing values along the last axis, GB/T 8170-rounded, exactly.

    ``values`` are rounded daily concentrations (multiples of ``10**-decimals``); the mean is
    the ratio of their integer sum and count, rounded by :func:`~ecozone.standards.gbt8170.round_ratio`.
    """
    units, present = _units(values, decimals)
    n = present.sum(axis=-1)
    rounded = round_ratio(units.sum(axis=-1), np.maximum(n, 1))
    return np.where(n > 0, rounded / 10.0 ** decimals, np.nan)


def percentile_rounded(values: npt.ArrayLike, p: int, decimals: int) -> FloatArray:
    """HJ 663-2013 附录A percentile, GB/T 8170-rounded, exactly (integer ``p``).

    With ``k = 1 + (n-1)·p/100``, ``s = 1 + ⌊(n-1)p/100⌋`` and ``k - s = ((n-1)p mod 100)/100``,
    ``100·m_p = 100·X_(s) + (X_(s+1) - X_(s))·((n-1)p mod 100)``: an integer, rounded exactly.
    """
    v = np.sort(np.asarray(values, dtype=np.float64), axis=-1)  # NaN sorts last
    units, present = _units(v, decimals)
    n = present.sum(axis=-1)
    t = (np.maximum(n, 1) - 1) * int(p)
    s0 = t // 100                                              # 0-based index of X_(s)
    lo = np.take_along_axis(units, s0[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(units, np.minimum(s0 + 1, np.maximum(n, 1) - 1)[..., None], axis=-1)[..., 0]
    rounded = round_ratio(100 * lo + (hi - lo) * (t % 100), 100)
    return np.where(n > 0, rounded / 10.0 ** decimals, np.nan)


def percentile(values: npt.ArrayLike, p: float) -> FloatArray:
    """HJ 663-2013 Appendix A percentile of the non-missing values along the last axis.

    ``k = 1 + (n-1)·p/100`` on the ascending series (1-based), linear interpolation between
    ``X_(s)`` and ``X_(s+1)``.  NaN where a row has no value.
    """
    v = np.sort(np.asarray(values, dtype=np.float64), axis=-1)  # NaN sorts last
    n = (~np.isnan(v)).sum(axis=-1)
    k = 1 + (np.maximum(n, 1) - 1) * (p / 100.0)
    s = np.floor(k).astype(np.int64)
    lo = np.take_along_axis(v, (s - 1)[..., None], axis=-1)[..., 0]
    hi_idx = np.minimum(s, np.maximum(n, 1) - 1)
    hi = np.take_along_axis(v, hi_idx[..., None], axis=-1)[..., 0]
    out = lo + (hi - lo) * (k - s)
    return np.where(n > 0, out, np.nan)


def month_min_days(month: npt.ArrayLike) -> npt.NDArray[np.int16]:
    """Minimum daily values for a valid month: 27, February 25 (GB 3095-2012 §6 Table 4)."""
    m = np.asarray(month)
    return np.where(m == 2, MIN_DAYS_FEB, MIN_DAYS_MONTH).astype(np.int16)


def monthly_validity(valid_days: npt.ArrayLike, months: npt.ArrayLike) -> tuple[
        npt.NDArray[np.int16], BoolArray]:
    """Monthly validity of ``valid_days[..., D]`` (bool) whose days fall in ``months[D]`` (1-12).

    Returns (valid days per month ``[..., 12]``, month valid ``[..., 12]``): a monthly statistic
    needs ≥ 27 daily values, February ≥ 25 in common and leap years alike (GB 3095-2012 §6
    Table 4, the per-month condition HJ 663-2013 §6 applies to monthly evaluation; §6 not read).
    """
    vd = np.asarray(valid_days, dtype=bool)
    onehot = np.asarray(months)[:, None] == np.arange(1, 13)[None, :]    # (D, 12)
    per_month = vd.astype(np.int16) @ onehot.astype(np.int16)             # (..., 12)
    return per_month, np.asarray(per_month >= month_min_days(np.arange(1, 13)), dtype=bool)


def quarterly_validity(valid_days: npt.ArrayLike, months: npt.ArrayLike) -> tuple[
        npt.NDArray[np.int16], BoolArray]:
    """Quarterly validity: (valid days per quarter ``[..., 4]``, quarter valid ``[..., 4]``).

    A quarter (Q1 = Jan-Mar …) is valid when each of its three months meets the monthly
    condition of :func:`monthly_validity`.  No clause read states a quarterly rule for these
    pollutants (GB 3095-2012 Table 2 has a 季平均 only for Pb): ecozone's reading, pending the
    primary text of HJ 663-2013 §6 (docs/methods/hj663.md).
    """
    per_month, month_ok = monthly_validity(valid_days, months)
    shape = (*per_month.shape[:-1], 4, 3)
    per_quarter = per_month.reshape(shape).sum(axis=-1, dtype=np.int16)
    return per_quarter, np.asarray(month_ok.reshape(shape).all(axis=-1), dtype=bool)


def annual_validity(valid_days: npt.ArrayLike, months: npt.ArrayLike) -> tuple[
        npt.NDArray[np.int16], BoolArray, BoolArray]:
    """Annual validity of ``valid_days[..., D]`` (bool) whose days fall in ``months[D]`` (1-12).

    Returns (valid day count, months complete, annual valid): annual statistics need ≥ 324
    daily values in the year and ≥ 27 in each month (February ≥ 25) (GB 3095-2012 §6 Table 4).
    """
    _, month_ok = monthly_validity(valid_days, months)
    months_ok = np.asarray(month_ok.all(axis=-1), dtype=bool)
    total = np.asarray(valid_days, dtype=bool).sum(axis=-1, dtype=np.int16)
    return total, months_ok, np.asarray((total >= MIN_DAYS_YEAR) & months_ok, dtype=bool)


def by_period(values: npt.ArrayLike, period: npt.ArrayLike, n_periods: int,
              fill: float = np.nan) -> npt.NDArray[np.generic]:
    """Regroup ``values[..., D]`` into ``[..., n_periods, L]`` by ``period[D]`` (0 … n-1).

    ``L`` is the longest period; shorter ones are padded with ``fill``.  One scatter, no loop:
    slot = position of the day among the days of its period, in day order.
    """
    v = np.asarray(values)
    per = np.asarray(period, dtype=np.int64)
    order = np.argsort(per, kind="stable")
    sizes = np.bincount(per, minlength=n_periods)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    slot = np.empty_like(per)
    slot[order] = np.arange(per.size) - first[per[order]]
    out = np.full((*v.shape[:-1], n_periods, int(sizes.max(initial=0))), fill, dtype=v.dtype)
    out[..., per, slot] = v
    return out


def period_mean(values: npt.ArrayLike, period: npt.ArrayLike, n_periods: int) -> FloatArray:
    """Mean of the daily values of each period, ``[..., D]`` -> ``[..., n_periods]`` (NaN: none).

    The monthly/quarterly mean of SO2, NO2, PM10, PM2.5 is the arithmetic mean of the valid
    24-hour means of the period (HJ 663-2013 §4 评价项目, 附录A 数据统计方法).
    """
    grid = by_period(np.asarray(values, dtype=np.float64), period, n_periods)
    present = ~np.isnan(grid)
    n = present.sum(axis=-1)
    total = np.where(present, grid, 0.0).sum(axis=-1)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def period_percentile(values: npt.ArrayLike, period: npt.ArrayLike, n_periods: int,
                      p: float) -> FloatArray:
    """HJ 663-2013 附录A percentile of each period's daily values, ``[..., D]`` -> ``[..., P]``.

    Used for the CO 24-hour mean 95th and the O3 daily maximum 8-hour 90th percentile of a month
    or quarter (HJ 663-2013 §4); the formula is :func:`percentile`.
    """
    return percentile(by_period(np.asarray(values, dtype=np.float64), period, n_periods), p)


def period_statistic(item: AnnualItem, values: npt.ArrayLike, period: npt.ArrayLike,
                     n_periods: int) -> FloatArray:
    """The statistic of ``item`` (mean or percentile) for each period, unrounded."""
    if item.statistic == "mean":
        return period_mean(values, period, n_periods)
    return period_percentile(values, period, n_periods, float(item.percentile or 0))


def statistic_rounded(item: AnnualItem, values: npt.ArrayLike, decimals: int) -> FloatArray:
    """The statistic of ``item`` over the last axis of rounded daily values, rounded exactly."""
    if item.statistic == "mean":
        return mean_rounded(values, decimals)
    return percentile_rounded(values, int(item.percentile or 0), decimals)


def period_statistic_rounded(item: AnnualItem, values: npt.ArrayLike, period: npt.ArrayLike,
                             n_periods: int, decimals: int) -> FloatArray:
    """:func:`statistic_rounded` for each period (``period[D]`` in 0 … n-1)."""
    return statistic_rounded(item, by_period(np.asarray(values, dtype=np.float64), period, n_periods), decimals)


def exceedance_multiple(conc: npt.ArrayLike, limit: float) -> FloatArray:
    """HJ 663-2013 §5 超标倍数 ``(C - S) / S`` where C exceeds S; NaN where compliant or missing."""
    c = np.asarray(conc, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(c > limit, (c - limit) / limit, np.nan)


def complies(conc: npt.ArrayLike, limit: float) -> npt.NDArray[np.object_]:
    """GB 3095-2012 compliance (达标) of each rounded statistic: True, False, or None if missing."""
    c = np.asarray(conc, dtype=np.float64)
    out = np.full(c.shape, None, dtype=object)
    ok = ~np.isnan(c)
    out[ok] = c[ok] <= limit
    return out
