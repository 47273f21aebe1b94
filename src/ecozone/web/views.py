"""What each dashboard page shows, as plain data: the service behind the pages and the static site.

Every function reads the store (and one :class:`Snapshot` of the evaluated targets) and returns
dicts with both Chinese and English labels; the templates choose the language.  Charts are
ECharts option objects built here from the data, each with the table it plots (``csv``), so
every chart's data can be downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from ecozone.catalogue.models import KIND_ZH, Kind
from ecozone.catalogue.seeds import SeedText, seed_text
from ecozone.catalogue.service import (
    ObservationFilter,
    list_observations,
    plan_summary,
    resolve_target_id,
    target_statements,
)
from ecozone.tracking.evaluate import TrackFilter, default_as_of, evaluate, series, status_counts
from ecozone.tracking.needs import needs
from ecozone.tracking.reasons import goal_en, goal_zh, num
from ecozone.tracking.rollup import league_table, rollup
from ecozone.tracking.status import NO_VERDICT, STATUS_ORDER, Status
from ecozone.vocabulary import unit_en

PROVINCE = "130000"
#: the province's headline tiles: (indicator id, short Chinese label, short English label)
TILES = (
    ("air.pm25_annual_mean", "PM2.5 年均浓度", "PM2.5 annual mean"),
    ("air.good_day_ratio", "空气优良天数比率", "Good-air-day ratio"),
    ("water.national_section_good_ratio", "国考断面水质优良比例", "Good water sections"),
    ("ecology.forest_cover", "森林覆盖率", "Forest cover"),
    ("energy.energy_intensity", "单位GDP能耗", "Energy intensity"),
    ("climate.co2_intensity", "单位GDP二氧化碳排放", "Carbon intensity"),
)
KIND_RANK = {"binding": 0, "expected": 1, "strive": 2, "unstated": 3}
GOOD = (Status.ACHIEVED.value, Status.MET_EARLY.value, Status.ON_TRACK.value)
#: statuses without a verdict: left out of a city's share of targets on course
UNKNOWN = tuple(s.value for s in (*NO_VERDICT, Status.NEEDS_JUDGEMENT))


class NotFound(LookupError):
    """A page's subject (city, target) does not exist."""


@dataclass
class Snapshot:
    """Every target evaluated once, with its working series: what all pages read."""

    as_of: int
    rows: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    series: dict[str, list[tuple[int, float, str]]] = field(default_factory=dict)
    league: list[dict[str, Any]] = field(default_factory=list)  # city league tables (rollup.league_table)


    def select(self, con: duckdb.DuckDBPyConnection, flt: TrackFilter) -> list[dict[str, Any]]:
        """The snapshot's rows that :func:`evaluate` would return for ``flt``: the catalogue's
        own filter clauses run over the snapshot's (member-expanded) targets, so the selection
        is exactly the evaluation's, without evaluating again."""
        from ecozone.catalogue.service import REGION_TREE
        from ecozone.tracking.status import parse_status

        where, params = flt.target_filter().where(con)
        snap_targets = pa.table({  # noqa: F841 - read by DuckDB's replacement scan
            "id": [r["target_id"] for r in self.rows], "region_code": [r["region_code"] for r in self.rows],
            "document_id": [r["document"] for r in self.rows], "target_year": [r["target_year"] for r in self.rows],
            "kind": [r["kind"] for r in self.rows], "indicator_id": [r["indicator_id"] for r in self.rows],
        })
        sql = (f"{REGION_TREE} SELECT t.id FROM snap_targets t JOIN indicator i ON i.id = t.indicator_id "  # sql: vetted (where: code clauses, values as $params)
               f"WHERE {where}")
        ids = {str(r[0]) for r in con.execute(sql, params).fetchall()}
        wanted = parse_status(flt.status).value if flt.status else None
        return [r for r in self.rows if r["target_id"] in ids and (wanted is None or r["status"] == wanted)]


