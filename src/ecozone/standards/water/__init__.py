"""Surface-water standards as pure calculations: GB 3838-2002 (classes), the national
assessment method of 2011 (section class, exceeding items, shares, trophic state) and the city
water quality index (CWQI) of the 2017 city-ranking rules.

No I/O here: every function takes and returns arrays.
"""

from ecozone.standards.water import assessment, cwqi, gb3838, tli

METHOD = "GB 3838-2002; 环办〔2011〕22号"
CWQI_METHOD = "城市地表水环境质量排名技术规定（试行）环办监测〔2017〕51号"
#: version of this implementation's reading of the rules; bump when a rule changes
METHOD_VERSION = "ecozone-water 1.0 (GB 3838-2002, 环办〔2011〕22号, 环办监测函〔2020〕82号 §7, 环办监测〔2017〕51号)"

__all__ = ["CWQI_METHOD", "METHOD", "METHOD_VERSION", "assessment", "cwqi", "gb3838", "tli"]
