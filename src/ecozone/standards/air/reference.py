"""Plain-Python reference of the single-value rules — for tests only, never for bulk work.

Written straight from the clauses (see :mod:`.hj633`, :mod:`.hj663`) without NumPy, so the
property tests can check the vectorised engine against an independent statement of the rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from ecozone.standards.air.hj633 import BREAKPOINTS, IAQI_POINTS

Maybe = float | None


def iaqi(item: str, c: Maybe) -> Maybe:
    """HJ 633 §4 formula (1), rounded up; None if missing or not computed (Table 1 说明 (2), (3))."""
    if c is None:
        return None
    bp = BREAKPOINTS[item]
    if c > bp[-1]:
        return None if item in ("so2_1h", "o3_8h") else 500.0
    for i in range(1, len(bp)):
        if c <= bp[i]:
            lo, hi = bp[i - 1], bp[i]
            ilo, ihi = IAQI_POINTS[i - 1], IAQI_POINTS[i]
            return float(math.ceil((ihi - ilo) / (hi - lo) * (c - lo) + ilo - 1e-9))
    raise AssertionError("unreachable")


def daily_aqi(conc: dict[str, Maybe]) -> tuple[Maybe, list[str]]:
    """Daily AQI (all seven items required) and primary pollutants, HJ 633 §4 formula (2)."""
    items = {"so2": "so2_24h", "no2": "no2_24h", "pm10": "pm10_24h", "co": "co_24h",
             "o3_1h": "o3_1h", "o3_8h": "o3_8h", "pm25": "pm25_24h"}
    sub = {k: iaqi(v, conc.get(k)) for k, v in items.items()}
    o3_8h = conc.get("o3_8h")
    if o3_8h is not None and o3_8h > 800:
        sub["o3_8h"] = sub["o3_1h"]
    if any(v is None for v in sub.values()):
        return None, []
    values = [v for v in sub.values() if v is not None]
    a = max(values)
    return a, ([k for k, v in sub.items() if v == a] if a > 50 else [])


def level(a: Maybe) -> int:
    if a is None:
        return 0
    for lv, top in enumerate((50, 100, 150, 200, 300), start=1):
        if a <= top:
            return lv
    return 6


def mean_if(values: Sequence[Maybe], minimum: int) -> Maybe:
    got = [v for v in values if v is not None]
    return sum(got) / len(got) if len(got) >= minimum else None


def daily_mean(hours: Sequence[Maybe]) -> Maybe:
    """GB 3095-2012 §6 Table 4: a 24-hour mean needs ≥ 20 hourly values."""
    return mean_if(hours, 20)


def daily_max_8h(hours: Sequence[Maybe], limit: float = 160) -> Maybe:
    """O3 daily max 8-h: max of the 8-h means ending 08-24 h (each ≥ 6 values, GB 3095 Table 4);
    ≥ 14 windows or > limit (the HJ 663 rule as recalled, not read: docs/methods/hj663.md)."""
    windows = [mean_if(hours[j:j + 8], 6) for j in range(17)]
    got = [w for w in windows if w is not None]
    if not got:
        return None
    best = max(got)
    return best if len(got) >= 14 or best > limit else None


def percentile(values: Sequence[Maybe], p: float) -> Maybe:
    """HJ 663-2013 附录A: k = 1 + (n-1)p% on ascending values, m_p = X(s) + (X(s+1) - X(s))(k - s)."""
    x = sorted(v for v in values if v is not None)
    if not x:
        return None
    k = 1 + (len(x) - 1) * p / 100
    s = math.floor(k)
    upper = x[s] if s < len(x) else x[-1]
    return x[s - 1] + (upper - x[s - 1]) * (k - s)


def round_gbt8170(x: float, decimals: int = 0) -> float:
    """GB/T 8170 四舍六入五成双 on the decimal rendering of ``x``.

    Like the engine, the value is first taken to 6 more decimals: concentrations are decimal data
    (0.1 mg/m³ CO) held in binary floats, so 1.4499999762 (= (1.4 + 1.5) / 2 in float32) is the
    exact tie 1.45, which rounds to the even 1.4.
    """
    fine = Decimal(repr(x)).quantize(Decimal(1).scaleb(-(decimals + 6)), rounding=ROUND_HALF_EVEN)
    return float(fine.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))