def build_snapshot(con: duckdb.DuckDBPyConnection, as_of: int | None = None) -> Snapshot:
    as_of = as_of or default_as_of(con)
    rows = evaluate(con, TrackFilter(), as_of=as_of)
    for r in rows:
        r["goal_zh"], r["goal_en"] = goal_zh(r), goal_en(r)
        r["kind_zh"] = KIND_ZH[Kind(r["kind"])]
        r["colour"] = "#" + Status(r["status"]).colour
        r["latest_text"] = f"{r['latest_year']}: {num(r['latest_value'])}" if r["latest_year"] else "—"
    snap = Snapshot(as_of, rows, {r["target_id"]: r for r in rows})
    snap.series = series(con, [r["target_id"] for r in rows], as_of=as_of)
    snap.league = league_table(con, as_of=as_of)
    return snap


def _pick_target(rows: list[dict[str, Any]], as_of: int) -> dict[str, Any] | None:
    """The headline target among several for one indicator: binding first, then the nearest
    deadline not yet past, then the plan order."""
    if not rows:
        return None
    return min(rows, key=lambda r: (KIND_RANK.get(r["kind"], 9), r["target_year"] < as_of,
                                    r["target_year"], r["document"], r["target_id"]))


def _rows_where(snap: Snapshot, region: str, indicator: str | None = None) -> list[dict[str, Any]]:
    return [r for r in snap.rows if r["region_code"] == region and (indicator is None or r["indicator_id"] == indicator)]


def legend() -> list[dict[str, str]]:
    return [{"id": s.value, "zh": s.zh, "en": s.en, "icon": s.icon, "colour": "#" + s.colour} for s in STATUS_ORDER]


# ----------------------------------------------------------------------------------- charts


def _csv(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"columns": columns, "rows": [[None if v is None else v for v in row] for row in rows]}


def sparkline(snap: Snapshot, row: dict[str, Any]) -> dict[str, Any]:
    pts = snap.series.get(row["target_id"], [])
    return {
        "id": f"spark-{row['target_id']}",
        "option": {
            "grid": {"left": 2, "right": 2, "top": 4, "bottom": 2},
            "xAxis": {"type": "category", "show": False, "data": [p[0] for p in pts]},
            "yAxis": {"type": "value", "show": False, "scale": True},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "line", "data": [p[1] for p in pts], "symbolSize": 4, "smooth": False,
                        "lineStyle": {"width": 2, "color": row["colour"]}, "itemStyle": {"color": row["colour"]}}],
        },
        "csv": _csv(["year", "value", "source"], [list(p) for p in pts]),
    }


