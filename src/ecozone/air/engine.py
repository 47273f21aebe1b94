"""The set-based air-quality engine: station hours -> city days -> city year.

Design (see docs/performance.md): stations are integer ids, hours are integers since
1970-01-01 00:00 Beijing time labelled by the *start* of the averaging hour, values scaled
integers (0.1 µg/m³, CO 0.001 mg/m³; :mod:`ecozone.air.units`) held in int32.  Every mean is
kept as an exact ratio of integers and rounded by GB/T 8170 in integer arithmetic
(:mod:`ecozone.standards.gbt8170`): a float only appears where a standard divides.
For each pollutant the station hours are scattered into a dense ``station × day × 24`` grid (no
sort), so that daily means are a sum over the last axis; O3 is turned to ``station × 24 × day``
so that its 8-hour moving means are eight shifted adds of whole rows of days.  Stations are laid
out grouped by city, so station-to-city means are one sum per city over a block of rows.  Every
step is an array expression with an obvious SQL/Spark equivalent (group-by day, window of 8 rows,
group-by city).

Rules (all in :mod:`ecozone.standards.air`):

* station 24-hour means, O3 8-hour windows: GB 3095-2012 §6 Table 4 (HJ 663-2013 §6);
* city values: the arithmetic mean of the city's assessment stations (评价点位; HJ 663-2013,
  city scale -- the clause text was not readable, see docs/methods/hj663.md; the ranking rules
  环办监测〔2018〕19号 三(一) likewise take all the city's assessment stations of the national
  network); background/对照 stations are not assessment stations and are left out unless asked for.  City 8-hour values are the mean of the station 8-hour
  means; the city O3 daily maximum 8-hour is the maximum of those (≥ 14 windows); the city O3
  1-hour daily maximum is the maximum of the city hourly means (≥ 20 hours with a value, or
  above 200 µg/m³: :func:`ecozone.standards.air.hj663.daily_max_1h_valid`);
* city daily concentrations are rounded (GB/T 8170, integer µg/m³, CO 0.1 mg/m³) before the HJ 633 IAQI and
  before the annual and the monthly/quarterly statistics (the values the national network publishes);
* a day counts for the day statistics when all seven daily AQI items (HJ 633-2012 §5) are valid
  (a choice: no clause read states it; see docs/methods/hj663.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ecozone.air.units import MISSING, SCALE
from ecozone.standards import gbt8170
from ecozone.standards.air import composite, hj633, hj663

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
#: the seven daily items of HJ 633 (keys of hj633.DAILY_ITEMS)
DAILY_KEYS = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")
_EPOCH = np.datetime64("1970-01-01", "D")

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.floating]


@dataclass
class StationHours:
    """Station-hour values: integer station index, hour since epoch, one array per pollutant.

    Values are **scaled integers** (int32 in units of :data:`ecozone.air.units.SCALE`),
    :data:`~ecozone.air.units.MISSING` (-1) = missing.  :meth:`from_physical` converts µg/m³ and
    mg/m³ values (NaN = missing) and refuses any with more decimals than the stored step.
    """

    station: IntArray
    hour: IntArray
    values: dict[str, IntArray]

    @classmethod
    def from_physical(cls, station: npt.ArrayLike, hour: npt.ArrayLike,
                      values: dict[str, npt.ArrayLike]) -> StationHours:
        """From concentrations in µg/m³ (CO mg/m³); ValueError if one is not on the stored step."""
        scaled: dict[str, IntArray] = {}
        for p, v in values.items():
            x = np.asarray(v, dtype=np.float64) * SCALE[p]
            missing = np.isnan(x)
            r = np.rint(np.where(missing, 0, x))
            off = (np.abs(x - r) > 1e-6 * np.maximum(1.0, np.abs(x))) | (r < 0)
            if np.any(off):
                bad = float(np.asarray(v, dtype=np.float64)[np.flatnonzero(off)[0]])
                raise ValueError(f"{p} value {bad!r} is negative or has more decimals than the "
                                 f"stored step {1 / SCALE[p]:g}")
            scaled[p] = np.where(missing, MISSING, r).astype(np.int32)
        return cls(np.asarray(station, dtype=np.int32), np.asarray(hour, dtype=np.int32), scaled)

    def physical(self) -> dict[str, FloatArray]:
        """The values in µg/m³ (CO mg/m³), float64, NaN = missing (for display and baselines)."""
        return {p: np.where(v == MISSING, np.nan, v / SCALE[p]) for p, v in self.values.items()}


@dataclass
class Network:
    """Which city each station belongs to (``city_of[i]`` indexes ``cities``; -1: not assessed)."""

    cities: list[str]
    city_of: IntArray

    def layout(self) -> tuple[IntArray, IntArray, list[str]]:
        """(grid row of each station or -1, first row of each city, cities with stations)."""
        order = np.argsort(self.city_of, kind="stable")
        order = order[self.city_of[order] >= 0]
        pos = np.full(len(self.city_of), -1, dtype=np.int32)
        pos[order] = np.arange(len(order), dtype=np.int32)
        city_sorted = self.city_of[order]
        starts = np.flatnonzero(np.r_[True, city_sorted[1:] != city_sorted[:-1]]) if len(order) else \
            np.zeros(0, dtype=np.int64)
        used = [self.cities[c] for c in city_sorted[starts]] if len(order) else []
        return pos, starts.astype(np.int32), used


@dataclass
class CityDays:
    """City daily values for ``days`` (day numbers since 1970-01-01) of ``cities``."""

    cities: list[str]
    days: npt.NDArray[np.int32]
    conc: dict[str, FloatArray]                       # rounded daily values, (C, D)
    stations: dict[str, npt.NDArray[np.int16]]        # stations contributing, (C, D)
    iaqi: dict[str, FloatArray] = field(default_factory=dict)
    aqi: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    level: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros((0, 0), np.int8))

    @property
    def dates(self) -> npt.NDArray[np.datetime64]:
        return _EPOCH + self.days.astype("timedelta64[D]")


def _city_sum(values: npt.NDArray[Any], starts: IntArray, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """Sum of the rows of each city (rows grouped by city, city ``k`` from ``starts[k]``).

    One vectorised sum per city over its block of station rows: NumPy's ``np.add.reduceat``
    along the first axis is 5-8x slower on these shapes (measured, docs/performance.md).
    """
    ends = np.r_[starts[1:], values.shape[0]]
    out = np.empty((len(starts), *values.shape[1:]), dtype=dtype)
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):  # one per city
        np.sum(values[a:b], axis=0, dtype=dtype, out=out[k])
    return out


#: common multiples of the possible hour counts: a station's 24-hour mean ``sum / n`` (n = 20 … 24)
#: is ``sum · (L/n) / L`` and its 8-hour mean (n = 6 … 8) ``sum · (L8/n) / L8``, integer numerators
L_DAY: Final = int(np.lcm.reduce(np.arange(hj663.MIN_HOURS_DAY, 25)))
L_8H: Final = int(np.lcm.reduce(np.arange(hj663.MIN_HOURS_8H, 9)))


def _city_ratio(sums: npt.NDArray[Any], counts: npt.NDArray[np.integer], minimum: int, common: int,
                starts: IntArray) -> tuple[FloatArray, FloatArray]:
    """City mean of the valid station means ``sums / counts`` (``counts ≥ minimum``) as an exact
    ratio ``num / den``.

    ``sums`` hold integer sums of scaled values; ``common`` is a multiple of every valid count, so
    ``num = Σ sums · (common / counts)`` is an integer, held exactly in float64 (< 2**53 for any
    plausible value: 24 h × 5·10**7 × 10626 × stations).  ``den = common · stations``; 0 where no
    station of the city is valid.  A count below ``minimum`` weighs 0 (no mask pass).
    """
    factor = np.zeros(max(int(counts.max(initial=0)), minimum) + 1, dtype=np.float64)
    n = np.arange(minimum, factor.size)
    factor[minimum:] = common // n
    num = _city_sum(sums * factor[counts], starts, np.float64)
    k = _city_sum(counts >= minimum, starts, np.int64)
    return num, (k * common).astype(np.float64)


def _rounded(num: FloatArray, den: FloatArray, pol: str, scale: int) -> FloatArray:
    """GB/T 8170 rounding of ``num / den`` (units of ``1/scale``) to the reporting decimals, exactly.

    NaN where ``den = 0``.
    """
    decimals = hj663.DECIMALS[pol]
    step = scale // 10 ** decimals
    r = gbt8170.round_ratio(num.astype(np.int64), np.maximum(den, 1).astype(np.int64) * step)
    return np.where(den > 0, r / 10.0 ** decimals, np.nan)


def _grid(values: IntArray, flat: npt.NDArray[np.integer], n_rows: int, n_days: int) -> IntArray:
    """Scatter one pollutant's scaled integers into a dense ``station × day × 24`` grid.

    :data:`MISSING` (-1) where there is no value; int32 holds every plausible 24-hour sum of
    scaled values exactly (24 × 5·10**7 < 2**31), so no float and no rescaling is needed.
    """
    grid = np.full(n_rows * n_days * 24, MISSING, dtype=np.int32)
    grid[flat] = values  # one flat scatter: no sort, no per-row work
    return grid.reshape(n_rows, n_days, 24)


def daily_sums(grid: IntArray) -> tuple[IntArray, npt.NDArray[np.int8]]:
    """Sum and number of the hourly values of each day of a ``[..., 24]`` grid (MISSING = -1).

    The 24-hour mean (GB 3095-2012 §6 Table 4) is ``sum / count`` with ``count ≥ 20``; callers
    keep the ratio to round it exactly.  Every missing hour adds -1 to the plain sum, so the sum
    of the values is the plain sum plus the number of missing hours (one pass, no mask copy).
    """
    count = (grid >= 0).view(np.int8).sum(axis=-1, dtype=np.int8)
    total = grid.sum(axis=-1, dtype=np.int32) + (24 - count)
    return total, count


def moving_8h_sums(values: IntArray, present: npt.NDArray[np.int8]) -> tuple[IntArray, npt.NDArray[np.int8]]:
    """Sums and counts of the 17 eight-hour windows of each day, ``[S, 24, D]`` -> ``[S, 17, D]``
    (hour of the day before day: each shifted add below adds whole rows of days); ``values``
    with missing hours as 0, ``present`` 1 where an hour has a value.

    Window ``j`` covers hours ``j .. j+7`` (ending ``j + 8`` o'clock, 08:00 … 24:00; GB 3095-2012
    §6 Table 4: valid with ≥ 6 values): eight shifted adds, exact in int32.
    """
    sums = values[:, 0:17].copy()
    counts = present[:, 0:17].copy()
    for k in range(1, 8):  # the eight hours of a window (a fixed 8, not a loop over data)
        sums += values[:, k:k + 17]
        counts += present[:, k:k + 17]
    return sums, counts


def _flat_positions(sh: StationHours, pos: IntArray, first_day: int,
                    n_days: int) -> tuple[StationHours, npt.NDArray[np.integer]]:
    """Each station hour's position in the ``station × day × 24`` grid (one gather and one add).

    Station hours of other days or of stations not assessed are selected away (never dropped
    from the caller's data): a not-assessed station's offset is far below 0.
    """
    n_rows, n_hours = int((pos >= 0).sum()), n_days * 24
    index = np.int32 if (n_rows + 1) * n_hours + first_day * 24 < 2**31 else np.int64
    offset = np.where(pos >= 0, pos.astype(np.int64) * n_hours, -n_hours - first_day * 24 - 1) - first_day * 24
    flat = offset.astype(index)[sh.station] + sh.hour.astype(index, copy=False)
    if sh.hour.size and (sh.hour.min() < first_day * 24 or sh.hour.max() >= (first_day + n_days) * 24
                         or flat.min() < 0):
        keep = (sh.hour >= first_day * 24) & (sh.hour < (first_day + n_days) * 24) & (pos[sh.station] >= 0)
        sh = StationHours(sh.station[keep], sh.hour[keep], {k: v[keep] for k, v in sh.values.items()})
        flat = flat[keep]
    return sh, flat


def city_days(sh: StationHours, network: Network, first_day: int, n_days: int) -> CityDays:
    """Validity, station daily statistics, city aggregation and daily AQI for a span of days."""
    pos, starts, used = network.layout()
    sh, flat = _flat_positions(sh, pos, first_day, n_days)
    n_rows = int((pos >= 0).sum())
    conc: dict[str, FloatArray] = {}
    counts: dict[str, npt.NDArray[np.int16]] = {}

    def one(p: str) -> None:
        grid = _grid(sh.values[p], flat, n_rows, n_days)
        if not len(starts):
            conc[p] = np.zeros((0, n_days))
            counts[p] = np.zeros((0, n_days), np.int16)
            if p == "o3":
                conc["o3_1h"] = conc["o3_8h"] = conc.pop("o3")
                counts["o3_1h"] = counts["o3_8h"] = counts.pop("o3")
        elif p == "o3":  # hours before days: whole-row adds for the hourly and 8-hour steps
            _o3_days(np.ascontiguousarray(grid.transpose(0, 2, 1)), starts, conc, counts, SCALE[p])
        else:
            total, n = daily_sums(grid)                                  # (S, D)
            num, den = _city_ratio(total, n, hj663.MIN_HOURS_DAY, L_DAY, starts)
            conc[p] = _rounded(num, den, p, SCALE[p])
            counts[p] = (den // L_DAY).astype(np.int16)

    # pollutants are independent and NumPy releases the GIL: one thread per core, O3 (the
    # longest: hours and 8-hour windows) first so that the others fill the remaining cores
    with ThreadPoolExecutor(max_workers=min(len(POLLUTANTS), os.cpu_count() or 1)) as pool:
        list(pool.map(one, sorted((p for p in POLLUTANTS if p in sh.values), key=lambda p: p != "o3")))
    days = np.arange(first_day, first_day + n_days, dtype=np.int32)
    out = CityDays(used, days, conc, counts)
    _daily_aqi(out)
    return out


def _o3_days(grid: IntArray, starts: IntArray, conc: dict[str, FloatArray],
             counts: dict[str, npt.NDArray[np.int16]], scale: int) -> None:
    """City O3 daily maximum 1-hour (of city hourly means) and 8-hour (of city 8-h means) of a
    ``station × hour of the day × day`` grid.

    Means are exact ratios; the maximum is found in float64 (distinct ratios of these small
    denominators differ by far more than float64 resolution) and the winner rounded exactly.
    """
    values, present = np.maximum(grid, 0), (grid >= 0).view(np.int8)                   # (S, 24, D)
    num_h = _city_sum(values, starts, np.int64).astype(np.float64)                    # (C, 24, D)
    k_h = _city_sum(present, starts, np.int16)
    best, num, den = _max_ratio(num_h, k_h)
    n_hours = (k_h > 0).sum(axis=1)
    valid = hj663.daily_max_1h_valid(n_hours, best / scale)
    conc["o3_1h"] = np.where(valid, _rounded(num, den, "o3", scale), np.nan)
    counts["o3_1h"] = n_hours.astype(np.int16)
    sums, n8 = moving_8h_sums(values, present)                                           # (S, 17, D)
    num_w, den_w = _city_ratio(sums, n8, hj663.MIN_HOURS_8H, L_8H, starts)
    best8, num8, den8 = _max_ratio(num_w, den_w)
    n_windows = (den_w > 0).sum(axis=1)
    valid8 = hj663.daily_max_8h_valid(n_windows, best8 / scale)
    conc["o3_8h"] = np.where(valid8, _rounded(num8, den8, "o3", scale), np.nan)
    station_days = np.asarray((n8 >= hj663.MIN_HOURS_8H).any(axis=1))            # (S, D)
    counts["o3_8h"] = _city_sum(station_days, starts, np.int16)


def _max_ratio(num: FloatArray, den: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Largest ``num / den`` over axis 1 (hours or windows of ``[C, H, D]``; den = 0: missing):
    (value, its num, its den), each ``[C, D]``."""
    d = np.asarray(den)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(d > 0, num / np.maximum(d, 1), -np.inf)
    arg = np.argmax(ratio, axis=1)[:, None]
    best = np.take_along_axis(ratio, arg, axis=1)[:, 0]
    found = np.isfinite(best)
    return (np.where(found, best, np.nan), np.take_along_axis(num, arg, axis=1)[:, 0],
            np.where(found, np.take_along_axis(d, arg, axis=1)[:, 0], 0).astype(np.float64))


def _daily_aqi(cd: CityDays) -> None:
    """HJ 633 daily IAQI/AQI/level; AQI missing unless all seven items are valid."""
    cd.iaqi = hj633.daily_iaqi(cd.conc)
    complete = all(k in cd.iaqi for k in DAILY_KEYS)
    shape = (len(cd.cities), len(cd.days))
    cd.aqi = hj633.aqi(cd.iaqi, require_all=True) if complete and cd.cities else np.full(shape, np.nan)
    cd.level = hj633.level(cd.aqi)


def daily_rows(cd: CityDays) -> pa.Table:
    """City-day table: concentrations, AQI, level, category, primary pollutants."""
    grid_c, grid_d = np.indices(cd.aqi.shape)
    c_idx, d_idx = grid_c.ravel(), grid_d.ravel()
    cols: dict[str, Any] = {
        "city": pa.array(np.asarray(cd.cities, dtype=object)[c_idx] if cd.cities else [], pa.string()),
        "date": pa.array(cd.dates[d_idx]),
    }
    for k in DAILY_KEYS:
        if k in cd.conc:
            cols[k] = cd.conc[k].ravel()
    cols["aqi"] = cd.aqi.ravel()
    lv = cd.level.ravel()
    cols["level"] = lv
    cats = np.array(["", *[level.category_zh for level in hj633.LEVELS]], dtype=object)
    cols["category"] = cats[lv]
    primary = hj633.primary_mask(cd.iaqi, cd.aqi) if cd.iaqi else {}
    names = [k for k in DAILY_KEYS if k in primary]
    if names:
        stack = np.stack([primary[k].ravel() for k in names], axis=1)
        cols["primary"] = [",".join(np.asarray(names)[row]) for row in stack]  # output formatting
    table = pa.table(cols)
    mask = pa.array(np.isnan(table["aqi"].to_numpy(zero_copy_only=False)))
    return table.set_column(table.schema.get_field_index("aqi"), "aqi",
                            pa.array(cd.aqi.ravel(), mask=mask.to_numpy(zero_copy_only=False)))


def _months(days: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    dates = _EPOCH + days.astype("timedelta64[D]")
    return (dates.astype("datetime64[M]").astype(np.int64) % 12) + 1


def annual(cd: CityDays, year: int) -> pa.Table:
    """HJ 663 annual evaluation, day statistics and composite index for each city of ``cd``."""
    months = _months(cd.days)
    out: dict[str, Any] = {"city": cd.cities, "year": np.full(len(cd.cities), year, np.int32)}
    stats: dict[str, FloatArray] = {}
    for item in hj663.ANNUAL_ITEMS:
        series = cd.conc.get(item.pollutant, np.full((len(cd.cities), len(cd.days)), np.nan))
        pol = item.pollutant.replace("o3_8h", "o3")
        value = hj663.statistic_rounded(item, series, hj663.DECIMALS[pol])
        stats[item.key] = value
        limit = hj663.GRADE_II[item.limit_key]
        out[item.key] = value
        out[f"{item.key}_limit"] = np.full(len(cd.cities), limit)
        out[f"{item.key}_complies"] = hj663.complies(value, limit)
        out[f"{item.key}_exceedance"] = hj663.round_gbt8170(hj663.exceedance_multiple(value, limit), 2)
    for pol in ("so2", "no2", "pm10", "pm25", "co", "o3_8h"):
        series = cd.conc.get(pol, np.full((len(cd.cities), len(cd.days)), np.nan))
        n_days, _months_ok, valid = hj663.annual_validity(~np.isnan(series), months)
        out[f"{pol}_days"] = n_days
        out[f"{pol}_valid"] = valid
    _day_statistics(cd.level, out)
    _compliance(out)
    _composite(stats, out)
    return pa.table(out)


def _day_statistics(lv: npt.NDArray[np.int8], out: dict[str, Any]) -> None:
    """Valid days, good days (AQI ≤ 100: 优+良, HJ 633 Table 2 levels 1-2), days per level,
    heavy-and-above days (AQI > 200: 重度+严重污染, levels 5-6), over the last axis of ``lv``
    (level 0 = no AQI)."""
    valid = (lv > 0).sum(-1)
    out["valid_days"] = valid.astype(np.int32)
    for k in range(1, 7):
        out[f"level{k}_days"] = (lv == k).sum(-1).astype(np.int32)
    good = ((lv == 1) | (lv == 2)).sum(-1)
    heavy = (lv >= 5).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["good_days"] = good.astype(np.int32)
        out["good_day_ratio"] = _percent(good, valid)
        out["heavy_days"] = heavy.astype(np.int32)
        out["heavy_day_ratio"] = _percent(heavy, valid)


def _percent(part: npt.NDArray[np.integer], whole: npt.NDArray[np.integer]) -> FloatArray:
    """``part / whole`` in % with one decimal, GB/T 8170-rounded exactly; NaN where whole = 0."""
    r = gbt8170.round_ratio(np.asarray(part, np.int64) * 1000, np.maximum(np.asarray(whole, np.int64), 1))
    return np.where(np.asarray(whole) > 0, r / 10.0, np.nan)


ValidityRule = Callable[[npt.ArrayLike, npt.ArrayLike], tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_]]]
#: period kind -> (number of periods, validity rule of hj663, label of period k = 1 …)
PERIODS: dict[str, tuple[int, ValidityRule, Callable[[int, int], str]]] = {
    "month": (12, hj663.monthly_validity, lambda y, k: f"{y}-{k:02d}"),
    "quarter": (4, hj663.quarterly_validity, lambda y, k: f"{y}-Q{k}"),
}


