"""The national carbon market's compliance balance (全国碳排放权交易市场 配额清缴).

Rules (《碳排放权交易管理办法（试行）》, 生态环境部令 第19号, 2020; docs/methods/carbon.md):

* 第二十八条: a key emitting unit surrenders allowances equal to its verified emissions of the
  year (清缴量 ≥ 经核查排放量).  Balance = allocated allowances − verified emissions: a surplus
  (≥ 0) complies, a shortfall (< 0) must be covered (by purchase or CCER offsets) or the unit is
  non-compliant.
* 第二十九条: CCER offsets may cover at most 5 % of the verified emissions
  (:data:`CCER_OFFSET_MAX_SHARE`, :func:`offsets_counted`).

Status of a facility-year (:func:`compliance_status`): ``surplus`` (allowances exceed emissions),
``balanced`` (equal within 0.5 t), ``shortfall`` (allowances short, no surrender recorded),
``covered`` (short, but the allowances surrendered plus the CCER offsets that count — at most
5 % of the verified emissions — reach the verified emissions), ``missing`` (no verified
emissions or no allocation imported).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

CCER_OFFSET_MAX_SHARE: Final = 0.05
#: tonnes within which allowances and emissions count as equal (allowances are whole tonnes)
BALANCE_TOLERANCE_T: Final = 0.5
STATUSES: Final = ("surplus", "balanced", "shortfall", "covered", "missing")


def balance(allowance_t: npt.ArrayLike, verified_t: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Allowance surplus (+) or shortfall (−) of each facility-year [tCO2]."""
    return np.asarray(allowance_t, dtype=np.float64) - np.asarray(verified_t, dtype=np.float64)


def offsets_counted(ccer_t: npt.ArrayLike, verified_t: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """CCER offsets that count towards compliance [t]: at most 5 % of verified emissions (第二十九条)."""
    return np.minimum(np.asarray(ccer_t, dtype=np.float64),
                      CCER_OFFSET_MAX_SHARE * np.asarray(verified_t, dtype=np.float64))


def compliance_status(allowance_t: npt.ArrayLike, verified_t: npt.ArrayLike,
                      surrendered_t: npt.ArrayLike | None = None,
                      ccer_t: npt.ArrayLike | None = None) -> npt.NDArray[np.object_]:
    """Status of each facility-year (see the module docstring); NaN inputs give ``missing``.

    ``surrendered_t`` (allowances surrendered) and ``ccer_t`` (offsets surrendered, counted up to
    5 % of verified emissions) turn a shortfall into ``covered`` when together they reach the
    verified emissions.
    """
    a = np.asarray(allowance_t, dtype=np.float64)
    v = np.asarray(verified_t, dtype=np.float64)
    nan = np.full_like(v, np.nan)
    surrendered = nan if surrendered_t is None else np.asarray(surrendered_t, dtype=np.float64)
    offsets = nan if ccer_t is None else offsets_counted(ccer_t, v)
    s = np.where(np.isnan(surrendered) & np.isnan(offsets), np.nan,
                 np.nan_to_num(surrendered) + np.nan_to_num(offsets))
    b = a - v
    out = np.where(b > BALANCE_TOLERANCE_T, "surplus",
                   np.where(b >= -BALANCE_TOLERANCE_T, "balanced",
                            np.where(s >= v - BALANCE_TOLERANCE_T, "covered", "shortfall"))).astype(object)
    out[np.isnan(a) | np.isnan(v)] = "missing"
    return out
