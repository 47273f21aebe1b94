"""Write examples/water/hebei_2024_monthly.csv: example monthly values of the registered sections.

The values are invented (not measurements): each section's annual mean is set to show one case
(Baiyangdian at class Ⅲ with one point at Ⅳ, the Miyun/Yuqiao outflow sections at Ⅱ, a few city
river sections at Ⅲ-劣Ⅴ).  Run: python examples/water/make_example.py
"""

from __future__ import annotations

import csv
from pathlib import Path

SWING = (0.1, -0.1, 0.05, -0.05, 0.08, -0.08, 0.02, -0.02, 0.06, -0.06, 0.0, 0.0)
BASE = {"ph": 7.8, "do": 7.0, "codmn": 3.5, "cod": 14, "bod5": 2.5, "nh3_n": 0.3, "tp": 0.08, "fluoride": 0.5}
LAKE = {"ph": 8.2, "do": 7.5, "codmn": 5.5, "cod": 19, "bod5": 3.5, "nh3_n": 0.4, "tp": 0.045, "tn": 1.1,
        "fluoride": 0.7, "chla": 12.0, "sd": 0.9}
# section, name, water_type, region, level, overrides of the annual means
SECTIONS = [
    ("HB-MY-BAIHE-HOUCHENG", "白河后城", "river", "130700", "national", {"codmn": 2.4, "tp": 0.05}),
    ("HB-MY-CHAOHE-GUBEIKOU", "潮河古北口", "river", "130800", "national", {"codmn": 2.8, "nh3_n": 0.2}),
    ("HB-YQ-SHAHE", "沙河出境断面", "river", "130200", "national", {"codmn": 3.0}),
    ("HB-YQ-LIHE", "黎河出境断面", "river", "130200", "national", {"codmn": 3.2, "tp": 0.09}),
    ("HB-BYD-NANLIUZHUANG", "南刘庄", "lake", "133100", "national", {"codmn": 6.8}),
    ("HB-BYD-WANGJIAZHAI", "王家寨", "lake", "133100", "national", {}),
    ("HB-BYD-GUANGDIANZHANGZHUANG", "光淀张庄", "lake", "133100", "national", {}),
    ("HB-BYD-QUANTOU", "圈头", "lake", "133100", "national", {}),
    ("HB-BYD-CAIPUTAI", "采蒲台", "lake", "133100", "national", {"tp": 0.05}),
    ("HB-BYD-DUANCUN", "端村", "lake", "133100", "national", {}),
    ("HB-BYD-ZAOLINZHUANG", "枣林庄", "lake", "133100", "national", {}),
    ("HB-BYD-SHAOCHEDIAN", "烧车淀", "lake", "133100", "national", {}),
    ("EX-BD-FUHE", "府河示例断面", "river", "保定市", "provincial", {"cod": 32, "nh3_n": 1.2}),
    ("EX-LF-LONGHE", "龙河示例断面", "river", "廊坊市", "provincial", {"cod": 45, "nh3_n": 2.3}),
    ("EX-LF-BEIYUNHE", "北运河示例断面", "river", "廊坊市", "national", {"codmn": 7.0}),
    ("EX-HS-FUYANGHE", "滏阳河示例断面", "river", "衡水市", "provincial", {"do": 4.5}),
]


def main() -> Path:
    out = Path(__file__).with_name("hebei_2024_monthly.csv")
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["section", "name", "water_type", "region", "level", "date", "item", "value"])
        for code, name, wt, region, level, over in SECTIONS:
            means = {**(LAKE if wt == "lake" else BASE), **over}
            for item, mean in means.items():
                for month, s in enumerate(SWING, start=1):
                    value = round(mean * (1 + s), 4) if item not in ("ph",) else round(mean + s, 2)
                    w.writerow([code, name, wt, region, level, f"2024-{month:02d}", item, f"{value:g}"])
    return out


if __name__ == "__main__":
    print(main())
