"""Evaluation of every target in one set-based pass over targets and observations.

One DuckDB query turns each target into a *working series* (annual values in the unit the
comparison needs), a *required level* and a *direction*; it fits a line over the points from
the base year on (at most the last :data:`~ecozone.tracking.projection.WINDOW` years, never
across a structural break), on the indicator's own scale (logit for shares), projects to the
deadline with an 80 % prediction interval, computes the probability of meeting the target
there (``p_meet``), the ratio of actual to required annual rate, the status and the key of
the reason that explains it.  Only the reason sentences are formatted in Python, per row,
from the query's columns.  The rules are documented in ``docs/methods/tracking.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from scipy.special import stdtr

from ecozone.catalogue.service import REGION_TREE, TargetFilter
from ecozone.tracking.projection import (
    AT_RISK_P,
    INTERVAL_SCALE,
    MODERATE_RATIO,
    ON_TRACK_P,
    ON_TRACK_RATIO,
    SHARE_EPS,
    T90,
    T90_LARGE,
    WINDOW,
    Fit,
)
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
# a "stay at / keep" target (保持, 稳定, 维持): any value from the deadline year on is final
STAY_WORDS = ("保持", "稳定在", "维持", "不降低", "持续保持")
DEFAULT_BASE_YEAR = 2020  # the base year of the 14th five-year plans
BREAK_FLAG = "series_break"  # quality flag: this value starts a new series (network change)
EPS = 1e-9
# a share of days (%) from the related count of days when the share itself is not reported:
# share = days × 100 / days in the year (HJ 663 divides by the valid monitoring days, which
# the count does not give: an approximation, said in the reason)
SHARE_OF_DAYS = {"air.heavy_pollution_day_ratio": "air.heavy_pollution_days", "air.good_day_ratio": "air.good_days"}


def default_as_of(con: duckdb.DuckDBPyConnection | None = None) -> int:
    """The evaluation year: the latest year with an annual observation in the store (never
    later than the current year), so that the same data always give the same verdicts.
    Without a store (or without data): the previous calendar year."""
    this_year = date.today().year
    if con is not None:
        row = con.execute(
            "SELECT max(year) FROM observation_current WHERE value IS NOT NULL "
            "AND source_type <> 'judgement' AND regexp_full_match(period, '\\d{4}') "
            "AND quality_flag NOT LIKE '%partial%' AND quality_flag NOT LIKE '%withdrawn%' AND year <= ?",
            [this_year],
        ).fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
    return this_year - 1


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _like_any(column: str, words: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"{column} LIKE '%{w}%'" for w in words) + ")"


_PRIORITY = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_PRIORITY))
_T_TABLE = ", ".join(f"({df}, {t})" for df, t in T90.items())
_SHARE_OF_DAYS = ", ".join(f"('{k}', '{v}')" for k, v in SHARE_OF_DAYS.items())
_LO, _HI = SHARE_EPS, 100 - SHARE_EPS


def _z(v: str) -> str:
    """The fitting scale of a value expression: logit of the share for 'logit' series."""
    # sql: vetted (a column expression from code and module constants)
    return (f"CASE WHEN sc.scale = 'logit' THEN ln(least(greatest({v}, {_LO}), {_HI}) / "
            f"(100 - least(greatest({v}, {_LO}), {_HI}))) ELSE {v} END")


def _unz(z: str) -> str:
    """Back from the fitting scale (inverse logit × 100 for shares)."""
    # sql: vetted (a column expression from code)
    return f"CASE WHEN f.scale = 'logit' THEN 100 / (1 + exp(-({z}))) ELSE {z} END"


# The CTE chain shared by the evaluation and the series query.  {where} filters the targets.
# sql: vetted (module constants)
SERIES_SQL = REGION_TREE + f""",
tx AS (    -- an 'each' target is one target per member region: id 'T…@region', no shared base value
    SELECT t.* REPLACE (
               CASE WHEN m.region IS NOT NULL THEN t.id || '@' || m.region ELSE t.id END AS id,
               coalesce(m.region, t.region_code) AS region_code,
               CASE WHEN m.region IS NULL THEN t.baseline_value END AS baseline_value),
           t.id AS parent_id
    FROM target t LEFT JOIN target_member m ON m.target_id = t.id AND t.scope = 'each'
),
tg AS (
    SELECT t.id, t.parent_id, t.scope, t.approximate, t.document_id, t.section, t.region_code,
           t.indicator_id, t.unit, t.baseline_year,
           t.baseline_value, t.target_year, t.target_value, t.target_value_max, t.target_text,
           t.comparison, t.kind, t.quote, t.note, t.reconstructed, t.conflicts_with,
           i.unit AS ind_unit, i.domain, i.polarity, i.name_zh AS indicator_name,
           i.name_en AS indicator_name_en, r.name_zh AS region_name, r.name_en AS region_name_en,
           r.type AS region_type, d.title_zh AS document_title, d.title_en AS document_title_en,
           dm.name_zh AS domain_name, dm.name_en AS domain_name_en,
           t.comparison IN ('at_most', 'at_least', 'range', 'eliminate', 'class_or_better')
               AND {_like_any("(t.quote || coalesce(t.target_text, ''))", STAY_WORDS)} AS stay,
           -- 基本消除 (basically eliminate) is not read as 0: approximate, or "基本" in its words
           t.comparison = 'eliminate' AND coalesce(t.target_value, 0) = 0
               AND (t.approximate OR coalesce(t.target_text, t.quote) LIKE '%基本%') AS basically,
           -- the base year: the target's own, else its plan's usual one, else {DEFAULT_BASE_YEAR}
           coalesce(t.baseline_year, db.base, {DEFAULT_BASE_YEAR}) AS eff_base,
           t.baseline_year IS NULL AS base_inferred
    FROM tx t
    LEFT JOIN (SELECT document_id, mode(baseline_year) AS base FROM target
               WHERE baseline_year IS NOT NULL GROUP BY document_id) db ON db.document_id = t.document_id
    JOIN indicator i ON i.id = t.indicator_id
    JOIN region r ON r.code = t.region_code
    JOIN document d ON d.id = t.document_id
    LEFT JOIN domain dm ON dm.id = i.domain
    WHERE {{where}}
),
rm(target_ind, source_ind) AS (VALUES {_SHARE_OF_DAYS}),
ob AS (   -- every usable-looking observation up to the evaluation year
    SELECT o.*, regexp_full_match(o.period, '\\d{{4}}') AND o.quality_flag NOT LIKE '%partial%' AS annual
    FROM observation_current o
    WHERE o.value IS NOT NULL AND o.source_type <> 'judgement'
      AND o.quality_flag NOT LIKE '%withdrawn%' AND o.year <= $as_of
      AND (o.region_code, o.indicator_id) IN (
          SELECT region_code, indicator_id FROM tg
          UNION ALL SELECT tg.region_code, rm.source_ind FROM tg JOIN rm ON rm.target_ind = tg.indicator_id)
),
pick AS (  -- one annual value per identity and year: by source priority, clean flags, newest
    SELECT * FROM ob WHERE annual
    QUALIFY row_number() OVER (
        PARTITION BY region_code, indicator_id, measure, base_year, unit, year
        ORDER BY CASE source_type {_PRIORITY} ELSE 9 END, (quality_flag = 'ok') DESC, obs_id DESC) = 1
),
lvl0 AS (
    SELECT tg.id AS target_id, p.year, p.value, p.obs_id, p.source_type, p.source_id, p.quality_flag
    FROM tg JOIN pick p ON p.region_code = tg.region_code AND p.indicator_id = tg.indicator_id
     AND p.measure = 'level' AND p.unit = tg.ind_unit
),
yoy AS (   -- a year-on-year change gives the level of its year from the previous year's level
    SELECT tg.id AS target_id, p.year,
           CASE p.measure WHEN 'reduce_by_pct' THEN l.value * (1 - p.value / 100)
                          WHEN 'increase_by_pct' THEN l.value * (1 + p.value / 100)
                          WHEN 'reduce_by_points' THEN l.value - p.value
                          WHEN 'reduce_by_amount' THEN l.value - p.value
                          ELSE l.value + p.value END AS value,
           p.obs_id, 'derived' AS source_type, p.source_id, p.quality_flag
    FROM tg JOIN pick p ON p.region_code = tg.region_code AND p.indicator_id = tg.indicator_id
     AND p.measure IN {_in(RELATIVE)} AND p.base_year = p.year - 1
     AND p.unit = CASE WHEN ends_with(p.measure, '_pct') THEN '%'
                       WHEN ends_with(p.measure, '_points') THEN '百分点' ELSE tg.ind_unit END
    JOIN lvl0 l ON l.target_id = tg.id AND l.year = p.year - 1
    WHERE NOT EXISTS (SELECT 1 FROM lvl0 d WHERE d.target_id = tg.id AND d.year = p.year)
),
days AS (  -- a share of days from the count of days, when the share is not reported that year
    SELECT tg.id AS target_id, p.year,
           p.value * 100 / CASE WHEN (p.year % 4 = 0 AND p.year % 100 <> 0) OR p.year % 400 = 0
                                THEN 366 ELSE 365 END AS value,
           p.obs_id, 'derived_days' AS source_type, p.source_id, p.quality_flag
    FROM tg JOIN rm ON rm.target_ind = tg.indicator_id
    JOIN pick p ON p.region_code = tg.region_code AND p.indicator_id = rm.source_ind
     AND p.measure = 'level' AND p.unit = '天'
    WHERE tg.ind_unit = '%' AND NOT EXISTS (SELECT 1 FROM lvl0 d WHERE d.target_id = tg.id AND d.year = p.year)
),
lvl AS (SELECT * FROM lvl0 UNION ALL SELECT * FROM yoy UNION ALL SELECT * FROM days),
chg AS (   -- observed changes against the target's base year (same measure, or its opposite)
    SELECT tg.id AS target_id, p.year,
           CASE WHEN p.measure = tg.comparison THEN p.value ELSE -p.value END AS value,
           p.obs_id, p.source_type, p.source_id, p.quality_flag
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
           WHEN tg.basically THEN 'basically'
           WHEN tg.comparison IN ('reduce_by_points', 'increase_by_points') AND tg.ind_unit <> '%'
               THEN 'not_comparable'   -- percentage points of something that is not a percentage
           WHEN tg.comparison NOT IN {_in(RELATIVE)} OR b.base_value IS NOT NULL THEN 'level'
           WHEN EXISTS (SELECT 1 FROM chg WHERE chg.target_id = tg.id) THEN 'change'
           ELSE 'no_base' END AS mode
    FROM tg JOIN base b ON b.target_id = tg.id
),
pts AS (   -- the working series of each target
    SELECT l.target_id, l.year, l.value, l.source_type, l.source_id, l.quality_flag, l.obs_id
    FROM lvl l JOIN md ON md.target_id = l.target_id AND md.mode IN ('level', 'basically')
    UNION ALL  -- the plan's own baseline value, when no observation gives that year
    SELECT tg.id, tg.baseline_year, tg.baseline_value, 'target', tg.id, 'ok', NULL
    FROM tg JOIN md ON md.target_id = tg.id AND md.mode = 'level'
    WHERE tg.baseline_value IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM lvl WHERE lvl.target_id = tg.id AND lvl.year = tg.baseline_year)
    UNION ALL
    SELECT c.target_id, c.year, c.value, c.source_type, c.source_id, c.quality_flag, c.obs_id
    FROM chg c JOIN md ON md.target_id = c.target_id AND md.mode = 'change'
    UNION ALL  -- a change series starts at 0 in its base year
    SELECT tg.id, tg.baseline_year, 0.0, 'base_year', tg.id, 'ok', NULL
    FROM tg JOIN md ON md.target_id = tg.id AND md.mode = 'change'
    WHERE NOT EXISTS (SELECT 1 FROM chg WHERE chg.target_id = tg.id AND chg.year = tg.baseline_year)
),
sc AS (    -- the scale of the fit: logit for shares (levels in % within 0-100), else linear
    SELECT tg.id AS target_id,
           CASE WHEN md.mode = 'level' AND tg.ind_unit = '%' AND min(p.value) >= 0 AND max(p.value) <= 100
                THEN 'logit' ELSE 'linear' END AS scale,
           md.mode IN ('level', 'basically') AND coalesce(min(p.value), 0) >= 0 AS non_negative
    FROM tg JOIN md ON md.target_id = tg.id LEFT JOIN pts p ON p.target_id = tg.id
    GROUP BY tg.id, md.mode, tg.ind_unit
)
"""

# sql: vetted (module constants)
EVALUATE_SQL = SERIES_SQL + f""",
win AS (
    SELECT p.*, sc.scale, {_z('p.value')} AS z,
           max(p.year) OVER (PARTITION BY p.target_id) AS last_year,
           max(CASE WHEN p.quality_flag LIKE '%{BREAK_FLAG}%' THEN p.year END)
               OVER (PARTITION BY p.target_id) AS break_year
    FROM pts p JOIN sc ON sc.target_id = p.target_id
),
w2 AS (    -- the fit uses the base year on, the last {WINDOW} years, nothing before a break
    SELECT w.*, tg.target_year, tg.stay,
           w.year > w.last_year - {WINDOW} AND w.year >= tg.eff_base
               AND w.year >= coalesce(w.break_year, w.year) AS in_fit,
           w.year > tg.eff_base AS progress
    FROM win w JOIN tg ON tg.id = w.target_id
),
agg AS (
    SELECT target_id, count(*) AS n_points, any_value(scale) AS scale,
           max(year) AS latest_year, arg_max(value, year) AS latest_value,
           arg_max(source_type, year) AS latest_source_type, arg_max(source_id, year) AS latest_source_id,
           count(*) FILTER (WHERE progress) AS n_progress,
           max(year) FILTER (WHERE NOT progress) AS pre_year,
           count(*) FILTER (WHERE source_type = 'derived') AS n_derived,
           count(*) FILTER (WHERE source_type = 'derived_days') AS n_from_days,
           max(year) FILTER (WHERE year = target_year OR (stay AND year >= target_year)) AS final_year,
           arg_max(value, year) FILTER (WHERE year = target_year OR (stay AND year >= target_year))
               AS final_value,
           min(year) FILTER (WHERE year > target_year) AS later_year,
           arg_min(value, year) FILTER (WHERE year > target_year) AS later_value,
           max(break_year) AS break_year,
           count(*) FILTER (WHERE in_fit) AS fit_n,
           min(year) FILTER (WHERE in_fit) AS fit_from, max(year) FILTER (WHERE in_fit) AS fit_to,
           regr_sxx(value, year) FILTER (WHERE in_fit) AS sxx,
           regr_avgx(value, year) FILTER (WHERE in_fit) AS mean_x,
           regr_slope(value, year) FILTER (WHERE in_fit) AS slope_raw,
           regr_intercept(value, year) FILTER (WHERE in_fit) AS intercept_raw,
           regr_syy(value, year) FILTER (WHERE in_fit) AS syy,
           regr_sxy(value, year) FILTER (WHERE in_fit) AS sxy,
           regr_slope(z, year) FILTER (WHERE in_fit) AS zslope_raw,
           regr_intercept(z, year) FILTER (WHERE in_fit) AS zintercept_raw,
           regr_syy(z, year) FILTER (WHERE in_fit) AS zsyy,
           regr_sxy(z, year) FILTER (WHERE in_fit) AS zsxy
    FROM w2 GROUP BY target_id
),
exc AS (   -- observations that exist but cannot be compared with the target
    SELECT tg.id AS target_id,
           count(*) FILTER (WHERE NOT ob.annual) AS n_partial,
           arg_max(ob.period, ob.year) FILTER (WHERE NOT ob.annual) AS partial_period,
           arg_max(ob.value, ob.year) FILTER (WHERE NOT ob.annual) AS partial_value,
           count(*) FILTER (WHERE ob.annual AND ob.measure = 'level' AND ob.unit <> tg.ind_unit)
               AS n_other_unit,
           count(*) FILTER (WHERE ob.annual AND ob.measure <> 'level' AND u.obs_id IS NULL
                            AND l.year IS NULL) AS n_other_measure
    FROM tg JOIN ob ON ob.region_code = tg.region_code AND ob.indicator_id = tg.indicator_id
    LEFT JOIN (SELECT target_id, obs_id FROM yoy UNION SELECT target_id, obs_id FROM chg) u
        ON u.target_id = tg.id AND u.obs_id = ob.obs_id
    LEFT JOIN (SELECT DISTINCT target_id, year FROM lvl0) l ON l.target_id = tg.id AND l.year = ob.year
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
    SELECT tg.id AS target_id, md.mode, md.base_value, md.base_observed, sc.non_negative,
      a.* EXCLUDE (target_id, scale), coalesce(a.scale, sc.scale) AS scale, e.* EXCLUDE (target_id),
      CASE WHEN a.sxx > 0 THEN a.slope_raw END AS slope,
      CASE WHEN a.sxx > 0 THEN a.intercept_raw END AS intercept,
      CASE WHEN a.sxx > 0 THEN a.zslope_raw END AS zslope,
      CASE WHEN a.sxx > 0 THEN a.zintercept_raw END AS zintercept,
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
    JOIN sc ON sc.target_id = tg.id
    LEFT JOIN agg a ON a.target_id = tg.id
    LEFT JOIN exc e ON e.target_id = tg.id
    LEFT JOIN jd j ON j.target_id = coalesce(
        (SELECT m.target_id FROM jd m WHERE m.target_id = tg.id), tg.parent_id)  -- an 'each' member: the parent's
),
fit AS (
    SELECT r.*,
      CASE WHEN r.fit_n >= 3 AND r.sxx > 0
           THEN sqrt(greatest(r.zsyy - r.zsxy * r.zsxy / r.sxx, 0) / (r.fit_n - 2)) END AS zresid_sd,
      coalesce(tt.t, CASE WHEN r.fit_n >= 3 THEN {T90_LARGE} END) AS t90,
      CASE WHEN tg.comparison = 'range'
           THEN r.latest_value BETWEEN tg.target_value - {EPS} AND tg.target_value_max + {EPS}
           ELSE r.direction * (r.latest_value - r.required_level) >= -{EPS} END AS latest_meets,
      CASE WHEN tg.comparison = 'range'
           THEN r.final_value BETWEEN tg.target_value - {EPS} AND tg.target_value_max + {EPS}
           ELSE r.direction * (r.final_value - r.required_level) >= -{EPS} END AS final_meets,
      {_z('r.required_level').replace('sc.scale', 'r.scale')} AS zreq,
      {_z('tg.target_value').replace('sc.scale', 'r.scale')} AS zlo,
      {_z('tg.target_value_max').replace('sc.scale', 'r.scale')} AS zhi
    FROM req r JOIN tg ON tg.id = r.target_id
    LEFT JOIN (VALUES {_T_TABLE}) tt(df, t) ON tt.df = r.fit_n - 2
),
proj AS (
    SELECT f.*,
      f.zintercept + f.zslope * tg.target_year AS zhat,
      {INTERVAL_SCALE} * f.zresid_sd * sqrt(1 + 1 / f.fit_n + power(tg.target_year - f.mean_x, 2) / f.sxx)
          AS zse,
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
band AS (
    SELECT p.*,
      {_unz('p.zhat').replace('f.scale', 'p.scale')} AS proj_raw,
      {_unz('p.zhat - p.t90 * p.zse').replace('f.scale', 'p.scale')} AS low_raw,
      {_unz('p.zhat + p.t90 * p.zse').replace('f.scale', 'p.scale')} AS high_raw,
      CASE WHEN p.zse > 0 THEN
        CASE WHEN tg.comparison = 'range'
             THEN ecozone_t_cdf(p.fit_n - 2, (p.zhi - p.zhat) / p.zse)
                  - ecozone_t_cdf(p.fit_n - 2, (p.zlo - p.zhat) / p.zse)
             ELSE ecozone_t_cdf(p.fit_n - 2, p.direction * (p.zhat - p.zreq) / p.zse) END
        WHEN p.zse = 0 THEN   -- the points lie exactly on the line
        CASE WHEN tg.comparison = 'range' THEN (p.zhat BETWEEN p.zlo AND p.zhi)::INTEGER
             ELSE (p.direction * (p.zhat - p.zreq) >= 0)::INTEGER END
      END AS p_meet
    FROM proj p JOIN tg ON tg.id = p.target_id
),
st AS (
    SELECT b.*, b.actual_rate / b.required_rate AS rate_ratio,
      CASE
        WHEN b.mode IN ('judgement', 'basically') THEN
             CASE WHEN b.judged_status IS NOT NULL THEN 'judged' ELSE b.mode END
        WHEN b.mode IN ('no_base', 'not_comparable') THEN b.mode
        WHEN b.final_year IS NOT NULL THEN CASE WHEN b.final_meets THEN 'achieved' ELSE 'missed' END
        WHEN tg.target_year <= $as_of THEN
             CASE WHEN b.later_year IS NOT NULL THEN 'awaiting_later' ELSE 'awaiting_data' END
        WHEN coalesce(b.n_points, 0) = 0 THEN 'no_data'
        WHEN b.n_progress = 0 THEN 'base_only'
        WHEN b.latest_meets THEN 'met_early'
        WHEN b.p_meet IS NOT NULL THEN 'projection'
        WHEN b.fit_n = 2 AND b.slope IS NOT NULL AND b.required_rate IS NOT NULL THEN 'rate_only'
        ELSE 'single_point'
      END AS reason_key
    FROM band b JOIN tg ON tg.id = b.target_id
),
vd AS (
    SELECT s.*,
      CASE s.reason_key
        WHEN 'judged' THEN s.judged_status
        WHEN 'judgement' THEN 'needs_judgement'
        WHEN 'basically' THEN 'needs_judgement'
        WHEN 'achieved' THEN 'achieved'
        WHEN 'missed' THEN 'off_track'
        WHEN 'awaiting_later' THEN 'awaiting_data'
        WHEN 'awaiting_data' THEN 'awaiting_data'
        WHEN 'no_data' THEN 'not_yet_due'
        WHEN 'met_early' THEN 'met_early'
        WHEN 'projection' THEN
             CASE WHEN s.p_meet >= {ON_TRACK_P} - {EPS} THEN 'on_track'
                  WHEN s.p_meet >= {AT_RISK_P} - {EPS} THEN 'moderately_off_track'
                  ELSE 'off_track' END
        WHEN 'rate_only' THEN
             CASE WHEN s.rate_ratio >= {ON_TRACK_RATIO} - {EPS} THEN 'on_track'
                  WHEN s.rate_ratio >= {MODERATE_RATIO} - {EPS} THEN 'moderately_off_track'
                  ELSE 'off_track' END
        ELSE 'insufficient_data'
      END AS status
    FROM st s
)
SELECT tg.id AS target_id, tg.parent_id, tg.scope, tg.approximate, tg.document_id AS document, tg.document_title, tg.document_title_en, tg.section,
       tg.region_code, tg.region_name, tg.region_name_en, tg.region_type, tg.indicator_id,
       tg.indicator_name, tg.indicator_name_en, tg.domain, tg.domain_name, tg.domain_name_en,
       tg.unit, tg.ind_unit AS indicator_unit, tg.comparison, tg.kind, tg.baseline_year,
       tg.baseline_value, tg.target_year, tg.target_value, tg.target_value_max, tg.target_text,
       tg.quote, tg.note AS target_note, tg.reconstructed, tg.conflicts_with, tg.stay,
       tg.eff_base, tg.base_inferred,
       v.mode, v.scale, v.base_value, v.base_observed, v.start_value, v.required_level, v.direction,
       coalesce(v.n_points, 0) AS n_points, coalesce(v.n_progress, 0) AS n_progress, v.pre_year,
       coalesce(v.n_derived, 0) AS n_derived, coalesce(v.n_from_days, 0) AS n_from_days,
       v.latest_year, v.latest_value, v.latest_source_type, v.latest_source_id,
       v.final_year, v.final_value, v.later_year, v.later_value, v.gap, v.progress, v.break_year,
       v.fit_n, v.fit_from, v.fit_to, v.fit_to - v.fit_from + 1 - v.fit_n AS fit_missing,
       v.slope, v.intercept, v.mean_x, v.sxx,
       v.syy - v.sxy * v.sxy / v.sxx AS sse, v.zslope, v.zintercept,
       v.zsyy - v.zsxy * v.zsxy / v.sxx AS zsse,
       CASE WHEN v.zslope IS NOT NULL AND v.final_year IS NULL
            THEN CASE WHEN v.non_negative AND v.proj_raw IS NOT NULL THEN greatest(v.proj_raw, 0) ELSE v.proj_raw END END
           AS projected_value,
       CASE WHEN v.final_year IS NULL
            THEN CASE WHEN v.non_negative AND v.low_raw IS NOT NULL THEN greatest(v.low_raw, 0) ELSE v.low_raw END END AS projected_low,
       CASE WHEN v.final_year IS NULL
            THEN CASE WHEN v.non_negative AND v.high_raw IS NOT NULL THEN greatest(v.high_raw, 0) ELSE v.high_raw END END
           AS projected_high,
       v.final_year IS NULL AND v.non_negative AND v.scale = 'linear'
           AND least(v.proj_raw, v.low_raw) < 0 AS clipped,
       CASE WHEN v.final_year IS NULL THEN v.p_meet END AS p_meet,
       v.actual_rate, v.required_rate, v.rate_ratio,
       coalesce(v.n_partial, 0) AS n_partial, v.partial_period, v.partial_value,
       coalesce(v.n_other_unit, 0) AS n_other_unit, coalesce(v.n_other_measure, 0) AS n_other_measure,
       v.judged_status, v.judged_reason, v.judged_year, v.judged_by, v.judged_obs_id,
       v.reason_key, v.status
FROM tg JOIN vd v ON v.target_id = tg.id
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


def _t_cdf(df: pa.Array, x: pa.Array) -> pa.Array:
    """Student's t distribution function, vectorised (Arrow in, Arrow out; NaN → NULL)."""
    d = np.asarray(df.to_numpy(zero_copy_only=False), dtype=float)
    v = np.asarray(x.to_numpy(zero_copy_only=False), dtype=float)
    return pa.array(stdtr(d, v), from_pandas=True)


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``ecozone_t_cdf(df, x)`` on ``con`` (once per connection)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'ecozone_t_cdf'"
    ).fetchall()
    if found[0][0]:
        return
    double = con.dtype("DOUBLE")
    con.create_function("ecozone_t_cdf", _t_cdf, [double, double], double, type="arrow")  # type: ignore[call-overload,unused-ignore]


