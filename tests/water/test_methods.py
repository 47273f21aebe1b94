"""The 2011 assessment method, TLI and CWQI against cases computed by hand here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecozone.standards.water import assessment, cwqi, gb3838, tli


def test_assessed_items_exclude_temperature_tn_and_coliform() -> None:
    """一(一)1: 表1中除水温、总氮、粪大肠菌群以外的21项指标."""
    assert len(assessment.CLASS_ITEMS) == 21
    assert set(assessment.CLASS_ITEMS) | set(assessment.EXCLUDED) == {i.id for i in gb3838.ITEMS.values() if i.table1_row}
    assert not set(assessment.CLASS_ITEMS) & set(assessment.EXCLUDED)


def test_section_class_is_the_worst_item() -> None:
    classes = np.array([[1, 2, np.nan, 4], [np.nan, np.nan, np.nan, np.nan], [6, 1, 1, 1]])
    out = assessment.section_class(classes)
    assert out[0] == 4 and np.isnan(out[1]) and out[2] == 6


def test_exceedance_multiple_against_class_iii() -> None:
    """超标倍数 = (C - C_Ⅲ) / C_Ⅲ; not for pH, DO; none at or below Ⅲ."""
    assert assessment.exceedance_multiple("codmn", [9.0])[0] == pytest.approx(0.5)   # (9 - 6) / 6
    assert assessment.exceedance_multiple("tp", [0.15], "lake")[0] == pytest.approx(2.0)  # (0.15 - 0.05) / 0.05
    assert np.isnan(assessment.exceedance_multiple("codmn", [6.0])[0])
    assert np.isnan(assessment.exceedance_multiple("do", [1.0])[0])
    assert np.isnan(assessment.exceedance_multiple("ph", [10.0])[0])


def test_main_pollutants_order() -> None:
    """Worst class first, ties by the multiple; cyanide and heavy metals ahead of the rest."""
    items = ("ph", "do", "codmn", "nh3_n", "tp", "pb")
    classes = [[1, 5, 4, 5, 6, 1],      # TP 劣Ⅴ, then NH3-N Ⅴ (multiple) before DO Ⅴ (none), then CODMn
               [1, 1, 4, 5, 4, 4]]      # lead above Ⅲ goes first
    multiples = [[np.nan, np.nan, 0.5, 0.9, 1.5, np.nan],
                 [np.nan, np.nan, 0.2, 0.8, 0.1, 0.0001]]
    order, valid = assessment.main_pollutants(items, classes, multiples)
    assert [items[j] for j in order[0]] == ["tp", "nh3_n", "do"]
    assert [items[j] for j in order[1]] == ["pb", "nh3_n", "codmn"]
    assert valid.all()
    order, valid = assessment.main_pollutants(items, [[1, 1, 4, 1, 1, 1]], [[np.nan] * 6])
    assert [items[j] for j, ok in zip(order[0], valid[0], strict=True) if ok] == ["codmn"]


@pytest.mark.parametrize(("good", "worse_v", "expected"), [
    (100, 0, "优"), (90, 0, "优"), (89.99, 0, "良好"), (75, 10, "良好"), (74.99, 19.99, "轻度污染"),
    (74.99, 20, "中度污染"), (50, 39.99, "中度污染"), (50, 40, "重度污染"), (0, 100, "重度污染"),
])
def test_share_description_table_2(good: float, worse_v: float, expected: str) -> None:
    q = assessment.share_quality([good], [worse_v])[0]
    assert q is not None and q.zh == expected


def test_class_shares_counts() -> None:
    s = assessment.class_shares([1, 2, 3, 4, 5, 6, 6, np.nan])
    assert s["sections"] == 7 and s["good"] == 3 and s["worse_v"] == 2 and s["v_or_worse"] == 3
    assert s["share_good"] == pytest.approx(300 / 7)
    assert s["share_worse_v"] == pytest.approx(200 / 7)


def test_class_descriptions_table_1() -> None:
    assert [assessment.CLASS_QUALITY[c].zh for c in range(1, 7)] == ["优", "优", "良好", "轻度污染", "中度污染", "重度污染"]


def test_below_detection_limit_is_half_the_limit() -> None:
    assert assessment.below_detection_value([0.01, 0.00004]).tolist() == [0.005, 0.00002]


def test_tli_worked_example() -> None:
    """chla 10 mg/m³, TP 0.1, TN 1.0 mg/L, SD 1.0 m, CODMn 4 mg/L, by hand."""
    t_chla = 10 * (2.5 + 1.086 * math.log(10))
    t_tp = 10 * (9.436 + 1.624 * math.log(0.1))
    t_tn = 10 * (5.453 + 1.694 * math.log(1.0))
    t_sd = 10 * (5.118 - 1.94 * math.log(1.0))
    t_cod = 10 * (0.109 + 2.661 * math.log(4))
    r2 = (1, 0.84**2, 0.82**2, 0.83**2, 0.83**2)
    by_hand = (t_chla * r2[0] + t_tp * r2[1] + t_tn * r2[2] + t_sd * r2[3] + t_cod * r2[4]) / sum(r2)
    value, n = tli.tli({"chla": [10], "tp": [0.1], "tn": [1.0], "sd": [1.0], "codmn": [4]})
    assert value[0] == pytest.approx(by_hand, rel=1e-12) and n[0] == 5
    assert by_hand == pytest.approx(50.13, abs=0.01)
    assert tli.weights()["chla"] == pytest.approx(0.2663, abs=1e-4)
    assert tli.weights()["tn"] == pytest.approx(0.1790, abs=1e-4)


def test_tli_missing_item_renormalises_the_weights() -> None:
    value, n = tli.tli({"chla": [10], "tp": [np.nan]})
    assert n[0] == 1 and value[0] == pytest.approx(10 * (2.5 + 1.086 * math.log(10)))


@pytest.mark.parametrize(("index", "grade"), [
    (29.99, "贫营养"), (30, "中营养"), (50, "中营养"), (50.01, "轻度富营养"), (60, "轻度富营养"),
    (60.01, "中度富营养"), (70, "中度富营养"), (70.01, "重度富营养"),
])
def test_tli_grades(index: float, grade: str) -> None:
    g = tli.grade([index])[0]
    assert g is not None and g.zh == grade


def test_cwqi_item_indices_by_hand() -> None:
    """CWQI(i) = C / C_Ⅲ; DO: C_Ⅲ / C; pH: |pH - 7| over 1 (acid side) or 2 (alkaline side)."""
    assert cwqi.item_index("ph", [6.5, 8.0]).tolist() == pytest.approx([0.5, 0.5])
    assert cwqi.item_index("do", [4.0])[0] == pytest.approx(1.25)          # 5 / 4
    assert cwqi.item_index("codmn", [3.0])[0] == pytest.approx(0.5)        # 3 / 6
    assert cwqi.item_index("tp", [0.1], "river")[0] == pytest.approx(0.5)  # 0.1 / 0.2
    assert cwqi.item_index("tp", [0.1], "lake")[0] == pytest.approx(2.0)   # 0.1 / 0.05
    with pytest.raises(KeyError):
        cwqi.item_index("tn", [1.0])


def test_cwqi_section_city_rank_change() -> None:
    # one section: pH 8 (0.5) + DO 4 (1.25) + CODMn 3 (0.5) + NH3-N 1.5 (1.5) + TP 0.1 (0.5) = 4.25
    idx = [[0.5, 1.25, 0.5, 1.5, 0.5, np.nan]]
    total, n = cwqi.section_cwqi(idx)
    assert total[0] == pytest.approx(4.25) and n[0] == 5
    # two river sections 4 and 6, one lake point 8: (5 x 2 + 8 x 1) / 3 = 6
    city = cwqi.city_cwqi([4.0, 6.0], [8.0])
    assert city["cwqi_river"] == 5 and city["cwqi_lake"] == 8 and city["cwqi"] == pytest.approx(6.0)
    assert cwqi.city_cwqi([4.0], [])["cwqi"] == 4.0
    assert cwqi.rank([5.0, 3.0, 5.0, 7.0]).tolist() == [2, 1, 2, 4]
    assert cwqi.change([9.0], [10.0])[0] == pytest.approx(-10.0)
    assert cwqi.in_change_ranking([2, 3, 2], [2, 2, 4]).tolist() == [False, True, True]


def test_results_a_period_needs() -> None:
    """一(二): year 12 monthly results (national) or 8; a quarter 2; a month 1."""
    assert assessment.min_results(12, "national") == 12
    assert assessment.min_results(12, "provincial") == 8
    assert assessment.min_results(12, None) == 8
    assert assessment.min_results(3, "national") == 2
    assert assessment.min_results(1, "national") == 1


def test_group_main_pollutants_by_section_exceedance_rate() -> None:
    """二(一)2: 4 sections; NH3-N above Ⅲ at 3 (75 %), TP at 2 (50 %), CODMn at 2 (50 %), Hg at 1."""
    items = ("codmn", "nh3_n", "tp", "hg")
    above = [[1, 1, 0, 0], [0, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]]
    got = assessment.group_main_pollutants(above, items)
    assert got == [("nh3_n", 75.0), ("codmn", 50.0), ("tp", 50.0)]   # ties in Table 1 order
    assert assessment.group_main_pollutants([[0, 0, 0, 0]], items) == []
