"""Composite index (城市环境空气质量排名技术规定), ranking with ties, change vs base year."""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.standards.air import composite


def test_composite_index_hand_computed() -> None:
    stats = {"so2_mean": [10.0], "no2_mean": [40.0], "pm10_mean": [70.0], "pm25_mean": [35.0],
             "co_p95": [2.0], "o3_8h_p90": [160.0]}
    index, subs = composite.composite_index(stats)
    # 10/60 + 1 + 1 + 1 + 2/4 + 1 = 4.6667 -> 4.67
    assert index[0] == pytest.approx(4.67)
    assert subs["co"][0] == 0.5 and subs["so2"][0] == pytest.approx(1 / 6)
    prim = composite.primary_pollutants(subs)
    assert prim == [["no2", "pm10", "pm25", "o3"]]     # ties all named


def test_composite_index_published_example() -> None:
    # worked example of a published explanation (tianqi.022net.com/ld/2023/0126/236307.html):
    # 21/35 + 39/70 + 9/60 + 15/40 + 192/160 + 0.7/4 = 3.06
    stats = {"pm25_mean": [21.0], "pm10_mean": [39.0], "so2_mean": [9.0], "no2_mean": [15.0],
             "o3_8h_p90": [192.0], "co_p95": [0.7]}
    index, subs = composite.composite_index(stats)
    assert index[0] == pytest.approx(3.06)
    assert composite.primary_pollutants(subs) == [["o3"]]
    # denominators: grade II annual limits for SO2/NO2/PM10/PM2.5, 24-h for CO, 8-h for O3
    assert [lim for _, _, lim in composite.SUB_INDICES] == [60, 40, 70, 35, 4, 160]


def test_composite_missing_statistic_is_missing() -> None:
    stats = {k: [np.nan] for k in ("so2_mean", "no2_mean", "pm10_mean", "pm25_mean", "co_p95", "o3_8h_p90")}
    index, _ = composite.composite_index(stats)
    assert np.isnan(index[0])


def test_rank_ties_and_worst_first() -> None:
    idx = np.array([4.5, 3.2, 4.5, 6.0, np.nan])
    assert composite.rank(idx).tolist() == [2, 1, 2, 4, 0]
    assert composite.rank(idx, worst_first=True).tolist() == [2, 4, 2, 1, 0]


def test_change_vs_base() -> None:
    assert composite.change_pct([4.5], [5.0])[0] == pytest.approx(-10.0)
