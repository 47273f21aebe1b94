"""The backtest: projections from each origin year compared with what was later observed."""

from __future__ import annotations

import duckdb
import pytest

from ecozone.tracking.backtest import backtest, projection_pairs

from .conftest import add_obs, add_target


def test_coverage_and_error_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    # 1, 2, 3 (2016-2018) is an exact line: standing in 2018 the projection for 2019 is 4 with a
    # zero-width interval, and 4 is observed (covered); for 2020 it is 5 but 6 is observed (not
    # covered); standing in 2019 (1, 2, 3, 4) the projection for 2020 is 5 again (not covered).
    add_obs(con, "water.lake_level", {2016: 1, 2017: 2, 2018: 3, 2019: 4, 2020: 6}, region="water.baiyangdian")
    pairs = sorted((p["origin"], p["year"], round(p["projected"], 9), p["covered"]) for p in projection_pairs(con))
    assert pairs == [(2018, 2019, 4.0, True), (2018, 2020, 5.0, False), (2019, 2020, 5.0, False)]
    res = backtest(con)
    assert res["interval"] == 0.8 and res["n"] == 3
    assert res["coverage"] == pytest.approx(1 / 3)
    assert res["mae"] == pytest.approx(2 / 3)
    assert [d["key"] for d in res["by_domain"]] == ["water"] and res["by_domain"][0]["label_zh"]


def test_a_break_is_never_bridged(con: duckdb.DuckDBPyConnection) -> None:
    add_obs(con, "water.national_section_good_ratio", {2016: 40, 2017: 45, 2018: 50, 2019: 55})
    add_obs(con, "water.national_section_good_ratio", {2020: 70}, quality_flag="series_break")
    pairs = projection_pairs(con)
    assert pairs and all(p["year"] < 2020 for p in pairs)  # nothing projected across 2020


def test_level_verdicts_use_the_plans_levels(con: duckdb.DuckDBPyConnection) -> None:
    # standing in 2018 (exact line 1, 2, 3) the projection for 2019 is 4: P(≥ 3.5) = 1, and 4 ≥ 3.5
    add_target(con, "T900-201", "water.lake_level", "at_least", 3.5, region="water.baiyangdian")
    add_obs(con, "water.lake_level", {2016: 1, 2017: 2, 2018: 3, 2019: 4}, region="water.baiyangdian")
    res = backtest(con)
    assert res["level_verdicts"] == {"n": 1, "hits": 1, "hit_rate": 1.0}
