"""``ecozone report review``: the review report for leadership (HTML, printable to PDF, in
Chinese and in English) and the review workbook (Excel).

The report: an executive summary (a paragraph and the headline tiles of the binding targets,
the ones off track named), the cities compared (their binding air and water targets in a
table and a small-multiple chart), one chart per target with data (targets without data go to
a "data needed" table), the plans' conflicting targets, the method, and the data vintages
(source and recording date of every value used).  All numbers and sentences come from the
tracking service; this module only lays them out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from ecozone.catalogue.models import KIND_ZH, Kind
from ecozone.catalogue.service import resolve_region
from ecozone.sheets import no_formulas
from ecozone.tracking.evaluate import TrackFilter, evaluate, series, status_counts, vintages
from ecozone.tracking.needs import needs
from ecozone.tracking.projection import AT_RISK_P, INTERVAL_SCALE, ON_TRACK_P, WINDOW
from ecozone.tracking.reasons import goal_en, goal_zh, num, p_meet_percent
from ecozone.tracking.rollup import rollup
from ecozone.tracking.status import STATUS_ORDER, Status
from ecozone.vocabulary import unit_en

LANGS = ("zh", "en")
COLUMNS = [  # (key, Chinese header, English header, width)
    ("status_icon", "", "", 4), ("status_zh", "状态", "status", 12), ("status", "状态id", "status id", 18),
    ("status_en", "状态（英文）", "status (en)", 14),
    ("target_id", "编号", "id", 14), ("kind_zh", "属性", "kind", 8), ("kind", "属性（英文）", "kind (en)", 9),
    ("region_name", "地区", "region", 12), ("region_name_en", "地区（英文）", "region (en)", 14),
    ("indicator_name", "指标", "indicator", 28), ("indicator_name_en", "指标（英文）", "indicator (en)", 28),
    ("goal_zh", "目标", "target", 28), ("goal_en", "目标（英文）", "target (en)", 28),
    ("target_year", "目标年", "target year", 8), ("baseline", "基准", "baseline", 12),
    ("latest_year", "最新年份", "latest year", 8), ("latest_value", "最新值", "latest value", 10),
    ("gap", "差距", "gap", 10), ("progress_pct", "路径完成度%", "path covered %", 10),
    ("projected_value", "预计值", "projected", 10), ("projected_low", "区间下限", "interval low", 10),
    ("projected_high", "区间上限", "interval high", 10), ("p_meet_pct", "达标概率%", "P(meet) %", 9),
    ("rate_ratio", "速率比", "rate ratio", 8),
    ("reason_zh", "理由", "reason", 60), ("reason_en", "Reason", "reason (en)", 60),
    ("quote_clean", "原文", "quote", 50), ("source", "出处", "source", 40),
]
NUMERIC = ("latest_value", "gap", "progress_pct", "projected_value", "projected_low", "projected_high",
           "p_meet_pct", "rate_ratio")
ATTENTION = (Status.OFF_TRACK, Status.MODERATELY_OFF_TRACK)
CITY_DOMAINS = ("air", "water")


@dataclass(frozen=True)
class ReviewFiles:
    xlsx: Path
    html: Path  # Chinese
    html_en: Path
    targets: int
    charts: int


def clean_quote(text: str | None) -> str:
    """A plan sentence for display, without the extraction artefacts of the seed texts:
    ``PM _{2.5}`` → ``PM2.5``, ``m^{3}`` → ``m3``, spaces inside Chinese text removed."""
    if not text:
        return ""
    s = re.sub(r"\s*[_^]\s*\{\s*([^{}]*?)\s*\}", r"\1", text)
    s = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef0-9A-Za-z（(])", "", s)
    s = re.sub(r"(?<=[0-9A-Za-z）)])\s+(?=[\u3000-\u9fff\uff00-\uffef])", "", s)
    s = re.sub(r"(?<=[A-Za-z])\s+(?=\d)", "", s)  # "PM 2.5" → "PM2.5"
    return re.sub(r"\s{2,}", " ", s).strip()


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(float(x), digits)


def _decorate(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        r["kind_zh"] = KIND_ZH[Kind(r["kind"])]
        r["goal_zh"] = goal_zh(r)
        r["goal_en"] = goal_en(r)
        r["progress_pct"] = None if r["progress"] is None else round(100 * r["progress"], 1)
        r["p_meet_pct"] = p_meet_percent(r["p_meet"])
        r["baseline"] = "" if r["baseline_year"] is None else (
            f"{r['baseline_year']}" + ("" if r["baseline_value"] is None else f": {num(r['baseline_value'])}"))
        r["source"] = f"{r['document']} {r['document_title']} · {r['section']}"
        r["quote_clean"] = clean_quote(r["quote"])
        r["unit_shown"] = r["unit"] if r["mode"] == "change" else r["indicator_unit"]
        r["status_obj"] = Status(r["status"])
        for k in ("latest_value", "gap", "projected_value", "projected_low", "projected_high", "rate_ratio"):
            r[k] = _round(r[k])


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "sheet"
    out, i = base, 2
    while out in used:
        out, i = f"{base}{i}", i + 1
    used.add(out)
    return out


def write_workbook(rows: list[dict[str, Any]], out: Path, *, title: str, as_of: int) -> Path:
    """Summary sheet, a chart sheet (status by domain, openpyxl's native chart) and one sheet
    per domain with rounded numbers, autofilter, frozen headers and status colours."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总 Summary"
    used = {ws.title}
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"评估年 / evaluation year: {as_of}", f"目标数 / targets: {len(rows)}"])
    ws.append([])
    ws.append(["状态 / status", "", "目标数 / targets"])
    counts = status_counts(rows)
    for s in STATUS_ORDER:
        ws.append([f"{s.icon} {s.zh}", s.en, counts[s.value]])
        ws.cell(row=ws.max_row, column=1).fill = PatternFill("solid", fgColor=s.colour)
    for by, zh in (("kind", "按属性 / by kind"), ("domain", "按领域 / by domain"), ("region", "按地区 / by region")):
        ws.append([])
        ws.append([zh, "合计 total", *[f"{s.icon} {s.zh}" for s in STATUS_ORDER]])
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
        for g in rollup(rows, by):
            ws.append([f"{g['label_zh']} / {g['label_en']}" if g["label_en"] != g["label_zh"] else g["label_zh"],
                       g["total"], *[g[s.value] for s in STATUS_ORDER]])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 22

    # chart sheet: targets by status in each domain (stacked bars)
    ch = wb.create_sheet(_sheet_name("图表 Charts", used))
    ch.append(["领域 / domain", *[f"{s.zh} / {s.en}" for s in STATUS_ORDER]])
    for g in rollup(rows, "domain"):
        ch.append([f"{g['label_zh']} / {g['label_en']}", *[g[s.value] for s in STATUS_ORDER]])
    if ch.max_row > 1:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = "各领域目标状态 / targets by status and domain"
        chart.y_axis.title = "目标数 / targets"
        data = Reference(ch, min_col=2, max_col=len(STATUS_ORDER) + 1, min_row=1, max_row=ch.max_row)
        cats = Reference(ch, min_col=1, min_row=2, max_row=ch.max_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        for s, ser in zip(STATUS_ORDER, chart.series, strict=True):
            ser.graphicalProperties.solidFill = s.colour
        chart.width, chart.height = 24, 12
        ch.add_chart(chart, "A" + str(ch.max_row + 3))
    ch.column_dimensions["A"].width = 30

    domains: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        domains.setdefault(r["domain"], []).append(r)
    numeric_cols = {i for i, (key, *_) in enumerate(COLUMNS, start=1) if key in NUMERIC}
    for dom in sorted(domains):
        drows = domains[dom]
        sh = wb.create_sheet(_sheet_name(f"{drows[0]['domain_name'] or dom}", used))
        sh.append([c[1] for c in COLUMNS])
        sh.append([c[2] for c in COLUMNS])
        for c in sh[1] + sh[2]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
        for r in drows:
            sh.append([r.get(key) for key, *_ in COLUMNS])
        for i, (_, _, _, width) in enumerate(COLUMNS, start=1):
            sh.column_dimensions[get_column_letter(i)].width = width
        for row in sh.iter_rows(min_row=3):
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
                if c.column in numeric_cols:
                    c.number_format = "0.0#"
        last = sh.max_row
        sh.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{last}"
        if last >= 3:
            status_col = get_column_letter(3)
            rng = f"A3:{get_column_letter(2)}{last}"
            for s in Status:
                sh.conditional_formatting.add(
                    rng, FormulaRule(formula=[f'${status_col}3="{s.value}"'],
                                     fill=PatternFill("solid", fgColor=s.colour, bgColor=s.colour)))
        sh.freeze_panes = "D3"
    for sheet in wb.worksheets:
        no_formulas(sheet)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


# ------------------------------------------------------------------------------------- html

LABELS: dict[str, tuple[str, str]] = {
    "as_of": ("评估年", "Evaluation year"), "scope": ("范围", "Scope"), "targets": ("目标数", "Targets"),
    "generated": ("生成", "Generated"), "summary": ("执行摘要", "Executive summary"),
    "binding_tiles": ("约束性目标状态", "Binding targets by status"),
    "attention": ("需关注的约束性目标", "Binding targets needing attention"),
    "cities": ("11个设区市比较", "The cities compared"),
    "cities_note": ("各市主要大气与水环境指标的最新值；规划对该市设有约束性目标的，附目标与状态。",
                    "Latest value of the main air and water indicators of each city; where the plan sets the city a binding target, the target and its status."),
    "cities_few": ("各指标有数据的城市不足3个，不作分市小图；ecozone obs needs 列出所需数据。",
                   "Fewer than 3 cities have data for any indicator: no small multiples; ecozone obs needs lists the data needed."),
    "city": ("城市", "City"), "charts": ("目标图表（有数据的目标）", "Targets with data"),
    "legend": ("图例：实线为观测值（缺年不连线），空心点为基准年及以前，红色虚线为目标，蓝色虚线与阴影为趋势预测及其80%区间，竖线为目标年。",
               "Legend: solid line = observed (no line across a missing year); hollow dots = base year and earlier; "
               "red dashed = the target; blue dashed and shading = projection and its 80 % interval; vertical line = deadline."),
    "needed": ("需要补充数据的目标", "Data needed"),
    "needed_note": ("以下目标尚无可判断的数据；ecozone obs needs --out 生成预填的导入模板。",
                    "These targets have no data to judge yet; ecozone obs needs --out writes the pre-filled import template."),
    "conflicts": ("规划之间不一致的目标", "Where the plans disagree"),
    "conflicts_none": ("本范围内没有标记为冲突的目标。", "No target in this scope is marked as conflicting."),
    "method": ("方法", "Method"), "vintages": ("数据来源与版本", "Data vintages"),
    "all": ("全部目标", "All targets"), "status": ("状态", "Status"), "id": ("编号", "ID"),
    "kind": ("属性", "Kind"), "region": ("地区", "Region"), "indicator": ("指标", "Indicator"),
    "target": ("目标", "Target"), "latest": ("最新", "Latest"), "projected": ("预计", "Projected"),
    "p_meet": ("达标概率", "P(meet)"), "reason": ("理由", "Reason"), "quote": ("原文与出处", "Plan text (Chinese original) and source"),
    "year": ("年份", "Year"), "value": ("数值", "Value"), "unit": ("单位", "Unit"), "source": ("来源", "Source"),
    "recorded": ("记录时间", "Recorded"), "detail": ("出处细节", "Detail"), "says": ("规定", "Says"),
    "plan": ("规划文件", "Plan"), "unlocks": ("所需观测", "Observation needed"),
    "no_charts": ("没有有数据的目标。", "No target has data."),
}


def _paragraph(rows: list[dict[str, Any]], lang: str, as_of: int) -> str:
    """The executive summary's paragraph, from the counts (one template per language)."""
    binding = [r for r in rows if r["kind"] == "binding"]
    c = Counter(r["status"] for r in binding)
    good = c["achieved"] + c["met_early"] + c["on_track"]
    late = [r for r in binding if Status(r["status"]) in ATTENTION]
    waiting = c["awaiting_data"] + c["insufficient_data"] + c["not_yet_due"]
    if lang == "en":
        names = "; ".join(f"{r['region_name_en']} {r['indicator_name_en']} ({r['status_en']})" for r in late[:6])
        return (f"As of {as_of}, of {len(binding)} binding targets {good} are achieved, met early or on track, "
                f"{len(late)} are at risk or off track" + (f" ({names})" if names else "") +
                f", {waiting} await data and {c['needs_judgement']} need a person's judgement. "
                f"Of all {len(rows)} targets in scope, {sum(1 for r in rows if r['n_points'])} have data.")
    names = "；".join(f"{r['region_name']}{r['indicator_name']}（{r['status_zh']}）" for r in late[:6])
    return (f"截至{as_of}年，{len(binding)}项约束性目标中，{good}项已达成、提前达到或进展顺利，"
            f"{len(late)}项有风险或严重滞后" + (f"（{names}）" if names else "") +
            f"，{waiting}项有待数据，{c['needs_judgement']}项待人工判定。"
            f"范围内全部{len(rows)}项目标中，{sum(1 for r in rows if r['n_points'])}项有数据。")


CITY_SERIES_SQL = """
SELECT o.region_code, r.name_zh, r.name_en, o.indicator_id, o.year, o.value
FROM observation_current o JOIN region r ON r.code = o.region_code
JOIN indicator i ON i.id = o.indicator_id AND i.unit = o.unit
WHERE r.type = 'prefecture_city' AND r.parent_code = '130000' AND list_contains($inds, o.indicator_id)
  AND o.measure = 'level' AND o.value IS NOT NULL AND regexp_full_match(o.period, '\\d{4}')
  AND o.quality_flag NOT LIKE '%partial%' AND o.quality_flag NOT LIKE '%withdrawn%'
  AND o.source_type <> 'judgement' AND o.year <= $as_of AND o.year > $as_of - 10
QUALIFY row_number() OVER (PARTITION BY o.region_code, o.indicator_id, o.year
    ORDER BY CASE o.source_type WHEN 'import' THEN 0 WHEN 'bulletin' THEN 1 WHEN 'computed' THEN 2 ELSE 3 END,
             o.obs_id DESC) = 1
ORDER BY o.region_code, o.indicator_id, o.year
"""
# compared for every city whatever the plan: the headline air and water indicators
CITY_INDICATORS = ("air.pm25_annual_mean", "air.good_day_ratio", "water.national_section_good_ratio")


def _cities(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], as_of: int, lang: str,
) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    """The 11 prefecture cities compared: their latest value of the headline air and water
    indicators and of every indicator of the plan's binding air and water city targets, with
    the target and its status where the plan sets one; a small-multiple chart per indicator."""
    from ecozone.reports.charts import small_multiples

    en = lang == "en"
    city_rows = [r for r in rows if r["region_type"] == "prefecture_city" and r["kind"] == "binding"
                 and r["domain"] in CITY_DOMAINS and r["comparison"] != "qualitative"]
    ind_ids = list(dict.fromkeys([*CITY_INDICATORS, *(r["indicator_id"] for r in city_rows)]))
    names = {i: (n_zh, n_en, unit) for i, n_zh, n_en, unit in con.execute(
        "SELECT id, name_zh, name_en, unit FROM indicator WHERE list_contains($ids, id)", {"ids": ind_ids}).fetchall()}
    ind_ids = [i for i in ind_ids if i in names]
    cities = {code: (zh, e) for code, zh, e in con.execute(
        "SELECT code, name_zh, name_en FROM region WHERE type = 'prefecture_city' AND parent_code = '130000' "
        "ORDER BY code").fetchall()}
    series: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for code, _, _, ind, year, value in con.execute(CITY_SERIES_SQL, {"inds": ind_ids, "as_of": as_of}).fetchall():
        series.setdefault((code, ind), []).append((int(year), float(value)))
    targets = {(r["region_code"], r["indicator_id"]): r for r in city_rows}
    table = []
    for code, (zh, e) in cities.items():
        cells = {}
        for ind in ind_ids:
            pts = series.get((code, ind), [])
            t = targets.get((code, ind))
            text = f"{pts[-1][0]}: {num(pts[-1][1])}" if pts else "—"
            if t is not None:
                text += f" / {t['goal_en'] if en else t['goal_zh']}"
            cells[ind] = {"text": text, "status": t["status_obj"] if t is not None else None}
        table.append({"name": e if en else zh, "cells": cells, "order": ind_ids})
    charts = []
    for ind in ind_ids:
        if sum(1 for code in cities if series.get((code, ind))) < 3:
            continue  # fewer than 3 cities with data: the table says it all
        panels = [{"title": e if en else zh, "points": series.get((code, ind), []),
                   "level": targets[(code, ind)]["required_level"] if (code, ind) in targets else None,
                   "status": targets[(code, ind)]["status"] if (code, ind) in targets else None}
                  for code, (zh, e) in cities.items()]
        charts.append(small_multiples(panels, unit=names[ind][2], lang=lang, chart_id=f"cities-{ind}",
                                      title=names[ind][1] if en else names[ind][0]))
    labels = [f"{names[i][1] if en else names[i][0]} ({unit_en(names[i][2]) if en else names[i][2]})" for i in ind_ids]
    return labels, table, charts


