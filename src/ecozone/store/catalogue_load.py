"""Write the validated catalogue into the store (``ecozone db load``).

Dictionaries and targets are reference data: replaced as a whole when the data files change.
The plans' achieved values are observations, and observations are append-only: a value that
changed in the catalogue is superseded (never overwritten), one that left the catalogue is
withdrawn by a superseding row without a value.  Loading the same files twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from ecozone.catalogue.loader import Catalogue, data_dir
from ecozone.store.db import transaction

DIGEST_KEY = "catalogue_digest"
PLAN_SOURCE = "plan"


@dataclass(frozen=True)
class LoadResult:
    changed: bool
    regions: int
    indicators: int
    documents: int
    targets: int
    observations_added: int
    observations_superseded: int
    observations_withdrawn: int


def catalogue_digest() -> str:
    """SHA-256 over every packaged data file, so a load can tell whether anything changed."""
    h = hashlib.sha256()
    root = data_dir()
    for path in sorted(root.rglob("*.yaml")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows)


def _dictionary_rows(cat: Catalogue) -> dict[str, list[dict[str, Any]]]:
    return {
        "domain": [d.model_dump() for d in cat.domains.values()],
        "region": [
            {
                "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "type": r.type,
                "parent_code": r.parent, "aliases": list(r.aliases), "members": list(r.members),
                "note": r.note,
            }
            for r in cat.regions.values()
        ],
        "indicator": [
            {**i.model_dump(), "polarity": i.polarity.value, "aliases": list(i.aliases)}
            for i in cat.indicators.values()
        ],
        "document": [
            {**d.model_dump(exclude={"parent"}), "parent_id": d.parent}
            for d in cat.documents.values()
        ],
        "target": [
            {
                **t.model_dump(exclude={"document", "region", "indicator"}),
                "document_id": t.document, "region_code": t.region, "indicator_id": t.indicator,
                "comparison": t.comparison.value, "kind": t.kind.value,
                "conflicts_with": list(t.conflicts_with),
                "source_file": cat.origin[t.id][0], "source_line": cat.origin[t.id][1],
            }
            for t in cat.targets.values()
        ],
    }


def _achieved_rows(cat: Catalogue) -> list[dict[str, Any]]:
    rows = []
    for a in cat.achieved.values():
        flags = [f for f, on in (("reconstructed", a.reconstructed), ("conflict", a.conflicts_with)) if on]
        doc = cat.documents[a.document]
        notes = [n for n in (a.note, a.conflict_note, a.reconstruction_note) if n]
        rows.append({
            "region_code": a.region, "indicator_id": a.indicator, "period": str(a.year),
            "year": a.year, "measure": a.measure.value, "base_year": a.base_year,
            "value": a.value, "unit": a.unit, "source_id": a.id,
            "source_detail": f"{doc.title_zh} · {a.section}", "document_id": doc.id,
            "quote": a.quote, "quality_flag": ",".join(flags) or "ok",
            "note": "；".join(notes) or None,
        })
    return rows


_OBS_COLS = (
    "region_code, indicator_id, period, year, measure, base_year, value, unit, source_id, "
    "source_detail, document_id, quote, quality_flag, note"
)
# a catalogue value differs from the current stored one when any of these differ
_SAME = " AND ".join(
    f"o.{c} IS NOT DISTINCT FROM n.{c}"
    for c in ("region_code", "indicator_id", "period", "measure", "base_year", "value", "unit",
              "quote", "quality_flag", "note")
)


def _sync_achieved(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> tuple[int, int, int]:
    rows = _achieved_rows(cat)
    new = _table(rows) if rows else None  # noqa: F841 - read by DuckDB's replacement scan
    con.execute(
        "CREATE OR REPLACE TEMP TABLE plan_new AS SELECT * FROM new"
        if rows
        else f"CREATE OR REPLACE TEMP TABLE plan_new AS SELECT {_OBS_COLS} FROM observation LIMIT 0"
    )
    cur = f"(SELECT * FROM observation_current WHERE source_type = '{PLAN_SOURCE}') o"

    def count(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    added = count(f"SELECT count(*) FROM plan_new n WHERE NOT EXISTS (SELECT 1 FROM {cur} WHERE o.source_id = n.source_id)")
    con.execute(
        f"INSERT INTO observation ({_OBS_COLS}, source_type) SELECT {_OBS_COLS}, '{PLAN_SOURCE}' "
        f"FROM plan_new n WHERE NOT EXISTS (SELECT 1 FROM {cur} WHERE o.source_id = n.source_id)"
    )
    changed = f"FROM plan_new n JOIN {cur} ON o.source_id = n.source_id AND o.value IS NOT NULL WHERE NOT ({_SAME})"
    superseded = count(f"SELECT count(*) {changed}")
    con.execute(
        f"INSERT INTO observation ({_OBS_COLS}, source_type, supersedes, reason) "
        f"SELECT {', '.join('n.' + c.strip() for c in _OBS_COLS.split(','))}, '{PLAN_SOURCE}', o.obs_id, "
        f"'catalogue revised / 目录修订' {changed}"
    )
    gone = f"FROM {cur} WHERE o.value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan_new n WHERE n.source_id = o.source_id)"
    withdrawn = count(f"SELECT count(*) {gone}")
    con.execute(
        "INSERT INTO observation (region_code, indicator_id, period, year, measure, base_year, value, "
        "unit, source_type, source_id, quality_flag, supersedes, reason) "
        "SELECT o.region_code, o.indicator_id, o.period, o.year, o.measure, o.base_year, NULL, o.unit, "
        f"'{PLAN_SOURCE}', o.source_id, 'withdrawn', o.obs_id, 'removed from the catalogue / 已从目录删除' {gone}"
    )
    return added, superseded, withdrawn


def load_catalogue_into(con: duckdb.DuckDBPyConnection, cat: Catalogue, *, force: bool = False) -> LoadResult:
    """Replace the reference tables and sync the achieved values, in one transaction."""
    digest = catalogue_digest()
    row = con.execute("SELECT value FROM meta WHERE key = ?", [DIGEST_KEY]).fetchone()
    counts = (len(cat.regions), len(cat.indicators), len(cat.documents), len(cat.targets))
    if row and row[0] == digest and not force:
        return LoadResult(False, *counts, 0, 0, 0)
    with transaction(con):
        for table, rows in _dictionary_rows(cat).items():
            con.execute(f"DELETE FROM {table}")
            if rows:
                cols = ", ".join(rows[0])
                data = _table(rows)  # noqa: F841 - read by DuckDB's replacement scan
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM data")
        added, superseded, withdrawn = _sync_achieved(con, cat)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [DIGEST_KEY, digest])
    return LoadResult(True, *counts, added, superseded, withdrawn)


def ensure_loaded(con: duckdb.DuckDBPyConnection) -> LoadResult | None:
    """Load the packaged catalogue if the database does not hold this version of it yet."""
    from ecozone.catalogue.loader import packaged_catalogue

    row = con.execute("SELECT value FROM meta WHERE key = ?", [DIGEST_KEY]).fetchone()
    if row and row[0] == catalogue_digest():
        return None
    return load_catalogue_into(con, packaged_catalogue())
