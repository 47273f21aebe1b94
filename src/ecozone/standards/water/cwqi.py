"""City water quality index (CWQI) and the city ranking.

城市地表水环境质量排名技术规定（试行）(环办监测〔2017〕51号).

Clauses implemented (sources and what could not be read: docs/methods/cwqi.md):

* Items: GB 3838-2002 Table 1 without water temperature, total nitrogen and faecal coliform
  (the 21 assessment items, :data:`ITEMS`), on the period mean concentrations.
* Item index: ``CWQI(i) = C(i) / C_s(i)`` with ``C_s`` the class Ⅲ limit (lakes and reservoirs:
  the lake limit of total phosphorus, 0.05 mg/L);
  dissolved oxygen ``CWQI(DO) = C_s(DO) / C(DO)``;
  pH ``(7.0 - pH) / (7.0 - pH_sd)`` for pH ≤ 7 and ``(pH - 7.0) / (pH_su - 7.0)`` above,
  ``pH_sd = 6``, ``pH_su = 9`` (:func:`item_index`).
* Section (or lake point) index: the sum of its item indices (:func:`section_cwqi`).
* City index: the river index and the lake index weighted by the number of river sections and
  lake points, ``CWQI = (CWQI_river·M + CWQI_lake·N) / (M + N)``, each being the mean of its
  sections (:func:`city_cwqi`; the aggregation text could not be read: a choice, see the page).
* Ranking: ascending CWQI (smaller is better); ties share the better rank (:func:`rank`).
* Change: ``ΔCWQI = (CWQI_now - CWQI_base) / CWQI_base × 100 %``, ranked ascending (most
  improved first); a city whose sections are all at class Ⅱ or better in both periods takes
  no part in the change ranking (:func:`change`).

The adjustment for an upstream inflow section that misses its target (扣除上游影响) needs the
upstream data and the assessment rules of 水十条 and is not implemented.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.water import gb3838
from ecozone.standards.water.assessment import CLASS_ITEMS

FloatArray = npt.NDArray[np.floating]

ITEMS: Final = CLASS_ITEMS
PH_SD: Final = 6.0
PH_SU: Final = 9.0


def item_index(item: str, conc: npt.ArrayLike, water_type: str = "river") -> FloatArray:
    """CWQI(i) of one item on period mean concentrations [Table 1 unit]; NaN where missing."""
    c = np.asarray(conc, dtype=np.float64)
    if item == "ph":
        return np.where(c <= 7.0, (7.0 - c) / (7.0 - PH_SD), (c - 7.0) / (PH_SU - 7.0))
    if item not in ITEMS:
        raise KeyError(f"{item!r} is not a CWQI item")
    limit = gb3838.limits_for(item, water_type)[2]
    if item == "do":
        with np.errstate(divide="ignore"):
            return np.where(c > 0, limit / c, np.where(np.isnan(c), np.nan, np.inf))
    return c / limit


def section_cwqi(indices: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.int_]]:
    """Sum of the item indices along the last axis; also how many items were measured."""
    x = np.asarray(indices, dtype=np.float64)
    n = (~np.isnan(x)).sum(axis=-1)
    return np.where(n > 0, np.nansum(x, axis=-1), np.nan), n


def city_cwqi(river: npt.ArrayLike, lake: npt.ArrayLike) -> dict[str, float]:
    """City index from its river sections' and lake points' CWQIs (count-weighted means)."""
    r = np.asarray(river, dtype=np.float64)
    lk = np.asarray(lake, dtype=np.float64)
    r, lk = r[~np.isnan(r)], lk[~np.isnan(lk)]
    m, n = r.size, lk.size
    river_mean = float(r.mean()) if m else float("nan")
    lake_mean = float(lk.mean()) if n else float("nan")
    total = (river_mean * m if m else 0.0) + (lake_mean * n if n else 0.0)
    return {"cwqi_river": river_mean, "cwqi_lake": lake_mean, "river_sections": m, "lake_points": n,
            "cwqi": total / (m + n) if m + n else float("nan")}


def rank(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Competition rank, ascending (1 = smallest); ties share the better rank; NaN unranked."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    sorted_vals = np.sort(v[ok])
    out[ok] = np.searchsorted(sorted_vals, v[ok], side="left") + 1
    return out


def change(now: npt.ArrayLike, base: npt.ArrayLike) -> FloatArray:
    """ΔCWQI [%] = (now - base) / base × 100; negative = improved."""
    a = np.asarray(now, dtype=np.float64)
    b = np.asarray(base, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, (a - b) / b * 100.0, np.nan)


def in_change_ranking(worst_class_now: npt.ArrayLike, worst_class_base: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """False for a city whose sections are all class Ⅱ or better in both periods."""
    now = np.asarray(worst_class_now, dtype=np.float64)
    base = np.asarray(worst_class_base, dtype=np.float64)
    return ~((now <= 2) & (base <= 2))
