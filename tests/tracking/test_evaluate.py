"""Evaluation semantics: every comparison, every status boundary, the projection method."""

from __future__ import annotations

import math

import duckdb
import pytest
from scipy.special import stdtr

from ecozone.tracking.evaluate import TrackFilter, default_as_of, evaluate, fit_of
from ecozone.tracking.judgement import record_judgement
from ecozone.tracking.projection import INTERVAL_SCALE, classify_p, classify_ratio, fit_line, rate_ratio, t90

from .conftest import add_obs, add_target


def one(con: duckdb.DuckDBPyConnection, tid: str, as_of: int = 2026) -> dict:
    rows = [r for r in evaluate(con, as_of=as_of) if r["target_id"] == tid]
    assert len(rows) == 1
    return rows[0]


# --------------------------------------------------------------------------- projection by hand

# points (2020,10) (2021,12) (2022,11) (2023,14) (2024,15): x̄=2022, ȳ=12.4, Sxx=10, Sxy=12,
# slope 1.2, ŷ(2025)=16.0, SSE=2.8, s=√(2.8/3), half-width at 2025 = t(3)·s·√(1+1/5+9/10)
# = 1.638·√(2.8/3·2.1) = 1.638·1.4 = 2.2932 before calibration; the method scales the standard
# error by INTERVAL_SCALE = 2.2 (measured by the backtest): se = 3.08, half-width 5.04504
HAND = {2020: 10, 2021: 12, 2022: 11, 2023: 14, 2024: 15}


def test_fit_line_hand_computed() -> None:
    fit = fit_line(list(HAND), list(HAND.values()))
    assert fit is not None
    assert fit.slope == pytest.approx(1.2)
    assert fit.predict(2025) == pytest.approx(16.0)
    assert fit.sse == pytest.approx(2.8)
    lo, hi = fit.interval(2025)  # type: ignore[misc]
    assert INTERVAL_SCALE == 2.2
    assert lo == pytest.approx(16.0 - 5.04504, abs=1e-4)
    assert hi == pytest.approx(16.0 + 5.04504, abs=1e-4)


def test_fit_uses_the_last_five_years_only() -> None:
    fit = fit_line([2019, *HAND], [99.0, *HAND.values()])
    assert fit is not None and fit.slope == pytest.approx(1.2)


def test_fit_two_points_has_no_band_and_one_point_no_fit() -> None:
    fit = fit_line([2020, 2024], [10, 14])
    assert fit is not None and fit.slope == pytest.approx(1.0) and fit.interval(2025) is None
    assert fit_line([2020], [10]) is None
    assert t90(0) is None and t90(3) == pytest.approx(1.638) and t90(500) == pytest.approx(1.282)


def test_rate_ratio_and_thresholds() -> None:
    # lower is better: 40 now (2024), 30 required by 2025 → 10/yr required; slope −5 → 0.5
    assert rate_ratio(-5, 40, 2024, 30, 2025, -1) == pytest.approx(0.5)
    assert rate_ratio(-5, 30, 2024, 30, 2025, -1) is None  # nothing required
    assert classify_ratio(1.0) == "on_track"
    assert classify_ratio(0.999) == "moderately_off_track"
    assert classify_ratio(0.5) == "moderately_off_track"
    assert classify_ratio(0.499) == "off_track"
    assert classify_ratio(-1) == "off_track"


def test_sql_projection_matches_hand_computation(con: duckdb.DuckDBPyConnection) -> None:
    # a lake level (metres, linear scale) must reach 17 m by 2025; HAND above, evaluated in 2024:
    # ŷ(2025) = 16.0, se = 2.2·√(2.8/3 · 2.1) = 3.08, P(Y ≥ 17) = F_t3((16 − 17)/3.08) = 0.383
    add_target(con, "T900-101", "water.lake_level", "at_least", 17, region="water.baiyangdian")
    add_obs(con, "water.lake_level", HAND, region="water.baiyangdian")
    r = one(con, "T900-101", as_of=2024)
    assert r["scale"] == "linear"
    assert r["projected_value"] == pytest.approx(16.0)
    assert r["projected_low"] == pytest.approx(10.95496, abs=1e-4)
    assert r["projected_high"] == pytest.approx(21.04504, abs=1e-4)
    assert r["p_meet"] == pytest.approx(float(stdtr(3, -1 / 3.08)), abs=1e-9)
    assert 0.38 < r["p_meet"] < 0.39
    # required (17 − 15)/1 = 2/yr, actual 1.2/yr → 0.6 (reported beside the probability)
    assert r["required_rate"] == pytest.approx(2.0)
    assert r["actual_rate"] == pytest.approx(1.2)
    assert r["rate_ratio"] == pytest.approx(0.6)
    assert r["status"] == "off_track"  # P(meet) < 0.5
    fit = fit_of(r)
    assert fit is not None and fit.interval(2025) == pytest.approx((r["projected_low"], r["projected_high"]))
    assert fit.p_meet(2025, 17, 1) == pytest.approx(r["p_meet"])
    assert "10.95–21.05" in r["reason_zh"] and "达标概率38%" in r["reason_zh"] and "严重滞后" in r["reason_zh"]
    assert "38% probability" in r["reason_en"]


