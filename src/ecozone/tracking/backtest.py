"""Calibration of the tracking method, measured: stand at year Y, project each series to
Y+1 … Y+k exactly as the evaluation does (same window, scale, interval), and compare with what
was observed; and re-evaluate the targets whose deadline value is known as they stood in the
years before, to count how often the verdict foretold the outcome.

Reported: the coverage of the 80 % prediction interval (the share of later values inside it;
a calibrated method is near 0.8), the mean absolute error and the mean absolute percentage
error of the point projection, overall, per domain and per horizon; the hit rate of verdicts.
See ``docs/methods/tracking.md``.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ecozone.tracking.evaluate import BREAK_FLAG, SOURCE_PRIORITY, TrackFilter, evaluate, register_functions
from ecozone.tracking.projection import AT_RISK_P, BAND_LEVEL, INTERVAL_SCALE, SHARE_EPS, T90, T90_LARGE, WINDOW

HORIZON = 5  # project up to 5 years ahead
MIN_POINTS = 3  # a fit needs 3 points for an interval

_PRIORITY = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_PRIORITY))
_T_TABLE = ", ".join(f"({df}, {t})" for df, t in T90.items())
_LO, _HI = SHARE_EPS, 100 - SHARE_EPS

# sql: vetted (module constants)
PAIRS_SQL = f"""
WITH pick AS (
    SELECT o.region_code, o.indicator_id, o.year, o.value, o.quality_flag LIKE '%{BREAK_FLAG}%' AS brk,
           i.domain, i.unit, coalesce(dm.name_zh, i.domain) AS domain_zh, coalesce(dm.name_en, i.domain) AS domain_en
    FROM observation_current o JOIN indicator i ON i.id = o.indicator_id AND i.unit = o.unit
    LEFT JOIN domain dm ON dm.id = i.domain
    WHERE o.value IS NOT NULL AND o.measure = 'level' AND o.source_type NOT IN ('judgement', 'plan')
      AND regexp_full_match(o.period, '\\d{{4}}') AND o.quality_flag NOT LIKE '%partial%'
      AND o.quality_flag NOT LIKE '%withdrawn%'
    QUALIFY row_number() OVER (PARTITION BY o.region_code, o.indicator_id, o.year
        ORDER BY CASE o.source_type {_PRIORITY} ELSE 9 END, (o.quality_flag = 'ok') DESC, o.obs_id DESC) = 1
),
sc AS (
    SELECT region_code, indicator_id,
           CASE WHEN any_value(unit) = '%' AND min(value) >= 0 AND max(value) <= 100 THEN 'logit'
                ELSE 'linear' END AS scale,
           min(value) >= 0 AS non_negative
    FROM pick GROUP BY ALL
),
z AS (
    SELECT p.*, sc.scale, sc.non_negative,
           CASE WHEN sc.scale = 'logit'
                THEN ln(least(greatest(p.value, {_LO}), {_HI}) / (100 - least(greatest(p.value, {_LO}), {_HI})))
                ELSE p.value END AS z
    FROM pick p JOIN sc USING (region_code, indicator_id)
),
fitpts AS (   -- standing at each origin year: the last {WINDOW} years, nothing before a break
    SELECT o.region_code, o.indicator_id, o.year AS origin, z.year, z.z
    FROM z o JOIN z ON z.region_code = o.region_code AND z.indicator_id = o.indicator_id
     AND z.year <= o.year AND z.year > o.year - {WINDOW}
    WHERE NOT EXISTS (SELECT 1 FROM z b WHERE b.region_code = o.region_code AND b.indicator_id = o.indicator_id
                      AND b.brk AND b.year > z.year AND b.year <= o.year)
),
fits AS (
    SELECT region_code, indicator_id, origin, count(*) AS n, regr_slope(z, year) AS slope,
           regr_intercept(z, year) AS intercept, regr_avgx(z, year) AS mean_x, regr_sxx(z, year) AS sxx,
           regr_syy(z, year) - regr_sxy(z, year) * regr_sxy(z, year) / regr_sxx(z, year) AS sse
    FROM fitpts GROUP BY ALL HAVING count(*) >= {MIN_POINTS} AND regr_sxx(z, year) > 0
),
pairs AS (
    SELECT f.*, a.year, a.year - f.origin AS h, a.value AS observed, a.z AS z_obs, a.domain, a.unit,
           a.domain_zh, a.domain_en,
           a.scale, a.non_negative,
           f.intercept + f.slope * a.year AS zhat,
           sqrt(greatest(f.sse, 0) / (f.n - 2)) * sqrt(1 + 1 / f.n + power(a.year - f.mean_x, 2) / f.sxx) AS se,
           coalesce(tt.t, {T90_LARGE}) AS t90
    FROM fits f JOIN z a ON a.region_code = f.region_code AND a.indicator_id = f.indicator_id
     AND a.year > f.origin AND a.year <= f.origin + {HORIZON}
    LEFT JOIN (VALUES {_T_TABLE}) tt(df, t) ON tt.df = f.n - 2
    WHERE NOT EXISTS (SELECT 1 FROM z b WHERE b.region_code = f.region_code AND b.indicator_id = f.indicator_id
                      AND b.brk AND b.year > f.origin AND b.year <= a.year)
)
SELECT region_code, indicator_id, domain, domain_zh, domain_en, unit, origin, year, h, observed, n, zhat, se, scale,
       CASE WHEN scale = 'logit' THEN 100 / (1 + exp(-zhat))
            WHEN non_negative THEN greatest(zhat, 0) ELSE zhat END AS projected,
       abs(z_obs - zhat) <= {INTERVAL_SCALE} * t90 * se AS covered,
       abs(z_obs - zhat) <= t90 * se AS covered_nominal,
       abs(z_obs - zhat) / (t90 * se) AS error_ratio