def _conflicts(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Targets marked as conflicting with others, and what each plan says."""
    ids = sorted({r["parent_id"] for r in rows if r["conflicts_with"]})
    if not ids:
        return []
    cur = con.execute("""
        SELECT t.id, t.conflicts_with, t.conflict_note FROM target t WHERE list_contains($ids, t.id) ORDER BY t.id
    """, {"ids": ids})
    out = []
    for tid, others, note in cur.fetchall():
        group = [tid, *others]
        said = con.execute("""
            SELECT t.id, t.document_id, d.title_zh, d.title_en, r.name_zh, r.name_en, t.comparison, t.target_value,
                   t.target_value_max, t.target_text, t.unit, t.target_year, t.baseline_year, t.quote
            FROM target t JOIN document d ON d.id = t.document_id JOIN region r ON r.code = t.region_code
            WHERE list_contains($ids, t.id) ORDER BY t.document_id
        """, {"ids": group}).fetchall()
        out.append({"target_id": tid, "note": note, "plans": [
            {"id": s[0], "document": s[1], "title_zh": s[2], "title_en": s[3], "region_zh": s[4], "region_en": s[5],
             "goal_zh": goal_zh({"comparison": s[6], "target_value": s[7], "target_value_max": s[8],
                                 "target_text": s[9], "unit": s[10], "baseline_year": s[12], "mode": "level",
                                 "required_level": None, "direction": -1}),
             "goal_en": goal_en({"comparison": s[6], "target_value": s[7], "target_value_max": s[8],
                                 "target_text": s[9], "unit": s[10], "baseline_year": s[12], "mode": "level",
                                 "required_level": None, "direction": -1}),
             "year": s[11], "quote": clean_quote(s[13])} for s in said]})
    return out


def render_html(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], *, title: str, as_of: int, scope: str, lang: str,
    pts: dict[str, list[tuple[int, float, str]]], needed: list[dict[str, Any]], conflicts: list[dict[str, Any]],
    vint: list[dict[str, Any]], calibration: dict[str, Any] | None,
) -> tuple[str, int]:
    from ecozone.reports.charts import target_chart

    with_data = [r for r in rows if r["n_points"] and r["comparison"] != "qualitative"]
    charts = [{"row": r, "svg": target_chart(r, pts.get(r["target_id"], []), lang)} for r in with_data]
    cols, cities, city_charts = _cities(con, rows, as_of, lang)
    binding = [r for r in rows if r["kind"] == "binding"]
    env = Environment(loader=PackageLoader("ecozone.reports", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    sources: dict[tuple[str, str], dict[str, Any]] = {}
    for v in vint:
        if v["source_type"] in ("target", "base_year"):
            continue
        s = sources.setdefault((v["source_type"], v["source_id"]), {
            "source_type": v["source_type"], "source_id": v["source_id"], "years": set(), "targets": set(),
            "recorded": v["recorded_at"], "detail": v["source_detail"]})
        s["years"].add(v["year"])
        s["targets"].add(v["target_id"])
    html = env.get_template("review.html.j2").render(
        lang=lang, t=lambda k: LABELS[k][1] if lang == "en" else LABELS[k][0],
        L=(lambda zh, en: en if lang == "en" else zh),
        title=title, as_of=as_of, scope=scope, rows=rows, statuses=STATUS_ORDER,
        counts=status_counts(rows), binding_counts=status_counts(binding), n_binding=len(binding),
        attention=[r for r in binding if Status(r["status"]) in ATTENTION],
        paragraph=_paragraph(rows, lang, as_of), rollups=rollup(rows, "kind") + rollup(rows, "domain"),
        charts=charts, city_cols=cols, cities=cities, city_charts=city_charts,
        needed=needed, conflicts=conflicts,
        sources=sorted(sources.values(), key=lambda s: (s["source_type"], str(s["source_id"]))),
        kinds={k.value: (v if lang == "zh" else k.value) for k, v in KIND_ZH.items()},
        unit=(lambda u: unit_en(u) if lang == "en" else u), fmt=num,
        window=WINDOW, scale=INTERVAL_SCALE, on_track_p=ON_TRACK_P, at_risk_p=AT_RISK_P, calibration=calibration,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return html, len(charts)


def review(
    con: duckdb.DuckDBPyConnection, *, document: str, year: int, region: str | None = None,
    out_dir: Path = Path("."),
) -> ReviewFiles:
    """Write ``review_<doc>_<year>[_<region>].xlsx``, ``.html`` (Chinese) and ``_en.html``."""
    from ecozone.tracking.backtest import backtest

    doc = con.execute("SELECT id, title_zh, title_en FROM document WHERE id = ?", [document]).fetchall()
    if not doc:
        raise LookupError(f"no document {document}")
    _, doc_zh, doc_en = doc[0]
    flt = TrackFilter(region=region, with_children=True, document=document)
    rows = evaluate(con, flt, as_of=year)
    _decorate(rows)
    pts = series(con, [r["target_id"] for r in rows], as_of=year)
    needed = needs(con, flt, as_of=year)
    conflicts = _conflicts(con, rows)
    vint = vintages(con, [r["target_id"] for r in rows if r["n_points"]], as_of=year)
    calibration = backtest(con)
    code = resolve_region(con, region) if region else None
    stem = f"review_{document}_{year}" + (f"_{re.sub(r'[^0-9A-Za-z_.]+', '', code) or 'region'}" if code else "")
    title_zh = f"{doc_zh} 目标评估（{year}年）"
    title_en = f"{doc_en}: target review ({year})"
    xlsx = write_workbook(rows, out_dir / f"{stem}.xlsx", title=f"{title_zh} / {title_en}", as_of=year)
    paths = {}
    n_charts = 0
    for lang in LANGS:
        scope = (region or "全部地区") if lang == "zh" else (region or "all regions")
        html, n_charts = render_html(con, rows, title=title_en if lang == "en" else title_zh, as_of=year,
                                     scope=scope, lang=lang, pts=pts, needed=needed, conflicts=conflicts,
                                     vint=vint, calibration=calibration)
        paths[lang] = out_dir / (f"{stem}.html" if lang == "zh" else f"{stem}_en.html")
        paths[lang].write_text(html, encoding="utf-8")
    return ReviewFiles(xlsx, paths["zh"], paths["en"], len(rows), n_charts)


