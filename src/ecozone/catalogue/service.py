"""Queries over the stored catalogue: the service layer behind the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from ecozone.catalogue.models import COMPARISON_ZH, KIND_ZH, Comparison, Kind


class UnknownRegion(LookupError):
    pass


def resolve_region(con: duckdb.DuckDBPyConnection, name_or_code: str) -> str:
    """The region code for a code, Chinese or English name, or alias."""
    row = con.execute(
        "SELECT code FROM region WHERE code = $q OR name_zh = $q OR lower(name_en) = lower($q) "
        "OR list_contains(aliases, $q) ORDER BY (code = $q) DESC, (name_zh = $q) DESC LIMIT 1",
        {"q": name_or_code.strip()},
    ).fetchone()
    if row is None:
        raise UnknownRegion(name_or_code)
    return str(row[0])


@dataclass(frozen=True)
class TargetFilter:
    region: str | None = None  # code or name
    with_children: bool = False  # include the regions below ``region``
    domain: str | None = None
    year: int | None = None
    kind: str | None = None
    document: str | None = None  # "003" includes 003-4.x
    indicator: str | None = None

    def where(self, con: duckdb.DuckDBPyConnection, alias: str = "t") -> tuple[str, dict[str, Any]]:
        clauses: list[str] = ["TRUE"]
        params: dict[str, Any] = {}
        if self.region:
            params["region"] = resolve_region(con, self.region)
            if self.with_children:
                clauses.append(f"{alias}.region_code IN (SELECT code FROM region_tree WHERE root = $region)")  # sql: vetted (alias: code)
            else:
                clauses.append(f"{alias}.region_code = $region")
        if self.domain:
            clauses.append("i.domain = $domain")
            params["domain"] = self.domain
        if self.year is not None:
            clauses.append(f"{alias}.target_year = $year")
            params["year"] = self.year
        if self.kind:
            clauses.append(f"{alias}.kind = $kind")
            params["kind"] = _kind(self.kind)
        if self.document:  # a target belongs to every document that states it
            clauses.append(
                f"EXISTS (SELECT 1 FROM target_statement s WHERE s.target_id = {alias}.id"  # sql: vetted
                " AND (s.document = $doc OR s.document LIKE $doc || '-%'))"
            )
            params["doc"] = self.document
        if self.indicator:
            clauses.append(f"{alias}.indicator_id = $indicator")
            params["indicator"] = self.indicator
        return " AND ".join(clauses), params


def _kind(value: str) -> str:
    for k, zh in KIND_ZH.items():
        if value in (k.value, zh):
            return k.value
    raise ValueError(f"unknown kind {value!r}: one of {', '.join(k.value for k in Kind)}")


REGION_TREE = """
WITH RECURSIVE region_tree(root, code) AS (
    SELECT code, code FROM region
    UNION ALL
    SELECT t.root, r.code FROM region r JOIN region_tree t ON r.parent_code = t.code
)
"""

TARGET_SELECT = """
SELECT t.id, t.document_id AS document, d.title_zh AS document_title, t.section,
       t.region_code, r.name_zh AS region_name, r.name_en AS region_name_en, t.indicator_id,
       i.name_zh AS indicator_name,
       i.name_en AS indicator_name_en, i.domain, i.polarity, t.unit,
       t.baseline_year, t.baseline_value, t.target_year, t.target_value, t.target_value_max,
       t.target_text, t.approximate, t.comparison, t.kind, t.quote, t.conflicts_with, t.conflict_note,
       t.reconstructed, t.reconstruction_note, t.reference, t.note, t.source_file, t.source_line,
       t.scope, t.scope_stated, t.member_rule, t.year_stated, t.year_rule, t.n_statements,
       coalesce((SELECT list(m.region ORDER BY m.region) FROM target_member m WHERE m.target_id = t.id),
                []) AS members,
       coalesce((SELECT list(a.alias_id ORDER BY a.alias_id) FROM target_alias a WHERE a.target_id = t.id),
                []) AS aliases
FROM target t
JOIN region r ON r.code = t.region_code
JOIN indicator i ON i.id = t.indicator_id
JOIN document d ON d.id = t.document_id
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def list_targets(con: duckdb.DuckDBPyConnection, flt: TargetFilter | None = None) -> list[dict[str, Any]]:
    where, params = (flt or TargetFilter()).where(con)
    sql = f"{REGION_TREE}{TARGET_SELECT} WHERE {where} ORDER BY t.document_id, t.id"  # sql: vetted (where: code clauses, values as $params)
    return _rows(con, sql, params)


def resolve_target_id(con: duckdb.DuckDBPyConnection, target_id: str) -> str | None:
    """The id of the target ``target_id`` names: itself, or the target a merged id became."""
    row = con.execute(
        "SELECT id FROM target WHERE id = $id UNION ALL "
        "SELECT target_id FROM target_alias WHERE alias_id = $id LIMIT 1",
        {"id": target_id.strip()},
    ).fetchone()
    return str(row[0]) if row else None