FROM pairs
"""

SUMMARY_SQL = """
SELECT {key} AS key, {zh}::VARCHAR AS label_zh, {en}::VARCHAR AS label_en, count(*) AS n, avg(covered::INTEGER) AS coverage,
       avg(covered_nominal::INTEGER) AS coverage_nominal,
       avg(abs(projected - observed)) AS mae,
       avg(abs(projected - observed) / abs(observed)) FILTER (WHERE observed <> 0) * 100 AS mape
FROM pairs_tbl GROUP BY ALL ORDER BY key
"""


def projection_pairs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every (series, origin year, later year) with the projection, the observed value and
    whether the 80 % interval covered it."""
    cur = con.execute(PAIRS_SQL)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _summaries(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    # an Arrow table read by DuckDB's replacement scan: nothing is written (read-only stores work)
    pairs_tbl = con.cursor().sql(PAIRS_SQL).to_arrow_table()  # noqa: F841  # sql: vetted (constant)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, key, zh, en in (("overall", "'all'", "'全部'", "'all'"),
                              ("by_domain", "domain", "any_value(domain_zh)", "any_value(domain_en)"),
                              ("by_horizon", "h", "h || '年'", "h || ' yr'")):
        sql = SUMMARY_SQL.replace("{key}", key).replace("{zh}", zh).replace("{en}", en)
        cur = con.execute(sql)  # sql: vetted (constant keys)
        names = [d[0] for d in cur.description]
        out[name] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    # the scale that would make the interval cover 80 %, and the coverage it gives to each series
    # when fitted on all the others (leave one series out)
    row = con.execute(
        f"SELECT quantile_cont(error_ratio, {BAND_LEVEL}) FROM pairs_tbl"  # sql: vetted (constant)
    ).fetchall()
    loso = con.execute(f"""
        WITH s AS (SELECT DISTINCT region_code, indicator_id FROM pairs_tbl),
        q AS (SELECT s.region_code, s.indicator_id, quantile_cont(p.error_ratio, {BAND_LEVEL}) AS c
              FROM s JOIN pairs_tbl p ON (p.region_code, p.indicator_id) <> (s.region_code, s.indicator_id)
              GROUP BY ALL)
        SELECT avg((p.error_ratio <= q.c)::INTEGER) FROM pairs_tbl p JOIN q USING (region_code, indicator_id)
    """).fetchall()  # sql: vetted (constant)
    # the plans' own levels for these series: did P(meet) ≥ 0.5 foretell the outcome?
    register_functions(con)
    hit = con.execute(f"""
        WITH lv AS (
            SELECT DISTINCT region_code, indicator_id, coalesce(target_value, 0) AS level,
                   CASE WHEN comparison IN ('at_most', 'eliminate') THEN -1 ELSE 1 END AS d
            FROM target WHERE comparison IN ('at_most', 'at_least', 'eliminate')
              AND (target_value IS NOT NULL OR comparison = 'eliminate') AND NOT (comparison = 'eliminate'
              AND coalesce(target_text, quote) LIKE '%基本%')
        ),
        v AS (
            SELECT p.*, lv.level, lv.d,
                   CASE WHEN p.scale = 'logit' THEN ln(least(greatest(lv.level, {_LO}), {_HI})
                        / (100 - least(greatest(lv.level, {_LO}), {_HI}))) ELSE lv.level END AS zlevel
            FROM pairs_tbl p JOIN lv USING (region_code, indicator_id)
        )
        SELECT domain, count(*), sum(((ecozone_t_cdf(n - 2, d * (zhat - zlevel) / ({INTERVAL_SCALE} * se))
                                       >= {AT_RISK_P}) = (d * (observed - level) >= -1e-9))::INTEGER)
        FROM v GROUP BY GROUPING SETS ((), (domain))
    """).fetchall()  # sql: vetted (constants)
    per = {dom: (n, h or 0) for dom, n, h in hit}
    total = per.get(None, (0, 0))
    out["level_verdicts"] = [{"n": total[0], "hits": total[1], "hit_rate": total[1] / total[0] if total[0] else None}]
    for g in out["by_domain"]:
        n, h = per.get(g["key"], (0, 0))
        g["verdicts_n"], g["verdicts_hit_rate"] = n, (h / n if n else None)
    out["calibration"] = [{"scale_needed": row[0][0], "scale_used": INTERVAL_SCALE,
                           "coverage_leave_one_series_out": loso[0][0]}]
    return out


