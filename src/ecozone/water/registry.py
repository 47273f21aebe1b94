"""The surface-water section registry: code, name, river or lake, basin, city, level, groups,
target classes by year, drinking-water source flag.

The registry lives in the store (``water_section``, ``water_section_target``, migration 0009).
It is filled from the packaged ``data/water/sections.yaml`` (the sections the plans name), from
an editable CSV/Excel file (``ecozone water sections import``), and from what a data file says
about sections the registry lacks (on import).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from ecozone.errors import InputError, clip
from ecozone.ingest.common import Issue
from ecozone.ingest.stations import city_code
from ecozone.ingest.water import LEVEL_WORDS, WATER_TYPE_WORDS, rejected
from ecozone.standards.water import gb3838

SECTION_FIELDS = ("code", "name_zh", "name_en", "water_type", "river", "basin", "region_code", "level", "groups",
                  "drinking_source", "source", "note")


@cache
def packaged_sections() -> tuple[dict[str, Any], ...]:
    """The sections shipped in ``data/water/sections.yaml``."""
    text = (resources.files("ecozone") / "data" / "water" / "sections.yaml").read_text(encoding="utf-8")
    out = []
    for rec in yaml.safe_load(text) or []:
        out.append({"code": str(rec["code"]), "name_zh": rec["name_zh"], "name_en": rec.get("name_en"),
                    "water_type": rec["water_type"], "river": rec.get("river"), "basin": rec.get("basin"),
                    "region_code": str(rec["region"]) if rec.get("region") else None, "level": rec.get("level"),
                    "groups": [str(g) for g in rec.get("groups") or []],
                    "drinking_source": bool(rec.get("drinking_source", False)), "source": rec.get("source"),
                    "note": rec.get("note"),
                    "targets": {int(y): int(c) for y, c in (rec.get("targets") or {}).items()}})
    return tuple(out)


def upsert_sections(con: duckdb.DuckDBPyConnection, sections: Sequence[dict[str, Any]], *,
                    replace: bool = True) -> int:
    """Register sections (and their target classes); ``replace`` False keeps existing records."""
    if not sections:
        return 0
    types = {"groups": pa.list_(pa.string()), "drinking_source": pa.bool_()}
    table = pa.Table.from_pylist([{**{k: s.get(k) for k in SECTION_FIELDS}, "drinking_source": bool(s.get("drinking_source"))}
                                  for s in sections],
                                 schema=pa.schema([(k, types.get(k, pa.string())) for k in SECTION_FIELDS]))
    targets = pa.Table.from_pylist(
        [{"code": s["code"], "year": y, "target_class": c, "source": s.get("source")}
         for s in sections for y, c in (s.get("targets") or {}).items()],
        schema=pa.schema([("code", pa.string()), ("year", pa.int32()), ("target_class", pa.int32()),
                          ("source", pa.string())]))
    incoming, tg = table, targets  # noqa: F841 - replacement scans
    new = int(con.execute("SELECT count(*) FROM incoming i ANTI JOIN water_section s USING (code)").fetchall()[0][0])
    if replace:
        con.execute("DELETE FROM water_section WHERE code IN (SELECT code FROM incoming)")
        con.execute("DELETE FROM water_section_target WHERE code IN (SELECT code FROM tg)")
        con.execute(f"INSERT INTO water_section SELECT {', '.join(SECTION_FIELDS)} FROM incoming")  # sql: vetted (constant column list)
        con.execute("INSERT INTO water_section_target SELECT code, year, target_class, source FROM tg")
        return len(sections)
    con.execute(f"INSERT INTO water_section SELECT {', '.join(SECTION_FIELDS)} FROM incoming "  # sql: vetted (constant column list)
                "ANTI JOIN water_section s USING (code)")
    con.execute("INSERT INTO water_section_target SELECT code, year, target_class, source FROM tg "
                "ANTI JOIN water_section_target t USING (code, year)")
    return new


def ensure_packaged_sections(con: duckdb.DuckDBPyConnection) -> int:
    """Register the packaged sections the store lacks (edits made in the store are kept)."""
    return upsert_sections(con, list(packaged_sections()), replace=False)


def read_section_file(path: Path) -> list[dict[str, Any]]:
    """Sections from a CSV or Excel file: ``code,name_zh,water_type,region[,name_en,river,basin,
    level,groups,targets,drinking_source]``; ``groups`` separated by ``;``, ``targets`` as
    ``2025:3;2023:3``, ``drinking_source`` true/false (是/否).

    Raises :class:`InputError` naming the file, row and column of every problem.
    """
    from ecozone.ingest.water import _rows

    if not path.is_file():
        raise InputError(f"文件不存在：{clip(path)}", f"no such file: {clip(path)}", file=str(path))
    try:
        rows = _rows(path)
    except ValueError as exc:  # undecodable text, a broken workbook
        raise InputError(f"无法读取：{clip(exc, 200)}", f"cannot read: {clip(exc, 200)}", file=str(path)) from exc
    if not rows:
        raise InputError("空文件", "empty file", file=str(path))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("code", "name_zh", "water_type") if c not in header]
    if missing:
        raise InputError(f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}", file=str(path), row=1)
    out, problems = [], []
    for n, row in enumerate(rows[1:], start=2):  # a registry file: a few dozen records
        rec = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        if not any(rec.values()):
            continue
        wt = WATER_TYPE_WORDS.get(rec["water_type"].lower())
        level = LEVEL_WORDS.get(rec.get("level", "").lower()) if rec.get("level") else None
        region = city_code(rec["region"]) if rec.get("region") else None
        targets: dict[int, int] = {}
        for part in filter(None, (p.strip() for p in rec.get("targets", "").split(";"))):
            y, _, c = part.partition(":")
            cls = gb3838.parse_class(c)
            if not y.strip().isdigit() or cls is None or cls > 5:
                problems.append(Issue(str(path), n, "targets", part, "target must be YEAR:CLASS (1-5) / 目标类别格式错误", "error"))
                continue
            targets[int(y)] = cls
        if not rec["code"]:
            problems.append(Issue(str(path), n, "code", "", "missing section code / 缺少断面编码", "error"))
        if wt is None:
            problems.append(Issue(str(path), n, "water_type", rec["water_type"], "water_type must be river or lake / 水体类型错误", "error"))
        if rec.get("level") and level is None:
            problems.append(Issue(str(path), n, "level", rec["level"], "level must be national, provincial or municipal / 级别错误", "error"))
        if rec.get("region") and region is None:
            problems.append(Issue(str(path), n, "region", rec["region"], "unknown region / 未知地区", "error"))
        out.append({"code": rec["code"], "name_zh": rec["name_zh"], "name_en": rec.get("name_en") or None,
                    "water_type": wt, "river": rec.get("river") or None, "basin": rec.get("basin") or None,
                    "region_code": region, "level": level,
                    "groups": [g.strip() for g in rec.get("groups", "").split(";") if g.strip()],
                    "drinking_source": rec.get("drinking_source", "").lower() in ("1", "true", "yes", "是", "y"),
                    "source": str(path), "note": rec.get("note") or None, "targets": targets})
    if problems:
        raise rejected(problems)
    return out


def find_section(con: duckdb.DuckDBPyConnection, word: str) -> dict[str, Any]:
    """A registered section by code or Chinese name; :class:`InputError` if none or several."""
    rows = list_sections(con)
    hits = [r for r in rows if word.strip() in (r["code"], r["name_zh"])]
    if len(hits) != 1:
        raise InputError(f"未知断面或名称不唯一：{clip(word)}", f"unknown or ambiguous section: {clip(word)}",
                         value=word, column="section")
    return hits[0]


def list_sections(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT s.*, (SELECT string_agg(t.year || ':' || t.target_class, ';' ORDER BY t.year) "
        "FROM water_section_target t WHERE t.code = s.code) AS targets FROM water_section s ORDER BY code")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