def target_chart(snap: Snapshot, row: dict[str, Any], *, lang: str = "zh") -> dict[str, Any]:
    """Observed series, the baseline → target path, the projection with its 80 % band."""
    pts = snap.series.get(row["target_id"], [])
    en = lang == "en"
    years = sorted({p[0] for p in pts} | {row["target_year"]} | ({row["baseline_year"]} if row["baseline_year"] else set()))
    lo_year = min(years)
    years = list(range(lo_year, max(years) + 1))
    obs = {p[0]: p[1] for p in pts}
    series_: list[dict[str, Any]] = [{
        "name": "观测值" if not en else "observed", "type": "line", "connectNulls": False,
        "data": [obs.get(y) for y in years], "symbolSize": 7, "itemStyle": {"color": "#1f4e79"},
    }]
    csv_rows = [[y, obs.get(y), None, None, None, None] for y in years]
    start = row["start_value"]
    if row["required_level"] is not None and row["baseline_year"] is not None and start is not None:
        by, ty = row["baseline_year"], row["target_year"]
        path = [start + (row["required_level"] - start) * (y - by) / (ty - by) if by <= y <= ty and ty != by else None
                for y in years]
        series_.append({"name": "目标路径" if not en else "target path", "type": "line", "data": path,
                        "lineStyle": {"type": "dashed", "color": "#888"}, "itemStyle": {"color": "#888"},
                        "symbol": "none"})
        for i, v in enumerate(path):
            csv_rows[i][2] = v
    if row["required_level"] is not None:
        series_[0]["markLine"] = {"symbol": "none", "label": {"formatter": ("目标 " if not en else "target ") + num(row["required_level"])},
                                  "lineStyle": {"color": "#d64541"}, "data": [{"yAxis": row["required_level"]}]}
        for r_ in csv_rows:
            r_[5] = row["required_level"]
    if row["projected_value"] is not None and row["latest_year"] is not None:
        ly, ty = row["latest_year"], row["target_year"]
        proj = [None] * len(years)
        low = [None] * len(years)
        band = [None] * len(years)
        for i, y in enumerate(years):
            if ly <= y <= ty:
                frac = (y - ly) / (ty - ly) if ty != ly else 1.0
                proj[i] = row["latest_value"] + (row["projected_value"] - row["latest_value"]) * frac
                if row["projected_low"] is not None:
                    lo = row["latest_value"] + (row["projected_low"] - row["latest_value"]) * frac
                    hi = row["latest_value"] + (row["projected_high"] - row["latest_value"]) * frac
                    low[i], band[i] = lo, hi - lo
                    csv_rows[i][3], csv_rows[i][4] = lo, hi
        series_.append({"name": "预测" if not en else "projection", "type": "line", "data": proj,
                        "lineStyle": {"type": "dotted", "color": "#e67e22"}, "itemStyle": {"color": "#e67e22"}, "symbol": "none"})
        if any(v is not None for v in low):
            series_.append({"name": "band-low", "type": "line", "data": low, "stack": "band", "symbol": "none",
                            "lineStyle": {"opacity": 0}, "tooltip": {"show": False}})
            series_.append({"name": "80% 区间" if not en else "80% band", "type": "line", "data": band, "stack": "band",
                            "symbol": "none", "lineStyle": {"opacity": 0}, "itemStyle": {"color": "#f5c9a0"},
                            "areaStyle": {"color": "#e67e22", "opacity": 0.18}})
    unit = row["unit"] if row["mode"] == "change" else row["indicator_unit"]
    unit = unit_en(unit) if en else unit
    title = row["indicator_name_en"] if en else row["indicator_name"]
    return {
        "id": f"chart-{row['target_id']}",
        "title": f"{row['region_name_en'] if en else row['region_name']} · {title}",
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0, "data": [s["name"] for s in series_ if s["name"] != "band-low"]},
            "grid": {"left": 56, "right": 64, "top": 36, "bottom": 32},
            "xAxis": {"type": "category", "data": [str(y) for y in years]},
            "yAxis": {"type": "value", "name": unit, "scale": True},
            "series": series_,
        },
        "csv": _csv(["year", "observed", "target_path", "band_low", "band_high", "required_level"], csv_rows),
    }


# ------------------------------------------------------------------------------------- home


