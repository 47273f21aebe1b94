"""Projection to the target year: an ordinary-least-squares line on the indicator's own scale
(logit for shares), its 80 % prediction interval, the probability of meeting the target at the
deadline, and the SDG-dashboard comparison of the actual annual rate with the required one.

The same formulas are evaluated set-based in SQL by :mod:`ecozone.tracking.evaluate` (one pass
over every target); this module is the reference implementation used by the charts, the
backtest and the tests.  See ``docs/methods/tracking.md``.

Notes
-----
======================  ===============================================================
assumption              choice
======================  ===============================================================
window                  the last ``WINDOW`` calendar years up to the latest value, from the
                        base year on and from the last structural break on
scale                   logit of v/100 for levels in % (shares), values clipped to
                        [``SHARE_EPS``, 100 − ``SHARE_EPS``]; linear otherwise, projections
                        of non-negative quantities clipped at 0 (and said so)
interval                Student-t prediction interval of a new value, two-sided 80 %, its
                        standard error scaled by ``INTERVAL_SCALE`` (calibrated by backtest)
verdict                 P(meet) = t-distribution probability that the deadline value meets
                        the required level: ≥ ``ON_TRACK_P`` on track, ≥ ``AT_RISK_P`` at
                        risk, below: off track
======================  ===============================================================

References
----------
1. Sachs, J., Lafortune, G., Kroll, C., Fuller, G., Woelm, F. *Sustainable Development
   Report*, Cambridge University Press / SDSN: methodology of the trend indicators.
2. European Environment Agency, *Trends and projections in Europe*: "likely / unlikely to
   meet" assessments of targets from projections with uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.special import stdtr

WINDOW = 5  # the fit uses the last (up to) five calendar years of the series
BAND_LEVEL = 0.80  # two-sided level of the prediction interval
ON_TRACK_P = 0.8  # P(meet) at or above: on track
AT_RISK_P = 0.5  # P(meet) at or above (and below ON_TRACK_P): at risk; below: off track
ON_TRACK_RATIO = 1.0  # two points only: actual rate / required rate at or above: on track
MODERATE_RATIO = 0.5  # two points only: at or above (and below 1): at risk; below: off track
SHARE_EPS = 0.1  # shares are clipped to [0.1, 99.9] % before the logit
# The t interval of a short OLS fit is far too narrow for these series: measured by
# `ecozone track backtest` on the bundled Hebei data (73 projections, 1-5 years ahead), the
# nominal 80 % interval covered only 51 % of the later values.  The standard error is
# therefore scaled by this factor (the 80th percentile of |error| / half-width, 2.28, rounded
# down); with it, leaving each series out in turn, the coverage is 0.79.  See
# docs/methods/tracking.md, "Calibration".
INTERVAL_SCALE = 2.2

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


def to_scale(value: float, scale: str) -> float:
    """A value [indicator unit] on the fitting scale: logit(v/100) for 'logit', else itself."""
    if scale != "logit":
        return value
    p = min(max(value, SHARE_EPS), 100 - SHARE_EPS)
    return math.log(p / (100 - p))


def from_scale(z: float, scale: str) -> float:
    """Back from the fitting scale (100 / (1 + e^−z) for 'logit')."""
    if scale != "logit":
        return z
    return 100 / (1 + math.exp(-z))


@dataclass(frozen=True)
class Fit:
    """A least-squares line through (year, value) points, on the fitting scale ``scale``."""

    n: int
    slope: float
    intercept: float
    mean_x: float
    sxx: float  # Σ(x − x̄)²
    sse: float  # Σ residual²
    scale: str = "linear"
    non_negative: bool = False  # clip projections at 0 (linear scale only)

    def _back(self, z: float) -> float:
        v = from_scale(z, self.scale)
        return max(v, 0.0) if self.non_negative and self.scale == "linear" else v

    def predict(self, year: float) -> float:
        """The projected value [indicator unit] at ``year``."""
        return self._back(self.intercept + self.slope * year)

    @property
    def residual_sd(self) -> float | None:
        if self.n < 3:
            return None
        return math.sqrt(max(self.sse, 0.0) / (self.n - 2))

    def se(self, year: float) -> float | None:
        """Standard error of a new value at ``year`` on the fitting scale."""
        s = self.residual_sd
        if s is None or self.sxx <= 0:
            return None
        return INTERVAL_SCALE * s * math.sqrt(1 + 1 / self.n + (year - self.mean_x) ** 2 / self.sxx)

    def interval(self, year: float) -> tuple[float, float] | None:
        """The 80 % prediction interval of a new value at ``year`` (None with fewer than 3 points)."""
        se = self.se(year)
        t = t90(self.n - 2)
        if se is None or t is None:
            return None
        z = self.intercept + self.slope * year
        return self._back(z - t * se), self._back(z + t * se)

    def p_meet(self, year: float, level: float, direction: int) -> float | None:
        """P(the value at ``year`` is on the good side of ``level``); ``direction`` +1 when
        higher is better, −1 when lower is better.  None with fewer than 3 points."""
        se = self.se(year)
        if se is None or se <= 0:
            return None
        z = self.intercept + self.slope * year
        return float(stdtr(self.n - 2, direction * (z - to_scale(level, self.scale)) / se))


def fit_line(
    years: Sequence[float], values: Sequence[float], window: int = WINDOW, *, scale: str = "linear",
    non_negative: bool = False,
) -> Fit | None:
    """Fit the points of the last ``window`` calendar years (up to the latest) on ``scale``;
    None with fewer than two distinct years."""
    pts = sorted(zip(years, values, strict=True))
    if not pts:
        return None
    last = pts[-1][0]
    pts = [(x, to_scale(v, scale)) for x, v in pts if x > last - window]
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
    return Fit(n, slope, my - slope * mx, mx, sxx, syy - sxy * sxy / sxx, scale, non_negative)


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
    """``on_track`` (≥ 1), ``moderately_off_track`` (at risk, ≥ 0.5) or ``off_track``."""
    if ratio >= ON_TRACK_RATIO - 1e-9:
        return "on_track"
    if ratio >= MODERATE_RATIO - 1e-9:
        return "moderately_off_track"
    return "off_track"


def classify_p(p: float) -> str:
    """``on_track`` (P(meet) ≥ 0.8), ``moderately_off_track`` (at risk, ≥ 0.5) or ``off_track``."""
    if p >= ON_TRACK_P - 1e-9:
        return "on_track"
    if p >= AT_RISK_P - 1e-9:
        return "moderately_off_track"
    return "off_track"
