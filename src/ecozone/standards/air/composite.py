"""环境空气质量综合指数 (ambient air-quality composite index) and the city ranking.

Version followed: 《城市环境空气质量排名技术规定》 (环办监测〔2018〕19号), the rules the national
monthly/annual city ranking uses (and the method named by ``air.composite_index`` in the
indicator dictionary).  Its 三、排名方法 ranks cities by the composite index; (一) takes all the
city's assessment stations of the national network.  What the implementation uses (sources and
the parts of the text that could not be read: docs/methods/composite_index.md):

* single-item index ``I_i = C_i / S_i``.  For SO2, NO2, PM10, PM2.5, ``C_i`` is the period mean
  and ``S_i`` the GB 3095-2012 grade II **annual** limit (60, 40, 70, 35 µg/m³); for CO ``C_i``
  is the 24-hour mean 95th percentile against the grade II 24-hour limit (4 mg/m³) and for O3
  the daily maximum 8-hour 90th percentile against the grade II 8-hour limit (160 µg/m³);
* composite index ``I_sum = Σ I_i`` over the six pollutants, **unweighted**; the largest
  ``I_i`` names the primary pollutant;
* concentrations enter after rounding (整数 µg/m³, CO 0.1 mg/m³; GB/T 8170 is a normative
  reference of the rules); the composite index is reported with 2 decimals (the published
  practice; the clause itself was not readable);
* cities are ranked by the composite index, smaller is better; equal indices rank equal (并列).
* change against a base period: ``(I_now - I_base) / I_base × 100 %`` (> 0 worse, < 0 better).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.air.hj663 import DECIMALS, GRADE_II
from ecozone.standards.gbt8170 import round_ratio

FloatArray = npt.NDArray[np.floating]

#: (statistic key in the annual table, pollutant, denominator S_i)
SUB_INDICES: Final = (
    ("so2_mean", "so2", GRADE_II[("so2", "year")]),
    ("no2_mean", "no2", GRADE_II[("no2", "year")]),
    ("pm10_mean", "pm10", GRADE_II[("pm10", "year")]),
    ("pm25_mean", "pm25", GRADE_II[("pm25", "year")]),
    ("co_p95", "co", GRADE_II[("co", "24h")]),
    ("o3_8h_p90", "o3", GRADE_II[("o3", "8h")]),
)


def sub_indices(stats: Mapping[str, npt.ArrayLike]) -> dict[str, FloatArray]:
    """``I_i = C_i / S_i`` for each pollutant (keys ``so2`` … ``o3``), from rounded statistics."""
    return {pol: np.asarray(stats[key], dtype=np.float64) / limit for key, pol, limit in SUB_INDICES}


def composite_index(stats: Mapping[str, npt.ArrayLike]) -> tuple[FloatArray, dict[str, FloatArray]]:
    """(composite index rounded to 2 decimals, sub-indices).  NaN if any statistic is missing.

    The statistics are rounded concentrations (multiples of ``10**-DECIMALS``), so ``Σ C_i/S_i``
    is a ratio of integers over the common denominator of the ``S_i · 10**d_i``; its GB/T 8170
    rounding is exact (a float sum could put 1.005 on either side).
    """
    subs = sub_indices(stats)
    dens = [int(limit) * 10 ** DECIMALS[pol] for _, pol, limit in SUB_INDICES]
    common = int(np.lcm.reduce(dens))
    total = np.zeros(np.shape(np.asarray(stats[SUB_INDICES[0][0]])), dtype=np.int64)
    missing = np.zeros(total.shape, dtype=bool)
    for (key, pol, _), den in zip(SUB_INDICES, dens, strict=True):
        c = np.asarray(stats[key], dtype=np.float64)
        missing |= np.isnan(c)
        units = np.where(np.isnan(c), 0, np.rint(c * 10.0 ** DECIMALS[pol])).astype(np.int64)
        total += units * (common // den)
    return np.where(missing, np.nan, round_ratio(total * 100, common) / 100.0), subs


def primary_pollutants(subs: dict[str, FloatArray]) -> list[list[str]]:
    """Per row, the pollutant(s) with the largest single-item index (ties all named)."""
    names = list(subs)
    stack = np.stack([np.atleast_1d(subs[n]) for n in names])  # (P, N)
    best = np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0)
    hit = np.isclose(stack, best[None, :], rtol=0, atol=1e-12)
    return [[names[p] for p in np.flatnonzero(hit[:, i])] for i in range(stack.shape[1])]


def rank(index: npt.ArrayLike, *, worst_first: bool = False) -> npt.NDArray[np.int64]:
    """Competition ranks (1, 2, 2, 4 …): ascending index = best first; ``worst_first`` for 倒排.

    Equal indices share a rank (并列).  Missing indices get rank 0 (not ranked).
    """
    x = np.asarray(index, dtype=np.float64)
    key = -x if worst_first else x
    ok = ~np.isnan(key)
    # rank = 1 + number of cities strictly better; O(n²) is fine for a few hundred cities and
    # keeps ties exact (no dependence on sort stability)
    better = (key[None, :] < key[:, None]) & ok[None, :]
    ranks = 1 + better.sum(axis=1)
    return np.where(ok, ranks, 0).astype(np.int64)


def change_pct(now: npt.ArrayLike, base: npt.ArrayLike) -> FloatArray:
    """Relative change against a base period in %, 2 decimals (>0 worse for the composite index)."""
    n = np.asarray(now, dtype=np.float64)
    b = np.asarray(base, dtype=np.float64)
    ok = ~(np.isnan(n) | np.isnan(b)) & (b != 0)
    # indices carry 2 decimals: (N - B) / B · 100 % to 2 decimals = round((N - B) · 10⁴ / B) / 100, exact
    nu = np.where(ok, np.rint(n * 100), 0).astype(np.int64)
    bu = np.where(ok, np.rint(b * 100), 1).astype(np.int64)
    sign = np.where(bu < 0, -1, 1)
    return np.where(ok, round_ratio(sign * (nu - bu) * 10000, np.abs(bu)) / 100.0, np.nan)
