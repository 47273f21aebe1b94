"""HJ 633-2012 《环境空气质量指数（AQI）技术规定（试行）》: IAQI, AQI, levels, primary pollutant.

Everything here is vectorised over NumPy arrays (one value per station-hour, city-day ...);
the single-value rules are restated in :mod:`ecozone.standards.air.reference` for tests.

Clauses implemented (HJ 633-2012; sources and what could not be read: docs/methods/hj633.md):

* §4 空气质量指数计算方法, 4.1 空气质量分指数分级方案, Table 1 《空气质量分指数及对应的污染物
  项目浓度限值》: :data:`BREAKPOINTS` (every value checked against two public copies).
* §4, formula (1): ``IAQI_P = (IAQI_Hi - IAQI_Lo) / (BP_Hi - BP_Lo) * (C_P - BP_Lo) + IAQI_Lo``.
* Table 1 说明 (1): the SO2, NO2 and CO 1-hour limits are for the real-time report (实时报) only;
  the daily report (日报) uses the 24-hour ones (:data:`DAILY_ITEMS`).
* Table 1 说明 (2): an SO2 1-hour concentration above 800 µg/m³ gets no IAQI; the SO2 IAQI is
  reported from the 24-hour mean instead.
* Table 1 说明 (3): an O3 8-hour concentration above 800 µg/m³ gets no IAQI; the O3 IAQI is
  reported from the 1-hour concentration instead.
* §4, formula (2): ``AQI = max(IAQI_1, ..., IAQI_n)``.
* §4: when AQI > 50 the pollutant with the largest IAQI is the primary pollutant (首要污染物;
  two or more tied are all primary); pollutants with IAQI > 100 are exceeding pollutants (超标污染物).
* Table 2 (levels 一级-六级, categories 优 … 严重污染) and Appendix A 空气质量指数类别的表示颜色.
* §5 日报和实时报的发布: the daily report's seven items and the real-time report.

Rounding of IAQI/AQI to an integer: no rounding clause was found in the copies of Table 1 and
formula (1) that could be read; the integers follow the national release, which rounds *up*
(reproduced on the CNEMC sample in tests/air/test_hj633.py).  See :func:`ceil_index`.

Concentrations above the top breakpoint of Table 1 (e.g. PM2.5 > 500 µg/m³) are beyond the
index; the table ends at IAQI 500, so they get IAQI 500 and ``beyond_scale`` marks them: the
value is never silently capped without that mark (a choice: the standard says nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating]

#: IAQI values at the breakpoints (Table 1, first column).
IAQI_POINTS: Final = (0.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 500.0)

#: Table 1 breakpoints, µg/m³ except CO in mg/m³.  Keys: ``<pollutant>_<averaging time>``.
BREAKPOINTS: Final[dict[str, tuple[float, ...]]] = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),  # 说明 (2): above 800 use the 24-hour IAQI
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),  # 说明 (3): above 800 use the 1-hour IAQI
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}

#: Which Table 1 rows the daily report (日报, §5) uses: 24-hour means of SO2, NO2, PM10, PM2.5
#: and CO (Table 1 说明 (1)), the O3 daily maximum 1-hour and daily maximum 8-hour values.
DAILY_ITEMS: Final = {
    "so2": "so2_24h", "no2": "no2_24h", "pm10": "pm10_24h", "co": "co_24h",
    "o3_1h": "o3_1h", "o3_8h": "o3_8h", "pm25": "pm25_24h",
}
#: The real-time report (实时报, §5) rates 1-hour values.  §5 lists nine real-time items (six
#: 1-hour means, the O3 8-hour and PM 24-hour moving means); PM has only 24-hour breakpoints,
#: against which the national network rates the 1-hour PM concentration, and the O3 8-hour
#: moving mean is not part of the hourly AQI: both verified on the CNEMC sample, where 3,334 of
#: 3,407 published AQIs equal this rule exactly and the rest equal it without O3 (stations whose
#: O3 the network had flagged; see tests/air/test_hj633.py).
#: Where this departs from the §5 list (PM 24-hour moving means, O3 8-hour) the published
#: values are followed; see docs/methods/hj633.md.
HOURLY_ITEMS: Final = {
    "so2": "so2_1h", "no2": "no2_1h", "pm10": "pm10_24h", "co": "co_1h",
    "o3_1h": "o3_1h", "pm25": "pm25_24h",
}

#: Names as HJ 633 publishes them (primary pollutant labels of the national release).
POLLUTANT_ZH: Final = {
    "so2": "二氧化硫", "no2": "二氧化氮", "pm10": "颗粒物(PM10)", "co": "一氧化碳",
    "o3_1h": "臭氧1小时", "o3_8h": "臭氧8小时", "pm25": "细颗粒物(PM2.5)",
}


@dataclass(frozen=True)
class Level:
    """One row of HJ 633-2012 Table 2 with the Appendix A colour."""

    level: int
    aqi_min: int
    aqi_max: int | None
    name_zh: str
    category_zh: str
    category_en: str
    colour: str
    rgb: tuple[int, int, int]


#: HJ 633-2012 Table 2 and Appendix A (RGB of the colours).
LEVELS: Final = (
    Level(1, 0, 50, "一级", "优", "excellent", "绿色", (0, 228, 0)),
    Level(2, 51, 100, "二级", "良", "good", "黄色", (255, 255, 0)),
    Level(3, 101, 150, "三级", "轻度污染", "lightly polluted", "橙色", (255, 126, 0)),
    Level(4, 151, 200, "四级", "中度污染", "moderately polluted", "红色", (255, 0, 0)),
    Level(5, 201, 300, "五级", "重度污染", "heavily polluted", "紫色", (153, 0, 76)),
    Level(6, 301, None, "六级", "严重污染", "severely polluted", "褐红色", (126, 0, 35)),
)
_LEVEL_UPPER = np.array([50, 100, 150, 200, 300], dtype=np.float64)

# Tolerance for the round-up: formula (1) on binary floats can land a hair above an exact
# integer (e.g. 0.6 mg/m³ CO); 1e-9 is far below any meaningful concentration difference.
_EPS = 1e-9


def ceil_index(x: FloatArray) -> FloatArray:
    """Round IAQI/AQI up to an integer, as the national release does.

    Not a quoted clause: no rounding rule was found in the readable copies of HJ 633-2012 §4;
    the rule is the one the published CNEMC values follow (tests/air/test_hj633.py).
    """
    return np.ceil(np.asarray(x, dtype=np.float64) - _EPS) + 0.0  # + 0.0: no negative zero


def iaqi(item: str, conc: npt.ArrayLike) -> FloatArray:
    """Sub-index for Table 1 row ``item`` (e.g. ``"pm25_24h"``), rounded up; NaN where missing.

    Formula (1) of §4 by linear interpolation between the two bracketing breakpoints.
    Rows ``so2_1h`` and ``o3_8h`` give NaN above 800 (Table 1 说明 (2), (3)): the caller substitutes
    the IAQI the note prescribes (see :func:`daily_iaqi`, :func:`hourly_iaqi`).  Values above
    the last breakpoint of the other rows give 500 (see :func:`beyond_scale`).
    """
    bp = np.asarray(BREAKPOINTS[item], dtype=np.float64)
    levels = np.asarray(IAQI_POINTS[: len(bp)], dtype=np.float64)
    c = np.asarray(conc, dtype=np.float64)
    raw = np.interp(c, bp, levels)  # clamps above the last breakpoint to its IAQI
    out = ceil_index(raw)
    out = np.where(np.isnan(c), np.nan, out)
    if item in ("so2_1h", "o3_8h"):
        out = np.where(c > bp[-1], np.nan, out)
    return out


def beyond_scale(item: str, conc: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the concentration is above the last Table 1 breakpoint of ``item``."""
    c = np.asarray(conc, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(c > BREAKPOINTS[item][-1])


def _substitute(iaqis: dict[str, FloatArray], conc: Mapping[str, FloatArray],
                so2_24h_iaqi: FloatArray | None) -> None:
    """Apply Table 1 说明 (2) and (3) in place on a dict of sub-indices."""
    if "o3_8h" in iaqis and "o3_1h" in iaqis:
        # 说明 (3): O3 8-h > 800 → no 8-h IAQI; O3 is reported by its 1-hour IAQI
        iaqis["o3_8h"] = np.where(conc["o3_8h"] > 800, iaqis["o3_1h"], iaqis["o3_8h"])
    if so2_24h_iaqi is not None and "so2" in iaqis:
        # 说明 (2): SO2 1-h > 800 → report the SO2 IAQI from the 24-hour mean
        iaqis["so2"] = np.where(conc["so2"] > 800, so2_24h_iaqi, iaqis["so2"])


def daily_iaqi(conc: Mapping[str, npt.ArrayLike]) -> dict[str, FloatArray]:
    """Daily-report sub-indices (§5, Table 1 说明 (1)) for the keys of :data:`DAILY_ITEMS`.

    ``conc`` holds 24-hour means of so2, no2, pm10, pm25, co and the daily maximum 1-hour and
    8-hour O3 (keys ``o3_1h``, ``o3_8h``).  Missing keys are skipped.
    """
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in conc.items()}
    out = {k: iaqi(DAILY_ITEMS[k], v) for k, v in arrays.items() if k in DAILY_ITEMS}
    _substitute(out, arrays, None)
    return out


