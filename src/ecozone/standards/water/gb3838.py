"""GB 3838-2002 《地表水环境质量标准》: Table 1 basic items, class limits, single-item classes.

Vectorised over NumPy arrays (one value per section-month, section-year ...).

Clauses implemented (GB 3838-2002; sources and what could not be read: docs/methods/gb3838.md):

* §3 水域功能和标准分类: five classes Ⅰ…Ⅴ; water that meets no class is 劣Ⅴ类 (class 6 here).
* §4 标准值, Table 1 《地表水环境质量标准基本项目标准限值》: :data:`CLASS_LIMITS`, the 24
  basic items with their limits per class, in the table's own row order and units.
* Table 1 rows 3 溶解氧 (≥): a lower limit, higher is better; class Ⅰ reads "饱和率90%（或7.5）",
  the concentration 7.5 mg/L is used (data files carry mg/L, not saturation).
* Table 1 row 2 pH 值: 6～9 for every class, a range (:data:`PH_RANGE`).
* Table 1 row 8 总磷: rivers and lakes/reservoirs have their own limits (湖、库 in brackets):
  ``tp`` and ``tp_lake`` (:func:`limits_for`).
* Table 1 row 9 总氮 (湖、库，以N计): limits for lakes and reservoirs; rivers carry no class for it.
* Table 1 row 1 水温: no class limits (only man-made temperature change is limited).
* §5 水质评价 5.1/5.2: a value meets a class when it does not exceed the limit (≤; ≥ for
  dissolved oxygen): "a value exactly on a limit belongs to the better class".

Single-item class: the best class whose limit the value meets.  Where two classes share one
limit (e.g. COD Ⅰ and Ⅱ are both 15 mg/L) the value gets the better one.

Comparison tolerance: a mean of binary floats can land a hair above a limit it equals in
decimal (``mean(0.1, 0.2, 0.3) = 0.20000000000000004``); limits are compared with a relative
tolerance of 1e-9 (:data:`REL_TOL`), far below any reported precision (a choice, see the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating]

#: relative tolerance of a limit comparison (binary float noise, never a measurement)
REL_TOL: Final = 1e-9

#: class numbers and their labels: 1..5 = Ⅰ..Ⅴ, 6 = 劣Ⅴ
CLASS_CODES: Final = ("I", "II", "III", "IV", "V", "劣V")
CLASS_LABELS_ZH: Final = ("Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类")
CLASS_LABELS_EN: Final = ("class I", "class II", "class III", "class IV", "class V", "worse than V")
WORSE_THAN_V: Final = 6


@dataclass(frozen=True)
class Item:
    """One row of Table 1 (or a non-Table 1 lake item ecozone reads, marked ``table1=False``)."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    table1_row: int | None  # row number in Table 1 (序号)


#: Table 1 rows in the table's order, plus the two lake trophic-state items (chla, sd) of the
#: assessment method; ids are the ones of ecozone's data files.
ITEMS: Final[dict[str, Item]] = {i.id: i for i in (
    Item("wt", "水温", "water temperature", "℃", 1),
    Item("ph", "pH值", "pH", "无量纲", 2),
    Item("do", "溶解氧", "dissolved oxygen", "mg/L", 3),
    Item("codmn", "高锰酸盐指数", "permanganate index", "mg/L", 4),
    Item("cod", "化学需氧量", "chemical oxygen demand", "mg/L", 5),
    Item("bod5", "五日生化需氧量", "BOD5", "mg/L", 6),
    Item("nh3_n", "氨氮", "ammonia nitrogen", "mg/L", 7),
    Item("tp", "总磷", "total phosphorus", "mg/L", 8),
    Item("tn", "总氮", "total nitrogen", "mg/L", 9),
    Item("cu", "铜", "copper", "mg/L", 10),
    Item("zn", "锌", "zinc", "mg/L", 11),
    Item("fluoride", "氟化物", "fluoride", "mg/L", 12),
    Item("se", "硒", "selenium", "mg/L", 13),
    Item("as", "砷", "arsenic", "mg/L", 14),
    Item("hg", "汞", "mercury", "mg/L", 15),
    Item("cd", "镉", "cadmium", "mg/L", 16),
    Item("cr6", "铬（六价）", "chromium (VI)", "mg/L", 17),
    Item("pb", "铅", "lead", "mg/L", 18),
    Item("cyanide", "氰化物", "cyanide", "mg/L", 19),
    Item("phenol", "挥发酚", "volatile phenols", "mg/L", 20),
    Item("petroleum", "石油类", "petroleum", "mg/L", 21),
    Item("las", "阴离子表面活性剂", "anionic surfactants", "mg/L", 22),
    Item("sulfide", "硫化物", "sulfide", "mg/L", 23),
    Item("fecal_coliform", "粪大肠菌群", "faecal coliform", "个/L", 24),
    Item("chla", "叶绿素a", "chlorophyll a", "mg/m³", None),
    Item("sd", "透明度", "Secchi depth", "m", None),
)}

