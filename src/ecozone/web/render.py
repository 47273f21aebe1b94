"""Rendering the dashboard's pages: one Jinja2 environment, one bilingual vocabulary, and links
that work both on the server (``/cities/130100?lang=en``) and in the static site
(``../../en/cities/130100/index.html``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ecozone.errors import StoreError
from ecozone.tracking.reasons import num, p_meet_percent
from ecozone.vocabulary import unit_en

VENDOR_FILES = ("echarts.min.js", "hebei.json", "swagger-ui-bundle.js", "swagger-ui.css")

#: the dashboard's labels: key -> (Chinese, English).  Region, indicator and status names come
#: from the store and the status vocabulary, not from here.
LABELS: dict[str, tuple[str, str]] = {
    "site": ("河北省生态环境目标一张图", "Hebei eco-environment targets: one map"),
    "home": ("首页", "Home"), "plans": ("规划", "Plans"), "rankings": ("排名", "Rankings"), "data": ("数据", "Data"),
    "editor": ("数据上报", "Upload"), "api": ("API", "API"),
    "switch": ("English", "中文"),
    "as_of": ("评估年", "evaluation year"),
    "map_title": ("各市目标进展", "Where each city stands"),
    "map_by": ("地图显示", "Colour the map by"),
    "verdict_layer": ("目标进展（达成或进展顺利的比例）", "targets on course (share achieved or on track)"),
    "tiles": ("全省关键指标", "Province headline indicators"),
    "target": ("目标", "Target"), "deadline": ("期限", "Deadline"), "latest": ("最新值", "Latest"),
    "verdict": ("判定", "Verdict"), "trend": ("趋势", "Trend"), "reason": ("理由", "Reason"),
    "download_csv": ("下载数据 (CSV)", "Download data (CSV)"),
    "scorecard": ("本市目标", "The city's targets"),
    "provincial": ("本市参与的全省目标", "Provincial targets the city contributes to"),
    "trends": ("趋势与目标路径", "Trends against the target path"),
    "calendar": ("每日空气质量指数 (AQI) 日历", "Daily AQI calendar"),
    "no_calendar": ("尚未载入本市的站点监测数据（ecozone air import）。", "No station data loaded for this city (ecozone air import)."),
    "rank": ("排名", "Rank"), "city_rank": ("本市在河北各市中的排名（1 为最好）", "The city's rank among Hebei's cities (1 = best)"),
    "id": ("编号", "ID"), "kind": ("属性", "Kind"), "indicator": ("指标", "Indicator"), "region": ("地区", "Region"),
    "projected": ("预计", "Projected"), "status": ("状态", "Status"), "value": ("数值", "Value"),
    "year": ("年份", "Year"), "period": ("时期", "Period"), "unit": ("单位", "Unit"), "source": ("来源", "Source"),
    "recorded": ("记录", "Recorded"), "quality": ("质量", "Quality"), "supersedes": ("取代", "Supersedes"),
    "history": ("观测值历史（含被取代的版本）", "Observation history (superseded versions included)"),
    "p_meet": ("按趋势达标概率", "probability of meeting it on trend"),
    "line": ("第", "line"), "restatement": ("另一处表述", "restated"),
    "needs_template": ("下载预填模板：所需观测值 (Excel)", "Download the template pre-filled with these needs (Excel)"),
    "obs_template": ("空白导入模板 (Excel)", "Empty import template (Excel)"),
    "unlocks": ("可判定的目标", "Targets it unlocks"),
    "see_quote": ("查看规划原文 ↓", "Read the plan's sentence ↓"),
    "provenance": ("出处：规划原文", "Provenance: the plan's own words"),
    "quote_not_found": ("未在原文中定位到该引文。", "The quote was not located in the plan text."),
    "conflicts": ("与其他文件的目标存在冲突", "Conflicts with targets of other documents"),
    "projection": ("预测", "Projection"),
    "document": ("文件", "Document"), "targets": ("目标数", "Targets"), "binding": ("约束性", "Binding"),
    "achieved_values": ("已达成值", "Achieved values"), "domains": ("领域", "Domains"),
    "composite": ("综合指数", "Composite index"), "bottom10": ("全国倒数排名", "National rank from the bottom"),
    "league": ("可比指标的城市排名", "City league tables of comparable indicators"),
    "loaded": ("已载入的数据", "What is loaded"), "imports": ("导入批次", "Import batches"),
    "air_imports": ("空气站点数据导入", "Air station data imports"), "needs": ("待补充的观测值", "Observations needed"),
    "needs_help": ("这些观测值一经上报即可判定相应目标：下载预填模板，填入数值与出处，在“数据上报”上传。",
                   "Each of these observations unlocks a verdict: download the pre-filled template, fill in values and sources, and upload it under Upload."),
    "catalogue": ("目录", "Catalogue"), "observations": ("观测值", "Observations"),
    "stations": ("监测站", "Stations"), "station_hours": ("站点小时数据", "Station hours"),
    "sign_in": ("编辑者上传观测值", "Editors: upload observations"),
    "token": ("令牌", "Token"), "file": ("文件 (CSV / Excel)", "File (CSV / Excel)"), "upload": ("上传", "Upload"),
    "upload_help": ("整份文件全部有效才会写入；每一次写入都记入审计日志。", "Nothing is written unless every row is valid; every write is recorded in the audit log."),
    "import_ok": ("导入成功", "Imported"), "import_failed": ("导入失败，未写入任何数据", "Import failed; nothing was written"),
    "rows": ("行数", "Rows"), "added": ("新增", "Added"), "superseded": ("更正", "Superseded"), "unchanged": ("未变", "Unchanged"),
    "row": ("行", "Row"), "column": ("列", "Column"), "message": ("说明", "Message"),
    "not_found": ("未找到", "Not found"), "back_home": ("返回首页", "Back to the map"),
    "three_clicks": ("点击地图上的城市 → 点击一个目标 → 查看规划原文。", "Click a city on the map → click a target → read the plan's sentence."),
    "legend": ("图例", "Legend"), "static_note": ("静态导出版", "static export"),
    "of": ("共", "of"), "goal": ("目标值", "Goal"), "baseline": ("基准", "Baseline"),
    "facilities": ("碳市场重点排放单位", "Carbon-market emitters"), "facility": ("单位", "Facility"),
    "stated": ("正文称", "the text states"), "listed": ("附件列出", "the annex lists"),
    "missing_numbers": ("缺序号", "numbers missing:"), "ledger_total": ("合计（有数据的单位）", "Total (facilities with data)"),
    "verified": ("核查排放量", "Verified emissions"), "allowances": ("配额", "Allowances"),
    "balance": ("盈余(+)/缺口(−)", "Surplus (+) / shortfall (−)"), "shortfall": ("缺口单位数", "Facilities short"),
    "no_ledger": ("尚未导入核查排放量与配额（ecozone carbon import）。", "No verified emissions or allowances imported yet (ecozone carbon import)."),
    "st_surplus": ("盈余", "surplus"), "st_balanced": ("持平", "balanced"), "st_shortfall": ("缺口", "shortfall"),
    "st_covered": ("已清缴", "covered"), "st_missing": ("无数据", "no data"), "st_None": ("", ""),
    "water": ("地表水", "Surface water"), "no_water": ("尚未载入断面监测数据（ecozone water import）。",
                                                     "No section data loaded (ecozone water import)."),
    "water_sections": ("断面水质类别（GB 3838-2002）", "Section classes (GB 3838-2002)"),
    "water_regions": ("各市断面水质状况", "Sections by city"), "sections": ("断面数", "Sections"),
    "section": ("断面", "Section"), "water_type": ("类型", "Type"), "lake": ("湖库", "lake"), "river": ("河流", "river"),
    "class": ("水质类别", "Class"), "exceeding": ("超标项目（超标倍数）", "Exceeding items (multiple)"),
    "months": ("月数", "Months"), "month": ("月份", "Month"), "worse_v": ("劣Ⅴ类", "Worse than V"),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def vendor_dir() -> Path:
    return Path(str(resources.files("ecozone.web") / "static" / "vendor"))


def check_vendor() -> None:
    """Refuse to serve without the vendored ECharts files (fetched at build time)."""
    missing = [f for f in VENDOR_FILES if not (vendor_dir() / f).is_file()]
    if missing:
        raise StoreError(
            f"缺少前端文件 {', '.join(missing)}：请先运行 bash scripts/vendor_echarts.sh（从 npm 获取 ECharts）",
            f"missing front-end files {', '.join(missing)}: run bash scripts/vendor_echarts.sh (fetches ECharts from npm)",
            file=str(vendor_dir()), code="store_unavailable")


@cache
def hebei_geojson() -> Markup:
    """The map's GeoJSON, safe to embed in ``<script type="application/json">`` ("<", ">" and
    "&" can only occur inside JSON strings, where their \\u escapes mean the same)."""
    text = (vendor_dir() / "hebei.json").read_text(encoding="utf-8")
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass(frozen=True)
class Linker:
    """Links for one page: server URLs, or relative file paths of the static site."""

    lang: str
    static: bool = False
    path: str = "/"  # this page's path (static: to compute the way back to the root)

    def _depth(self) -> int:
        parts = [p for p in self.path.strip("/").split("/") if p]
        return len(parts) + (1 if self.static and self.lang == "en" else 0)

    def root(self) -> str:
        return "../" * self._depth() if self.static else "/"

    def href(self, path: str, lang: str | None = None, **query: Any) -> str:
        lang = lang or self.lang
        if self.static:
            page = path.strip("/")
            prefix = "en/" if lang == "en" else ""
            return self.root() + prefix + (page + "/" if page else "") + "index.html"
        q = {k: v for k, v in query.items() if v is not None}
        if lang == "en":
            q["lang"] = "en"
        return path + ("?" + urlencode(q) if q else "")

    def static_file(self, name: str) -> str:
        return (self.root() + "static/" + name) if self.static else "/static/" + name

    def switch(self) -> str:
        return self.href(self.path, lang="zh" if self.lang == "en" else "en")


def _json(value: Any) -> Markup:
    from ecozone.api.common import plain

    text = json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))
    # safe inside <script type="application/json">: no "</script>" or "<!--" can close it
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("ecozone.web", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x, d=2: num(x, d) if isinstance(x, int | float) else ("—" if x is None else x)
    env.filters["tojson_script"] = _json
    env.filters["unit_en"] = unit_en
    env.filters["p_meet"] = p_meet_percent
    return env


def render(template: str, *, lang: str, linker: Linker, **context: Any) -> str:
    en = lang == "en"

    def t(key: str) -> str:
        return label(key, lang)

    def pick(obj: dict[str, Any], base: str) -> Any:
        """``obj[base + '_en']`` in English (when present), else ``obj[base]`` or ``obj[base + '_zh']``."""
        if en and obj.get(base + "_en"):
            return obj[base + "_en"]
        return obj.get(base, obj.get(base + "_zh"))

    return environment().get_template(template).render(
        lang=lang, en=en, t=t, pick=pick, link=linker, static=linker.static, **context)
