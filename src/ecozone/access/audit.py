"""The append-only audit log: every accepted write, with who, when, what, before and after.

Rows are only ever inserted (nothing in ecozone updates or deletes them); the caller writes the
audit row inside the same transaction as the change it records, so a write without its audit
row cannot be committed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb

#: longest before/after JSON kept per row (a bad client cannot fill the disk through the log)
MAX_JSON = 20_000


def _json(value: Any) -> str | None:
    if value is None:
        return None

    def plain(v: Any) -> Any:
        if isinstance(v, date | datetime):
            return v.isoformat()
        return str(v)

    text = json.dumps(value, ensure_ascii=False, default=plain, sort_keys=True)
    return text if len(text) <= MAX_JSON else text[: MAX_JSON - 1] + "…"


def record(
    con: duckdb.DuckDBPyConnection, *, actor: str, action: str, obj: str | None, before: Any, after: Any,
    role: str | None = None, token_id: int | None = None, client: str | None = None,
) -> int:
    """Append one audit row; return its id."""
    row = con.execute(
        "INSERT INTO audit_log (actor, token_id, role, action, object, before_json, after_json, client) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING audit_id",
        [actor, token_id, role, action, obj, _json(before), _json(after), client],
    ).fetchone()
    assert row is not None
    return int(row[0])


def entries(
    con: duckdb.DuckDBPyConnection, *, action: str | None = None, actor: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Audit rows, newest first, optionally of one action or actor."""
    cur = con.execute(
        "SELECT audit_id, recorded_at, actor, token_id, role, action, object, before_json, after_json, client "
        "FROM audit_log WHERE ($action IS NULL OR action = $action) AND ($actor IS NULL OR actor = $actor) "
        "ORDER BY audit_id DESC LIMIT $limit",
        {"action": action, "actor": actor, "limit": limit},
    )
    names = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        d = dict(zip(names, r, strict=True))
        for key in ("before", "after"):
            text = d.pop(f"{key}_json")
            try:
                d[key] = json.loads(text) if text else None
            except ValueError:  # clipped at MAX_JSON
                d[key] = text
        out.append(d)
    return out
