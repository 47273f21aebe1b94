"""地表水环境质量评价办法（试行）(环办〔2011〕22号): section class, exceeding items, shares.

Pure functions on arrays; the single-item classes come from :mod:`ecozone.standards.water.gb3838`.

Clauses implemented (sources and what could not be read: docs/methods/water_assessment.md):

* 一(一)1 水质评价指标: GB 3838-2002 Table 1 without water temperature, total nitrogen and
  faecal coliform, 21 items (:data:`CLASS_ITEMS`); for lakes and reservoirs total nitrogen is
  assessed on its own and reported separately, never in the class (:data:`LAKE_SEPARATE`).
* 一(二) 数据统计: a period (month, quarter, year) is assessed on the arithmetic mean of the
  period's results; a quarter needs at least 2 results; annual: national sections 12 monthly
  results, other sections at least 8 (:func:`min_results`).  Several results in one month are averaged first (a choice: the
  monthly value is the unit the method counts).
* Below the detection limit: half the detection limit enters the statistics
  (地表水环境质量监测数据统计技术规定（试行）环办监测函〔2020〕82号 第七点;
  :func:`below_detection_value`).
* 二(一)1 断面水质评价: single-factor method, the worst class among the assessed items
  (:func:`section_class`); Table 1 of the method: class → qualitative description and colour
  (:data:`CLASS_QUALITY`).
* 二(一)3 主要污染指标: items above class Ⅲ, the three worst by class, ties by the exceedance
  multiple; cyanide and the heavy metals first; the multiple
  ``(C - C_Ⅲ) / C_Ⅲ`` is not computed for water temperature, pH and dissolved oxygen
  (:func:`exceedance_multiple`, :func:`main_pollutants`).
* 二(一)2 主要污染指标 of a river or basin: the items with the largest section exceedance
  rates (:func:`group_main_pollutants`).
* 二(一)2 河流、流域（水系）水质评价: fewer than 5 sections — the mean concentrations of all
  sections, assessed as one section; 5 or more — the class-share method, Table 2
  (:func:`share_quality`).
* 二(二) 湖泊、水库: several points — the mean of the points' concentrations, assessed as one
  section (the service applies it); trophic state in :mod:`ecozone.standards.water.tli`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ecozone.standards.water import gb3838

FloatArray = npt.NDArray[np.floating]

#: 一(一)1: the 21 items that decide a section's class (Table 1 minus wt, tn, fecal_coliform)
CLASS_ITEMS: Final = (
    "ph", "do", "codmn", "cod", "bod5", "nh3_n", "tp", "cu", "zn", "fluoride", "se", "as", "hg",
    "cd", "cr6", "pb", "cyanide", "phenol", "petroleum", "las", "sulfide",
)
#: items of Table 1 that never decide the class
EXCLUDED: Final = ("wt", "tn", "fecal_coliform")
#: lakes and reservoirs: total nitrogen is assessed and reported on its own
LAKE_SEPARATE: Final = ("tn",)
#: 二(一)3: no exceedance multiple for these
NO_MULTIPLE: Final = frozenset({"wt", "ph", "do"})
#: 二(一)3: "当氰化物或汞、铅、六价铬等重金属超标时，优先作为主要污染指标"; 等重金属 read as the
#: toxic heavy metals of Table 1 (mercury, cadmium, chromium VI, lead, arsenic): a choice
PRIORITY_ITEMS: Final = ("cyanide", "hg", "pb", "cr6", "cd", "as")
#: 一(二)3: monthly results a year needs (national sections 12, others at least 8)
MIN_MONTHS: Final = {"national": 12, "provincial": 8, "municipal": 8, "other": 8}
#: 一(二)2: a quarter is assessed on at least 2 results; 一(二)1: a month (or week) on one
QUARTER_MIN_RESULTS: Final = 2


def min_results(n_months: int, level: str | None) -> int:
    """Monthly results a period of ``n_months`` needs (一(二)): year 12 (national) or 8; quarter 2; else 1."""
    if n_months >= 12:
        return MIN_MONTHS.get(level or "other", MIN_MONTHS["other"])
    if n_months == 3:
        return QUARTER_MIN_RESULTS
    return 1


#: a centralised drinking-water source complies at class Ⅲ or better: GB 3838-2002 §3 puts
#: 集中式生活饮用水地表水源地二级保护区 in class Ⅲ (the plans: "达到或优于Ⅲ类")
DRINKING_SOURCE_CLASS: Final = 3
#: 二(一)2: from this many sections on a river or basin is described by its class shares
SHARE_METHOD_MIN_SECTIONS: Final = 5


@dataclass(frozen=True)
class Quality:
    """A qualitative grade (水质状况) with its colour."""

    zh: str
    en: str
    colour_zh: str
    rgb: tuple[int, int, int]


EXCELLENT = Quality("优", "excellent", "蓝色", (0, 112, 192))
GOOD = Quality("良好", "good", "绿色", (0, 176, 80))
LIGHT = Quality("轻度污染", "lightly polluted", "黄色", (255, 255, 0))
MODERATE = Quality("中度污染", "moderately polluted", "橙色", (255, 192, 0))
HEAVY = Quality("重度污染", "heavily polluted", "红色", (255, 0, 0))

#: method Table 1: section class → description (Ⅰ, Ⅱ 优; Ⅲ 良好; Ⅳ 轻度; Ⅴ 中度; 劣Ⅴ 重度)
CLASS_QUALITY: Final = {1: EXCELLENT, 2: EXCELLENT, 3: GOOD, 4: LIGHT, 5: MODERATE, 6: HEAVY}


def class_items(water_type: str) -> tuple[str, ...]:
    """The items that decide the class of a river section or a lake point (the same 21)."""
    if water_type not in gb3838.WATER_TYPES:
        raise ValueError(f"water_type must be river or lake, not {water_type!r}")
    return CLASS_ITEMS


def below_detection_value(detection_limit: npt.ArrayLike) -> FloatArray:
    """The value a result below the detection limit enters the statistics with: DL / 2."""
    return np.asarray(detection_limit, dtype=np.float64) / 2.0


def section_class(item_classes: npt.ArrayLike) -> FloatArray:
    """Single-factor class: the worst item class along the last axis; NaN if none assessed.

    ``item_classes`` has one column per assessed item (NaN = not measured).
    """
    c = np.asarray(item_classes, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        worst = np.max(np.where(np.isnan(c), -np.inf, c), axis=-1)
    return np.where(np.isinf(worst), np.nan, worst)


def exceedance_multiple(item: str, conc: npt.ArrayLike, water_type: str = "river") -> FloatArray:
    """超标倍数 ``(C - C_Ⅲ) / C_Ⅲ`` against class Ⅲ; NaN where not above Ⅲ or not defined."""
    c = np.asarray(conc, dtype=np.float64)
    if item in NO_MULTIPLE or not gb3838.is_classed(item, water_type):
        return np.full(c.shape, np.nan)
    limit = gb3838.limits_for(item, water_type)[2]
    multiple = (c - limit) / limit
    above = c > limit * (1 + gb3838.REL_TOL)
    return np.where(above, multiple, np.nan)


def main_pollutants(items: tuple[str, ...], classes: npt.ArrayLike, multiples: npt.ArrayLike,
                    n: int = 3) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """主要污染指标 of each row: column indices of the ``n`` main items and which are valid.

    ``classes`` and ``multiples`` are (rows, len(items)).  Items above class Ⅲ only; order:
    cyanide and heavy metals first, then the worse class, then the larger multiple (items
    without a multiple — pH, dissolved oxygen — after those with one in the same class),
    then the items' order in Table 1 for a stable result.
    """
    cls = np.asarray(classes, dtype=np.float64)
    mul = np.asarray(multiples, dtype=np.float64)
    exceeding = np.nan_to_num(cls, nan=0.0) > 3
    priority = np.array([it in PRIORITY_ITEMS for it in items])
    order_cols = np.broadcast_to(np.arange(len(items)), cls.shape)
    keys = (
        order_cols,                                         # last key: table order
        -np.nan_to_num(mul, nan=-1.0),                      # larger multiple first
        -np.nan_to_num(cls, nan=0.0),                       # worse class first
        ~np.broadcast_to(priority, cls.shape),              # priority items first
        ~exceeding,                                         # exceeding items first (primary key)
    )
    order = np.lexsort(keys, axis=-1)[..., :n]
    valid = np.take_along_axis(exceeding, order, axis=-1)
    return order, valid


def group_main_pollutants(exceeding: npt.ArrayLike, items: tuple[str, ...], n: int = 3) -> list[tuple[str, float]]:
    """主要污染指标 of a river, basin or region (二(一)2): items ranked by the section exceedance
    rate ``sections above class Ⅲ / sections × 100 %``, the ``n`` largest (ties: Table 1 order).

    ``exceeding`` is a (sections, items) boolean array: item above class Ⅲ at that section.
    """
    x = np.asarray(exceeding, dtype=bool)
    if x.size == 0:
        return []
    rate = x.mean(axis=0) * 100.0
    order = np.lexsort((np.arange(len(items)), -rate))
    return [(items[j], float(rate[j])) for j in order[:n] if rate[j] > 0]


def share_quality(share_i_iii: npt.ArrayLike, share_worse_v: npt.ArrayLike) -> list[Quality | None]:
    """Method Table 2: the description of a river, basin or region from its class shares [%].

    ≥ 90 % at Ⅰ-Ⅲ 优; 75-90 % 良好; below 75 %: 劣Ⅴ < 20 % 轻度污染, 20-40 % 中度污染,
    ≥ 40 % 重度污染.  (The text read bounds 重度 by "Ⅰ-Ⅲ < 75 %"; see the methods page.)
    """
    good = np.asarray(share_i_iii, dtype=np.float64).ravel()
    bad = np.asarray(share_worse_v, dtype=np.float64).ravel()
    tol = 1e-9
    grades = (EXCELLENT, GOOD, LIGHT, MODERATE, HEAVY)
    pick = np.select([good >= 90 - tol, good >= 75 - tol, bad < 20 - tol, bad < 40 - tol], [0, 1, 2, 3], 4)
    missing = np.isnan(good) | np.isnan(bad)
    return [None if m else grades[int(k)] for k, m in zip(pick, missing, strict=True)]


def class_shares(classes: npt.ArrayLike) -> dict[str, float]:
    """Counts per class and shares [%] of sections at Ⅰ-Ⅲ, at Ⅴ, worse than Ⅴ, and at Ⅴ or worse."""
    c = np.asarray(classes, dtype=np.float64)
    c = c[~np.isnan(c)]
    n = int(c.size)
    counts = {f"class_{k}": int(np.sum(c == i)) for i, k in enumerate(gb3838.CLASS_CODES, start=1)}
    good = int(np.sum(c <= 3))
    worse_v = int(np.sum(c == 6))
    class_v = int(np.sum(c == 5))
    v_or_worse = int(np.sum(c >= 5))

    def pct(x: int) -> float:
        return 100.0 * x / n if n else float("nan")

    return {"sections": n, **counts, "good": good, "worse_v": worse_v, "v_or_worse": v_or_worse,
            "share_good": pct(good), "share_v": pct(class_v), "share_worse_v": pct(worse_v),
            "share_v_or_worse": pct(v_or_worse)}
