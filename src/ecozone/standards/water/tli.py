"""Lake and reservoir trophic state: the comprehensive trophic level index TLI(Σ).

地表水环境质量评价办法（试行）(环办〔2011〕22号) 二(二)2 湖泊、水库营养状态评价, which adopts
《湖泊（水库）富营养化评价方法及分级技术规定》(中国环境监测总站, 2001/2004).

Clauses implemented (sources: docs/methods/water_assessment.md):

* Items: chlorophyll a (chla, mg/m³), total phosphorus (TP, mg/L), total nitrogen (TN, mg/L),
  Secchi depth (SD, m), permanganate index (CODMn, mg/L).
* ``TLI(Σ) = Σ W_j · TLI(j)`` with ``W_j = r_ij² / Σ r_ij²`` and the correlations of each item
  with chla in Chinese lakes (:data:`R_CHLA`: 1, 0.84, 0.82, -0.83, 0.83).
* Item indices (:data:`ITEM_FORMULAS`):
  ``TLI(chla) = 10(2.5 + 1.086 ln chla)``, ``TLI(TP) = 10(9.436 + 1.624 ln TP)``,
  ``TLI(TN) = 10(5.453 + 1.694 ln TN)``, ``TLI(SD) = 10(5.118 - 1.94 ln SD)``,
  ``TLI(CODMn) = 10(0.109 + 2.661 ln CODMn)``.
* Grades: TLI < 30 贫营养; 30 ≤ TLI ≤ 50 中营养; TLI > 50 富营养, split into 50 < TLI ≤ 60
  轻度, 60 < TLI ≤ 70 中度, TLI > 70 重度富营养 (:func:`grade`).

A missing item: ``m`` in the weight formula is the number of items evaluated, so the weights are
renormalised over the items present (the formula's own definition); the result says how many
items it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating]

ITEMS: Final = ("chla", "tp", "tn", "sd", "codmn")
#: correlation r_ij of each item with chlorophyll a (金相灿《中国湖泊环境》, 26 lakes)
R_CHLA: Final = {"chla": 1.0, "tp": 0.84, "tn": 0.82, "sd": -0.83, "codmn": 0.83}
#: TLI(j) = 10 (a + b ln x)
ITEM_FORMULAS: Final = {"chla": (2.5, 1.086), "tp": (9.436, 1.624), "tn": (5.453, 1.694),
                        "sd": (5.118, -1.94), "codmn": (0.109, 2.661)}


@dataclass(frozen=True)
class Grade:
    zh: str
    en: str


OLIGOTROPHIC = Grade("贫营养", "oligotrophic")
MESOTROPHIC = Grade("中营养", "mesotrophic")
LIGHT_EUTROPHIC = Grade("轻度富营养", "light eutrophic")
MIDDLE_EUTROPHIC = Grade("中度富营养", "middle eutrophic")
HYPER_EUTROPHIC = Grade("重度富营养", "hyper eutrophic")
GRADES: Final = (OLIGOTROPHIC, MESOTROPHIC, LIGHT_EUTROPHIC, MIDDLE_EUTROPHIC, HYPER_EUTROPHIC)


def weights(items: tuple[str, ...] = ITEMS) -> dict[str, float]:
    """``W_j = r_ij² / Σ r_ij²`` over ``items`` (5 items: chla 0.2663, TP 0.1879, TN 0.1790, …)."""
    total = sum(R_CHLA[i] ** 2 for i in items)
    return {i: R_CHLA[i] ** 2 / total for i in items}


def item_tli(item: str, value: npt.ArrayLike) -> FloatArray:
    """TLI(j) of one item; NaN where the value is missing or not positive (ln undefined)."""
    a, b = ITEM_FORMULAS[item]
    x = np.asarray(value, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 10.0 * (a + b * np.log(x))
    return np.where(x > 0, out, np.nan)


def tli(values: Mapping[str, npt.ArrayLike]) -> tuple[FloatArray, npt.NDArray[np.int_]]:
    """TLI(Σ) of each row from the items in ``values``; also how many items each row used.

    Weights are renormalised over the items present in each row (``m`` = items evaluated).
    """
    present = [i for i in ITEMS if i in values]
    if not present:
        raise ValueError("TLI needs at least one of chla, tp, tn, sd, codmn")
    idx = np.stack([item_tli(i, values[i]) for i in present], axis=-1)
    r2 = np.array([R_CHLA[i] ** 2 for i in present])
    have = ~np.isnan(idx)
    w = np.where(have, r2, 0.0)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.nansum(np.where(have, idx, 0.0) * w, axis=-1) / total
    return np.where(total > 0, out, np.nan), have.sum(axis=-1)


def grade(index: npt.ArrayLike) -> list[Grade | None]:
    """Trophic grade of each TLI(Σ); a value on a bound belongs to the lower grade (≤ 50 中营养)."""
    x = np.asarray(index, dtype=np.float64).ravel()
    pick = np.select([x < 30, x <= 50, x <= 60, x <= 70], [0, 1, 2, 3], 4)
    return [None if np.isnan(v) else GRADES[int(k)] for v, k in zip(x, pick, strict=True)]
