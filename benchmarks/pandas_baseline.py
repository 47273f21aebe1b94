"""A straightforward pandas implementation of the same HJ 633 / HJ 663 rules (the baseline).

Written the way an analyst would: group-bys for daily means, a time-based rolling window per
station for the O3 8-hour mean, group-bys for city means and annual statistics.  It shares only
the breakpoint tables and limits with the engine, so it doubles as an independent check of the
engine's results (tests/air/test_engine_vs_pandas.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecozone.standards.air import hj633, hj663


def _round(x: pd.Series, decimals: int) -> pd.Series:
    scale = 10.0 ** decimals
    return np.round(np.round(x * scale, 6)) / scale


def _iaqi(item: str, c: pd.Series) -> pd.Series:
    bp = np.asarray(hj633.BREAKPOINTS[item], float)
    pts = np.asarray(hj633.IAQI_POINTS[: len(bp)], float)
    out = np.ceil(np.interp(c, bp, pts) - 1e-9) + 0.0
    return pd.Series(np.where(c.isna(), np.nan, out), index=c.index)


def city_days(df: pd.DataFrame, city_of: np.ndarray) -> pd.DataFrame:
    """``df``: station, hour (start-labelled hours since epoch), pm25 … o3 -> city-day table."""
    df = df.copy()
    df["city"] = city_of[df["station"].to_numpy()]
    df = df[df["city"] >= 0]
    df["day"] = df["hour"] // 24
    out = []
    for p in ("pm25", "pm10", "so2", "no2", "co"):
        g = df.groupby(["station", "day"])[p].agg(["mean", "count"]).reset_index()
        g = g[g["count"] >= 20].merge(df[["station", "city"]].drop_duplicates(), on="station")
        out.append(g.groupby(["city", "day"])["mean"].mean().rename(p))
    # O3 1-hour: city hourly mean, daily max
    hourly = df.groupby(["city", "hour"])["o3"].mean().dropna().reset_index()
    hourly["day"] = hourly["hour"] // 24
    one_h = hourly.groupby(["city", "day"])["o3"].agg(["max", "count"])
    one_h = one_h[(one_h["count"] >= 20) | (one_h["max"] > 200)]   # ≥ 20 hours, or above the 1-h limit
    out.append(one_h["max"].rename("o3_1h"))
    # O3 8-hour: every station on the full hourly axis (a window may end on a missing hour),
    # rolling 8 rows with at least 6 values
    stations = np.unique(df["station"].to_numpy())
    span = np.arange(df["hour"].min() // 24 * 24, (df["hour"].max() // 24 + 1) * 24)
    full = (df.set_index(["station", "hour"])["o3"]
            .reindex(pd.MultiIndex.from_product([stations, span], names=["station", "hour"])))
    roll = (full.groupby(level="station").rolling(8, min_periods=6).mean()
            .droplevel(0).rename("o3").reset_index())
    roll = roll.merge(df[["station", "city"]].drop_duplicates(), on="station")
    roll = roll[roll["hour"] % 24 >= 7].dropna(subset=["o3"])   # windows ending 08:00-24:00
    roll["day"] = roll["hour"] // 24
    city8 = roll.groupby(["city", "hour", "day"])["o3"].mean().reset_index()
    agg = city8.groupby(["city", "day"])["o3"].agg(["max", "count"])
    agg = agg[(agg["count"] >= 14) | (agg["max"] > 160)]
    out.append(agg["max"].rename("o3_8h"))
    days = pd.concat(out, axis=1)
    decimals = {"pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "co": 1, "o3_1h": 0, "o3_8h": 0}
    for k, d in decimals.items():
        days[k] = _round(days[k], d)
    sub = {k: _iaqi(hj633.DAILY_ITEMS[k], days[k]) for k in decimals}
    sub["o3_8h"] = sub["o3_8h"].where(~(days["o3_8h"] > 800), sub["o3_1h"])
    iaqi = pd.DataFrame(sub)
    days["aqi"] = iaqi.max(axis=1).where(iaqi.notna().all(axis=1))
    return days.reset_index()


def annual(days: pd.DataFrame) -> pd.DataFrame:
    """Annual means, HJ 663 percentiles (pandas 'linear' = HJ 663 Appendix A), day statistics."""
    g = days.groupby("city")
    res = pd.DataFrame({
        "so2_mean": _round(g["so2"].mean(), 0), "no2_mean": _round(g["no2"].mean(), 0),
        "pm10_mean": _round(g["pm10"].mean(), 0), "pm25_mean": _round(g["pm25"].mean(), 0),
        "co_p95": _round(g["co"].quantile(0.95), 1), "o3_8h_p90": _round(g["o3_8h"].quantile(0.90), 0),
    })
    valid = days["aqi"].notna()
    res["valid_days"] = valid.groupby(days["city"]).sum()
    res["good_days"] = (days["aqi"] <= 100).groupby(days["city"]).sum()
    res["heavy_days"] = (days["aqi"] > 200).groupby(days["city"]).sum()
    lim = hj663.GRADE_II
    res["composite_index"] = _round(
        res["so2_mean"] / lim[("so2", "year")] + res["no2_mean"] / lim[("no2", "year")]
        + res["pm10_mean"] / lim[("pm10", "year")] + res["pm25_mean"] / lim[("pm25", "year")]
        + res["co_p95"] / lim[("co", "24h")] + res["o3_8h_p90"] / lim[("o3", "8h")], 2)
    return res


__all__ = ["annual", "city_days"]