def period(cd: CityDays, year: int, by: str) -> pa.Table:
    """HJ 663 monthly (``by="month"``) or quarterly evaluation of ``cd``'s days of ``year``.

    One row per city and period, from the same rounded city daily values as :func:`annual`:
    period means and percentiles (:data:`hj663.PERIOD_ITEMS`), valid days per pollutant and
    validity (``<pollutant>_valid``), day statistics and the composite index.
    """
    n_per, rule, label = PERIODS[by]
    in_year = (cd.dates.astype("datetime64[Y]").astype(np.int64) + 1970) == year
    days, months = np.flatnonzero(in_year), _months(cd.days[in_year])
    per = (months - 1) // (12 // n_per)
    n_c = len(cd.cities)
    out: dict[str, Any] = {
        "city": np.repeat(np.asarray(cd.cities, dtype=object), n_per).tolist(),
        "year": np.full(n_c * n_per, year, np.int32), "by": [by] * (n_c * n_per),
        "period_no": np.tile(np.arange(1, n_per + 1, dtype=np.int32), n_c),
    }
    out["period"] = [label(year, int(k)) for k in out["period_no"]]
    stats = _period_items(cd, days, per, n_per, out)
    for pol in ("so2", "no2", "pm10", "pm25", "co", "o3_8h"):
        series = cd.conc.get(pol, np.full((n_c, len(cd.days)), np.nan))[:, days]
        n_days, valid = rule(~np.isnan(series), months)
        out[f"{pol}_days"], out[f"{pol}_valid"] = n_days.ravel(), valid.ravel()
    out["all_valid"] = np.all([out[f"{p}_valid"] for p in ("so2", "no2", "pm10", "pm25", "co", "o3_8h")], 0)
    levels = hj663.by_period(cd.level[:, days], per, n_per, fill=0)
    _day_statistics(levels.reshape(n_c * n_per, levels.shape[-1]).astype(np.int8, copy=False), out)
    _composite(stats, out)
    return pa.table(out)


