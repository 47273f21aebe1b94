"""GB/T 8170-2008 《数值修约规则与极限数值的表示和判定》: exact rounding of rational values.

ecozone stores concentrations as scaled integers (0.1 µg/m³, CO 0.001 mg/m³; see
:data:`ecozone.standards.air.hj663.SCALE`), so every mean the standards define is a ratio of two
integers.  Rounding such a ratio in binary floating point can move an exact trailing 5 (2.65 ->
2.6500000953…) to the wrong side; here the ratio is rounded with integer arithmetic only.

* GB/T 8170-2008 §3.3 (进舍规则): a digit to drop below 5 is dropped (四舍), above 5 carries
  (六入); exactly 5 followed by nothing (or zeros) carries when the kept digit is odd and is
  dropped when it is even (五成双).  For a ratio ``n / d`` rounded to an integer this is
  "round half to even" on the exact remainder: compare ``2 r`` with ``d``.

Functions are vectorised over integer NumPy arrays; no floats are involved.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def round_ratio(num: npt.ArrayLike, den: npt.ArrayLike) -> IntArray:
    """GB/T 8170 §3.3 rounding of ``num / den`` to an integer, exactly (``den > 0``).

    >>> round_ratio([265, 275, -265, 264], [100, 100, 100, 100]).tolist()  # 2.65 2.75 -2.65 2.64
    [2, 3, -2, 2]
    """
    n = np.asarray(num, dtype=np.int64)
    d = np.asarray(den, dtype=np.int64)
    q, r = np.divmod(n, d)                 # floor division: 0 <= r < d
    twice = 2 * r
    up = (twice > d) | ((twice == d) & (q % 2 == 1))
    return q + up.astype(np.int64)


def round_scaled(units: npt.ArrayLike, step: int) -> IntArray:
    """Round integers counted in fine units to a coarser step of ``step`` fine units (GB/T 8170).

    E.g. 2650 (CO in 0.001 mg/m³) with ``step=100`` -> 26 (2.6 mg/m³, 0.1 mg/m³ steps).
    """
    return round_ratio(units, np.int64(step))
