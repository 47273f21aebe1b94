"""Surface-water service: import section results, assess sections, shares, CWQI, observations.

One function per user-visible verb, shared by the CLI, the API and the notebook API.  The
rules live in :mod:`ecozone.standards.water`; here only reading the store, arranging arrays and
writing observations.  The same functions serve the persistent store and the file-only mode
(an in-memory store with the same schema, :func:`memory_store`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecozone.errors import InputError, clip
from ecozone.ingest.common import Issue, file_sha256
from ecozone.ingest.stations import region_names
from ecozone.ingest.water import WaterRead, read_file, rejected
from ecozone.standards.water import CWQI_METHOD, METHOD, METHOD_VERSION, assessment, cwqi, gb3838, tli
from ecozone.store.db import connect, transaction
from ecozone.store.observations import WriteResult, write_observations
from ecozone.water.registry import (
    ensure_packaged_sections,
    find_section,
    list_sections,
    packaged_sections,
    read_section_file,
    upsert_sections,
)

# the registry's verbs are part of this service's surface (CLI, API, notebook)
__all__ = [
    "ImportSummary", "RecordResult", "assess", "cwqi_cities", "cwqi_sections", "ensure_packaged_sections",
    "find_section", "group_class", "import_files", "input_files", "list_sections", "memory_store",
    "monthly_classes", "observations_table", "packaged_sections", "period_means", "published_class_check",
    "read_inputs", "read_section_file", "record", "summary", "upsert_sections",
]

PROVINCE = "130000"


# ---------------------------------------------------------------- import


@dataclass
class ImportSummary:
    files: int = 0
    rows_read: int = 0
    samples_added: int = 0
    samples_unchanged: int = 0
    sections_registered: int = 0
    batch_ids: list[int] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def read_inputs(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], fmt: str | None = None,
                year: int | None = None) -> list[WaterRead]:
    """Read and check every file; raise :class:`InputError` listing every error of all files."""
    results = []
    for p in paths:
        try:
            results.append(read_file(con, p, fmt, year=year))
        except (ValueError, OSError) as exc:
            raise InputError(f"无法读取：{clip(exc, 200)}", f"cannot read: {clip(exc, 200)}", file=str(p)) from exc
    errors = [i for r in results for i in r.errors]
    if errors:
        raise rejected(errors)
    return results


def _resolve_sections(con: duckdb.DuckDBPyConnection, r: WaterRead) -> tuple[WaterRead, list[Issue]]:
    """Map names to registry codes (files that carry only names), check water types, find new sections."""
    known = {row[0]: row for row in
             con.execute("SELECT code, name_zh, water_type, region_code FROM water_section").fetchall()}
    by_name = {row[1]: row[0] for row in known.values()}
    issues: list[Issue] = []
    if r.format == "cnemc":
        names = r.sections.column("section").to_pylist()
        keys = pa.array(names, pa.string())
        codes = pa.array([by_name.get(n, n) for n in names], pa.string())
        r.samples = r.samples.set_column(0, "section", pc.take(codes, pc.index_in(r.samples.column("section"), keys)))
        r.sections = r.sections.set_column(0, "section", codes)
    for s in r.sections.to_pylist():  # the sections of one file: a handful of records
        reg = known.get(s["section"])
        if reg is not None and s["water_type"] and s["water_type"] != reg[2]:
            issues.append(Issue(r.file, s["line"], "water_type", s["water_type"],
                                f"section {s['section']} is registered as {reg[2]} / 与断面登记的水体类型不一致", "error"))
        if reg is not None and s["region_code"] and reg[3] and s["region_code"] != reg[3]:
            issues.append(Issue(r.file, s["line"], "region", s["region_code"],
                                f"section {s['section']} is registered in {reg[3]}: the registry is kept "
                                "(change it with ecozone water sections import) / 与断面登记的城市不同，按登记", "warning"))
        if reg is None and not s["water_type"]:
            issues.append(Issue(r.file, s["line"], "water_type", None,
                                f"section {s['section']} is not registered and the file gives no water type: "
                                "read as river / 未登记断面，按河流处理", "warning"))
    return r, issues


def published_class_check(r: WaterRead, lakes: set[str]) -> list[Issue]:
    """Warnings where a file's published class (水质类别) differs from GB 3838 on the same row.

    The national release classifies each sample on its measured items; a difference means a
    value the release corrected, a lake read as a river, or a rule read differently — worth a look.
    """
    if not r.published or r.samples.num_rows == 0:
        return []
    lines = r.samples.column("line").to_numpy()
    items = np.array(r.samples.column("item").to_pylist(), dtype=object)
    values = r.samples.column("value").to_numpy()
    lake = np.isin(np.array(r.samples.column("section").to_pylist(), dtype=object), list(lakes))
    cls = np.full(len(values), np.nan)
    for item in assessment.CLASS_ITEMS:  # one vectorised pass per item
        for wt, mask in (("river", ~lake), ("lake", lake)):
            sel = (items == item) & mask
            if sel.any():
                cls[sel] = gb3838.item_class(item, values[sel], wt)
    ok = ~np.isnan(cls)
    uniq, inv = np.unique(lines[ok], return_inverse=True)
    worst = np.zeros(len(uniq))
    np.maximum.at(worst, inv, cls[ok])
    out = []
    for line, mine in zip(uniq.tolist(), worst.tolist(), strict=True):  # the differing rows only
        pub = r.published.get(int(line))
        if pub is not None and int(mine) != pub:
            out.append(Issue(r.file, int(line), "水质类别", gb3838.CLASS_CODES[pub - 1],
                             f"published class {gb3838.CLASS_CODES[pub - 1]}, GB 3838 on the row's items gives "
                             f"{gb3838.CLASS_CODES[int(mine) - 1]} / 发布类别与按标准计算不一致", "warning"))
    return out


def import_files(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], fmt: str | None = None, *,
                 year: int | None = None) -> ImportSummary:
    """Read, check and store ``paths`` as one transaction: all files or none.

    Sections the registry lacks are registered from what the file says (name, water type,
    city, level); a section whose water type contradicts the registry is an error.
    """
    with transaction(con):
        ensure_packaged_sections(con)
    results = read_inputs(con, paths, fmt, year)
    summary = ImportSummary(files=len(results))
    with transaction(con):
        issues: list[Issue] = []
        for i, r in enumerate(results):
            results[i], found = _resolve_sections(con, r)
            issues += found
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise rejected(errors)
        lakes = {c for (c,) in con.execute("SELECT code FROM water_section WHERE water_type = 'lake'").fetchall()}
        for r in results:
            issues += published_class_check(r, lakes)
        new_sections: dict[str, dict[str, Any]] = {}
        for r in results:
            for s in r.sections.to_pylist():
                new_sections.setdefault(s["section"], {
                    "code": s["section"], "name_zh": s["name"] or s["section"], "water_type": s["water_type"] or "river",
                    "region_code": s["region_code"], "level": s["level"], "basin": s["basin"], "river": s["river"],
                    "groups": [], "source": r.file})
        summary.sections_registered = upsert_sections(con, list(new_sections.values()), replace=False)
        for r in results:
            _store_one(con, r, summary)
        summary.warnings = [i for r in results for i in r.issues if i.severity == "warning"] + issues
    return summary


def _store_one(con: duckdb.DuckDBPyConnection, r: WaterRead, summary: ImportSummary) -> None:
    batch = int(con.execute("SELECT nextval('water_import_batch_seq')").fetchall()[0][0])
    incoming = r.samples  # noqa: F841 - replacement scan
    conflicts = con.execute(
        "SELECT i.line, i.section, i.sampled_at, i.item, i.raw, s.raw, b.file, s.source_row FROM incoming i "
        "JOIN water_sample s ON s.section_code = i.section AND s.sampled_at = i.sampled_at AND s.item = i.item "
        "JOIN water_import_batch b ON b.batch_id = s.batch_id WHERE s.value IS DISTINCT FROM i.value "
        "ORDER BY i.line LIMIT 1000").fetchall()
    if conflicts:
        raise rejected([Issue(r.file, int(line), "value", f"{sec} {when} {item} = {raw}",
                               f"differs from the stored {old} of {file}:{src} / 与已入库数值不同", "error")
                         for line, sec, when, item, raw, old, file, src in conflicts])
    counted = con.execute(
        "SELECT count(*) FILTER (WHERE s.item IS NULL), count(*) FILTER (WHERE s.item IS NOT NULL) FROM incoming i "
        "LEFT JOIN water_sample s ON s.section_code = i.section AND s.sampled_at = i.sampled_at AND s.item = i.item"
    ).fetchall()[0]
    added, unchanged = int(counted[0]), int(counted[1])
    path = Path(r.file)
    con.execute("INSERT INTO water_import_batch (batch_id, file, file_sha256, format, rows_read, samples_added, "
                "samples_unchanged) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [batch, r.file, file_sha256(path), r.format, r.rows_read, added, unchanged])
    con.execute(
        "INSERT INTO water_sample SELECT i.section, i.sampled_at, i.month_only, i.item, i.value, i.below_dl, i.raw, ?, "
        "i.line FROM incoming i ANTI JOIN water_sample s ON s.section_code = i.section "
        "AND s.sampled_at = i.sampled_at AND s.item = i.item", [batch])
    summary.rows_read += r.rows_read
    summary.samples_added += added
    summary.samples_unchanged += unchanged
    summary.batch_ids.append(batch)


def memory_store(paths: Sequence[Path], fmt: str | None = None, *,
                 year: int | None = None) -> tuple[duckdb.DuckDBPyConnection, ImportSummary]:
    """File-only mode: an in-memory store with the files imported (same checks as the store)."""
    con = connect(":memory:")
    try:
        summary = import_files(con, paths, fmt, year=year)
    except BaseException:
        con.close()
        raise
    return con, summary


# ---------------------------------------------------------------- assessment


@dataclass
class Means:
    """Period means arranged as a section × item matrix."""

    sections: list[str]
    items: tuple[str, ...]
    values: np.ndarray          # (sections, items) mean concentration, NaN = not measured
    months: np.ndarray          # (sections,) months with a result of a class item
    below_dl: np.ndarray        # (sections, items) every result was below the detection limit
    meta: list[dict[str, Any]]  # registry record per section


ALL_ITEMS = tuple(gb3838.ITEMS)


def period_means(con: duckdb.DuckDBPyConnection, year: int, months: tuple[int, int] = (1, 12),
                 sections: Sequence[str] | None = None) -> Means:
    """Arithmetic means of the period's monthly values (several results in a month averaged first)."""
    chosen = list(sections) if sections else None  # None: every section
    # a cursor of its own: the caller's connection may hold a half-read result (a shared API cursor)
    with con.cursor() as cur:
        table = cur.sql(
            "WITH m AS (SELECT section_code, date_trunc('month', sampled_at) AS month, item, avg(value) AS v, "
            "bool_and(below_dl) AS bdl FROM water_sample WHERE year(sampled_at) = ? "
            "AND month(sampled_at) BETWEEN ? AND ? "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], section_code)) GROUP BY ALL) "
            "SELECT section_code, item, avg(v) AS mean, bool_and(bdl) AS bdl FROM m GROUP BY ALL",
            params=[year, months[0], months[1], chosen, chosen]).to_arrow_table()
    month_counts = con.execute(
        "SELECT section_code, count(DISTINCT date_trunc('month', sampled_at)) FROM water_sample "
        "WHERE year(sampled_at) = ? AND month(sampled_at) BETWEEN ? AND ? AND list_contains(?::VARCHAR[], item) "
        "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], section_code)) GROUP BY 1",
        [year, months[0], months[1], list(assessment.CLASS_ITEMS), chosen, chosen]).fetchall()
    codes = sorted(set(table.column("section_code").to_pylist()))
    pos = {c: i for i, c in enumerate(codes)}
    ipos = {it: j for j, it in enumerate(ALL_ITEMS)}
    values = np.full((len(codes), len(ALL_ITEMS)), np.nan)
    bdl = np.zeros((len(codes), len(ALL_ITEMS)), dtype=bool)
    r = np.array([pos[c] for c in table.column("section_code").to_pylist()], dtype=np.intp)
    c = np.array([ipos[i] for i in table.column("item").to_pylist()], dtype=np.intp)
    values[r, c] = table.column("mean").to_numpy(zero_copy_only=False)
    bdl[r, c] = table.column("bdl").to_numpy(zero_copy_only=False)
    n_months = np.zeros(len(codes), dtype=np.int64)
    for code, n in month_counts:
        n_months[pos[code]] = n
    return Means(codes, ALL_ITEMS, values, n_months, bdl, _section_meta(con, codes, year))


