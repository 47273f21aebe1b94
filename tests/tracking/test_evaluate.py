"""Evaluation semantics: every comparison, every status boundary, the projection method."""

from __future__ import annotations

import math

import duckdb
import pytest

from ecozone.tracking.evaluate import TrackFilter, evaluate, fit_of
from ecozone.tracking.judgement import record_judgement
from ecozone.tracking.projection import classify_ratio, fit_line, rate_ratio, t90

from .conftest import add_obs, add_target


def one(con: duckdb.DuckDBPyConnection, tid: str, as_of: int = 2026) -> dict:
    rows = [r for r in evaluate(con, as_of=as_of) if r["target_id"] == tid]
    assert len(rows) == 1
    return rows[0]


# --------------------------------------------------------------------------- projection by hand

# points (2020,10) (2021,12) (2022,11) (2023,14) (2024,15): x̄=2022, ȳ=12.4, Sxx=10, Sxy=12,
# slope 1.2, ŷ(2025)=16.0, SSE=2.8, s=√(2.8/3), half-width at 2025 = t(3)·s·√(1+1/5+9/10)
# = 1.638·√(2.8/3·2.1) = 1.638·1.4 = 2.2932
HAND = {2020: 10, 2021: 12, 2022: 11, 2023: 14, 2024: 15}


def test_fit_line_hand_computed() -> None:
    fit = fit_line(list(HAND), list(HAND.values()))
    assert fit is not None
    assert fit.slope == pytest.approx(1.2)
    assert fit.predict(2025) == pytest.approx(16.0)
    assert fit.sse == pytest.approx(2.8)
    lo, hi = fit.interval(2025)  # type: ignore[misc]
    assert lo == pytest.approx(16.0 - 2.2932, abs=1e-4)
    assert hi == pytest.approx(16.0 + 2.2932, abs=1e-4)


def test_fit_uses_last_five_points_only() -> None:
    fit = fit_line([2010, *HAND], [99.0, *HAND.values()])
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
    add_target(con, "T900-101", "ecology.forest_cover", "at_least", 17)
    add_obs(con, "ecology.forest_cover", HAND)
    r = one(con, "T900-101")
    assert r["projected_value"] == pytest.approx(16.0)
    assert r["projected_low"] == pytest.approx(13.7068, abs=1e-4)
    assert r["projected_high"] == pytest.approx(18.2932, abs=1e-4)
    # required (17 − 15)/1 = 2/yr, actual 1.2/yr → 0.6
    assert r["required_rate"] == pytest.approx(2.0)
    assert r["actual_rate"] == pytest.approx(1.2)
    assert r["rate_ratio"] == pytest.approx(0.6)
    assert r["status"] == "moderately_off_track"
    fit = fit_of(r)
    assert fit is not None and fit.interval(2025) == pytest.approx((r["projected_low"], r["projected_high"]))
    assert "16" in r["reason_zh"] and "13.71–18.29" in r["reason_zh"] and "略有滞后" in r["reason_zh"]
    assert "moderately off track" in r["reason_en"].lower()


@pytest.mark.parametrize(("values", "status"), [
    ({2020: 80, 2021: 70, 2022: 60, 2023: 50, 2024: 40}, "on_track"),          # ratio exactly 1
    ({2020: 60, 2021: 55, 2022: 50, 2023: 45, 2024: 40}, "moderately_off_track"),  # exactly 0.5
    ({2020: 59.6, 2021: 54.7, 2022: 49.8, 2023: 44.9, 2024: 40}, "off_track"),  # 0.49
    ({2020: 30, 2021: 32, 2022: 35, 2023: 38, 2024: 40}, "off_track"),          # getting worse
])
def test_status_boundaries_of_the_rate_ratio(con: duckdb.DuckDBPyConnection, values: dict, status: str) -> None:
    add_target(con, "T900-102", "air.pm25_annual_mean", "at_most", 30)
    add_obs(con, "air.pm25_annual_mean", values)
    assert one(con, "T900-102")["status"] == status


# --------------------------------------------------------------------------- level comparisons