def target_statements(con: duckdb.DuckDBPyConnection, target_id: str) -> list[dict[str, Any]]:
    """Every sentence that states the target, the primary one first."""
    return _rows(
        con,
        "SELECT s.document, d.title_zh AS document_title, s.section, s.quote, s.line, s.kind, "
        "s.is_primary, s.merged_from, d.file AS document_file FROM target_statement s "
        "JOIN document d ON d.id = s.document WHERE s.target_id = $id "
        "ORDER BY s.is_primary DESC, s.document, s.line NULLS LAST",
        {"id": target_id},
    )


def get_target(con: duckdb.DuckDBPyConnection, target_id: str) -> dict[str, Any] | None:
    """One target with its statements; a merged (alias) id resolves to the target it became
    (``requested_id`` keeps what was asked for)."""
    resolved = resolve_target_id(con, target_id)
    if resolved is None:
        return None
    rows = _rows(con, f"{TARGET_SELECT} WHERE t.id = $id", {"id": resolved})  # sql: vetted (constant)
    if not rows:
        return None
    row = rows[0]
    row["requested_id"] = target_id.strip()
    row["statements"] = target_statements(con, resolved)
    return row


def get_instrument(con: duckdb.DuckDBPyConnection, instrument_id: str) -> dict[str, Any] | None:
    """One policy instrument by its id, or by the id of the target record it was."""
    rows = _rows(
        con,
        "SELECT n.*, d.title_zh AS document_title, r.name_zh AS region_name FROM instrument n "
        "JOIN document d ON d.id = n.document_id JOIN region r ON r.code = n.region_code "
        "WHERE n.id = $id OR n.former_id = $id",
        {"id": instrument_id.strip()},
    )
    return rows[0] if rows else None


def list_instruments(con: duckdb.DuckDBPyConnection, document: str | None = None) -> list[dict[str, Any]]:
    """The policy instruments, optionally of one document ("003" includes 003-4.x)."""
    return _rows(
        con,
        "SELECT n.*, d.title_zh AS document_title, r.name_zh AS region_name FROM instrument n "
        "JOIN document d ON d.id = n.document_id JOIN region r ON r.code = n.region_code "
        "WHERE $doc IS NULL OR n.document_id = $doc OR n.document_id LIKE $doc || '-%' "
        "ORDER BY n.document_id, n.id",
        {"doc": document},
    )


COMPARISON_EN = {
    Comparison.AT_MOST: "at most", Comparison.AT_LEAST: "at least", Comparison.RANGE: "between",
    Comparison.REDUCE_BY_PCT: "down by (%)", Comparison.INCREASE_BY_PCT: "up by (%)",
    Comparison.REDUCE_BY_POINTS: "down by (points)", Comparison.INCREASE_BY_POINTS: "up by (points)",
    Comparison.REDUCE_BY_AMOUNT: "down by", Comparison.INCREASE_BY_AMOUNT: "up by",
    Comparison.ELIMINATE: "eliminate", Comparison.CLASS_OR_BETTER: "class or better",
    Comparison.RANK_OUTSIDE_BOTTOM: "out of the bottom", Comparison.QUALITATIVE: "qualitative",
}


def describe_target_en(row: dict[str, Any]) -> str:
    """The English reading of a target, e.g. ``2025: at most 38 µg/m³ (base year 2020)``."""
    from ecozone.vocabulary import unit_en, worded_en

    comp = Comparison(row["comparison"])
    value = row["target_value"]
    if comp is Comparison.QUALITATIVE or (value is None and comp is not Comparison.ELIMINATE):
        return f"{row['target_year']}: {worded_en(row['target_text'] or '')}".strip()
    number = f"{value:g}" if value is not None else "0"
    if comp is Comparison.RANGE:
        number += f"–{row['target_value_max']:g}"
    base = f" (base year {row['baseline_year']})" if row.get("baseline_year") else ""
    return f"{row['target_year']}: {COMPARISON_EN[comp]} {number} {unit_en(row['unit'])}{base}"


def describe_target(row: dict[str, Any]) -> str:
    """A one-line Chinese reading of a target, e.g. ``2025年 不高于 38 µg/m³``."""
    comp = Comparison(row["comparison"])
    value = row["target_value"]
    if comp is Comparison.QUALITATIVE or (value is None and comp is not Comparison.ELIMINATE):
        return f"{row['target_year']}年 {row['target_text'] or ''}".strip()
    number = f"{value:g}" if value is not None else "0"
    if comp is Comparison.RANGE:
        number += f"–{row['target_value_max']:g}"
    base = f"（基准年{row['baseline_year']}）" if row.get("baseline_year") else ""
    return f"{row['target_year']}年 {COMPARISON_ZH[comp]} {number} {row['unit']}{base}"


