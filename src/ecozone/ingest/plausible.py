"""Plausible ranges of indicator values: data (``data/plausible.yaml``), checked set-based.

Each indicator has a *hard* range (outside: an error, nothing is imported) and may have a
*soft* range (outside: a warning, the value is kept and flagged).  Indicators not listed take
the default of their unit: a share in % lies in 0-100, every other amount, count,
concentration or index is non-negative.  Only level values are checked against ranges; a
change against a base year need only be a finite number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

SOFT_FLAG = "outside_soft_range"


@dataclass(frozen=True)
class Range:
    hard: tuple[float, float]
    soft: tuple[float, float] | None = None

    def describe(self, kind: str = "hard") -> str:
        lo, hi = self.hard if kind == "hard" else (self.soft or self.hard)
        return f"[{'-∞' if math.isinf(lo) else f'{lo:g}'}, {'∞' if math.isinf(hi) else f'{hi:g}'}]"


def _bounds(pair: Any) -> tuple[float, float]:
    lo, hi = (pair or [None, None]) + [None] * (2 - len(pair or []))
    return (-math.inf if lo is None else float(lo), math.inf if hi is None else float(hi))


def _range(rec: dict[str, Any] | None) -> Range:
    rec = rec or {}
    return Range(_bounds(rec.get("hard")), _bounds(rec["soft"]) if rec.get("soft") else None)


@cache
def ranges() -> tuple[dict[str, Range], dict[str, Range]]:
    """(by indicator id, by unit) from the packaged ``data/plausible.yaml``."""
    text = (resources.files("ecozone") / "data" / "plausible.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    by_id = {str(k): _range(v) for k, v in (data.get("indicators") or {}).items()}
    by_unit = {str(k): _range(v) for k, v in (data.get("defaults") or {}).items()}
    return by_id, by_unit


def range_for(indicator_id: str, unit: str) -> Range:
    """The plausible range of a level value of ``indicator_id`` (measured in ``unit``)."""
    by_id, by_unit = ranges()
    if indicator_id in by_id:
        return by_id[indicator_id]
    return by_unit.get(unit, by_unit.get("*", Range((-math.inf, math.inf))))


def check_values(indicator_ids: list[str], units: list[str], values: np.ndarray,
                 levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Range]]:
    """Vectorised check: (hard violation, soft violation, the range used) per value.

    ``levels`` marks level values (changes are checked for finiteness only).  Non-finite
    values (NaN, ±inf) are hard violations.
    """
    keys = np.array([f"{i}\x1f{u}" for i, u in zip(indicator_ids, units, strict=True)], dtype=object)
    uniq, inverse = np.unique(keys, return_inverse=True) if len(keys) else (keys, np.zeros(0, int))
    table = [range_for(*str(k).split("\x1f", 1)) for k in uniq]  # one look-up per distinct indicator
    bounds = np.array([(*r.hard, *(r.soft or r.hard)) for r in table], dtype=float).reshape(-1, 4)
    lo, hi, slo, shi = (bounds[inverse, j] for j in range(4))
    rngs = [table[k] for k in inverse]
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    with np.errstate(invalid="ignore"):
        hard = ~finite | (levels & ((v < lo) | (v > hi)))
        soft = ~hard & levels & ((v < slo) | (v > shi))
    return hard, soft, rngs