def hebei_cities(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("SELECT code, name_zh, name_en FROM region WHERE type = 'prefecture_city' AND parent_code = ? "
                      "ORDER BY code", [PROVINCE])
    return [{"code": c, "name_zh": z, "name_en": e} for c, z, e in cur.fetchall()]


def _latest_city_values(con: duckdb.DuckDBPyConnection, as_of: int) -> list[tuple[str, str, int, float]]:
    """(indicator, city, year, value): the latest annual level of each Hebei city, set-based."""
    return [(str(r[0]), str(r[1]), int(r[2]), float(r[3])) for r in con.execute("""
        SELECT o.indicator_id, o.region_code, o.year, o.value
        FROM observation_current o
        JOIN region r ON r.code = o.region_code AND r.type = 'prefecture_city' AND r.parent_code = ?
        JOIN indicator i ON i.id = o.indicator_id AND i.unit = o.unit AND i.polarity IN ('lower', 'higher')
        WHERE o.value IS NOT NULL AND o.measure = 'level' AND regexp_full_match(o.period, '\\d{4}')
          AND o.quality_flag NOT LIKE '%partial%' AND o.quality_flag NOT LIKE '%withdrawn%' AND o.year <= ?
        QUALIFY row_number() OVER (PARTITION BY o.indicator_id, o.region_code
                                   ORDER BY o.year DESC, (o.quality_flag = 'ok') DESC, o.obs_id DESC) = 1
        ORDER BY 1, 2""", [PROVINCE, as_of]).fetchall()]


def home(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> dict[str, Any]:
    tiles = []
    for ind, zh, en in TILES:
        row = _pick_target(_rows_where(snap, PROVINCE, ind), snap.as_of)
        if row is None:
            continue
        tiles.append({"indicator": ind, "label_zh": zh, "label_en": en, "row": row, "spark": sparkline(snap, row)})
    cities = hebei_cities(con)
    codes = {c["code"] for c in cities}
    verdict: dict[str, dict[str, Any]] = {}
    for c in cities:
        rows = [r for r in snap.rows if r["region_code"] == c["code"]]
        counts = status_counts(rows)
        judged = sum(v for k, v in counts.items() if k not in UNKNOWN)
        good = sum(counts[g] for g in GOOD)
        verdict[c["code"]] = {"targets": len(rows), "judged": judged, "good": good,
                              "share": round(100 * good / judged, 1) if judged else None, "counts": counts}
    layers: dict[str, dict[str, Any]] = {}
    names = {i: (z, e, u, p) for i, z, e, u, p in con.execute(
        "SELECT id, name_zh, name_en, unit, polarity FROM indicator").fetchall()}
    for ind, city, year, value in _latest_city_values(con, snap.as_of):
        if city not in codes:
            continue
        z, e, u, p = names[ind]
        layer = layers.setdefault(ind, {"id": ind, "name_zh": z, "name_en": e, "unit": u, "unit_en": unit_en(u),
                                        "polarity": p, "values": {}})
        layer["values"][city] = {"year": year, "value": value}
    layers = {k: v for k, v in layers.items() if len(v["values"]) >= 3}
    by_name = {c["name_zh"]: c for c in cities}
    map_data = {
        "cities": [{**c, "verdict": verdict[c["code"]]} for c in cities],
        "layers": sorted(layers.values(), key=lambda v: (v["id"] != "air.pm25_annual_mean", v["id"])),
    }
    province_counts = status_counts([r for r in snap.rows if r["region_code"] == PROVINCE])
    return {"tiles": tiles, "map": map_data, "by_name": by_name, "province_counts": province_counts,
            "legend": legend(), "as_of": snap.as_of}


# ------------------------------------------------------------------------------------- city


def region_info(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any]:
    row = con.execute("SELECT code, name_zh, name_en, type, parent_code FROM region WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(code)
    return dict(zip(("code", "name_zh", "name_en", "type", "parent_code"), row, strict=True))


def calendar(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any] | None:
    """Daily AQI of the city's latest year with station data (HJ 633), as a calendar heat map."""
    from ecozone.air.engine import daily_rows
    from ecozone.air.service import compute_days

    row = con.execute(
        "SELECT max(h.hour) FROM air_station_hour h JOIN air_station s ON s.station_id = h.station_id "
        "WHERE s.city_code = ? AND NOT s.background", [code]).fetchone()
    if row is None or row[0] is None:
        return None
    # station hours count from 1970-01-01 00:00 Beijing time
    year_ = (datetime(1970, 1, 1) + timedelta(hours=int(row[0]))).year
    table = daily_rows(compute_days(con, date(year_, 1, 1), date(year_, 12, 31), [code]))
    days = [(d.isoformat(), None if a is None else round(a)) for d, a in
            zip(table.column("date").to_pylist(), table.column("aqi").to_pylist(), strict=True)]
    values = [[d, a] for d, a in days if a is not None]
    if not values:
        return None
    pieces = [{"min": 0, "max": 50, "color": "#00e400"}, {"min": 51, "max": 100, "color": "#ffff00"},
              {"min": 101, "max": 150, "color": "#ff7e00"}, {"min": 151, "max": 200, "color": "#ff0000"},
              {"min": 201, "max": 300, "color": "#99004c"}, {"min": 301, "color": "#7e0023"}]
    return {
        "id": "chart-calendar", "year": year_,
        "option": {
            "tooltip": {"formatter": "{c}"},
            "visualMap": {"type": "piecewise", "orient": "horizontal", "left": "center", "top": 0, "pieces": pieces},
            "calendar": {"range": str(year_), "top": 60, "left": 70, "right": 10, "cellSize": ["auto", 14],
                         "yearLabel": {"show": True}},
            "series": [{"type": "heatmap", "coordinateSystem": "calendar", "data": values}],
        },
        "csv": _csv(["date", "aqi"], [list(v) for v in days]),
    }


def city(con: duckdb.DuckDBPyConnection, snap: Snapshot, code: str, *, lang: str = "zh") -> dict[str, Any]:
    info = region_info(con, code)
    own = [r for r in snap.rows if r["region_code"] == code]
    indicators = {r["indicator_id"] for r in own} | {
        i for (i,) in con.execute("SELECT DISTINCT indicator_id FROM observation_current WHERE region_code = ?",
                                  [code]).fetchall()}
    parent = info["parent_code"] or PROVINCE
    provincial = [r for r in snap.rows if r["region_code"] == parent and r["indicator_id"] in indicators] \
        if code != PROVINCE else []
    charted = [r for r in own if len(snap.series.get(r["target_id"], [])) >= 2]
    charted.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["target_id"]))
    ranks = [r for r in snap.league if r["region_code"] == code]
    return {
        "region": info, "targets": own, "provincial": provincial, "counts": status_counts(own),
        "charts": [target_chart(snap, r, lang=lang) for r in charted[:8]],
        "calendar": calendar(con, code), "ranks": ranks, "legend": legend(), "as_of": snap.as_of,
    }


# ----------------------------------------------------------------------------------- target


def statements(con: duckdb.DuckDBPyConnection, target_id: str) -> list[dict[str, Any]]:
    """Every sentence that states a target (the primary one first), each highlighted inside its
    paragraph of the plan text.  A per-member target (``T…@region``) shows its parent's."""
    out = []
    for st in target_statements(con, target_id.split("@")[0]):
        quote = st["quote"]
        item = {**st, "before": "", "match": quote, "after": "", "found": False}
        item.pop("document_file", None)
        paragraph = seed_text(str(st["document_file"])).context(quote)
        if paragraph is not None:
            # locate the quote inside the paragraph ignoring white space, then cut on original offsets
            offsets = tuple(i for i, ch in enumerate(paragraph) if not ch.isspace())
            para = SeedText("p", paragraph, "".join(paragraph[i] for i in offsets), offsets)
            start = para.find(quote)
            if start is not None:
                q_len = len("".join(quote.split()))
                end = offsets[offsets.index(start) + q_len - 1] + 1
                item.update(before=paragraph[:start], match=paragraph[start:end], after=paragraph[end:], found=True)
        out.append(item)
    titles = dict(con.execute("SELECT id, title_en FROM document").fetchall())
    for item in out:
        item["document_title_en"] = titles.get(item["document"])
    return out


def target(con: duckdb.DuckDBPyConnection, snap: Snapshot, target_id: str, *, lang: str = "zh") -> dict[str, Any]:
    row = snap.by_id.get(target_id) or snap.by_id.get(resolve_target_id(con, target_id) or "")
    if row is None:
        raise NotFound(target_id)
    target_id = row["target_id"]
    history = list_observations(con, ObservationFilter(region=row["region_code"], indicator=row["indicator_id"],
                                                       include_superseded=True))
    conflicts = [snap.by_id[t] for t in row["conflicts_with"] or [] if t in snap.by_id]
    return {"row": row, "chart": target_chart(snap, row, lang=lang), "history": history,
            "statements": statements(con, target_id), "conflicts": conflicts, "legend": legend(), "as_of": snap.as_of}


# ------------------------------------------------------------------------ plans, rankings, data


def plans(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> dict[str, Any]:
    docs = plan_summary(con)
    titles = dict(con.execute("SELECT id, title_en FROM document").fetchall())
    by_doc = {g["key"]: g for g in rollup(snap.rows, "document")}
    for d in docs:
        d["title_en"] = titles.get(d["document"])
        d["status"] = by_doc.get(d["document"])
    return {"documents": docs, "legend": legend(), "as_of": snap.as_of}


def period_values(con: duckdb.DuckDBPyConnection, indicator: str) -> list[dict[str, Any]]:
    """The Hebei cities' values of ``indicator`` for the one period most cities report (latest on
    a tie); a part-year period (``2023-01..11``) counts, and is labelled as such."""
    cur = con.execute("""
        WITH v AS (
            SELECT o.region_code, r.name_zh AS region_name, r.name_en AS region_name_en, o.period, o.year,
                   o.value, o.quality_flag, o.source_id
            FROM observation_current o
            JOIN region r ON r.code = o.region_code AND r.type = 'prefecture_city' AND r.parent_code = $p
            WHERE o.indicator_id = $i AND o.value IS NOT NULL AND o.measure = 'level'
              AND o.quality_flag NOT LIKE '%withdrawn%'
            QUALIFY row_number() OVER (PARTITION BY o.region_code, o.period ORDER BY o.obs_id DESC) = 1),
        best AS (SELECT period FROM v GROUP BY period ORDER BY count(*) DESC, max(year) DESC, period DESC LIMIT 1)
        SELECT v.* FROM v JOIN best USING (period) ORDER BY v.value, v.region_code""", {"p": PROVINCE, "i": indicator})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def rankings(con: duckdb.DuckDBPyConnection, snap: Snapshot, *, lang: str = "zh") -> dict[str, Any]:
    en = lang == "en"
    league = snap.league
    comp = period_values(con, "air.composite_index")
    comp.sort(key=lambda r: r["value"], reverse=True)  # worst (highest index) on top of a horizontal bar
    for i, r in enumerate(sorted(comp, key=lambda r: r["value"]), start=1):
        r["rank"] = i
    names = [r["region_name_en"] if en else r["region_name"] for r in comp]
    chart = {
        "id": "chart-composite",
        "title": ("Ambient air quality composite index of Hebei's cities" if en else "河北省各市环境空气质量综合指数")
        + (f" ({comp[0]['period']})" if comp else ""),
        "option": {
            "tooltip": {"trigger": "axis"}, "grid": {"left": 80, "right": 110, "top": 20, "bottom": 30},
            "xAxis": {"type": "value", "name": "index"}, "yAxis": {"type": "category", "data": names},
            "series": [{"type": "bar", "data": [{"value": r["value"], "href": f"/cities/{r['region_code']}"}
                                                for r in comp], "itemStyle": {"color": "#1f4e79"},
                        "label": {"show": True, "position": "right"}}],
        },
        "csv": _csv(["region_code", "region", "period", "composite_index", "rank_in_hebei"],
                    [[r["region_code"], r["region_name"], r["period"], r["value"], r["rank"]] for r in comp]),
    }
    national = period_values(con, "air.composite_index_rank_from_bottom")
    bottom = None
    if national:
        national.sort(key=lambda r: r["value"])
        bottom = {
            "id": "chart-bottom",
            "title": ("National rank from the bottom among 168 key cities (1 = worst)" if en
                      else "在全国168个重点城市中的倒数排名（1 为最差）") + f" ({national[0]['period']})",
            "option": {
                "tooltip": {"trigger": "axis"}, "grid": {"left": 80, "right": 110, "top": 20, "bottom": 30},
                "xAxis": {"type": "value", "name": "rank"},
                "yAxis": {"type": "category", "data": [r["region_name_en"] if en else r["region_name"] for r in national]},
                "series": [{"type": "bar", "itemStyle": {"color": "#d64541"},
                            "data": [{"value": r["value"], "href": f"/cities/{r['region_code']}"} for r in national],
                            "label": {"show": True, "position": "right"},
                            "markLine": {"symbol": "none", "data": [{"xAxis": 10.5}],
                                         "label": {"formatter": "后十 / bottom 10"}, "lineStyle": {"color": "#000"}}}],
            },
            "csv": _csv(["region_code", "region", "period", "rank_from_bottom"],
                        [[r["region_code"], r["region_name"], r["period"], r["value"]] for r in national]),
        }
    tables: dict[str, list[dict[str, Any]]] = {}
    station = station_ranking(con, lang=lang)
    for r in league:
        tables.setdefault(r["indicator_id"], []).append(r)
    return {"composite": chart, "bottom": bottom, "station": station, "league": tables, "as_of": snap.as_of}


def station_ranking(con: duckdb.DuckDBPyConnection, *, lang: str = "zh") -> dict[str, Any] | None:
    """The composite-index ranking (HJ 663) of every city with station data in the latest year
    that has any, worst at the top, Hebei's cities highlighted, the bottom-10 line drawn."""
    from ecozone.air.service import compute_annual, ranking

    row = con.execute("SELECT max(hour) FROM air_station_hour").fetchone()
    if row is None or row[0] is None:
        return None
    year = (datetime(1970, 1, 1) + timedelta(hours=int(row[0]))).year
    ranked = [r for r in ranking(compute_annual(con, year)).to_pylist() if r["rank"]]
    if not ranked:
        return None
    en = lang == "en"
    names = dict(con.execute("SELECT code, name_en FROM region").fetchall()) if en else {}
    worst_first = ranked[::-1]
    n = len(ranked)
    data = [{"value": r["composite_index"], "href": f"/cities/{r['city']}",
             "itemStyle": {"color": "#d64541" if r["city"].startswith("13") else "#9aa7b4"}} for r in worst_first]
    series: dict[str, Any] = {"type": "bar", "data": data, "label": {"show": n <= 40, "position": "right"}}
    if n > 10:  # the line between the bottom 10 (worst) and the rest
        series["markLine"] = {"symbol": "none", "data": [{"yAxis": 9.5}], "lineStyle": {"color": "#000"},
                              "label": {"formatter": "后十 / bottom 10"}}
    return {
        "id": "chart-station-ranking", "year": year,
        "title": (f"Composite index from station data, {year} ({n} cities; Hebei in red)" if en
                  else f"{year}年站点数据计算的综合指数（{n}个城市；河北各市为红色）"),
        "option": {
            "tooltip": {"trigger": "axis"}, "grid": {"left": 90, "right": 110, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "name": "index"},
            "yAxis": {"type": "category", "inverse": True,
                      "data": [names.get(r["city"], r["city_name"]) if en else r["city_name"] for r in worst_first]},
            "series": [series],
        },
        "csv": _csv(["city", "city_name", "year", "composite_index", "rank", "pm25_mean", "good_day_ratio"],
                    [[r["city"], r["city_name"], r["year"], r["composite_index"], r["rank"], r["pm25_mean"],
                      r["good_day_ratio"]] for r in ranked]),
        "height": max(160, 22 * n + 60),
    }


def data_page(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> dict[str, Any]:
    sources = con.execute("""
        SELECT source_type, count(*) AS n, count(DISTINCT source_id) AS sources, min(year) AS first_year,
               max(year) AS last_year, max(recorded_at) AS last_recorded
        FROM observation_current GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    imports = con.execute("""
        SELECT batch_id, file_name, rows, added, superseded, unchanged, imported_at, imported_by
        FROM import_batch ORDER BY batch_id DESC LIMIT 50""").fetchall()
    air = con.execute("""
        SELECT batch_id, file, format, rows_read, hours_added, imported_at
        FROM air_import_batch ORDER BY batch_id DESC LIMIT 50""").fetchall()
    meta = con.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    counts = con.execute("""SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM document),
        (SELECT count(*) FROM region), (SELECT count(*) FROM indicator), (SELECT count(*) FROM observation),
        (SELECT count(*) FROM air_station), (SELECT count(*) FROM air_station_hour)""").fetchone()
    assert counts is not None
    return {
        "sources": [dict(zip(("source_type", "n", "sources", "first_year", "last_year", "last_recorded"), s, strict=True))
                    for s in sources],
        "imports": [dict(zip(("batch_id", "file_name", "rows", "added", "superseded", "unchanged", "imported_at",
                              "imported_by"), s, strict=True)) for s in imports],
        "air": [dict(zip(("batch_id", "file", "format", "rows_read", "hours_added", "imported_at"), s, strict=True))
                for s in air],
        "meta": meta,
        "counts": dict(zip(("targets", "documents", "regions", "indicators", "observations", "stations",
                            "station_hours"), counts, strict=True)),
        "needs": needs(con, as_of=snap.as_of), "as_of": snap.as_of,
    }
