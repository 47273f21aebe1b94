"""``ecozone report review``: the review workbook (Excel) and the review report (HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from ecozone.catalogue.models import KIND_ZH, Kind
from ecozone.catalogue.service import resolve_region
from ecozone.sheets import no_formulas
from ecozone.tracking.evaluate import TrackFilter, evaluate, series, status_counts
from ecozone.tracking.reasons import goal_en, goal_zh, num
from ecozone.tracking.rollup import rollup
from ecozone.tracking.status import STATUS_ORDER, Status

COLUMNS = [  # (key, Chinese header, English header, width)
    ("status_icon", "", "", 4), ("status_zh", "状态", "status", 12), ("status", "状态id", "status id", 18),
    ("target_id", "编号", "id", 12), ("kind_zh", "属性", "kind", 8), ("region_name", "地区", "region", 12),
    ("indicator_name", "指标", "indicator", 28), ("goal_zh", "目标", "target", 28),
    ("target_year", "目标年", "target year", 8), ("baseline", "基准", "baseline", 12),
    ("latest_year", "最新年份", "latest year", 8), ("latest_value", "最新值", "latest value", 10),
    ("gap", "差距", "gap", 10), ("progress_pct", "路径完成度%", "path covered %", 10),
    ("projected_value", "预计值", "projected", 10), ("projected_low", "区间下限", "band low", 10),
    ("projected_high", "区间上限", "band high", 10), ("rate_ratio", "速率比", "rate ratio", 8),
    ("reason_zh", "理由", "reason", 60), ("reason_en", "Reason", "reason (en)", 60),
    ("quote", "原文", "quote", 50), ("source", "出处", "source", 40),
]


@dataclass(frozen=True)
class ReviewFiles:
    xlsx: Path
    html: Path
    targets: int
    charts: int


def _decorate(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        r["kind_zh"] = KIND_ZH[Kind(r["kind"])]
        r["goal_zh"] = goal_zh(r)
        r["goal_en"] = goal_en(r)
        r["progress_pct"] = None if r["progress"] is None else round(100 * r["progress"], 1)
        r["baseline"] = "" if r["baseline_year"] is None else (
            f"{r['baseline_year']}" + ("" if r["baseline_value"] is None else f": {num(r['baseline_value'])}"))
        r["source"] = f"{r['document']} {r['document_title']} · {r['section']}"


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "sheet"
    out, i = base, 2
    while out in used:
        out, i = f"{base}{i}", i + 1
    used.add(out)
    return out


def write_workbook(rows: list[dict[str, Any]], out: Path, *, title: str, as_of: int) -> Path:
    from openpyxl import Workbook
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
            ws.append([g["label_zh"], g["total"], *[g[s.value] for s in STATUS_ORDER]])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 22
    domains: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        domains.setdefault(r["domain"], []).append(r)
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
        last = sh.max_row
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


def render_html(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], *, title_zh: str, title_en: str,
    as_of: int, scope: str,
) -> tuple[str, int]:
    from ecozone.reports.svg import target_chart

    binding = [r for r in rows if r["kind"] == "binding" and r["comparison"] != "qualitative"]
    pts = series(con, [r["target_id"] for r in binding], as_of=as_of)
    charts = [{"row": r, "svg": target_chart(r, pts.get(r["target_id"], [])), "colour": Status(r["status"]).colour,
               "goal_zh": r["goal_zh"], "goal_en": r["goal_en"]} for r in binding]
    env = Environment(loader=PackageLoader("ecozone.reports", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("review.html.j2").render(
        title_zh=title_zh, title_en=title_en, as_of=as_of, scope=scope, rows=rows,
        statuses=STATUS_ORDER, counts=status_counts(rows),
        rollups=rollup(rows, "kind") + rollup(rows, "domain"), charts=charts,
        colours={s.value: s.colour for s in Status}, kinds={k.value: v for k, v in KIND_ZH.items()},
        fmt=num, generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return html, len(charts)


def review(
    con: duckdb.DuckDBPyConnection, *, document: str, year: int, region: str | None = None,
    out_dir: Path = Path("."),
) -> ReviewFiles:
    """Write ``review_<doc>_<year>[_<region>].xlsx`` and ``.html`` into ``out_dir``."""
    doc = con.execute("SELECT id, title_zh, title_en FROM document WHERE id = ?", [document]).fetchone()
    if doc is None:
        raise LookupError(f"no document {document}")
    rows = evaluate(con, TrackFilter(region=region, with_children=True, document=document), as_of=year)
    _decorate(rows)
    scope = region or "全部地区 / all regions"
    title_zh = f"{doc[1]} 目标评估（{year}年）"
    title_en = f"{doc[2]}: target review ({year})"
    code = resolve_region(con, region) if region else None
    stem = f"review_{document}_{year}" + (f"_{re.sub(r'[^0-9A-Za-z_.]+', '', code) or 'region'}" if code else "")
    xlsx = write_workbook(rows, out_dir / f"{stem}.xlsx", title=f"{title_zh} / {title_en}", as_of=year)
    html, n_charts = render_html(con, rows, title_zh=title_zh, title_en=title_en, as_of=year, scope=scope)
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    return ReviewFiles(xlsx, html_path, len(rows), n_charts)