def test_probability_thresholds() -> None:
    assert classify_p(0.8) == "on_track"
    assert classify_p(0.799) == "moderately_off_track"
    assert classify_p(0.5) == "moderately_off_track"
    assert classify_p(0.499) == "off_track"


def test_projection_exactly_at_the_target_is_at_risk(con: duckdb.DuckDBPyConnection) -> None:
    # HAND mirrored (60 − v): 50 48 49 46 45, ŷ(2025) = 60 − 16 = 44; target ≤ 44 → P = 0.5 exactly
    add_target(con, "T900-102", "air.pm25_annual_mean", "at_most", 44)
    add_obs(con, "air.pm25_annual_mean", {y: 60 - v for y, v in HAND.items()})
    r = one(con, "T900-102", as_of=2024)
    assert r["p_meet"] == pytest.approx(0.5) and r["status"] == "moderately_off_track"
    assert "有风险" in r["reason_zh"] and "At risk" in r["reason_en"]


def test_two_points_fall_back_on_the_rate_ratio(con: duckdb.DuckDBPyConnection) -> None:
    # (2023, 40) (2024, 35): 5/yr down; ≤ 30 by 2025 needs 5/yr → ratio 1, no interval
    add_target(con, "T900-103", "air.pm25_annual_mean", "at_most", 30)
    add_obs(con, "air.pm25_annual_mean", {2023: 40, 2024: 35})
    r = one(con, "T900-103", as_of=2024)
    assert r["p_meet"] is None and r["rate_ratio"] == pytest.approx(1.0) and r["status"] == "on_track"
    assert r["reason_key"] == "rate_only"


# --------------------------------------------------------------------------- the two reported defects


def test_regression_hebei_pm25_2025_is_at_risk_not_on_track(con: duckdb.DuckDBPyConnection) -> None:
    """T003-4.7-0006, PM2.5 ≤ 37 µg/m³ by 2025 (binding), as the 2024 data stood.

    The old method said "on track" from the rate ratio alone: the OLS slope over 2020-2024
    (−1.44/yr) comes almost entirely from 2020→2021 (44.8→38.8), while 2021-2024 read 38.8,
    36.8, 38.6, 37.7 and three of the last four years are above 37.  The point projection
    (35.02) meets the target but its own 80 % interval is wide (29.04-41 uncalibrated, 21.86-48.18
    with the backtest's calibration): P(≤ 37 in 2025) = F_t3((37 − 35.02)/se) ≈ 0.59, so the
    verdict is "at risk", not "on track".
    """
    add_target(con, "T003-4.7-0006", "air.pm25_annual_mean", "at_most", 37, baseline_year=2020,
               baseline_value=44.8)
    add_obs(con, "air.pm25_annual_mean", {2015: 77, 2016: 70, 2017: 65, 2018: 56, 2019: 50.2, 2020: 44.8,
                                          2021: 38.8, 2022: 36.8, 2023: 38.6, 2024: 37.7})
    r = one(con, "T003-4.7-0006", as_of=2024)
    assert (r["fit_from"], r["fit_to"], r["fit_n"]) == (2020, 2024, 5)  # never before the base year
    assert r["projected_value"] == pytest.approx(35.02)
    assert r["projected_low"] == pytest.approx(21.86, abs=0.01) and r["projected_high"] == pytest.approx(48.18, abs=0.01)
    assert 0.55 < r["p_meet"] < 0.65
    assert r["status"] == "moderately_off_track"
    assert r["rate_ratio"] == pytest.approx(2.06, abs=0.01)  # still reported


