"""Evaluation of every target in one set-based pass over targets and observations.

One DuckDB query turns each target into a *working series* (annual values in the unit the
comparison needs), a *required level* and a *direction*, then computes the latest value, the
distance to the target, the share of the baseline-to-target path covered, a least-squares
projection with its 80 % prediction band, the ratio of actual to required annual rate and the
status.  Only the reason sentences are formatted in Python, per row, from the query's columns.
The semantics are documented in ``docs/methods/tracking.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from ecozone.catalogue.service import REGION_TREE, TargetFilter
from ecozone.tracking.projection import MODERATE_RATIO, ON_TRACK_RATIO, T90, T90_LARGE, WINDOW, Fit
from ecozone.tracking.reasons import reason_en, reason_zh
from ecozone.tracking.status import STATUS_ORDER, Status

RELATIVE = (
    "reduce_by_pct", "increase_by_pct", "reduce_by_points", "increase_by_points",
    "reduce_by_amount", "increase_by_amount",
)
LOWER_IS_BETTER = ("at_most", "eliminate", "class_or_better", "reduce_by_pct", "reduce_by_points",
                   "reduce_by_amount")
# which source wins when several give a value for the same region, indicator and year
SOURCE_PRIORITY = ("import", "bulletin", "computed", "plan")
EPS = 1e-9


def default_as_of() -> int:
    """The evaluation year: the current calendar year (observations up to it are used)."""
    return date.today().year


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_PRIORITY = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_PRIORITY))
_T_TABLE = ", ".join(f"({df}, {t})" for df, t in T90.items())

# The CTE chain shared by the evaluation and the series query.  {where} filters the targets.
# sql: vetted (module constants)
SERIES_SQL = REGION_TREE + f""",
tg AS (
    SELECT t.id, t.document_id, t.section, t.region_code, t.indicator_id, t.unit, t.baseline_year,
           t.baseline_value, t.target_year, t.target_value, t.target_value_max, t.target_text,
           t.comparison, t.kind, t.quote, t.note, t.reconstructed, t.conflicts_with,
           i.unit AS ind_unit, i.domain, i.polarity, i.name_zh AS indicator_name,
           i.name_en AS indicator_name_en, r.name_zh AS region_name, r.name_en AS region_name_en,
           r.type AS region_type, d.title_zh AS document_title, d.title_en AS document_title_en,
           dm.name_zh AS domain_name, dm.name_en AS domain_name_en
    FROM target t
    JOIN indicator i ON i.id = t.indicator_id
    JOIN region r ON r.code = t.region_code
    JOIN document d ON d.id = t.document_id
    LEFT JOIN domain dm ON dm.id = i.domain
    WHERE {{where}}
),
ob AS (   -- every usable-looking observation up to the evaluation year
    SELECT o.*, regexp_full_match(o.period, '\\d{{4}}') AND o.quality_flag NOT LIKE '%partial%' AS annual
    FROM observation_current o
    WHERE o.value IS NOT NULL AND o.source_type <> 'judgement'
      AND o.quality_flag NOT LIKE '%withdrawn%' AND o.year <= $as_of
      AND (o.region_code, o.indicator_id) IN (SELECT region_code, indicator_id FROM tg)
),
pick AS (  -- one annual value per identity and year: by source priority, clean flags, newest
    SELECT * FROM ob WHERE annual
    QUALIFY row_number() OVER (
        PARTITION BY region_code, indicator_id, measure, base_year, unit, year
        ORDER BY CASE source_type {_PRIORITY} ELSE 9 END, (quality_flag = 'ok') DESC, obs_id DESC) = 1
),
lvl AS (
    SELECT tg.id AS target_id, p.year, p.value, p.obs_id, p.source_type, p.source_id
    FROM tg JOIN pick p ON p.region_code = tg.region_code AND p.indicator_id = tg.indicator_id
     AND p.measure = 'level' AND p.unit = tg.ind_unit
),
chg AS (   -- observed changes against the target's base year (same measure, or its opposite)
    SELECT tg.id AS target_id, p.year,
           CASE WHEN p.measure = tg.comparison THEN p.value ELSE -p.value END AS value,
           p.obs_id, p.source_type, p.source_id
    FROM tg JOIN pick p ON p.region_code = tg.region_code AND p.indicator_id = tg.indicator_id
     AND p.base_year = tg.baseline_year AND p.unit = tg.unit
     AND p.measure IN (tg.comparison, CASE WHEN starts_with(tg.comparison, 'reduce')
                          THEN replace(tg.comparison, 'reduce', 'increase')
                          ELSE replace(tg.comparison, 'increase', 'reduce') END)
    WHERE tg.comparison IN {_in(RELATIVE)}
),
base AS (
    SELECT tg.id AS target_id, coalesce(tg.baseline_value, l.value) AS base_value,
           tg.baseline_value IS NULL AND l.value IS NOT NULL AS base_observed
    FROM tg LEFT JOIN lvl l ON l.target_id = tg.id AND l.year = tg.baseline_year
),
md AS (
    SELECT tg.id AS target_id, b.base_value, b.base_observed,
      CASE WHEN tg.comparison = 'qualitative' THEN 'judgement'
           WHEN tg.comparison IN ('reduce_by_points', 'increase_by_points') AND tg.ind_unit <> '%'
               THEN 'not_comparable'   -- percentage points of something that is not a percentage
           WHEN tg.comparison NOT IN {_in(RELATIVE)} OR b.base_value IS NOT NULL THEN 'level'
           WHEN EXISTS (SELECT 1 FROM chg WHERE chg.target_id = tg.id) THEN 'change'
           ELSE 'no_base' END AS mode
    FROM tg JOIN base b ON b.target_id = tg.id
),
pts AS (   -- the working series of each target
    SELECT l.target_id, l.year, l.value, l.source_type, l.source_id
    FROM lvl l JOIN md ON md.target_id = l.target_id AND md.mode = 'level'
    UNION ALL  -- the plan's own baseline value, when no observation gives that year
    SELECT tg.id, tg.baseline_year, tg.baseline_value, 'target', tg.id
    FROM tg JOIN md ON md.target_id = tg.id AND md.mode = 'level'
    WHERE tg.baseline_value IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM lvl WHERE lvl.target_id = tg.id AND lvl.year = tg.baseline_year)
    UNION ALL
    SELECT c.target_id, c.year, c.value, c.source_type, c.source_id
    FROM chg c JOIN md ON md.target_id = c.target_id AND md.mode = 'change'
    UNION ALL  -- a change series starts at 0 in its base year
    SELECT tg.id, tg.baseline_year, 0.0, 'base_year', tg.id
    FROM tg JOIN md ON md.target_id = tg.id AND md.mode = 'change'
    WHERE NOT EXISTS (SELECT 1 FROM chg WHERE chg.target_id = tg.id AND chg.year = tg.baseline_year)
)
"""

# sql: vetted (module constants)
EVALUATE_SQL = SERIES_SQL + f""",
win AS (
    SELECT p.*, row_number() OVER (PARTITION BY p.target_id ORDER BY p.year DESC) AS rn FROM pts p
),
agg AS (
    SELECT w.target_id, count(*) AS n_points,
           max(w.year) AS latest_year, arg_max(w.value, w.year) AS latest_value,
           arg_max(w.source_type, w.year) AS latest_source_type,
           arg_max(w.source_id, w.year) AS latest_source_id,
           min(w.year) FILTER (WHERE w.year >= tg.target_year) AS final_year,
           arg_min(w.value, w.year) FILTER (WHERE w.year >= tg.target_year) AS final_value,
           count(*) FILTER (WHERE w.rn <= {WINDOW}) AS fit_n,
           min(w.year) FILTER (WHERE w.rn <= {WINDOW}) AS fit_from,
           CASE WHEN regr_sxx(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) > 0
                THEN regr_slope(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) END AS slope,
           CASE WHEN regr_sxx(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) > 0
                THEN regr_intercept(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) END AS intercept,
           regr_avgx(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) AS mean_x,
           regr_sxx(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) AS sxx,
           regr_syy(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) AS syy,
           regr_sxy(w.value, w.year) FILTER (WHERE w.rn <= {WINDOW}) AS sxy
    FROM win w JOIN tg ON tg.id = w.target_id
    GROUP BY w.target_id
),
exc AS (   -- observations that exist but cannot be compared with the target
    SELECT tg.id AS target_id,
           count(*) FILTER (WHERE NOT ob.annual) AS n_partial,
           arg_max(ob.period, ob.year) FILTER (WHERE NOT ob.annual) AS partial_period,
           arg_max(ob.value, ob.year) FILTER (WHERE NOT ob.annual) AS partial_value,
           count(*) FILTER (WHERE ob.annual AND ob.measure = 'level' AND ob.unit <> tg.ind_unit)
               AS n_other_unit,
           count(*) FILTER (WHERE ob.annual AND ob.measure <> 'level'
               AND NOT (ob.measure IN {_in(RELATIVE)} AND ob.base_year = tg.baseline_year
                        AND tg.comparison IN {_in(RELATIVE)})) AS n_other_measure
    FROM tg JOIN ob ON ob.region_code = tg.region_code AND ob.indicator_id = tg.indicator_id
    GROUP BY tg.id
),
jd AS (    -- the latest judgement recorded for a (qualitative) target
    SELECT source_id AS target_id, arg_max(value_text, obs_id) AS judged_status,
           arg_max(note, obs_id) AS judged_reason, arg_max(year, obs_id) AS judged_year,
           arg_max(recorded_by, obs_id) AS judged_by, max(obs_id) AS judged_obs_id
    FROM observation_current
    WHERE source_type = 'judgement' AND year <= $as_of AND value_text IS NOT NULL
    GROUP BY source_id
),
req AS (
    SELECT tg.id AS target_id, md.mode, md.base_value, md.base_observed, a.*, e.*,
      -- the level the working series must reach, and which way is better
      CASE WHEN md.mode = 'change' THEN tg.target_value
           WHEN tg.comparison IN ('at_most', 'at_least', 'class_or_better') THEN tg.target_value
           WHEN tg.comparison = 'eliminate' THEN coalesce(tg.target_value, 0)
           WHEN tg.comparison = 'rank_outside_bottom' THEN tg.target_value + 1
           WHEN tg.comparison = 'range' THEN
               CASE WHEN a.latest_value > tg.target_value_max THEN tg.target_value_max
                    ELSE tg.target_value END
           WHEN tg.comparison = 'reduce_by_pct' THEN md.base_value * (1 - tg.target_value / 100)
           WHEN tg.comparison = 'increase_by_pct' THEN md.base_value * (1 + tg.target_value / 100)
           WHEN tg.comparison IN ('reduce_by_points', 'reduce_by_amount')
               THEN md.base_value - tg.target_value
           WHEN tg.comparison IN ('increase_by_points', 'increase_by_amount')
               THEN md.base_value + tg.target_value
      END AS required_level,
      CASE WHEN md.mode = 'change' THEN 1
           WHEN tg.comparison IN {_in(LOWER_IS_BETTER)} THEN -1
           WHEN tg.comparison = 'range' AND a.latest_value > tg.target_value_max THEN -1
           ELSE 1 END AS direction,
      CASE WHEN md.mode = 'change' THEN 0.0 ELSE md.base_value END AS start_value,
      j.judged_status, j.judged_reason, j.judged_year, j.judged_by, j.judged_obs_id
    FROM tg JOIN md ON md.target_id = tg.id
    LEFT JOIN agg a ON a.target_id = tg.id
    LEFT JOIN exc e ON e.target_id = tg.id
    LEFT JOIN jd j ON j.target_id = tg.id
),
fit AS (
    SELECT r.*,
      CASE WHEN r.fit_n >= 3 THEN sqrt(greatest(r.syy - r.sxy * r.sxy / r.sxx, 0) / (r.fit_n - 2))
      END AS resid_sd,
      coalesce(tt.t, CASE WHEN r.fit_n >= 3 THEN {T90_LARGE} END) AS t90,
      CASE WHEN tg.comparison = 'range'
           THEN r.latest_value BETWEEN tg.target_value - {EPS} AND tg.target_value_max + {EPS}
           ELSE r.direction * (r.latest_value - r.required_level) >= -{EPS} END AS latest_meets,
      CASE WHEN tg.comparison = 'range'
           THEN r.final_value BETWEEN tg.target_value - {EPS} AND tg.target_value_max + {EPS}
           ELSE r.direction * (r.final_value - r.required_level) >= -{EPS} END AS final_meets
    FROM req r JOIN tg ON tg.id = r.target_id
    LEFT JOIN (VALUES {_T_TABLE}) tt(df, t) ON tt.df = r.fit_n - 2
),
proj AS (
    SELECT f.*,
      f.intercept + f.slope * tg.target_year AS projected_value,
      f.t90 * f.resid_sd * sqrt(1 + 1 / f.fit_n
          + power(tg.target_year - f.mean_x, 2) / f.sxx) AS band_half,
      f.direction * (f.required_level - coalesce(f.final_value, f.latest_value)) AS gap,
      CASE WHEN tg.target_year > f.latest_year
                AND f.direction * (f.required_level - f.latest_value) > 0
           THEN f.direction * (f.required_level - f.latest_value) / (tg.target_year - f.latest_year)
      END AS required_rate,
      f.direction * f.slope AS actual_rate,
      CASE WHEN f.start_value IS NOT NULL AND tg.baseline_year IS NOT NULL
                AND abs(f.required_level - f.start_value) > {EPS}
           THEN (coalesce(f.final_value, f.latest_value) - f.start_value)
                / (f.required_level - f.start_value) END AS progress
    FROM fit f JOIN tg ON tg.id = f.target_id
),
st AS (
    SELECT p.*, p.actual_rate / p.required_rate AS rate_ratio,
      CASE
        WHEN p.mode = 'judgement' THEN coalesce(p.judged_status, 'needs_judgement')
        WHEN p.mode IN ('no_base', 'not_comparable') THEN 'insufficient_data'
        WHEN coalesce(p.n_points, 0) = 0 THEN
             CASE WHEN tg.target_year >= $as_of THEN 'not_yet_due' ELSE 'insufficient_data' END
        WHEN p.final_year IS NOT NULL THEN CASE WHEN p.final_meets THEN 'achieved' ELSE 'off_track' END
        WHEN p.latest_meets THEN 'achieved'
        WHEN p.fit_n < 2 OR p.slope IS NULL THEN 'insufficient_data'
        WHEN p.actual_rate / p.required_rate >= {ON_TRACK_RATIO} - {EPS} THEN 'on_track'
        WHEN p.actual_rate / p.required_rate >= {MODERATE_RATIO} - {EPS} THEN 'moderately_off_track'
        ELSE 'off_track'
      END AS status
    FROM proj p JOIN tg ON tg.id = p.target_id
)
SELECT tg.id AS target_id, tg.document_id AS document, tg.document_title, tg.section,
       tg.region_code, tg.region_name, tg.region_name_en, tg.region_type, tg.indicator_id,
       tg.indicator_name, tg.indicator_name_en, tg.domain, tg.domain_name, tg.domain_name_en,
       tg.unit, tg.ind_unit AS indicator_unit, tg.comparison, tg.kind, tg.baseline_year,
       tg.baseline_value, tg.target_year, tg.target_value, tg.target_value_max, tg.target_text,
       tg.quote, tg.note AS target_note, tg.reconstructed, tg.conflicts_with,
       st.mode, st.base_value, st.base_observed, st.start_value, st.required_level, st.direction,
       st.n_points, st.latest_year, st.latest_value, st.latest_source_type, st.latest_source_id,
       st.final_year, st.final_value, st.gap, st.progress,
       st.fit_n, st.fit_from, st.slope, st.intercept, st.mean_x, st.sxx,
       st.syy - st.sxy * st.sxy / st.sxx AS sse,
       CASE WHEN st.slope IS NOT NULL AND st.final_year IS NULL THEN st.projected_value END
           AS projected_value,
       CASE WHEN st.final_year IS NULL THEN st.projected_value - st.band_half END AS projected_low,
       CASE WHEN st.final_year IS NULL THEN st.projected_value + st.band_half END AS projected_high,
       st.actual_rate, st.required_rate, st.rate_ratio,
       coalesce(st.n_partial, 0) AS n_partial, st.partial_period, st.partial_value,
       coalesce(st.n_other_unit, 0) AS n_other_unit, coalesce(st.n_other_measure, 0) AS n_other_measure,
       st.judged_status, st.judged_reason, st.judged_year, st.judged_by, st.judged_obs_id,
       st.status