def _section_meta(con: duckdb.DuckDBPyConnection, codes: list[str], year: int) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT s.*, (SELECT arg_max(t.target_class, t.year) FROM water_section_target t "
        "WHERE t.code = s.code AND t.year <= ?) AS target_class FROM water_section s "
        "WHERE s.code IN (SELECT unnest(?::VARCHAR[]))", [year, codes])
    names = [d[0] for d in cur.description]
    recs = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    return [recs.get(c, {"code": c, "name_zh": c, "water_type": "river", "groups": []}) for c in codes]


@dataclass
class Classes:
    """Item classes, section classes, exceedance multiples of a :class:`Means`."""

    item_classes: np.ndarray   # (sections, items), NaN where not classed
    section_class: np.ndarray  # (sections,)
    multiples: np.ndarray      # (sections, items)


def classify(m: Means) -> Classes:
    """GB 3838 item classes and the single-factor section class (rivers and lakes by their limits)."""
    lake = np.array([r.get("water_type") == "lake" for r in m.meta], dtype=bool)
    cls = np.full(m.values.shape, np.nan)
    mul = np.full(m.values.shape, np.nan)
    for j, item in enumerate(m.items):  # one vectorised pass per item column
        for wt, mask in (("river", ~lake), ("lake", lake)):
            if not mask.any() or not gb3838.is_classed(item, wt):
                continue
            cls[mask, j] = gb3838.item_class(item, m.values[mask, j], wt)
            mul[mask, j] = assessment.exceedance_multiple(item, m.values[mask, j], wt)
    counted = [j for j, it in enumerate(m.items) if it in assessment.CLASS_ITEMS]
    section = assessment.section_class(cls[:, counted]) if m.sections else np.zeros(0)
    return Classes(cls, section, mul)


