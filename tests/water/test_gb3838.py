"""GB 3838-2002 Table 1: the limits, and every class boundary of every item for rivers and lakes.

§5: a value meets a class when it does not exceed the class limit ("≤"; "≥" for dissolved
oxygen), so a value exactly on a limit belongs to the better class.
"""

from __future__ import annotations

import numpy as np
import pytest

from ecozone.standards.water import gb3838

# Table 1 transcribed a second time, independently, one column (class) at a time, in the
# standard's row order: 溶解氧, 高锰酸盐指数, 化学需氧量, 五日生化需氧量, 氨氮, 总磷 (河流), 总磷 (湖、库),
# 总氮, 铜, 锌, 氟化物, 硒, 砷, 汞, 镉, 铬(六价), 铅, 氰化物, 挥发酚, 石油类, 阴离子表面活性剂, 硫化物, 粪大肠菌群
ROWS = ("do", "codmn", "cod", "bod5", "nh3_n", "tp", "tp_lake", "tn", "cu", "zn", "fluoride", "se", "as", "hg",
        "cd", "cr6", "pb", "cyanide", "phenol", "petroleum", "las", "sulfide", "fecal_coliform")
CLASS_I = (7.5, 2, 15, 3, 0.15, 0.02, 0.01, 0.2, 0.01, 0.05, 1.0, 0.01, 0.05, 0.00005, 0.001, 0.01, 0.01, 0.005,
           0.002, 0.05, 0.2, 0.05, 200)
CLASS_II = (6, 4, 15, 3, 0.5, 0.1, 0.025, 0.5, 1.0, 1.0, 1.0, 0.01, 0.05, 0.00005, 0.005, 0.05, 0.01, 0.05,
            0.002, 0.05, 0.2, 0.1, 2000)
CLASS_III = (5, 6, 20, 4, 1.0, 0.2, 0.05, 1.0, 1.0, 1.0, 1.0, 0.01, 0.05, 0.0001, 0.005, 0.05, 0.05, 0.2,
             0.005, 0.05, 0.2, 0.2, 10000)
CLASS_IV = (3, 10, 30, 6, 1.5, 0.3, 0.1, 1.5, 1.0, 2.0, 1.5, 0.02, 0.1, 0.001, 0.005, 0.05, 0.05, 0.2,
            0.01, 0.5, 0.3, 0.5, 20000)
CLASS_V = (2, 15, 40, 10, 2.0, 0.4, 0.2, 2.0, 1.0, 2.0, 1.5, 0.02, 0.1, 0.001, 0.01, 0.1, 0.1, 0.2,
           0.1, 1.0, 0.3, 1.0, 40000)


def test_table1_matches_an_independent_transcription() -> None:
    second = {item: tuple(col[k] for col in (CLASS_I, CLASS_II, CLASS_III, CLASS_IV, CLASS_V))
              for k, item in enumerate(ROWS)}
    assert {k: tuple(map(float, v)) for k, v in gb3838.CLASS_LIMITS.items()} == \
        {k: tuple(map(float, v)) for k, v in second.items()}
    assert gb3838.PH_RANGE == (6.0, 9.0)
    assert [i.table1_row for i in gb3838.ITEMS.values() if i.table1_row] == list(range(1, 25))


def _cases() -> list[tuple[str, str]]:
    out = [(item, "river") for item in gb3838.CLASS_LIMITS if item not in ("tp_lake", "tn")]
    out += [(item, "lake") for item in gb3838.CLASS_LIMITS if item != "tp_lake"]
    return out


@pytest.mark.parametrize(("item", "water_type"), _cases())
def test_every_boundary_of_every_item(item: str, water_type: str) -> None:
    """On each limit: the best class whose limit equals it; just past it: the next distinct class."""
    limits = gb3838.limits_for(item, water_type)
    higher_is_better = item == "do"
    for k, lim in enumerate(limits, start=1):
        best_with_this_limit = min(j for j, other in enumerate(limits, start=1) if other == lim)
        assert gb3838.item_class(item, [lim], water_type)[0] == best_with_this_limit, (item, lim)
        step = lim * 1e-6
        beyond = lim - step if higher_is_better else lim + step
        # the first class whose limit the value still meets, else 劣Ⅴ
        met = [j for j, other in enumerate(limits, start=1)
               if (beyond >= other if higher_is_better else beyond <= other)]
        expected = min(met) if met else 6
        assert gb3838.item_class(item, [beyond], water_type)[0] == expected, (item, beyond)
        assert expected > k or expected == 6 or limits[expected - 1] != lim


def test_hand_picked_boundaries() -> None:
    # COD: Ⅰ and Ⅱ share 15 mg/L, so 15 is class Ⅰ and 15.01 already class Ⅲ
    assert list(gb3838.item_class("cod", [15, 15.01, 20, 40, 40.01])) == [1, 3, 3, 5, 6]
    # dissolved oxygen, higher is better: 7.5 is Ⅰ, 7.49 Ⅱ, 2 Ⅴ, 1.99 劣Ⅴ
    assert list(gb3838.item_class("do", [7.5, 7.49, 5, 2, 1.99])) == [1, 2, 3, 5, 6]
    # total phosphorus 0.05 mg/L: class Ⅱ in a river, class Ⅲ in a lake
    assert gb3838.item_class("tp", [0.05], "river")[0] == 2
    assert gb3838.item_class("tp", [0.05], "lake")[0] == 3
    # pH 6～9 meets every class; outside meets none
    assert list(gb3838.item_class("ph", [5.99, 6, 7.5, 9, 9.01])) == [6, 1, 1, 1, 6]
    # mercury: Ⅰ and Ⅱ 0.00005, Ⅲ 0.0001, Ⅳ and Ⅴ 0.001
    assert list(gb3838.item_class("hg", [0.00005, 0.00006, 0.0001, 0.0002, 0.001, 0.0011])) == [1, 3, 3, 4, 4, 6]
    assert np.isnan(gb3838.item_class("codmn", [np.nan])[0])


def test_float_noise_does_not_cross_a_limit() -> None:
    """mean(0.1, 0.2, 0.3) is 0.20000000000000004 in binary floats: still on the Ⅲ limit."""
    assert gb3838.item_class("tp", [np.mean([0.1, 0.2, 0.3])], "river")[0] == 3


def test_items_without_class_limits() -> None:
    with pytest.raises(KeyError):
        gb3838.item_class("tn", [1.0], "river")  # Table 1 row 9 is for lakes and reservoirs
    with pytest.raises(KeyError):
        gb3838.item_class("wt", [20.0])
    assert gb3838.item_class("tn", [1.0], "lake")[0] == 3


def test_labels_and_parsing() -> None:
    assert gb3838.class_label([1, 6]) == ["Ⅰ类", "劣Ⅴ类"]
    assert gb3838.class_code([3, np.nan]) == ["III", None]
    assert [gb3838.parse_class(t) for t in ("Ⅲ类", "III", "3", "劣Ⅴ类", "劣V", "x")] == [3, 3, 3, 6, 6, None]
