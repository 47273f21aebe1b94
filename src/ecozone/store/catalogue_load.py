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
from ecozone.catalogue.seeds import seed_text
from ecozone.store.db import meta_value, set_meta, transaction
from ecozone.store.observations import WriteResult, write_observations

DIGEST_KEY = "catalogue_digest"  # of the catalogue's content
FILES_DIGEST_KEY = "catalogue_files_digest"  # of the packaged data files (cheap start-up check)
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


def content_digest(cat: Catalogue) -> str:
    """SHA-256 over every record of ``cat``, so a load can tell whether anything changed."""
    h = hashlib.sha256()
    for index in (cat.domains, cat.regions, cat.indicators, cat.documents, cat.targets, cat.achieved,
                  cat.instruments):
        for key in sorted(index):
            h.update(index[key].model_dump_json().encode())
    return h.hexdigest()


def files_digest() -> str:
    """SHA-256 over every packaged data file: lets start-up skip parsing an unchanged catalogue."""
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
            {**i.model_dump(), "polarity": i.polarity.value, "aliases": list(i.aliases),
             "former_ids": list(i.former_ids)}
            for i in cat.indicators.values()
        ],
        "document": [
            {**d.model_dump(exclude={"parent"}), "parent_id": d.parent}
            for d in cat.documents.values()
        ],
        "target": [
            {
                **t.model_dump(exclude={"document", "region", "indicator", "statements", "aliases", "members"}),
                "document_id": t.document, "region_code": t.region, "indicator_id": t.indicator,
                "comparison": t.comparison.value, "kind": t.kind.value, "scope": t.scope.value,
                "conflicts_with": list(t.conflicts_with), "n_statements": 1 + len(t.statements),
                "source_file": cat.origin[t.id][0], "source_line": cat.origin[t.id][1],
            }
            for t in cat.targets.values()
        ],
        **_v2_rows(cat),
    }


def _line(cat: Catalogue, document: str, quote: str) -> int | None:
    """The line of ``quote`` in its document's seed text (None for a catalogue without texts)."""
    try:
        return seed_text(cat.documents[document].file).line_of(quote)
    except OSError:
        return None


def _v2_rows(cat: Catalogue) -> dict[str, list[dict[str, Any]]]:
    """Statements (the primary one first), aliases, members and instruments."""
    statements = []
    for t in cat.targets.values():
        statements.append({
            "target_id": t.id, "document": t.document, "section": t.section, "quote": t.quote,
            "line": _line(cat, t.document, t.quote), "kind": t.kind.value, "is_primary": True,
            "merged_from": None,
        })
        statements += [
            {
                "target_id": t.id, "document": s.document, "section": s.section, "quote": s.quote,
                "line": _line(cat, s.document, s.quote), "kind": s.kind.value, "is_primary": False,
                "merged_from": s.merged_from,
            }
            for s in t.statements
        ]
    return {
        "target_statement": statements,
        "target_alias": [{"alias_id": a, "target_id": t} for a, t in cat.aliases.items()],
        "target_member": [{"target_id": t.id, "region": m} for t in cat.targets.values() for m in t.members],
        "instrument": [
            {
                **i.model_dump(exclude={"document", "region", "indicator"}),
                "document_id": i.document, "region_code": i.region, "indicator_id": i.indicator,
                "category": i.category.value, "comparison": i.comparison.value if i.comparison else None,
                "line": _line(cat, i.document, i.quote),
                "source_file": cat.origin[i.id][0], "source_line": cat.origin[i.id][1],
            }
            for i in cat.instruments.values()
        ],
    }


def _achieved_rows(cat: Catalogue) -> list[dict[str, Any]]:
    rows = []
    for a in cat.achieved.values():
        flags = [
            f
            for f, on in (("reconstructed", a.reconstructed), ("conflict", a.conflicts_with), ("approximate", a.approximate))
            if on
        ]
        doc = cat.documents[a.document]
        notes = [n for n in (a.note, a.conflict_note, a.reconstruction_note) if n]
        rows.append({
            "region_code": a.region, "indicator_id": a.indicator, "period": str(a.year),
            "year": a.year, "measure": a.measure.value, "base_year": a.base_year,
            "value": a.value, "value_text": a.value_text, "unit": a.unit, "source_id": a.id,
            "source_detail": f"{doc.title_zh} · {a.section}", "document_id": doc.id,
            "quote": a.quote, "quality_flag": ",".join(flags) or "ok",
            "note": "；".join(notes) or None,
        })
    return rows


def _sync_achieved(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> tuple[int, int, int]:
    """Write the achieved values as observations; withdraw those no longer in the catalogue."""
    rows = _achieved_rows(cat)
    result = WriteResult(0, 0, 0)
    if rows:
        result = write_observations(
            con, _table([{**r, "source_type": PLAN_SOURCE} for r in rows]),
            key=("source_type", "source_id"), reason="catalogue revised / 目录修订",
        )
    kept = pa.table({"source_id": pa.array([r["source_id"] for r in rows], pa.string())})  # noqa: F841
    gone = (  # sql: vetted (PLAN_SOURCE: a constant)
        f"FROM observation_current o WHERE o.source_type = '{PLAN_SOURCE}' AND o.quality_flag <> 'withdrawn' "
        "AND o.source_id NOT IN (SELECT source_id FROM kept)"
    )
    row = con.execute(f"SELECT count(*) {gone}").fetchone()  # sql: vetted
    withdrawn = int(row[0]) if row else 0
    con.execute(  # sql: vetted (gone: constants)
        "INSERT INTO observation (region_code, indicator_id, period, year, measure, base_year, value, "
        "unit, source_type, source_id, document_id, quality_flag, supersedes, reason) "
        "SELECT o.region_code, o.indicator_id, o.period, o.year, o.measure, o.base_year, NULL, o.unit, "
        "o.source_type, o.source_id, o.document_id, 'withdrawn', o.obs_id, "
        f"'removed from the catalogue / 已从目录删除' {gone}"
    )
    return result.added, result.superseded, withdrawn


def load_catalogue_into(con: duckdb.DuckDBPyConnection, cat: Catalogue, *, force: bool = False) -> LoadResult:
    """Replace the reference tables and sync the achieved values, in one transaction."""
    digest = content_digest(cat)
    stored = meta_value(con, DIGEST_KEY)
    counts = (len(cat.regions), len(cat.indicators), len(cat.documents), len(cat.targets))
    if stored == digest and not force:
        return LoadResult(False, *counts, 0, 0, 0)
    with transaction(con):
        for table, rows in _dictionary_rows(cat).items():
            con.execute(f"DELETE FROM {table}")  # sql: vetted (table names from _dictionary_rows)
            if rows:
                cols = ", ".join(rows[0])
                data = _table(rows)  # noqa: F841 - read by DuckDB's replacement scan
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM data")  # sql: vetted (model fields)
        added, superseded, withdrawn = _sync_achieved(con, cat)
        set_meta(con, DIGEST_KEY, digest)
    return LoadResult(True, *counts, added, superseded, withdrawn)


def ensure_loaded(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> LoadResult | None:
    """Load the packaged catalogue unless the database holds these very data files already.

    Returns None when nothing had to be read.
    """
    from ecozone.catalogue.loader import packaged_catalogue

    files = files_digest()
    if meta_value(con, FILES_DIGEST_KEY) == files and not force:
        return None
    result = load_catalogue_into(con, packaged_catalogue(), force=force)
    set_meta(con, FILES_DIGEST_KEY, files)
    return result
