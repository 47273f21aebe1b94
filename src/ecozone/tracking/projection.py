"""Projection to the target year: an ordinary-least-squares line with an 80 % prediction band,
and the SDG-dashboard comparison of the actual annual rate with the required annual rate.

The same formulas are evaluated set-based in SQL by :mod:`ecozone.tracking.evaluate` (one pass
over every target); this module is the reference implementation used by the charts and the
tests.  See ``docs/methods/tracking.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW = 5  # the last (up to) five annual values are fitted
BAND_LEVEL = 0.80  # two-sided level of the prediction interval
ON_TRACK_RATIO = 1.0  # actual rate / required rate at or above: on track
MODERATE_RATIO = 0.5  # at or above (and below 1): moderately off track; below: off track

# one-sided 90 % quantiles of Student's t (two-sided 80 % interval), by degrees of freedom
T90 = {
    1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383,
    10: 1.372, 11: 1.363, 12: 1.356, 13: 1.350, 14: 1.345, 15: 1.341, 16: 1.337, 17: 1.333,
    18: 1.330, 19: 1.328, 20: 1.325, 21: 1.323, 22: 1.321, 23: 1.319, 24: 1.318, 25: 1.316,
    26: 1.315, 27: 1.314, 28: 1.313, 29: 1.311, 30: 1.310,
}
T90_LARGE = 1.282


def t90(df: int) -> float | None:
    """The t quantile for ``df`` degrees of freedom; None when there are none."""
    if df < 1:
        return None
    return T90.get(df, T90_LARGE)


@dataclass(frozen=True)
class Fit:
    """A least-squares line through (year, value) points."""

    n: int
    slope: float
    intercept: float
    mean_x: float
    sxx: float  # Σ(x − x̄)²
    sse: float  # Σ residual²

    def predict(self, year: float) -> float:
        return self.intercept + self.slope * year

    @property
    def residual_sd(self) -> float | None:
        if self.n < 3:
            return None
        return math.sqrt(max(self.sse, 0.0) / (self.n - 2))

    def interval(self, year: float) -> tuple[float, float] | None:
        """The 80 % prediction interval of a new value at ``year`` (None with fewer than 3 points)."""
        s = self.residual_sd
        t = t90(self.n - 2)
        if s is None or t is None or self.sxx <= 0:
            return None
        half = t * s * math.sqrt(1 + 1 / self.n + (year - self.mean_x) ** 2 / self.sxx)
        y = self.predict(year)
        return y - half, y + half


def fit_line(years: Sequence[float], values: Sequence[float], window: int = WINDOW) -> Fit | None:
    """Fit the last ``window`` points (by year); None with fewer than two distinct years."""
    pts = sorted(zip(years, values, strict=True))[-window:]
    n = len(pts)
    if n < 2:
        return None
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    syy = sum((p[1] - my) ** 2 for p in pts)
    slope = sxy / sxx
    return Fit(n, slope, my - slope * mx, mx, sxx, syy - sxy * sxy / sxx)


def rate_ratio(
    slope: float, latest: float, latest_year: int, required_level: float, target_year: int, direction: int
) -> float | None:
    """Actual annual rate / required annual rate (SDG dashboards' trend method).

    ``direction`` is +1 when higher values are better for this target, −1 when lower.  The
    required rate is the constant yearly change that takes the latest value to the required
    level by the target year.  None when nothing is required (already met) or no time is left.
    """
    years_left = target_year - latest_year
    required = direction * (required_level - latest)
    if years_left <= 0 or required <= 0:
        return None
    return (direction * slope) / (required / years_left)


def classify_ratio(ratio: float) -> str:
    """``on_track`` (≥ 1), ``moderately_off_track`` (≥ 0.5) or ``off_track``."""
    if ratio >= ON_TRACK_RATIO - 1e-9:
        return "on_track"
    if ratio >= MODERATE_RATIO - 1e-9:
        return "moderately_off_track"
    return "off_track"