def test_at_most_final_year_decides(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-103", "air.pm25_annual_mean", "at_most", 38)
    add_target(con, "T900-104", "air.pm25_annual_mean", "at_most", 36)
    add_obs(con, "air.pm25_annual_mean", {2023: 39, 2024: 38.6, 2025: 37.5, 2026: 35})
    hit, miss = one(con, "T900-103"), one(con, "T900-104")
    assert hit["status"] == "achieved" and hit["final_year"] == 2025 and hit["final_value"] == 37.5
    assert miss["status"] == "off_track" and miss["gap"] == pytest.approx(1.5)
    assert "未达到2025年目标≤36" in miss["reason_zh"]
    assert hit["projected_value"] is None  # nothing to project once the target year is observed


def test_at_least_met_early_is_achieved_and_gap_progress(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-105", "air.good_day_ratio", "at_least", 72, baseline_year=2020)
    add_target(con, "T900-106", "air.good_day_ratio", "at_least", 80, baseline_year=2020)
    add_obs(con, "air.good_day_ratio", {2020: 60, 2022: 66, 2024: 72.9})
    assert one(con, "T900-105")["status"] == "achieved"
    r = one(con, "T900-106")
    assert r["gap"] == pytest.approx(7.1)
    assert r["progress"] == pytest.approx(12.9 / 20)  # from 60 (2020) towards 80
    assert r["latest_year"] == 2024 and r["latest_value"] == 72.9


def test_range(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-107", "water.lake_level", "range", 6.5, target_value_max=7.0, region="water.baiyangdian")
    add_obs(con, "water.lake_level", {2023: 7.4, 2024: 6.8}, region="water.baiyangdian")
    assert one(con, "T900-107")["status"] == "achieved"
    add_target(con, "T900-108", "water.lake_level", "range", 6.5, 2024, target_value_max=7.0,
               region="water.baiyangdian")
    add_obs(con, "water.lake_level", {2024: 7.2}, region="water.baiyangdian", source_type="import")
    r = one(con, "T900-108")
    assert r["status"] == "off_track" and r["direction"] == -1 and r["required_level"] == 7.0


def test_eliminate(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-109", "water.national_section_inferior_v_ratio", "eliminate", None)
    add_obs(con, "water.national_section_inferior_v_ratio", {2024: 0})
    assert one(con, "T900-109")["status"] == "achieved"
    add_target(con, "T900-110", "air.heavy_pollution_days", "eliminate", None, 2024)
    add_obs(con, "air.heavy_pollution_days", {2023: 3, 2024: 0.5})
    assert one(con, "T900-110")["status"] == "off_track"


def test_class_or_better(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-111", "water.section_class", "class_or_better", 3, 2024, region="water.baiyangdian")
    add_obs(con, "water.section_class", {2024: 4}, region="water.baiyangdian")
    assert one(con, "T900-111")["status"] == "off_track"
    add_obs(con, "water.section_class", {2024: 3}, region="water.baiyangdian", source_type="import")
    assert one(con, "T900-111")["status"] == "achieved"  # the user's import wins over the bulletin


def test_rank_outside_bottom_is_strict(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-112", "air.composite_index_rank_from_bottom", "rank_outside_bottom", 10, 2024,
               region="130100")
    add_obs(con, "air.composite_index_rank_from_bottom", {2024: 10}, region="130100")
    assert one(con, "T900-112")["status"] == "off_track"
    add_obs(con, "air.composite_index_rank_from_bottom", {2024: 11}, region="130100", source_type="import")
    assert one(con, "T900-112")["status"] == "achieved"


# --------------------------------------------------------------------------- relative comparisons


def test_reduce_by_pct_with_observed_base(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-113", "air.pm25_annual_mean", "reduce_by_pct", 20, baseline_year=2020)
    add_obs(con, "air.pm25_annual_mean", {2020: 50, 2023: 40.5})
    r = one(con, "T900-113")
    assert r["required_level"] == pytest.approx(40.0) and r["base_observed"]
    assert r["status"] != "achieved" and r["gap"] == pytest.approx(0.5)
    add_obs(con, "air.pm25_annual_mean", {2024: 39}, source_type="import")
    assert one(con, "T900-113")["status"] == "achieved"


def test_reduce_by_pct_uses_the_targets_own_baseline_value(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-114", "air.pm25_annual_mean", "reduce_by_pct", 10, baseline_year=2020, baseline_value=50)
    add_obs(con, "air.pm25_annual_mean", {2024: 44})
    r = one(con, "T900-114")
    assert r["required_level"] == pytest.approx(45) and r["status"] == "achieved"


def test_reduce_by_pct_without_base_is_insufficient(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-115", "energy.energy_intensity", "reduce_by_pct", 15, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2023: 0.9, 2024: 0.85})  # no 2020 value
    r = one(con, "T900-115")
    assert r["status"] == "insufficient_data" and r["mode"] == "no_base"
    assert "缺少2020年基准值" in r["reason_zh"] and "2020 base value is missing" in r["reason_en"]


def test_reduce_by_pct_from_an_observed_change(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-116", "energy.energy_intensity", "reduce_by_pct", 20, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2023: 12}, measure="reduce_by_pct", base_year=2020, unit="%")
    # a change against another base year, or a year-on-year change, must not count
    add_obs(con, "energy.energy_intensity", {2024: 5}, measure="reduce_by_pct", base_year=2023, unit="%")
    r = one(con, "T900-116")
    # series (2020, 0) (2023, 12): 4/yr; required (20 − 12)/(2025 − 2023) = 4/yr → ratio 1
    assert r["mode"] == "change" and r["latest_value"] == 12 and r["latest_year"] == 2023
    assert r["rate_ratio"] == pytest.approx(1.0) and r["status"] == "on_track"
    assert "比2020年下降12%" in r["reason_zh"]


def test_opposite_change_measure_is_negated(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-117", "energy.energy_intensity", "reduce_by_pct", 10, baseline_year=2020)
    add_obs(con, "energy.energy_intensity", {2024: -11}, measure="increase_by_pct", base_year=2020, unit="%")
    r = one(con, "T900-117")
    assert r["latest_value"] == 11 and r["status"] == "achieved"


def test_points_and_amounts(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-118", "air.good_day_ratio", "increase_by_points", 5, baseline_year=2020)
    add_target(con, "T900-119", "energy.coal_consumption", "reduce_by_amount", 1000, baseline_year=2020)
    add_target(con, "T900-120", "ecology.forest_cover", "increase_by_amount", 2, baseline_year=2020)
    add_target(con, "T900-121", "air.pm25_annual_mean", "reduce_by_points", 5, baseline_year=2020)
    add_obs(con, "air.good_day_ratio", {2020: 60, 2024: 65})
    add_obs(con, "energy.coal_consumption", {2020: 28000, 2024: 27100})
    add_obs(con, "ecology.forest_cover", {2020: 35, 2024: 36})
    add_obs(con, "air.pm25_annual_mean", {2020: 45, 2024: 38})
    r118, r119, r120, r121 = (one(con, t) for t in ("T900-118", "T900-119", "T900-120", "T900-121"))
    assert r118["required_level"] == 65 and r118["status"] == "achieved"
    assert r119["required_level"] == 27000 and r119["status"] != "achieved" and r119["gap"] == pytest.approx(100)
    assert r120["required_level"] == 37 and r120["gap"] == pytest.approx(1)
    # percentage points of a concentration make no sense: not compared
    assert r121["status"] == "insufficient_data" and r121["mode"] == "not_comparable"


# --------------------------------------------------------------------------- data problems


def test_not_yet_due_and_insufficient_data(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-122", "ecology.forest_cover", "at_least", 40, 2030)
    add_target(con, "T900-123", "ecology.forest_cover", "at_least", 40, 2024, region="130100")
    assert one(con, "T900-122")["status"] == "not_yet_due"
    assert one(con, "T900-123")["status"] == "insufficient_data"
    # the same target evaluated in 2023 is not due yet
    assert one(con, "T900-123", as_of=2023)["status"] == "not_yet_due"
    add_obs(con, "ecology.forest_cover", {2024: 35})
    r = one(con, "T900-122")  # one value, not met: no trend
    assert r["status"] == "insufficient_data" and "只有一个年度值" in r["reason_zh"]


def test_partial_year_values_are_never_compared(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-124", "air.pm25_annual_mean", "at_most", 45, 2024, region="130100")
    add_obs(con, "air.pm25_annual_mean", {2024: 40}, region="130100", period="{y}-01..11",
            quality_flag="partial_year")
    r = one(con, "T900-124")
    assert r["status"] == "insufficient_data" and r["latest_value"] is None and r["n_partial"] == 1
    assert "2024-01..11" in r["reason_zh"] and "part-year" in r["reason_en"]


def test_other_units_are_never_compared(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-125", "air.pm25_annual_mean", "at_most", 45, 2030)
    add_obs(con, "air.pm25_annual_mean", {2024: 0.04}, unit="mg/m³")
    r = one(con, "T900-125")
    assert r["status"] == "not_yet_due" and r["n_other_unit"] == 1 and "单位不同" in r["reason_zh"]


def test_observations_after_as_of_are_ignored(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-126", "air.pm25_annual_mean", "at_most", 38)
    add_obs(con, "air.pm25_annual_mean", {2021: 42, 2022: 41, 2023: 40, 2025: 37})
    assert one(con, "T900-126", as_of=2026)["status"] == "achieved"
    r = one(con, "T900-126", as_of=2023)
    assert r["latest_year"] == 2023 and r["status"] == "on_track"


def test_baseline_value_of_the_target_starts_the_series(con: duckdb.DuckDBPyConnection) -> None:
    add_target(con, "T900-127", "air.pm25_annual_mean", "at_most", 38, baseline_year=2020, baseline_value=44.8)
    add_obs(con, "air.pm25_annual_mean", {2024: 39})
    r = one(con, "T900-127")
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
    assert ids(TrackFilter(status="数据不足")) == {"T900-129", "T900-131"}
    assert not math.isnan(len(ids(TrackFilter())))