def hourly_iaqi(conc: Mapping[str, npt.ArrayLike],
                so2_24h: npt.ArrayLike | None = None) -> dict[str, FloatArray]:
    """Real-time sub-indices (§5) from 1-hour values (keys of :data:`HOURLY_ITEMS`).

    ``so2_24h`` (the 24-hour moving mean of SO2) is used for 说明 (2); without it an SO2 1-hour
    value above 800 leaves the SO2 IAQI missing rather than guessed.
    """
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in conc.items()}
    out = {k: iaqi(HOURLY_ITEMS[k], v) for k, v in arrays.items() if k in HOURLY_ITEMS}
    so2_24 = iaqi("so2_24h", so2_24h) if so2_24h is not None else None
    _substitute(out, arrays, so2_24)
    return out


def aqi(iaqis: Mapping[str, FloatArray], *, require_all: bool = False) -> FloatArray:
    """§4 formula (2): the maximum sub-index.

    With ``require_all`` the AQI is missing wherever any sub-index is missing (the engine's
    day-statistics rule, see docs/methods/hj663.md); otherwise it is the maximum of those
    present (the published real-time AQI) and missing only if all are.
    """
    stack = np.stack([np.asarray(v, dtype=np.float64) for v in iaqis.values()])
    present = ~np.isnan(stack)
    best = np.max(np.where(present, stack, -np.inf), axis=0)
    ok = present.all(axis=0) if require_all else present.any(axis=0)
    return np.where(ok, best, np.nan)


def level(aqi_values: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """Table 2 level 1-6 of each AQI (0 where the AQI is missing)."""
    a = np.asarray(aqi_values, dtype=np.float64)
    lv = (np.searchsorted(_LEVEL_UPPER, a, side="left") + 1).astype(np.int8)
    return np.where(np.isnan(a), 0, lv).astype(np.int8)


def primary_mask(iaqis: dict[str, FloatArray], aqi_values: FloatArray) -> dict[str, npt.NDArray[np.bool_]]:
    """§4: per pollutant, True where it is a primary pollutant (AQI > 50 and IAQI == AQI)."""
    a = np.asarray(aqi_values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return {k: (a > 50) & (v == a) for k, v in iaqis.items()}


def exceeding_mask(iaqis: dict[str, FloatArray]) -> dict[str, npt.NDArray[np.bool_]]:
    """§4: per pollutant, True where it is an exceeding pollutant (IAQI > 100)."""
    with np.errstate(invalid="ignore"):
        return {k: np.asarray(v > 100) for k, v in iaqis.items()}


def level_info(lv: int) -> Level | None:
    """The Table 2 row of level ``lv`` (1-6)."""
    return LEVELS[lv - 1] if 1 <= lv <= 6 else None
