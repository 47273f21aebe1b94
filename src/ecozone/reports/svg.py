"""Server-side SVG charts of one target: observed values, the baseline-to-target path, the
projection band and the deadline.  Plain SVG, no script, so the report prints as it shows."""

from __future__ import annotations

from html import escape
from typing import Any

from ecozone.tracking.evaluate import fit_of
from ecozone.tracking.reasons import num
from ecozone.tracking.status import Status

W, H = 520, 220
PAD_L, PAD_R, PAD_T, PAD_B = 52, 16, 16, 30


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / n
    return [lo + i * step for i in range(n + 1)]


def target_chart(row: dict[str, Any], points: list[tuple[int, float, str]]) -> str:
    """The SVG of one evaluated target (``row`` from :func:`evaluate`) and its working series."""
    T = int(row["target_year"])
    fit = fit_of(row)
    req = row.get("required_level")
    start_year = row.get("baseline_year")
    start_value = row.get("start_value", row.get("base_value") if row.get("mode") == "level" else 0.0)
    years = [p[0] for p in points] + [T]
    if start_year:
        years.append(int(start_year))
    values = [p[1] for p in points]
    if req is not None:
        values.append(float(req))
    if row.get("target_value_max") is not None and row["comparison"] == "range":
        values.append(float(row["target_value_max"]))
    band: list[tuple[int, float, float]] = []
    if fit is not None and row.get("latest_year") is not None and row.get("final_year") is None:
        for y in range(int(row["latest_year"]), T + 1):
            iv = fit.interval(y)
            p = fit.predict(y)
            lo, hi = iv if iv else (p, p)
            band.append((y, lo, hi))
            values += [lo, hi]
    if start_year and start_value is not None:
        values.append(float(start_value))
    x0, x1 = min(years), max(years)
    if x0 == x1:
        x0 -= 1
    y0, y1 = (min(values), max(values)) if values else (0.0, 1.0)
    if y0 == y1:
        y0, y1 = y0 - 1, y1 + 1
    margin = (y1 - y0) * 0.08
    y0, y1 = y0 - margin, y1 + margin

    def sx(x: float) -> float:
        return PAD_L + (x - x0) / (x1 - x0) * (W - PAD_L - PAD_R)

    def sy(y: float) -> float:
        return PAD_T + (y1 - y) / (y1 - y0) * (H - PAD_T - PAD_B)

    status = Status(row["status"])
    out = [f'<svg class="chart" data-target="{escape(row["target_id"])}" xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
           f'aria-label="{escape(row["indicator_name"])} {escape(row["region_name"])}">']
    out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{W - PAD_L - PAD_R}" height="{H - PAD_T - PAD_B}" '
               'fill="#fbfbfb" stroke="#ddd"/>')
    for v in _ticks(y0 + margin, y1 - margin):
        out.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{sy(v) + 3:.1f}" font-size="10" text-anchor="end" fill="#555">{num(v, 1)}</text>')
    step = max(1, (x1 - x0) // 8)
    for yr in range(x0, x1 + 1, step):
        out.append(f'<text x="{sx(yr):.1f}" y="{H - PAD_B + 14}" font-size="10" text-anchor="middle" fill="#555">{yr}</text>')
    if band:
        poly = [f"{sx(y):.1f},{sy(hi):.1f}" for y, _, hi in band] + [f"{sx(y):.1f},{sy(lo):.1f}" for y, lo, _ in reversed(band)]
        out.append(f'<polygon class="projection-band" points="{" ".join(poly)}" fill="#9ecae1" fill-opacity="0.45" stroke="none"/>')
        assert fit is not None
        ly = int(row["latest_year"])
        out.append(f'<line class="projection" x1="{sx(ly):.1f}" y1="{sy(fit.predict(ly)):.1f}" x2="{sx(T):.1f}" '
                   f'y2="{sy(fit.predict(T)):.1f}" stroke="#3182bd" stroke-width="1.5" stroke-dasharray="2 2"/>')
    if req is not None:
        out.append(f'<line class="target-level" x1="{PAD_L}" x2="{W - PAD_R}" y1="{sy(req):.1f}" y2="{sy(req):.1f}" '
                   'stroke="#d64541" stroke-width="1" stroke-dasharray="6 3"/>')
        if row["comparison"] == "range" and row.get("target_value_max") is not None:
            hi = float(row["target_value_max"])
            out.append(f'<line class="target-level" x1="{PAD_L}" x2="{W - PAD_R}" y1="{sy(hi):.1f}" y2="{sy(hi):.1f}" '
                       'stroke="#d64541" stroke-width="1" stroke-dasharray="6 3"/>')
        if start_year and start_value is not None:
            out.append(f'<line class="path" x1="{sx(start_year):.1f}" y1="{sy(start_value):.1f}" x2="{sx(T):.1f}" '
                       f'y2="{sy(req):.1f}" stroke="#888" stroke-width="1.5" stroke-dasharray="5 4"/>')
    out.append(f'<line class="deadline" x1="{sx(T):.1f}" x2="{sx(T):.1f}" y1="{PAD_T}" y2="{H - PAD_B}" '
               'stroke="#333" stroke-width="1"/>')
    out.append(f'<text x="{sx(T) - 3:.1f}" y="{PAD_T + 10}" font-size="10" text-anchor="end" fill="#333">{T}</text>')
    if points:
        path = " ".join(f"{'M' if i == 0 else 'L'}{sx(y):.1f},{sy(v):.1f}" for i, (y, v, _) in enumerate(points))
        out.append(f'<path class="observed-line" d="{path}" fill="none" stroke="#222" stroke-width="1.5"/>')
        for y, v, src in points:
            out.append(f'<circle class="observed" cx="{sx(y):.1f}" cy="{sy(v):.1f}" r="3" fill="#222">'
                       f'<title>{y}: {num(v)} ({escape(src)})</title></circle>')
    else:
        out.append(f'<text x="{W / 2:.0f}" y="{H / 2:.0f}" font-size="12" text-anchor="middle" fill="#888">'
                   '暂无观测值 / no observations</text>')
    # the status dot stands just left of the deadline's year label, never on it
    out.append(f'<circle cx="{sx(T) - 40:.1f}" cy="{PAD_T + 6}" r="5" fill="#{status.colour}"/>')
    out.append("</svg>")
    return "".join(out)
