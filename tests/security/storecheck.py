"""What a store holds, to compare before and after an import: every table's rows and a content hash."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ecozone.store.sqlsafe import ident

#: columns that change without new content (clock values) are left out of the hash
VOLATILE = ("imported_at", "recorded_at", "registered_at", "applied_at", "evaluated_at")

Snapshot = dict[str, tuple[int, str]]


def snapshot(path: Path) -> Snapshot:
    """table -> (row count, content hash of its rows) of the store file at ``path``."""
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        out: Snapshot = {}
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema = 'main' ORDER BY 1").fetchall()]
        for t in tables:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [t]).fetchall() if r[0] not in VOLATILE]
            row = ", ".join(ident(c) for c in cols)
            # order-independent: the sum of the rows' hashes (as HUGEINT, no overflow), with the count
            n, digest = con.execute(  # sql: vetted (identifiers through ident)
                f"SELECT count(*), CAST(coalesce(sum(CAST(hash({row}) AS HUGEINT)), 0) AS VARCHAR) "
                f"FROM {ident(t)}").fetchone() or (0, "")
            out[t] = (int(n), str(digest))
        return out
    finally:
        con.close()


def grown(before: Snapshot, after: Snapshot) -> dict[str, int]:
    """Rows added per table (tables whose content changed)."""
    return {t: after[t][0] - before.get(t, (0, ""))[0] for t in after if after[t] != before.get(t)}
