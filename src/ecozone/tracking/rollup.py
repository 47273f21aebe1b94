"""Roll-ups of evaluated targets: counts per status by region, domain, plan and kind; the
region × domain matrix; the city league table of comparable indicators."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from ecozone.catalogue.models import KIND_ZH, Kind
from ecozone.tracking.status import STATUS_ORDER, Status

DIMENSIONS = {
    # dimension: (key column, Chinese label column, English label column)
    "kind": ("kind", "kind", "kind"),
    "region": ("region_code", "region_name", "region_name_en"),
    "domain": ("domain", "domain_name", "domain_name_en"),
    "document": ("document", "document", "document"),
}
KIND_ORDER = [k.value for k in (Kind.BINDING, Kind.EXPECTED, Kind.STRIVE, Kind.UNSTATED)]


def rollup(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """One row per value of ``by`` with the number of targets in each status."""
    key_col, zh_col, en_col = DIMENSIONS[by]
    groups: dict[Any, dict[str, Any]] = {}
    for r in rows:
        k = r[key_col]
        g = groups.get(k)
        if g is None:
            zh, en = r[zh_col], r[en_col]
            if by == "kind":
                zh, en = KIND_ZH[Kind(k)], k
            g = groups[k] = {"dimension": by, "key": k, "label_zh": zh, "label_en": en, "total": 0,
                             **{s.value: 0 for s in STATUS_ORDER}}
        g["total"] += 1
        g[r["status"]] += 1
    out = list(groups.values())
    for g in out:
        judged = (g["total"] - g["not_yet_due"] - g["insufficient_data"] - g["needs_judgement"]
                  - g["awaiting_data"])
        good = g["achieved"] + g["met_early"] + g["on_track"]
        g["judged"] = judged
        g["good_share"] = round(100 * good / judged, 1) if judged else None
    if by == "kind":
        out.sort(key=lambda g: KIND_ORDER.index(g["key"]) if g["key"] in KIND_ORDER else 9)
    else:
        out.sort(key=lambda g: str(g["key"]))
    return out


def cell_text(counts: dict[str, int]) -> str:
    """``3● 1▲ 2✖ 4?`` for a matrix cell: on course, lagging, off track, unknown."""
    good = counts.get("achieved", 0) + counts.get("met_early", 0) + counts.get("on_track", 0)
    parts = []
    if good:
        parts.append(f"{good}●")
    for s in (Status.MODERATELY_OFF_TRACK, Status.OFF_TRACK):
        if counts.get(s.value):
            parts.append(f"{counts[s.value]}{s.icon}")
    rest = sum(counts.get(s.value, 0)
               for s in (Status.INSUFFICIENT_DATA, Status.NEEDS_JUDGEMENT, Status.AWAITING_DATA))
    if rest:
        parts.append(f"{rest}?")
    if counts.get("not_yet_due"):
        parts.append(f"{counts['not_yet_due']}○")
    return " ".join(parts)


def matrix(rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Region × domain: the domains (columns) and one row per region with a cell per domain."""
    domains = sorted({r["domain"] for r in rows})
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, tuple[str, str]] = {}
    for r in rows:
        cells[(r["region_code"], r["domain"])][r["status"]] += 1
        names[r["region_code"]] = (r["region_name"], r["region_name_en"])
    out = []
    for code in sorted(names):
        row: dict[str, Any] = {"region_code": code, "region_name": names[code][0],
                               "region_name_en": names[code][1]}
        for d in domains:
            c = cells.get((code, d))
            row[d] = cell_text(c) if c else ""
            row[f"{d}__counts"] = dict(c) if c else {}
        out.append(row)
    return domains, out


LEAGUE_SQL = """
WITH city AS (
    SELECT o.region_code, r.name_zh AS region_name, r.name_en AS region_name_en, o.indicator_id,
           i.name_zh AS indicator_name, i.name_en AS indicator_name_en, i.unit, i.polarity,
           o.year, o.value, o.source_type, o.source_id
    FROM observation_current o
    JOIN region r ON r.code = o.region_code
    JOIN indicator i ON i.id = o.indicator_id AND o.unit = i.unit
    WHERE r.type = 'prefecture_city' AND r.parent_code = $parent AND o.value IS NOT NULL
      AND o.measure = 'level' AND regexp_full_match(o.period, '\\d{4}')
      AND o.quality_flag NOT LIKE '%partial%' AND o.quality_flag NOT LIKE '%withdrawn%'
      AND o.source_type <> 'judgement' AND i.polarity IN ('lower', 'higher') AND o.year <= $as_of
    QUALIFY row_number() OVER (PARTITION BY o.region_code, o.indicator_id, o.year
                               ORDER BY (o.quality_flag = 'ok') DESC, o.obs_id DESC) = 1
),
best_year AS (   -- per indicator, the latest year that at least $min_cities cities report
    SELECT indicator_id, max(year) AS year FROM (
        SELECT indicator_id, year FROM city GROUP BY ALL HAVING count(*) >= $min_cities)
    GROUP BY indicator_id
)
SELECT c.*, count(*) OVER (PARTITION BY c.indicator_id) AS cities,
       rank() OVER (PARTITION BY c.indicator_id
                    ORDER BY CASE WHEN c.polarity = 'lower' THEN c.value ELSE -c.value END) AS rank
FROM city c JOIN best_year b ON b.indicator_id = c.indicator_id AND b.year = c.year
ORDER BY c.indicator_id, rank, c.region_code
"""


def league_table(
    con: duckdb.DuckDBPyConnection, *, parent: str = "130000", as_of: int = 9999, min_cities: int = 2
) -> list[dict[str, Any]]:
    """Cities of ``parent`` ranked (1 = best) on each indicator with a direction, in the latest
    year that at least ``min_cities`` cities report an annual value."""
    cur = con.execute(LEAGUE_SQL, {"parent": parent, "as_of": as_of, "min_cities": min_cities})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