def _period_label(year: int, months: tuple[int, int]) -> str:
    return str(year) if months == (1, 12) else f"{year}-{months[0]:02d}" + (
        "" if months[0] == months[1] else f"..{months[1]:02d}")


def assess(con: duckdb.DuckDBPyConnection, year: int, months: tuple[int, int] = (1, 12),
           sections: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Per section: class, label, description, exceeding items with multiples, main pollutants,
    months, target class and whether it is met; lakes also TN class and TLI."""
    m = period_means(con, year, months, sections)
    if not m.sections:
        return []
    return _assessed(m, year, months, [_period_label(year, months)] * len(m.sections))


def _assessed(m: Means, year: int, months: tuple[int, int], periods: list[str]) -> list[dict[str, Any]]:
    """The assessment records of the rows of ``m`` (sections of a period, or months of a section)."""
    c = classify(m)
    counted = [j for j, it in enumerate(m.items) if it in assessment.CLASS_ITEMS]
    counted_items = tuple(m.items[j] for j in counted)
    order, valid = assessment.main_pollutants(counted_items, c.item_classes[:, counted], c.multiples[:, counted])
    tn_j, fc_j = m.items.index("tn"), m.items.index("fecal_coliform")
    chla = {k: m.values[:, m.items.index(k)] for k in tli.ITEMS}
    tli_value, tli_n = tli.tli(chla)
    grades = tli.grade(tli_value)
    codes = gb3838.class_code(c.section_class)
    labels = gb3838.class_label(c.section_class)
    rows = []
    for i in range(len(m.sections)):  # output records, one per row of the matrix
        meta = m.meta[i]
        code = meta.get("code")
        exceeding = [
            {"item": m.items[j], "class": gb3838.CLASS_CODES[int(c.item_classes[i, j]) - 1],
             "multiple": None if np.isnan(c.multiples[i, j]) else round(float(c.multiples[i, j]), 2)}
            for j in counted if c.item_classes[i, j] > 3]
        main = [counted_items[k] for k, ok in zip(order[i], valid[i], strict=True) if ok]
        lake = meta.get("water_type") == "lake"
        target = meta.get("target_class")
        sc = c.section_class[i]
        level = meta.get("level")
        enough = int(m.months[i]) >= assessment.min_results(months[1] - months[0] + 1, level)
        rows.append({
            "section": code, "name": meta.get("name_zh"), "water_type": meta.get("water_type"),
            "region": meta.get("region_code"), "region_name": region_names().get(meta.get("region_code") or "", None),
            "basin": meta.get("basin"), "level": meta.get("level"), "groups": list(meta.get("groups") or []),
            "drinking_source": bool(meta.get("drinking_source")),
            "year": year, "period": periods[i], "class": codes[i], "class_number": None if np.isnan(sc) else int(sc),
            "class_label": labels[i],
            "quality": None if np.isnan(sc) else assessment.CLASS_QUALITY[int(sc)].zh,
            "quality_en": None if np.isnan(sc) else assessment.CLASS_QUALITY[int(sc)].en,
            "exceeding": exceeding,
            "main_pollutants": main,
            "samples": int(m.months[i]), "enough_samples": enough,
            "target_class": None if target is None else gb3838.CLASS_CODES[int(target) - 1],
            "meets_target": None if target is None or np.isnan(sc) else bool(sc <= target),
            "tn_class": (gb3838.class_code([c.item_classes[i, tn_j]])[0] if lake else None),
            "fecal_coliform_class": gb3838.class_code([c.item_classes[i, fc_j]])[0],
            "tli": None if not lake or np.isnan(tli_value[i]) else round(float(tli_value[i]), 1),
            "tli_items": int(tli_n[i]) if lake else None,
            "trophic_state": _grade(grades[i], "zh") if lake else None,
            "trophic_state_en": _grade(grades[i], "en") if lake else None,
            "means": {m.items[j]: float(m.values[i, j]) for j in range(len(m.items)) if not np.isnan(m.values[i, j])},
        })
    return rows


def _grade(g: tli.Grade | None, lang: str) -> str | None:
    return None if g is None else (g.en if lang == "en" else g.zh)


def monthly_classes(con: duckdb.DuckDBPyConnection, section: str, year: int) -> list[dict[str, Any]]:
    """One section's class month by month (the section page): one query, the months as rows."""
    with con.cursor() as cur:  # see period_means
        table = cur.sql(
            "SELECT month(sampled_at) AS month, item, avg(value) AS mean, bool_and(below_dl) AS bdl FROM water_sample "
            "WHERE section_code = ? AND year(sampled_at) = ? GROUP BY ALL", params=[section, year]).to_arrow_table()
    months = sorted(set(table.column("month").to_pylist()))
    if not months:
        return []
    pos = {mo: i for i, mo in enumerate(months)}
    ipos = {it: j for j, it in enumerate(ALL_ITEMS)}
    values = np.full((len(months), len(ALL_ITEMS)), np.nan)
    bdl = np.zeros(values.shape, dtype=bool)
    r = np.array([pos[mo] for mo in table.column("month").to_pylist()], dtype=np.intp)
    c = np.array([ipos[i] for i in table.column("item").to_pylist()], dtype=np.intp)
    values[r, c] = table.column("mean").to_numpy(zero_copy_only=False)
    bdl[r, c] = table.column("bdl").to_numpy(zero_copy_only=False)
    meta = _section_meta(con, [section], year)[0]
    labels = [f"{year}-{mo:02d}" for mo in months]
    m = Means(labels, ALL_ITEMS, values, np.ones(len(months), dtype=np.int64), bdl, [meta] * len(months))
    rows = _assessed(m, year, (1, 1), labels)
    return [{"month": r["period"], "class": r["class"], "class_label": r["class_label"], "exceeding": r["exceeding"],
             "main_pollutants": r["main_pollutants"], "means": r["means"]} for r in rows]


# ---------------------------------------------------------------- shares


GROUPINGS = ("all", "region", "basin", "level", "group")


def _group_keys(row: dict[str, Any], by: str) -> list[str]:
    if by == "region":
        return [row["region"] or "?"]
    if by == "basin":
        return [row["basin"] or "?"]
    if by == "level":
        return [row["level"] or "?"]
    if by == "group":
        return list(row["groups"]) or []
    return ["all"]


def summary(con: duckdb.DuckDBPyConnection, year: int, by: str = "all", months: tuple[int, int] = (1, 12),
            levels: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Shares of sections at Ⅰ-Ⅲ and 劣Ⅴ (counts too) and the description, per group.

    Fewer than 5 sections: the description comes from the class of the sections' mean
    concentrations (method 二(一)2); 5 or more: from the shares (Table 2).
    """
    if by not in GROUPINGS:
        raise InputError(f"--by 须为 {', '.join(GROUPINGS)}", f"--by must be one of {', '.join(GROUPINGS)}", value=by)
    rows = assess(con, year, months)
    if levels:
        rows = [r for r in rows if r["level"] in levels]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        for k in _group_keys(r, by):
            groups.setdefault(k, []).append(r)
    names = region_names()
    out = []
    for key, members in sorted(groups.items()):  # one record per group
        classes = np.array([np.nan if r["class_number"] is None else r["class_number"] for r in members], dtype=float)
        shares = assessment.class_shares(classes)
        quality, method, mean_class = _description(members, shares)
        out.append({
            "group": key, "group_name": names.get(key, key) if by in ("region", "group") else key, "by": by,
            "year": year, "period": _period_label(year, months), **shares,
            "quality": quality.zh if quality else None, "quality_en": quality.en if quality else None,
            "description_method": method, "mean_class": mean_class,
            **_lake_tli(members),
            "main_pollutants": _group_main(members),
            "sections_list": [r["section"] for r in members],
            "incomplete": [r["section"] for r in members if not r["enough_samples"]],
        })
    return out


def _description(members: list[dict[str, Any]], shares: dict[str, Any]) -> tuple[assessment.Quality | None, str, str | None]:
    lakes = all(r["water_type"] == "lake" for r in members)  # a lake's points: always the mean (二(二))
    if shares["sections"] >= assessment.SHARE_METHOD_MIN_SECTIONS and not lakes:
        return assessment.share_quality([shares["share_good"]], [shares["share_worse_v"]])[0], "shares", None
    if not shares["sections"]:
        return None, "none", None
    cls = group_class(members)
    if cls is None:
        return None, "mean", None
    return assessment.CLASS_QUALITY[cls], "mean", gb3838.CLASS_CODES[cls - 1]


def _group_main(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The group's main pollutants by section exceedance rate (sections × items above class Ⅲ)."""
    above = [{e["item"] for e in r["exceeding"]} for r in members]
    matrix = [[item in a for item in assessment.CLASS_ITEMS] for a in above]
    return [{"item": item, "exceedance_rate": round(rate, 1)}
            for item, rate in assessment.group_main_pollutants(matrix, assessment.CLASS_ITEMS)]


def _lake_tli(members: list[dict[str, Any]]) -> dict[str, Any]:
    """TLI(Σ) of a lake from its points' mean concentrations (二(二)); empty for rivers."""
    if not members or not all(r["water_type"] == "lake" for r in members):
        return {"tli": None, "trophic_state": None, "trophic_state_en": None}
    means = {k: [float(np.mean([r["means"][k] for r in members if k in r["means"]]))]
             for k in tli.ITEMS if any(k in r["means"] for r in members)}
    if not means:
        return {"tli": None, "trophic_state": None, "trophic_state_en": None}
    value, _ = tli.tli(means)
    return {"tli": None if np.isnan(value[0]) else round(float(value[0]), 1),
            "trophic_state": _grade(tli.grade(value)[0], "zh"), "trophic_state_en": _grade(tli.grade(value)[0], "en")}


def group_class(members: list[dict[str, Any]]) -> int | None:
    """Class of the mean concentrations of ``members`` (a lake's points, or a river with < 5 sections)."""
    items = sorted({k for r in members for k in r["means"]})
    wt = "lake" if all(r["water_type"] == "lake" for r in members) else "river"
    vals = np.array([[r["means"].get(k, np.nan) for k in items] for r in members], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item no member measured: NaN, skipped
        mean = np.nanmean(vals, axis=0) if len(members) else np.zeros(0)
    cls = [gb3838.item_class(k, mean[j:j + 1], wt)[0] for j, k in enumerate(items)
           if k in assessment.CLASS_ITEMS and gb3838.is_classed(k, wt)]
    worst = assessment.section_class(np.array(cls, dtype=float)) if cls else np.nan
    return None if np.isnan(worst) else int(worst)


# ---------------------------------------------------------------- CWQI


def cwqi_sections(con: duckdb.DuckDBPyConnection, year: int, months: tuple[int, int] = (1, 12)) -> list[dict[str, Any]]:
    """Section (lake point) CWQI on the period means."""
    m = period_means(con, year, months)
    if not m.sections:
        return []
    lake = np.array([r.get("water_type") == "lake" for r in m.meta], dtype=bool)
    cols = [m.items.index(i) for i in cwqi.ITEMS]
    idx = np.full((len(m.sections), len(cols)), np.nan)
    for k, j in enumerate(cols):  # one vectorised pass per item
        item = m.items[j]
        idx[~lake, k] = cwqi.item_index(item, m.values[~lake, j], "river")
        idx[lake, k] = cwqi.item_index(item, m.values[lake, j], "lake")
    total, n = cwqi.section_cwqi(idx)
    cls = classify(m).section_class
    return [{"section": code, "name": m.meta[i].get("name_zh"), "water_type": m.meta[i].get("water_type"),
             "region": m.meta[i].get("region_code"), "year": year, "cwqi": float(total[i]), "items": int(n[i]),
             "class_number": None if np.isnan(cls[i]) else int(cls[i])}
            for i, code in enumerate(m.sections)]


def cwqi_cities(con: duckdb.DuckDBPyConnection, year: int, base_year: int | None = None,
                months: tuple[int, int] = (1, 12)) -> list[dict[str, Any]]:
    """City CWQI, its rank, and (with ``base_year``) ΔCWQI and the change rank."""
    def by_city(y: int) -> dict[str, dict[str, Any]]:
        secs = cwqi_sections(con, y, months)
        out: dict[str, dict[str, Any]] = {}
        for city in sorted({s["region"] for s in secs if s["region"]}):
            mine = [s for s in secs if s["region"] == city]
            res = cwqi.city_cwqi([s["cwqi"] for s in mine if s["water_type"] != "lake"],
                                 [s["cwqi"] for s in mine if s["water_type"] == "lake"])
            worst = max((s["class_number"] or 0) for s in mine)
            out[city] = {**res, "worst_class": worst, "sections": [s["section"] for s in mine]}
        return out

    now = by_city(year)
    base = by_city(base_year) if base_year else {}
    cities = sorted(now)
    values = np.array([now[c]["cwqi"] for c in cities], dtype=float)
    ranks = cwqi.rank(values)
    rows = []
    names = region_names()
    for i, city in enumerate(cities):
        rows.append({"city": city, "city_name": names.get(city, city), "year": year, **now[city],
                     "cwqi": round(float(values[i]), 4), "rank": None if np.isnan(ranks[i]) else int(ranks[i])})
    if base_year:
        b = np.array([base.get(c, {}).get("cwqi", np.nan) for c in cities], dtype=float)
        delta = cwqi.change(values, b)
        joins = cwqi.in_change_ranking(np.array([now[c]["worst_class"] for c in cities], dtype=float),
                                       np.array([base.get(c, {}).get("worst_class", np.nan) for c in cities], dtype=float))
        ranked = np.where(joins, delta, np.nan)
        change_rank = cwqi.rank(ranked)
        for i, r in enumerate(rows):
            r.update({"base_year": base_year, "base_cwqi": None if np.isnan(b[i]) else round(float(b[i]), 4),
                      "change_pct": None if np.isnan(delta[i]) else round(float(delta[i]), 2),
                      "in_change_ranking": bool(joins[i]),
                      "change_rank": None if np.isnan(change_rank[i]) else int(change_rank[i])})
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["city"]))


# ---------------------------------------------------------------- observations


def input_files(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT b.file FROM water_import_batch b WHERE b.batch_id IN (SELECT DISTINCT batch_id "
        "FROM water_sample WHERE year(sampled_at) = ?) ORDER BY 1", [year]).fetchall()
    return [r[0] for r in rows]


#: share indicators: (indicator id, levels counted, share key of :func:`assessment.class_shares`)
#: ``None`` levels: every section, whatever its level; ``groups_only``: water bodies and groups only
SHARE_INDICATORS: tuple[tuple[str, tuple[str, ...] | None, str, bool], ...] = (
    ("water.national_provincial_section_good_ratio", ("national", "provincial"), "share_good", False),
    ("water.national_provincial_section_inferior_v_ratio", ("national", "provincial"), "share_worse_v", False),
    ("water.class_v_section_ratio", ("national", "provincial"), "share_v", False),  # class Ⅴ exactly
    ("water.national_section_good_ratio", ("national",), "share_good", False),
    ("water.national_section_inferior_v_ratio", ("national",), "share_worse_v", False),
    ("water.surface_good_ratio", None, "share_good", False),            # the network not stated
    ("water.inferior_v_section_ratio", None, "share_worse_v", True),    # one water body (蓟运河消除劣Ⅴ类)
)


def observations_table(con: duckdb.DuckDBPyConnection, year: int, inputs: Sequence[str]) -> pa.Table:
    """Section-group classes, region shares and city CWQI of ``year`` as observations."""
    rows_in = assess(con, year)
    detail = "inputs: " + "; ".join(inputs)
    base = {"period": str(year), "year": year, "source_type": "computed", "source_id": "ecozone.water",
            "source_detail": detail, "method_version": METHOD_VERSION}
    out: list[dict[str, Any]] = []

    def flag(members: list[dict[str, Any]]) -> dict[str, Any]:
        short = [r["section"] for r in members if not r["enough_samples"]]
        return {"quality_flag": "incomplete" if short else "ok",
                "note": f"fewer monthly results than the method asks: {', '.join(short)}" if short else None}

    # class of each water body / group the sections count toward (lake: mean of points; river < 5)
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows_in:
        for g in r["groups"]:
            groups.setdefault(g, []).append(r)
    for g, members in sorted(groups.items()):
        if len(members) >= assessment.SHARE_METHOD_MIN_SECTIONS and any(r["water_type"] != "lake" for r in members):
            continue  # a river group of 5+ sections is described by shares, not a class
        cls = group_class(members)
        if cls is not None:
            out.append({**base, "region_code": g, "indicator_id": "water.section_class", "value": float(cls),
                        "unit": "类别", "method": METHOD, **flag(members)})
    # shares per city, per group and for the province
    keyed: dict[str, list[dict[str, Any]]] = {}
    for r in rows_in:
        keys = [*(r["groups"]), *([r["region"]] if r["region"] else [])]
        if (r["region"] or "").startswith("13"):
            keys.append(PROVINCE)
        for k in keys:
            keyed.setdefault(k, []).append(r)
    group_codes = {g for r in rows_in for g in r["groups"]}
    for key, members in sorted(keyed.items()):
        for indicator, lv, share_key, groups_only in SHARE_INDICATORS:
            if groups_only and key not in group_codes:
                continue
            chosen = [r for r in members if lv is None or r["level"] in lv]
            if not chosen:
                continue
            shares = assessment.class_shares([r["class_number"] or np.nan for r in chosen])
            if not shares["sections"]:
                continue
            out.append({**base, "region_code": key, "indicator_id": indicator, "value": float(shares[share_key]),
                        "unit": "%", "method": METHOD, **flag(chosen)})
    # centralised drinking-water sources at class Ⅲ or better (GB 3838 Table 1 items only)
    sources: dict[str, list[dict[str, Any]]] = {}
    for r in rows_in:
        if r["drinking_source"] and r["class_number"] is not None:
            for k in [r["region"]] if r["region"] else []:
                sources.setdefault(k, []).append(r)
            if (r["region"] or "").startswith("13"):
                sources.setdefault(PROVINCE, []).append(r)
    for key, members in sorted(sources.items()):
        met = sum(1 for r in members if r["class_number"] <= assessment.DRINKING_SOURCE_CLASS)
        out.append({**base, "region_code": key, "indicator_id": "water.urban_drinking_source_compliance",
                    "value": 100.0 * met / len(members), "unit": "%", "method": METHOD,
                    "quality_flag": flag(members)["quality_flag"],
                    "note": "GB 3838-2002 Table 1 items only; Tables 2-3 (supplementary and specific items of "
                            "drinking-water sources) not assessed / 仅按表1基本项目评价"})
    for city in cwqi_cities(con, year):
        out.append({**base, "region_code": city["city"], "indicator_id": "water.cwqi", "value": float(city["cwqi"]),
                    "unit": "无量纲", "method": CWQI_METHOD, "quality_flag": "ok", "note": None})
    return pa.Table.from_pylist(out) if out else pa.table({})


@dataclass(frozen=True)
class RecordResult(WriteResult):
    """What :func:`record` wrote, and what it left out: region codes and indicator ids the
    catalogue does not define."""

    skipped_regions: tuple[str, ...] = ()
    skipped_indicators: tuple[str, ...] = ()


def record(con: duckdb.DuckDBPyConnection, year: int) -> RecordResult:
    """Write the year's values as observations (one transaction); tracking reads them.

    A value for a region or an indicator the catalogue lacks is not written; the codes come back
    in ``skipped_regions`` / ``skipped_indicators``.
    """
    table = observations_table(con, year, input_files(con, year))
    if table.num_rows == 0:
        return RecordResult(0, 0, 0)
    regions = {r[0] for r in con.execute("SELECT code FROM region").fetchall()}
    indicators = {r[0] for r in con.execute("SELECT id FROM indicator").fetchall()}
    codes = table.column("region_code").to_pylist()
    ids = table.column("indicator_id").to_pylist()
    keep = [c in regions and i in indicators for c, i in zip(codes, ids, strict=True)]
    skipped_regions = tuple(sorted(set(codes) - regions))
    skipped_indicators = tuple(sorted(set(ids) - indicators))
    table = table.filter(pa.array(keep, pa.bool_()))
    result = WriteResult(0, 0, 0)
    if table.num_rows:
        with transaction(con):
            result = write_observations(con, table, recorded_by="ecozone water",
                                        reason="recomputed from section data / 由断面数据重新计算")
    return RecordResult(result.added, result.superseded, result.unchanged, skipped_regions, skipped_indicators)