FROM tg JOIN st ON st.target_id = tg.id
ORDER BY CASE tg.kind WHEN 'binding' THEN 0 WHEN 'expected' THEN 1 WHEN 'strive' THEN 2 ELSE 3 END,
         tg.document_id, tg.id
"""


@dataclass(frozen=True)
class TrackFilter:
    """Which targets to evaluate.  ``status`` filters after the evaluation."""

    region: str | None = None
    with_children: bool = False
    domain: str | None = None
    document: str | None = None
    kind: str | None = None
    indicator: str | None = None
    year: int | None = None
    status: str | None = None

    def target_filter(self) -> TargetFilter:
        return TargetFilter(self.region, self.with_children, self.domain, self.year, self.kind,
                            self.document, self.indicator)


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def fit_of(row: dict[str, Any]) -> Fit | None:
    """The least-squares line of an evaluated row (None without one)."""
    if row.get("slope") is None or not row.get("fit_n"):
        return None
    return Fit(int(row["fit_n"]), float(row["slope"]), float(row["intercept"]),
               float(row["mean_x"]), float(row["sxx"]), float(row["sse"] or 0.0))


def evaluate(
    con: duckdb.DuckDBPyConnection, flt: TrackFilter | None = None, *, as_of: int | None = None
) -> list[dict[str, Any]]:
    """Evaluate every target matching ``flt`` with the observations up to ``as_of``.

    One row per target, binding targets first, with the numbers, the status and its reason
    (``reason_zh``, ``reason_en``, ``reason`` in the user's language is added by the CLI).
    """
    from ecozone.tracking.status import parse_status

    flt = flt or TrackFilter()
    as_of = as_of if as_of is not None else default_as_of()
    where, params = flt.target_filter().where(con)
    cur = con.execute(EVALUATE_SQL.replace("{where}", where), {**params, "as_of": as_of})
    rows = _rows(cur)
    wanted = parse_status(flt.status) if flt.status else None
    out = []
    for r in rows:
        status = Status(r["status"]) if r["status"] in Status._value2member_map_ else None
        if status is None:  # a judgement that names no status id: keep it visible
            status = Status.NEEDS_JUDGEMENT
            r["status"] = status.value
        if wanted is not None and status is not wanted:
            continue
        r["as_of"] = as_of
        r["status_zh"] = status.zh
        r["status_en"] = status.en
        r["status_icon"] = status.icon
        r["reason_zh"] = reason_zh(r)
        r["reason_en"] = reason_en(r)
        out.append(r)
    return out


def series(
    con: duckdb.DuckDBPyConnection, target_ids: list[str], *, as_of: int | None = None
) -> dict[str, list[tuple[int, float, str]]]:
    """The working series (year, value, source type) of the given targets, in one query."""
    as_of = as_of if as_of is not None else default_as_of()
    if not target_ids:
        return {}
    sql = SERIES_SQL.replace("{where}", "list_contains($ids, t.id)") + (  # sql: vetted (constants)
        "SELECT target_id, year, value, source_type FROM pts ORDER BY target_id, year"
    )
    out: dict[str, list[tuple[int, float, str]]] = {t: [] for t in target_ids}
    for tid, year, value, src in con.execute(sql, {"ids": target_ids, "as_of": as_of}).fetchall():
        out[tid].append((int(year), float(value), str(src)))
    return out


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts per status id, in display order, zeros included."""
    counts = {s.value: 0 for s in STATUS_ORDER}
    for r in rows:
        counts[r["status"]] += 1
    return counts