def test_regression_hebei_good_day_ratio_2025_is_off_track(con: duckdb.DuckDBPyConnection) -> None:
    """T003-4.7-0007, good-day ratio ≥ 75 % by 2025 (binding), as the 2024 data stood.

    The old "last five values" reached back to 2017 across the missing 2018-2019 and took the
    2017→2020 jump as the trend (ratio 1.03, "on track").  From the base year 2020 on the values
    are 69.9, 73.8, (2022 missing), 68.5, 72.9: a slope of +0.07 points/yr against 2.1 needed;
    the projection (logit scale) is about 71.5 and P(≥ 75) ≈ 0.25: off track, and the reason
    says that a year is missing inside the fit.
    """
    add_target(con, "T003-4.7-0007", "air.good_day_ratio", "at_least", 75, baseline_year=2020,
               baseline_value=69.9)
    add_obs(con, "air.good_day_ratio", {2015: 52, 2016: 56.6, 2017: 55.3, 2020: 69.9, 2021: 73.8,
                                        2023: 68.5, 2024: 72.9})
    r = one(con, "T003-4.7-0007", as_of=2024)
    assert (r["fit_from"], r["fit_n"], r["fit_missing"]) == (2020, 4, 1)
    assert r["actual_rate"] == pytest.approx(0.07, abs=0.005) and r["required_rate"] == pytest.approx(2.1)
    assert r["scale"] == "logit" and 71 < r["projected_value"] < 72
    assert r["p_meet"] < 0.5 and r["status"] == "off_track"
    assert "缺1年数据" in r["reason_zh"] and "1 year(s) missing" in r["reason_en"]


# --------------------------------------------------------------------------- base year, deadline


def test_base_year_value_is_not_progress(con: duckdb.DuckDBPyConnection) -> None:
    # R&D 1.25 % where the table's target equals its base: only the base-year value is known
    add_target(con, "T900-104", "ecology.forest_cover", "at_least", 1.25, baseline_year=2020, baseline_value=1.25)
    add_obs(con, "ecology.forest_cover", {2020: 1.25})
    r = one(con, "T900-104", as_of=2024)
    assert r["status"] == "insufficient_data" and r["reason_key"] == "base_only"
    assert "基准年以后尚无进展数据" in r["reason_zh"]