def fit_of(row: dict[str, Any]) -> Fit | None:
    """The least-squares line of an evaluated row on its fitting scale (None without one)."""
    if row.get("zslope") is None or not row.get("fit_n"):
        return None
    return Fit(int(row["fit_n"]), float(row["zslope"]), float(row["zintercept"]),
               float(row["mean_x"]), float(row["sxx"]), float(row["zsse"] or 0.0),
               scale=str(row.get("scale") or "linear"), non_negative=bool(row.get("scale") == "linear"
                                                                          and (row.get("latest_value") or 0) >= 0
                                                                          and row.get("mode") == "level"))


def evaluate(
    con: duckdb.DuckDBPyConnection, flt: TrackFilter | None = None, *, as_of: int | None = None
) -> list[dict[str, Any]]:
    """Evaluate every target matching ``flt`` with the observations up to ``as_of`` (default:
    the latest year with data, :func:`default_as_of`).

    One row per target, binding targets first, with the numbers, the status, the reason key
    and the reason sentences (``reason_zh``, ``reason_en``).
    """
    from ecozone.tracking.status import parse_status

    flt = flt or TrackFilter()
    as_of = as_of if as_of is not None else default_as_of(con)
    where, params = flt.target_filter().where(con)
    register_functions(con)
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
    as_of = as_of if as_of is not None else default_as_of(con)
    if not target_ids:
        return {}
    sql = SERIES_SQL.replace("{where}", "list_contains($ids, t.id)") + (  # sql: vetted (constants)
        "SELECT target_id, year, value, source_type FROM pts ORDER BY target_id, year"
    )
    out: dict[str, list[tuple[int, float, str]]] = {t: [] for t in target_ids}
    for tid, year, value, src in con.execute(sql, {"ids": target_ids, "as_of": as_of}).fetchall():
        out[tid].append((int(year), float(value), str(src)))
    return out


VINTAGES_SQL = """
SELECT p.target_id, p.year, p.value, p.source_type, p.source_id, o.source_detail, o.quality_flag,
       o.recorded_at, o.recorded_by, o.obs_id
FROM pts p LEFT JOIN observation o ON o.obs_id = p.obs_id
ORDER BY p.target_id, p.year
"""


def vintages(
    con: duckdb.DuckDBPyConnection, target_ids: list[str], *, as_of: int
) -> list[dict[str, Any]]:
    """Every value the working series of ``target_ids`` use, with its source, file row or
    section, and when it was recorded (the data vintages of a report)."""
    if not target_ids:
        return []
    cur = con.execute(SERIES_SQL.replace("{where}", "list_contains($ids, t.id)") + VINTAGES_SQL,
                      {"ids": target_ids, "as_of": as_of})
    return _rows(cur)


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts per status id, in display order, zeros included."""
    counts = {s.value: 0 for s in STATUS_ORDER}
    for r in rows:
        counts[r["status"]] += 1
    return counts