#: GB 3838-2002 Table 1, limits of classes Ⅰ, Ⅱ, Ⅲ, Ⅳ, Ⅴ (mg/L; faecal coliform 个/L).
#: Upper limits (≤) except ``do`` (≥).  ``tp_lake`` is the bracketed 湖、库 row of 总磷;
#: ``tn`` applies to lakes and reservoirs.  pH is a range (:data:`PH_RANGE`); water
#: temperature has no class limits.
CLASS_LIMITS: Final[dict[str, tuple[float, float, float, float, float]]] = {
    "do": (7.5, 6, 5, 3, 2),
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3_n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
    "tp_lake": (0.01, 0.025, 0.05, 0.1, 0.2),
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
    "fecal_coliform": (200, 2000, 10000, 20000, 40000),
}
#: items whose limit is a minimum (higher is better)
LOWER_LIMIT_ITEMS: Final = frozenset({"do"})
#: Table 1 row 2: pH 6～9 for every class
PH_RANGE: Final = (6.0, 9.0)
#: items Table 1 lists without class limits
UNCLASSED: Final = frozenset({"wt"})

WATER_TYPES: Final = ("river", "lake")
WATER_TYPE_ZH: Final = {"river": "河流", "lake": "湖库"}


def limits_for(item: str, water_type: str = "river") -> tuple[float, float, float, float, float]:
    """Table 1 limits of ``item`` for a river or a lake/reservoir (总磷 has its own lake row)."""
    if item == "tp" and water_type == "lake":
        return CLASS_LIMITS["tp_lake"]
    return CLASS_LIMITS[item]


def is_classed(item: str, water_type: str = "river") -> bool:
    """Whether Table 1 gives ``item`` class limits for this water type (TN: lakes only)."""
    if item == "ph":
        return True
    if item == "tn":
        return water_type == "lake"
    return item in CLASS_LIMITS


def item_class(item: str, values: npt.ArrayLike, water_type: str = "river") -> FloatArray:
    """Single-item class 1..6 (6 = 劣Ⅴ) of ``values`` [Table 1 unit]; NaN where a value is missing.

    §5: a value meets a class when it is ≤ the limit (≥ for dissolved oxygen); the class is
    the best one met.  pH meets every class inside 6～9 and none outside (劣Ⅴ).
    Raises ``KeyError`` for an item without class limits (water temperature; TN of a river).
    """
    v = np.asarray(values, dtype=np.float64)
    if item == "ph":
        lo, hi = PH_RANGE
        inside = (v >= lo * (1 - REL_TOL)) & (v <= hi * (1 + REL_TOL))
        out = np.where(inside, 1.0, float(WORSE_THAN_V))
    else:
        if not is_classed(item, water_type):
            raise KeyError(f"GB 3838-2002 Table 1 gives no class limits for {item!r} ({water_type})")
        lim = np.asarray(limits_for(item, water_type), dtype=np.float64)
        if item in LOWER_LIMIT_ITEMS:
            # number of classes whose minimum the value does not reach
            missed = (v[..., None] < lim * (1 - REL_TOL)).sum(axis=-1)
        else:
            missed = (v[..., None] > lim * (1 + REL_TOL)).sum(axis=-1)
        out = 1.0 + missed.astype(np.float64)
    return np.where(np.isnan(v), np.nan, out)


def class_code(classes: npt.ArrayLike) -> list[str | None]:
    """``I`` … ``V``, ``劣V`` for class numbers 1..6; None where missing."""
    c = np.asarray(classes, dtype=np.float64)
    return [None if np.isnan(x) else CLASS_CODES[int(x) - 1] for x in c.ravel()]


def class_label(classes: npt.ArrayLike, lang: str = "zh") -> list[str | None]:
    """Ⅰ类 … 劣Ⅴ类 (or English) for class numbers 1..6; None where missing."""
    labels = CLASS_LABELS_EN if lang == "en" else CLASS_LABELS_ZH
    c = np.asarray(classes, dtype=np.float64)
    return [None if np.isnan(x) else labels[int(x) - 1] for x in c.ravel()]


def parse_class(text: str) -> int | None:
    """A class written as 1..6, I..V, Ⅰ..Ⅴ, 劣V/劣Ⅴ (with or without 类); None if not a class."""
    t = str(text).strip().replace("类", "").replace("Ⅴ", "V").replace("Ⅳ", "IV").replace("Ⅲ", "III")
    t = t.replace("Ⅱ", "II").replace("Ⅰ", "I").upper()
    if t in ("6", "劣V", "WORSE THAN V"):
        return WORSE_THAN_V
    if t.isdigit() and 1 <= int(t) <= 5:
        return int(t)
    return CLASS_CODES.index(t) + 1 if t in CLASS_CODES[:5] else None
