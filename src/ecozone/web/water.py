"""The dashboard's surface-water pages as plain data: a year's sections with their classes, the
province's shares, the city CWQI ranking, and one section month by month.

Like :mod:`ecozone.web.views`: dicts with both languages' labels, ECharts options built here
with the table each chart plots (``csv``), so every chart's data can be downloaded.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ecozone.errors import InputError
from ecozone.standards.water import assessment, gb3838
from ecozone.water import service as water


class NotFound(LookupError):
    """No such section."""


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


#: class number → colour of its description (method Table 1: 优 blue, 良好 green, … 重度 red)
CLASS_COLOUR = {c: _hex(q.rgb) for c, q in assessment.CLASS_QUALITY.items()}


def latest_year(con: duckdb.DuckDBPyConnection) -> int | None:
    value = con.execute("SELECT max(year(sampled_at)) FROM water_sample").fetchall()[0][0]
    return int(value) if value is not None else None


def _class_legend() -> list[dict[str, str]]:
    return [{"code": gb3838.CLASS_CODES[c - 1], "zh": gb3838.CLASS_LABELS_ZH[c - 1], "en": gb3838.CLASS_LABELS_EN[c - 1],
             "quality_zh": assessment.CLASS_QUALITY[c].zh, "quality_en": assessment.CLASS_QUALITY[c].en,
             "colour": CLASS_COLOUR[c]} for c in range(1, 7)]


def overview(con: duckdb.DuckDBPyConnection, year: int | None = None, *, lang: str = "zh") -> dict[str, Any]:
    """The water page: every section's class, the province's shares, the city CWQI ranking."""
    en = lang == "en"
    year = year or latest_year(con)
    if year is None:
        return {"year": None, "sections": [], "summary": None, "regions": [], "cwqi": [], "charts": [],
                "legend": _class_legend()}
    sections = water.assess(con, year)
    for r in sections:
        r["colour"] = CLASS_COLOUR.get(r["class_number"] or 0, "#999999")
        r["class_text"] = gb3838.class_label([r["class_number"] or float("nan")], lang)[0] or "—"
        r["exceeding_text"] = ", ".join(
            (gb3838.ITEMS[e["item"]].name_en if en else gb3838.ITEMS[e["item"]].name_zh)
            + (f"({e['multiple']:g})" if e["multiple"] is not None else "") for e in r["exceeding"])
    total = water.summary(con, year)
    regions = water.summary(con, year, "region")
    cities = water.cwqi_cities(con, year)
    counts = [sum(1 for r in sections if r["class_number"] == c) for c in range(1, 7)]
    labels = list(gb3838.CLASS_LABELS_EN if en else gb3838.CLASS_LABELS_ZH)
    class_chart = {
        "id": f"water-classes-{year}",
        "title": (f"Sections by class, {year}" if en else f"{year} 年各类别断面数"),
        "option": {
            "grid": {"left": 40, "right": 10, "top": 20, "bottom": 30},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": {"type": "value", "minInterval": 1, "name": "sections" if en else "断面数"},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "bar", "data": [{"value": n, "itemStyle": {"color": CLASS_COLOUR[c]}}
                                                for c, n in zip(range(1, 7), counts, strict=True)]}],
        },
        "csv": {"columns": ["class", "sections"], "rows": [[lab, n] for lab, n in zip(labels, counts, strict=True)]},
    }
    ranked = [c for c in cities if c["rank"] is not None]
    cwqi_chart = {
        "id": f"water-cwqi-{year}",
        "title": (f"City water quality index (CWQI), {year} — smaller is better" if en
                  else f"{year} 年城市水质指数（CWQI，越小越好）"),
        "option": {
            "grid": {"left": 90, "right": 30, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "name": "CWQI"},
            "yAxis": {"type": "category", "inverse": True, "data": [c["city_name"] for c in ranked]},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "bar", "data": [{"value": c["cwqi"], "href": f"/cities/{c['city']}"} for c in ranked],
                        "label": {"show": True, "position": "right"}}],
        },
        "csv": {"columns": ["rank", "city", "cwqi"], "rows": [[c["rank"], c["city_name"], c["cwqi"]] for c in ranked]},
    }
    return {"year": year, "sections": sections, "summary": total[0] if total else None, "regions": regions,
            "cwqi": cities, "charts": [class_chart, cwqi_chart], "legend": _class_legend()}


def section(con: duckdb.DuckDBPyConnection, code: str, year: int | None = None, *, lang: str = "zh") -> dict[str, Any]:
    """One section: the registry record, the year's assessment and its class month by month."""
    en = lang == "en"
    try:
        sec = water.find_section(con, code)
    except InputError as exc:  # not registered
        raise NotFound(code) from exc
    year = year or latest_year(con)
    months = water.monthly_classes(con, sec["code"], year) if year else []
    annual = water.assess(con, year, sections=[sec["code"]]) if year else []
    labels = list(gb3838.CLASS_LABELS_EN if en else gb3838.CLASS_LABELS_ZH)
    number = {code_: i for i, code_ in enumerate(gb3838.CLASS_CODES, start=1)}
    points = [number.get(m["class"] or "") for m in months]
    chart = {
        "id": f"water-section-{sec['code']}-{year}",
        "title": (f"{sec['code']}: class by month, {year}" if en else f"{sec['name_zh']} {year} 年逐月水质类别"),
        "option": {
            "grid": {"left": 70, "right": 10, "top": 20, "bottom": 30},
            "xAxis": {"type": "category", "data": [m["month"] for m in months]},
            "yAxis": {"type": "category", "data": labels, "inverse": True},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "line", "symbolSize": 14, "lineStyle": {"color": "#999999"},
                        "data": [{"value": labels[p - 1], "itemStyle": {"color": CLASS_COLOUR[p]}} if p else None
                                 for p in points]}],
        },
        "csv": {"columns": ["month", "class"], "rows": [[m["month"], m["class"]] for m in months]},
    }
    return {"section": sec, "year": year, "assessment": annual[0] if annual else None, "months": months,
            "chart": chart, "legend": _class_legend()}