def test_a_2035_target_is_not_achieved_from_a_2020_value(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-105", "ecology.forest_cover", "at_least", 30, 2035, baseline_year=2020)
    add_target(con, "T900-106", "ecology.forest_cover", "at_least", 30, 2035)  # no base: the plan's (2020)
    add_obs(con, "ecology.forest_cover", {2018: 31, 2020: 33})
    for tid in ("T900-105", "T900-106"):
        r = one(con, tid, as_of=2026)
        assert r["status"] == "insufficient_data" and r["eff_base"] == 2020, tid
    assert one(con, "T900-106", as_of=2026)["base_inferred"]


def test_after_the_deadline_without_its_value_is_awaiting_data(con: duckdb.DuckDBPyConnection) -> None:
    # Zhangjiakou's 2022 caps were judged "achieved" from 2018 values after the deadline
    add_target(con, "T900-107", "energy.coal_consumption", "at_most", 1000, 2022, region="130100")
    add_obs(con, "energy.coal_consumption", {2018: 900}, region="130100")
    r = one(con, "T900-107", as_of=2024)
    assert r["status"] == "awaiting_data" and "不判为达成" in r["reason_zh"]
    add_obs(con, "energy.coal_consumption", {2022: 950}, region="130100")
    assert one(con, "T900-107", as_of=2024)["status"] == "achieved"


def test_at_most_deadline_year_decides(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-108", "air.pm25_annual_mean", "at_most", 38)
    add_target(con, "T900-109", "air.pm25_annual_mean", "at_most", 36)
    add_obs(con, "air.pm25_annual_mean", {2023: 39, 2024: 38.6, 2025: 37.5, 2026: 35})
    hit, miss = one(con, "T900-108"), one(con, "T900-109")
    assert hit["status"] == "achieved" and hit["final_year"] == 2025 and hit["final_value"] == 37.5
    assert miss["status"] == "off_track" and miss["gap"] == pytest.approx(1.5)
    assert "未达到2025年目标≤36" in miss["reason_zh"]
    assert hit["projected_value"] is None  # nothing to project once the target year is observed


def test_a_later_value_counts_only_for_stay_targets(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-110", "air.pm25_annual_mean", "at_most", 38, 2024)
    add_target(con, "T900-111", "air.pm25_annual_mean", "at_most", 38, 2024, region="130100",
               target_text="保持在38以下")
    for region in ("130000", "130100"):
        add_obs(con, "air.pm25_annual_mean", {2023: 39, 2025: 37}, region=region)
    r = one(con, "T900-110", as_of=2025)
    assert r["status"] == "awaiting_data" and r["reason_key"] == "awaiting_later" and r["later_year"] == 2025
    s = one(con, "T900-111", as_of=2025)
    assert s["stay"] and s["status"] == "achieved" and s["final_year"] == 2025


def test_met_early_is_its_own_status(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-112", "air.good_day_ratio", "at_least", 72, baseline_year=2020)
    add_target(con, "T900-113", "air.good_day_ratio", "at_least", 80, baseline_year=2020)
    add_obs(con, "air.good_day_ratio", {2020: 60, 2022: 66, 2024: 72.9})
    r = one(con, "T900-112", as_of=2024)
    assert r["status"] == "met_early" and "需保持" in r["reason_zh"] and "must hold" in r["reason_en"]
    r = one(con, "T900-113", as_of=2024)
    assert r["gap"] == pytest.approx(7.1)
    assert r["progress"] == pytest.approx(12.9 / 20)  # from 60 (2020) towards 80
    assert r["latest_year"] == 2024 and r["latest_value"] == 72.9


# --------------------------------------------------------------------------- domains


def test_shares_are_projected_inside_0_100(con: duckdb.DuckDBPyConnection) -> None:
    # a share rising fast: a straight line would pass 100 % by 2025
    add_target(con, "T900-114", "air.good_day_ratio", "at_least", 99.9)
    add_obs(con, "air.good_day_ratio", {2020: 90, 2021: 94, 2022: 97, 2023: 98.5, 2024: 99.5})
    r = one(con, "T900-114", as_of=2024)
    assert r["scale"] == "logit" and 99.5 < r["projected_value"] < 100 and r["projected_high"] < 100
    ref = fit_line(list(range(2020, 2025)), [90, 94, 97, 98.5, 99.5], scale="logit")
    assert ref is not None and ref.predict(2025) == pytest.approx(r["projected_value"])
    # a class-V share falling towards 0 is never banded below 0
    add_target(con, "T900-115", "water.national_section_inferior_v_ratio", "at_most", 0.1)
    add_obs(con, "water.national_section_inferior_v_ratio", {2020: 8, 2021: 5, 2022: 3, 2023: 1, 2024: 0.5})
    r = one(con, "T900-115", as_of=2024)
    assert r["projected_low"] > 0 and r["projected_value"] < 0.5


def test_non_negative_quantities_are_clipped_at_0_and_said_so(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-116", "air.heavy_pollution_days", "at_most", 1)
    add_obs(con, "air.heavy_pollution_days", {2020: 20, 2021: 15, 2022: 12, 2023: 6, 2024: 4})
    r = one(con, "T900-116", as_of=2024)
    assert r["projected_low"] == 0 and r["clipped"] and "已截断于0" in r["reason_zh"]
    assert "clipped at 0" in r["reason_en"]


# --------------------------------------------------------------------------- level comparisons


def test_range(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-117", "water.lake_level", "range", 6.5, 2024, target_value_max=7.0,
               region="water.baiyangdian")
    add_obs(con, "water.lake_level", {2023: 7.4, 2024: 6.8}, region="water.baiyangdian")
    assert one(con, "T900-117")["status"] == "achieved"
    add_obs(con, "water.lake_level", {2024: 7.2}, region="water.baiyangdian", source_type="import")
    r = one(con, "T900-117")
    assert r["status"] == "off_track" and r["direction"] == -1 and r["required_level"] == 7.0


def test_eliminate(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-118", "water.national_section_inferior_v_ratio", "eliminate", None)
    add_obs(con, "water.national_section_inferior_v_ratio", {2023: 1, 2024: 0})
    assert one(con, "T900-118", as_of=2024)["status"] == "met_early"
    add_target(con, "T900-119", "air.heavy_pollution_days", "eliminate", None, 2024)
    add_obs(con, "air.heavy_pollution_days", {2023: 3, 2024: 0.5})
    assert one(con, "T900-119")["status"] == "off_track"


def test_basically_eliminate_is_not_read_as_zero(con: duckdb.DuckDBPyConnection) -> None:
    # 基本消除重污染天气: the plan quantifies it elsewhere (≤ 0.9 %); 0 days is not the target
    add_target(con, "T900-120", "air.heavy_pollution_days", "eliminate", None, 2024, target_text="基本消除重污染天气")
    add_obs(con, "air.heavy_pollution_days", {2023: 3, 2024: 2})
    r = one(con, "T900-120")
    assert r["status"] == "needs_judgement" and r["reason_key"] == "basically" and "不按0计" in r["reason_zh"]


def test_class_or_better(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-121", "water.section_class", "class_or_better", 3, 2024, region="water.baiyangdian")
    add_obs(con, "water.section_class", {2024: 4}, region="water.baiyangdian")
    assert one(con, "T900-121")["status"] == "off_track"
    add_obs(con, "water.section_class", {2024: 3}, region="water.baiyangdian", source_type="import")
    assert one(con, "T900-121")["status"] == "achieved"  # the user's import wins over the bulletin


def test_rank_outside_bottom_is_strict(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-122", "air.composite_index_rank_from_bottom", "rank_outside_bottom", 10, 2024,
               region="130100")
    add_obs(con, "air.composite_index_rank_from_bottom", {2024: 10}, region="130100")
    assert one(con, "T900-122")["status"] == "off_track"
    add_obs(con, "air.composite_index_rank_from_bottom", {2024: 11}, region="130100", source_type="import")
    assert one(con, "T900-122")["status"] == "achieved"


# --------------------------------------------------------------------------- relative comparisons


def test_reduce_by_pct_with_observed_base(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-123", "air.pm25_annual_mean", "reduce_by_pct", 20, 2024, baseline_year=2020)
    add_obs(con, "air.pm25_annual_mean", {2020: 50, 2023: 40.5})
    r = one(con, "T900-123", as_of=2023)
    assert r["required_level"] == pytest.approx(40.0) and r["base_observed"]
    assert r["status"] != "met_early" and r["gap"] == pytest.approx(0.5)
    add_obs(con, "air.pm25_annual_mean", {2024: 39}, source_type="import")
    assert one(con, "T900-123", as_of=2024)["status"] == "achieved"


def test_reduce_by_pct_uses_the_targets_own_baseline_value(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-124", "air.pm25_annual_mean", "reduce_by_pct", 10, baseline_year=2020, baseline_value=50)
    add_obs(con, "air.pm25_annual_mean", {2024: 44})
    r = one(con, "T900-124", as_of=2024)
    assert r["required_level"] == pytest.approx(45) and r["status"] == "met_early"


def test_reduce_by_pct_without_base_is_insufficient(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-125", "energy.energy_intensity", "reduce_by_pct", 15, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2023: 0.9, 2024: 0.85})  # no 2020 value
    r = one(con, "T900-125")
    assert r["status"] == "insufficient_data" and r["mode"] == "no_base"
    assert "缺少2020年基准值" in r["reason_zh"] and "2020 base value is missing" in r["reason_en"]


def test_reduce_by_pct_from_an_observed_change(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-126", "energy.energy_intensity", "reduce_by_pct", 20, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2023: 12}, measure="reduce_by_pct", base_year=2020, unit="%")
    # a change against another base year, with no level of that year, cannot be used: it is said
    add_obs(con, "energy.energy_intensity", {2024: 5}, measure="reduce_by_pct", base_year=2022, unit="%")
    r = one(con, "T900-126", as_of=2024)
    # series (2020, 0) (2023, 12): 4/yr; required (20 − 12)/(2025 − 2023) = 4/yr → ratio 1
    assert r["mode"] == "change" and r["latest_value"] == 12 and r["latest_year"] == 2023
    assert r["rate_ratio"] == pytest.approx(1.0) and r["status"] == "on_track"
    assert "比2020年下降12%" in r["reason_zh"] and r["n_other_measure"] == 1 and "未采用" in r["reason_zh"]


def test_year_on_year_change_gives_the_level(con: duckdb.DuckDBPyConnection) -> None:
    # 2023 level 40; 2024 "down 10 % on the previous year" → 2024 level 36, which meets ≤ 37
    add_target(con, "T900-127", "air.pm25_annual_mean", "at_most", 37)
    add_obs(con, "air.pm25_annual_mean", {2023: 40})
    add_obs(con, "air.pm25_annual_mean", {2024: 10}, measure="reduce_by_pct", base_year=2023, unit="%")
    r = one(con, "T900-127", as_of=2024)
    assert r["latest_year"] == 2024 and r["latest_value"] == pytest.approx(36)
    assert r["n_derived"] == 1 and r["status"] == "met_early" and "同比变化推算" in r["reason_zh"]


def test_opposite_change_measure_is_negated(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-128", "energy.energy_intensity", "reduce_by_pct", 10, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2024: -11}, measure="increase_by_pct", base_year=2020, unit="%")
    r = one(con, "T900-128", as_of=2024)
    assert r["latest_value"] == 11 and r["status"] == "met_early"


def test_points_and_amounts(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-129", "air.good_day_ratio", "increase_by_points", 5, baseline_year=2020)
    add_target(con, "T900-130", "energy.coal_consumption", "reduce_by_amount", 1000, baseline_year=2020)
    add_target(con, "T900-131", "ecology.forest_cover", "increase_by_amount", 2, baseline_year=2020)
    add_target(con, "T900-132", "air.pm25_annual_mean", "reduce_by_points", 5, baseline_year=2020)
    add_obs(con, "air.good_day_ratio", {2020: 60, 2024: 65})
    add_obs(con, "energy.coal_consumption", {2020: 28000, 2024: 27100})
    add_obs(con, "ecology.forest_cover", {2020: 35, 2024: 36})
    add_obs(con, "air.pm25_annual_mean", {2020: 45, 2024: 38})
    r129, r130, r131, r132 = (one(con, t, as_of=2024) for t in ("T900-129", "T900-130", "T900-131", "T900-132"))
    assert r129["required_level"] == 65 and r129["status"] == "met_early"
    assert r130["required_level"] == 27000 and r130["status"] != "met_early" and r130["gap"] == pytest.approx(100)
    assert r131["required_level"] == 37 and r131["gap"] == pytest.approx(1)
    # percentage points of a concentration make no sense: not compared
    assert r132["status"] == "insufficient_data" and r132["mode"] == "not_comparable"


# --------------------------------------------------------------------------- data problems


def test_structural_break_starts_a_new_series(con: duckdb.DuckDBPyConnection) -> None:
    # 74 national sections to 2020, 127 from 2021: the fit starts in 2021
    add_target(con, "T900-133", "water.national_section_good_ratio", "at_least", 80, baseline_year=2020)
    add_obs(con, "water.national_section_good_ratio", {2019: 50, 2020: 66})
    add_obs(con, "water.national_section_good_ratio", {2021: 73}, quality_flag="series_break")
    add_obs(con, "water.national_section_good_ratio", {2022: 72, 2023: 74, 2024: 75})
    r = one(con, "T900-133", as_of=2024)
    assert (r["fit_from"], r["fit_n"], r["break_year"]) == (2021, 4, 2021)
    assert "监测网络变化" in r["reason_zh"] and "monitoring network changed" in r["reason_en"]


def test_not_yet_due_and_insufficient_data(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-134", "ecology.forest_cover", "at_least", 40, 2030)
    add_target(con, "T900-135", "ecology.forest_cover", "at_least", 40, 2024, region="130100")
    assert one(con, "T900-134")["status"] == "not_yet_due"
    assert one(con, "T900-135")["status"] == "awaiting_data"
    # the same target evaluated in 2023 is not due yet
    assert one(con, "T900-135", as_of=2023)["status"] == "not_yet_due"
    add_obs(con, "ecology.forest_cover", {2024: 35})
    r = one(con, "T900-134")  # one value, not met: no trend
    assert r["status"] == "insufficient_data" and "只有一个可拟合的年度值" in r["reason_zh"]


def test_partial_year_values_are_never_compared(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-136", "air.pm25_annual_mean", "at_most", 45, 2024, region="130100")
    add_obs(con, "air.pm25_annual_mean", {2024: 40}, region="130100", period="{y}-01..11",
            quality_flag="partial_year")
    r = one(con, "T900-136")
    assert r["status"] == "awaiting_data" and r["latest_value"] is None and r["n_partial"] == 1
    assert "2024-01..11" in r["reason_zh"] and "part-year" in r["reason_en"]


def test_other_units_are_never_compared(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-137", "air.pm25_annual_mean", "at_most", 45, 2030)
    add_obs(con, "air.pm25_annual_mean", {2024: 0.04}, unit="mg/m³")
    r = one(con, "T900-137")
    assert r["status"] == "not_yet_due" and r["n_other_unit"] == 1 and "单位不同" in r["reason_zh"]


def test_observations_after_as_of_are_ignored(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-138", "air.pm25_annual_mean", "at_most", 38)
    add_obs(con, "air.pm25_annual_mean", {2021: 42, 2022: 41, 2023: 40, 2025: 37})
    assert one(con, "T900-138", as_of=2026)["status"] == "achieved"
    r = one(con, "T900-138", as_of=2023)
    assert r["latest_year"] == 2023 and r["projected_value"] == pytest.approx(38)


def test_default_evaluation_year_is_the_latest_year_with_data(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-139", "air.pm25_annual_mean", "at_most", 38)
    add_obs(con, "air.pm25_annual_mean", {2021: 42, 2022: 41})
    add_obs(con, "air.pm25_annual_mean", {2023: 40}, period="{y}-01..11", quality_flag="partial_year")
    assert default_as_of(con) == 2022
    assert evaluate(con)[0]["as_of"] == 2022  # the same data, the same verdict, whatever the clock


def test_baseline_value_of_the_target_starts_the_series(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-140", "air.pm25_annual_mean", "at_most", 38, baseline_year=2020, baseline_value=44.8)
    add_obs(con, "air.pm25_annual_mean", {2024: 39})
    r = one(con, "T900-140", as_of=2024)
    assert r["fit_n"] == 2 and r["slope"] == pytest.approx((39 - 44.8) / 4)
    assert r["progress"] == pytest.approx(5.8 / 6.8)


# --------------------------------------------------------------------------- qualitative


def test_qualitative_needs_a_judgement(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-128", "water.national_section_good_ratio", "qualitative", None, target_text="稳中向好")
    r = one(con, "T900-128")
    assert r["status"] == "needs_judgement" and "稳中向好" in r["reason_zh"]
    record_judgement(con, "T900-128", "on_track", reason="国考断面优良比例连续三年上升", by="张三", year=2024)
    r = one(con, "T900-128")
    assert r["status"] == "on_track" and "国考断面优良比例连续三年上升" in r["reason_zh"] and "张三" in r["reason_zh"]
    record_judgement(con, "T900-128", "已达成", reason="复核后确认", by="李四", year=2024)  # supersedes
    assert one(con, "T900-128")["status"] == "achieved"
    n = con.execute("SELECT count(*) FROM observation WHERE source_type = 'judgement'").fetchone()
    assert n == (2,)
    with pytest.raises(ValueError):
        record_judgement(con, "T900-128", "not_yet_due", reason="x", by="y", year=2024)
    with pytest.raises(ValueError):
        record_judgement(con, "T900-128", "achieved", reason=" ", by="y", year=2024)


def test_filters(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-129", "air.pm25_annual_mean", "at_most", 38, kind="binding")
    add_target(con, "T900-130", "ecology.forest_cover", "at_least", 40, 2030, kind="expected")
    add_target(con, "T900-131", "air.pm25_annual_mean", "at_most", 45, region="130100", kind="binding")
    ids = lambda flt: {r["target_id"] for r in evaluate(con, flt, as_of=2026)}  # noqa: E731
    assert ids(TrackFilter(kind="binding")) == {"T900-129", "T900-131"}
    assert ids(TrackFilter(domain="ecology")) == {"T900-130"}
    assert ids(TrackFilter(region="河北省")) == {"T900-129", "T900-130"}
    assert ids(TrackFilter(region="河北省", with_children=True)) == {"T900-129", "T900-130", "T900-131"}
    assert ids(TrackFilter(status="not_yet_due")) == {"T900-130"}
    assert ids(TrackFilter(status="待目标年数据")) == {"T900-129", "T900-131"}
    assert not math.isnan(len(ids(TrackFilter())))


def test_points_exactly_on_a_line_give_a_certain_verdict(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-141", "water.lake_level", "at_least", 6, region="water.baiyangdian")
    add_obs(con, "water.lake_level", {2022: 3, 2023: 4, 2024: 5}, region="water.baiyangdian")
    r = one(con, "T900-141", as_of=2024)
    assert r["projected_value"] == pytest.approx(6) and r["p_meet"] == 1 and r["status"] == "on_track"


def test_each_target_is_judged_per_member_region(con: duckdb.DuckDBPyConnection) -> None:
    # "每个城市 PM2.5 ≤ 40": Shijiazhuang meets it early, Tangshan does not and is not improving
    add_target(con, "T900-142", "air.pm25_annual_mean", "at_most", 40, region="130000")
    con.execute("UPDATE target SET scope = 'each' WHERE id = 'T900-142'")
    con.execute("INSERT INTO target_member VALUES ('T900-142', '130100'), ('T900-142', '130200')")
    add_obs(con, "air.pm25_annual_mean", {2022: 45, 2023: 42, 2024: 39}, region="130100")
    add_obs(con, "air.pm25_annual_mean", {2022: 45, 2023: 46, 2024: 45}, region="130200")
    rows = {r["target_id"]: r for r in evaluate(con, as_of=2024)}
    assert set(rows) == {"T900-142@130100", "T900-142@130200"}
    assert rows["T900-142@130100"]["status"] == "met_early" and rows["T900-142@130100"]["parent_id"] == "T900-142"
    assert rows["T900-142@130200"]["status"] == "off_track"
    assert {r["target_id"] for r in evaluate(con, TrackFilter(region="130200"), as_of=2024)} == {"T900-142@130200"}


def test_share_of_days_from_the_count_of_days(con: duckdb.DuckDBPyConnection) -> None:
    # ≤ 0.9 % heavy-pollution days; only counts are reported: 5 days in 2023 (5/365 = 1.37 %),
    # 3 days in 2024, a leap year (3/366 = 0.82 %): met early, and the reason says how it was derived
    add_target(con, "T900-143", "air.heavy_pollution_day_ratio", "at_most", 0.9)
    add_obs(con, "air.heavy_pollution_days", {2023: 5, 2024: 3})
    r = one(con, "T900-143", as_of=2024)
    assert r["latest_value"] == pytest.approx(300 / 366) and r["n_from_days"] == 2
    assert r["status"] == "met_early" and "折算为比率" in r["reason_zh"] and "count of days" in r["reason_en"]
    add_obs(con, "air.heavy_pollution_day_ratio", {2024: 0.95})  # the reported share wins
    r = one(con, "T900-143", as_of=2024)
    assert r["latest_value"] == pytest.approx(0.95) and r["n_from_days"] == 1


def test_approximate_elimination_is_not_read_as_zero(con: duckdb.DuckDBPyConnection) -> None:
    # the catalogue encodes 基本消除 as eliminate 0 with approximate: still not "0 days"
    add_target(con, "T900-144", "air.heavy_pollution_days", "eliminate", 0, 2024)
    con.execute("UPDATE target SET approximate = TRUE WHERE id = 'T900-144'")
    add_obs(con, "air.heavy_pollution_days", {2023: 3, 2024: 2})
    r = one(con, "T900-144")
    assert r["reason_key"] == "basically" and r["status"] == "needs_judgement"


def test_zero_growth_reads_as_such(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-145", "energy.coal_consumption", "reduce_by_pct", 0, baseline_year=2020, unit="%")
    add_obs(con, "energy.coal_consumption", {2020: 100, 2023: 99, 2024: 98})
    r = one(con, "T900-145", as_of=2024)
    assert r["status"] == "met_early" and "不高于2020年水平（零增长）" in r["reason_zh"]
    assert "no higher than in 2020 (zero growth)" in r["reason_en"]


def test_a_judgement_of_an_each_target_applies_to_its_members(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-146", "air.pm25_annual_mean", "qualitative", None, target_text="持续改善")
    con.execute("UPDATE target SET scope = 'each' WHERE id = 'T900-146'")
    con.execute("INSERT INTO target_member VALUES ('T900-146', '130100'), ('T900-146', '130200')")
    record_judgement(con, "T900-146", "on_track", reason="两市均连续下降", by="张三", year=2024)
    rows = {r["target_id"]: r["status"] for r in evaluate(con, as_of=2024)}
    assert rows == {"T900-146@130100": "on_track", "T900-146@130200": "on_track"}
