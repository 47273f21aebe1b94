"""Charts for the printable review report, drawn by matplotlib and embedded as SVG (text kept
as text, so the page's CJK font renders it; no script, so the report prints as it shows).

One chart per target with data: the observed values (lines only between consecutive years:
gaps stay gaps; the base-year value hollow), the required level, the deadline, and the
projection with its 80 % interval computed by the same fit as the verdict (on the logit scale
for shares, clipped at 0 for non-negative quantities), so it never leaves the possible range.
Axes carry the unit; ticks are matplotlib's round ticks, years as integers.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from ecozone.tracking.evaluate import fit_of
from ecozone.tracking.status import Status
from ecozone.vocabulary import unit_en

FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]
OBSERVED, PROJECTION, TARGET = "#1f4e79", "#3182bd", "#d64541"
LABELS = {
    "observed": ("观测值", "observed"), "base": ("基准年及以前", "base year and earlier"), "target": ("目标", "target"),
    "deadline": ("目标年", "deadline"), "projection": ("趋势预测及80%区间", "projection, 80% interval"),
    "year": ("年份", "year"),
}


def _style() -> dict[str, Any]:
    return {"font.family": "sans-serif", "font.sans-serif": FONTS, "svg.fonttype": "none",
            "font.size": 8, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "ecozone"}


def _label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def unit_label(unit: str, lang: str) -> str:
    return unit_en(unit) if lang == "en" else unit


def _runs(points: Sequence[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Consecutive-year runs: a line is drawn inside a run only, never across a missing year."""
    runs: list[list[tuple[int, float]]] = []
    for p in sorted(points):
        if runs and p[0] == runs[-1][-1][0] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _svg(fig: Any, target_id: str, cls: str = "chart") -> str:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph in the fallback font is not an error here
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inline in HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return svg.replace("<svg ", f'<svg class="{cls}" data-target="{escape(target_id)}" role="img" ', 1)


def target_chart(row: dict[str, Any], points: Sequence[tuple[int, float, str]], lang: str = "zh") -> str:
    """The SVG of one evaluated target (``row`` from ``evaluate``) and its working series."""
    T = int(row["target_year"])
    unit = row["unit"] if row.get("mode") == "change" else row["indicator_unit"]
    with plt.rc_context(_style()):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(6.4, 2.5))
        base_year = row.get("eff_base")
        obs = [(y, v) for y, v, _ in points]
        for i, run in enumerate(_runs(obs)):
            xs, ys = [p[0] for p in run], [p[1] for p in run]
            line = ax.plot(xs, ys, "-o", color=OBSERVED, lw=1.6, ms=3.5, label=_label("observed", lang) if i == 0 else None)
            line[0].set_gid(f"observed-{i}")
        base = [(y, v) for y, v in obs if base_year is not None and y <= base_year]
        if base:
            ax.plot([p[0] for p in base], [p[1] for p in base], "o", mfc="white", mec=OBSERVED, ms=5,
                    label=_label("base", lang), zorder=3)[0].set_gid("base")
        req = row.get("required_level")
        if row["comparison"] == "range" and row.get("target_value_max") is not None:
            ax.axhspan(row["target_value"], row["target_value_max"], color=TARGET, alpha=0.12,
                       label=_label("target", lang)).set_gid("target-level")
        elif req is not None:
            ax.axhline(req, color=TARGET, ls="--", lw=1.1, label=f"{_label('target', lang)} {req:g}").set_gid("target-level")
        ax.axvline(T, color="#555", ls=":", lw=1, label=f"{_label('deadline', lang)} {T}").set_gid("deadline")
        fit = fit_of(row)
        latest = row.get("latest_year")
        if fit is not None and latest is not None and row.get("final_year") is None and int(latest) < T:
            steps = [int(latest) + (T - int(latest)) * k / 20 for k in range(21)]
            ax.plot(steps, [fit.predict(x) for x in steps], "--", color=PROJECTION, lw=1.3,
                    label=_label("projection", lang))[0].set_gid("projection")
            band = [fit.interval(x) for x in steps]
            if all(b is not None for b in band):
                lo = [b[0] for b in band if b is not None]
                hi = [b[1] for b in band if b is not None]
                ax.fill_between(steps, lo, hi, color=PROJECTION, alpha=0.18, lw=0).set_gid("projection-band")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_ylabel(unit_label(unit, lang))
        lo_lim, hi_lim = ax.get_ylim()
        if row.get("scale") == "logit":
            ax.set_ylim(max(lo_lim, 0), min(hi_lim, 100))
        elif row.get("mode") == "level" and lo_lim < 0 and min((v for _, v in obs), default=0) >= 0:
            ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#ddd", lw=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
        return _svg(fig, row["target_id"])


def small_multiples(
    panels: Sequence[dict[str, Any]], *, unit: str, lang: str, chart_id: str, title: str = "", ncols: int = 4
) -> str:
    """One small panel per city on a shared y axis: ``panels`` items have ``title``,
    ``points`` [(year, value)], ``level`` (the city's target or None) and ``status``."""
    n = max(len(panels), 1)
    nrows = (n + ncols - 1) // ncols
    with plt.rc_context(_style()):  # type: ignore[arg-type]
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.2, 1.45 * nrows + 0.3), sharex=True, sharey=True,
                                 squeeze=False)
        for ax, p in zip(axes.flat, panels, strict=False):
            colour = "#" + Status(p["status"]).colour if p.get("status") else OBSERVED
            for run in _runs(p["points"]):
                ax.plot([q[0] for q in run], [q[1] for q in run], "-o", color=OBSERVED, lw=1.2, ms=2.5)
            if p.get("level") is not None:
                ax.axhline(p["level"], color=TARGET, ls="--", lw=0.9)
            if p.get("status"):
                ax.set_title(p["title"], fontsize=8, color="#222", backgroundcolor=colour + "55")
            else:
                ax.set_title(p["title"], fontsize=8, color="#222")
            ax.grid(axis="y", color="#eee", lw=0.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel(unit_label(unit, lang), fontsize=7)
        if title:
            fig.suptitle(title, fontsize=9, x=0.01, ha="left")
        fig.tight_layout()
        return _svg(fig, chart_id, cls="chart multiples")