def plan_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each document with the targets it states, by the kind it gives them, and by domain.

    A target restated in several documents counts in each; its kind in a document is the
    strongest its statements there mark (a body sentence that repeats another plan's binding
    row marks nothing), so the binding and expected counts are the plan's own.
    """
    sql = """
    WITH sd AS (
        SELECT s.target_id, s.document,
               min(CASE s.kind WHEN 'binding' THEN 0 WHEN 'expected' THEN 1 WHEN 'strive' THEN 2 ELSE 3 END) AS k,
               count(*) AS n
        FROM target_statement s GROUP BY ALL
    )
    SELECT d.id AS document, d.title_zh AS title, d.title_en, d.scope, r.name_zh AS scope_name,
           r.name_en AS scope_name_en,
           count(sd.target_id) AS targets,
           count(sd.target_id) FILTER (WHERE sd.k = 0) AS binding,
           count(sd.target_id) FILTER (WHERE sd.k = 1) AS expected,
           count(sd.target_id) FILTER (WHERE sd.k = 2) AS strive,
           count(sd.target_id) FILTER (WHERE sd.k = 3) AS unstated,
           coalesce(sum(sd.n), 0) AS statements,
           (SELECT count(*) FROM instrument n WHERE n.document_id = d.id) AS instruments,
           (SELECT count(*) FROM observation_current o
             WHERE o.source_type = 'plan' AND o.quality_flag <> 'withdrawn'
               AND o.document_id = d.id) AS achieved,
           (SELECT string_agg(domain || ':' || n, ' ' ORDER BY n DESC, domain) FROM (
               SELECT i.domain, count(DISTINCT s2.target_id) AS n FROM target_statement s2
               JOIN target t2 ON t2.id = s2.target_id JOIN indicator i ON i.id = t2.indicator_id
               WHERE s2.document = d.id GROUP BY i.domain)) AS by_domain,
           (SELECT string_agg(name_zh || n, ' ' ORDER BY n DESC, domain) FROM (
               SELECT i.domain, coalesce(dm.name_zh, i.domain) AS name_zh, count(DISTINCT s2.target_id) AS n
               FROM target_statement s2 JOIN target t2 ON t2.id = s2.target_id
               JOIN indicator i ON i.id = t2.indicator_id LEFT JOIN domain dm ON dm.id = i.domain
               WHERE s2.document = d.id GROUP BY ALL)) AS by_domain_zh,
           (SELECT string_agg(name_en || ' ' || n, ', ' ORDER BY n DESC, domain) FROM (
               SELECT i.domain, coalesce(dm.name_en, i.domain) AS name_en, count(DISTINCT s2.target_id) AS n
               FROM target_statement s2 JOIN target t2 ON t2.id = s2.target_id
               JOIN indicator i ON i.id = t2.indicator_id LEFT JOIN domain dm ON dm.id = i.domain
               WHERE s2.document = d.id GROUP BY ALL)) AS by_domain_en
    FROM document d
    JOIN region r ON r.code = d.scope
    LEFT JOIN sd ON sd.document = d.id
    GROUP BY ALL
    ORDER BY d.id
    """
    return _rows(con, sql, {})


@dataclass(frozen=True)
class ObservationFilter:
    region: str | None = None
    with_children: bool = False
    domain: str | None = None
    year: int | None = None
    indicator: str | None = None
    source_type: str | None = None
    document: str | None = None
    include_superseded: bool = False


def list_observations(con: duckdb.DuckDBPyConnection, flt: ObservationFilter | None = None) -> list[dict[str, Any]]:
    flt = flt or ObservationFilter()
    clauses: list[str] = ["TRUE"]
    params: dict[str, Any] = {}
    if flt.region:
        params["region"] = resolve_region(con, flt.region)
        clauses.append(
            "o.region_code IN (SELECT code FROM region_tree WHERE root = $region)"
            if flt.with_children
            else "o.region_code = $region"
        )
    for key, column in (("domain", "i.domain"), ("year", "o.year"), ("indicator", "o.indicator_id"), ("source_type", "o.source_type")):
        if (value := getattr(flt, key)) is not None:
            clauses.append(f"{column} = ${key}")
            params[key] = value
    if flt.document:
        clauses.append("(o.document_id = $doc OR o.document_id LIKE $doc || '-%')")
        params["doc"] = flt.document
    table = "observation" if flt.include_superseded else "observation_current"
    # sql: vetted (table: one of two names; filters: code clauses with $params)
    sql = f"""{REGION_TREE}
    SELECT o.obs_id, o.region_code, r.name_zh AS region_name, r.name_en AS region_name_en, o.indicator_id,
           i.name_zh AS indicator_name, i.name_en AS indicator_name_en, i.domain, o.period, o.year, o.measure, o.base_year,
           o.value, o.value_text, o.unit, o.source_type, o.source_id, o.source_detail, o.document_id,
           o.quote,
           o.method, o.method_version, o.quality_flag, o.note, o.recorded_at, o.recorded_by,
           o.supersedes, o.reason
    FROM {table} o
    JOIN region r ON r.code = o.region_code
    JOIN indicator i ON i.id = o.indicator_id
    WHERE {' AND '.join(clauses)}
    ORDER BY o.indicator_id, o.region_code, o.year, o.obs_id
    """
    return _rows(con, sql, params)