PREDICTS_MEET = ("met_early", "on_track", "moderately_off_track")
JUDGED = (*PREDICTS_MEET, "off_track")


def verdict_hits(con: duckdb.DuckDBPyConnection, *, years_before: int = HORIZON) -> dict[str, Any]:
    """Targets whose deadline value is known: evaluated as they stood 1 … ``years_before``
    years before the deadline, was the verdict right?  Met early, on track and at risk (P(meet)
    ≥ 0.5) foretell "met"; off track foretells "missed"."""
    final = {r["target_id"]: r for r in evaluate(con, as_of=9999)
             if r["reason_key"] in ("achieved", "missed")}
    if not final:
        return {"n": 0, "hits": 0, "hit_rate": None, "cases": []}
    deadlines = sorted({int(r["target_year"]) for r in final.values()})
    cases = []
    for y in range(min(deadlines) - years_before, max(deadlines)):
        for r in evaluate(con, TrackFilter(), as_of=y):
            f = final.get(r["target_id"])
            if f is None or r["status"] not in JUDGED or not (0 < f["target_year"] - y <= years_before):
                continue
            met = f["reason_key"] == "achieved"
            cases.append({"target_id": r["target_id"], "as_of": y, "status": r["status"],
                          "p_meet": r["p_meet"], "met": met, "hit": (r["status"] in PREDICTS_MEET) == met})
    hits = sum(c["hit"] for c in cases)
    return {"n": len(cases), "hits": hits, "hit_rate": hits / len(cases) if cases else None, "cases": cases}


def backtest(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The calibration report: interval coverage, errors, verdict hit rate."""
    sums = _summaries(con)
    overall = sums["overall"][0] if sums["overall"] else {"n": 0, "coverage": None, "mae": None, "mape": None}
    verdicts = verdict_hits(con)
    return {
        "interval": BAND_LEVEL, "window_years": WINDOW, "horizon_years": HORIZON,
        "n": overall["n"], "coverage": overall["coverage"], "coverage_nominal": overall.get("coverage_nominal"),
        "mae": overall["mae"], "mape": overall["mape"], **sums["calibration"][0],
        "by_domain": sums["by_domain"], "by_horizon": sums["by_horizon"],
        "verdicts": {k: v for k, v in verdicts.items() if k != "cases"},
        "level_verdicts": sums["level_verdicts"][0],
        "verdict_cases": verdicts["cases"],
    }