def _period_items(cd: CityDays, days: npt.NDArray[np.intp], per: npt.NDArray[np.int64], n_per: int,
                  out: dict[str, Any]) -> dict[str, FloatArray]:
    """Rounded period statistics (flattened city-major) into ``out``; returns them."""
    stats: dict[str, FloatArray] = {}
    for item in hj663.PERIOD_ITEMS:
        series = cd.conc.get(item.pollutant, np.full((len(cd.cities), len(cd.days)), np.nan))[:, days]
        decimals = hj663.DECIMALS[item.pollutant.replace("o3_8h", "o3")]
        value = hj663.period_statistic_rounded(item, series, per, n_per, decimals).ravel()
        stats[item.key] = out[item.key] = value
    return stats


def _composite(stats: dict[str, FloatArray], out: dict[str, Any]) -> None:
    """Composite index, sub-indices and primary pollutants of 1-D rounded statistics."""
    index, subs = composite.composite_index(stats)
    out["composite_index"] = index
    for pol, v in subs.items():
        out[f"{pol}_sub_index"] = hj663.round_gbt8170(v, 3)
    out["composite_primary"] = [",".join(p) for p in composite.primary_pollutants(subs)] if len(index) else []


def _compliance(out: dict[str, Any]) -> None:
    """Per pollutant annual compliance: every evaluation item of the pollutant within its limit."""
    groups = {"so2": ("so2_mean", "so2_p98"), "no2": ("no2_mean", "no2_p98"),
              "pm10": ("pm10_mean", "pm10_p95"), "pm25": ("pm25_mean", "pm25_p95"),
              "co": ("co_p95",), "o3": ("o3_8h_p90",)}
    for pol, keys in groups.items():
        parts = [out[f"{k}_complies"] for k in keys]
        res = np.full(len(parts[0]), None, dtype=object)
        known = np.all([p != None for p in parts], axis=0)  # noqa: E711 - elementwise
        res[known] = np.all([p[known].astype(bool) for p in parts], axis=0)
        out[f"{pol}_complies"] = res
    names = list(groups)
    all_known = np.all([out[f"{p}_complies"] != None for p in names], axis=0)  # noqa: E711
    overall = np.full(len(all_known), None, dtype=object)
    overall[all_known] = np.all([out[f"{p}_complies"][all_known].astype(bool) for p in names], axis=0)
    out["all_complies"] = overall
