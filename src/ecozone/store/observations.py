"""Append-only writing of observations.

Nothing is ever updated in place: a value that differs from the current one for the same
identity is written as a new row whose ``supersedes`` names the old row, with who, when and
why.  Writing the same values again changes nothing.  Every function here is set-based: the
new values arrive as one Arrow table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

# columns a caller may provide; region_code, indicator_id, period, year, unit, source_type and
# source_id are required
OBS_COLUMNS = (
    "region_code", "indicator_id", "period", "year", "measure", "base_year", "value", "value_text",
    "unit", "source_type", "source_id", "source_detail", "document_id", "quote", "method",
    "method_version", "quality_flag", "note",
)
REQUIRED = ("region_code", "indicator_id", "period", "year", "unit", "source_type", "source_id")
DEFAULT_KEY = ("region_code", "indicator_id", "period", "measure", "source_type", "source_id")
# what makes two versions of an observation "the same value"
COMPARED = ("year", "base_year", "value", "value_text", "unit", "quality_flag", "quote", "note",
            "method", "method_version", "source_detail", "document_id")


@dataclass(frozen=True)
class WriteResult:
    added: int
    superseded: int
    unchanged: int


def _normalised(table: pa.Table) -> pa.Table:
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise ValueError(f"observations lack required columns: {', '.join(missing)}")
    unknown = [c for c in table.column_names if c not in OBS_COLUMNS]
    if unknown:
        raise ValueError(f"unknown observation columns: {', '.join(unknown)}")
    return table


def write_observations(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    key: Sequence[str] = DEFAULT_KEY,
    recorded_by: str = "ecozone",
    reason: str | None = None,
) -> WriteResult:
    """Append ``table``'s observations: new identities are added, changed values supersede.

    The caller owns the transaction (see :func:`ecozone.store.db.transaction`), so an import
    can write observations and its other tables all-or-nothing.
    """
    table = _normalised(table)
    if not key or not set(key) <= set(OBS_COLUMNS):
        raise ValueError(f"the identity key must be observation columns: {list(key)}")
    cols = [c for c in OBS_COLUMNS if c in table.column_names]
    incoming = table  # noqa: F841 - read by DuckDB's replacement scan
    fill = {"measure": "'level'", "quality_flag": "'ok'"}
    select = ", ".join(c if c in cols else f"{fill.get(c, 'NULL')} AS {c}" for c in OBS_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE obs_in AS SELECT {select} FROM incoming")  # sql: vetted (OBS_COLUMNS)
    join = " AND ".join(f"o.{k} IS NOT DISTINCT FROM n.{k}" for k in key)  # sql: vetted (key checked)
    same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM n.{c}" for c in COMPARED)  # sql: vetted (constants)
    con.execute(  # sql: vetted (join, same)
        "CREATE OR REPLACE TEMP TABLE obs_match AS "
        f"SELECT n.*, o.obs_id AS old_id, coalesce(({same}), FALSE) AS same "
        f"FROM obs_in n LEFT JOIN observation_current o ON {join}"
    )
    dup = con.execute(  # sql: vetted (key checked)
        f"SELECT count(*) - count(DISTINCT ({', '.join(key)})) FROM obs_in"
    ).fetchone()
    if dup and dup[0]:
        raise ValueError(f"{dup[0]} incoming observations repeat the identity ({', '.join(key)})")
    all_cols = ", ".join(OBS_COLUMNS)
    con.execute(  # sql: vetted (OBS_COLUMNS)
        f"INSERT INTO observation ({all_cols}, recorded_by, supersedes, reason) "
        f"SELECT {all_cols}, ?, old_id, CASE WHEN old_id IS NULL THEN NULL ELSE ? END "
        "FROM obs_match WHERE NOT same ORDER BY region_code, indicator_id, period",
        [recorded_by, reason or "new value / 新值"],
    )
    row = con.execute(
        "SELECT count(*) FILTER (WHERE old_id IS NULL), "
        "count(*) FILTER (WHERE old_id IS NOT NULL AND NOT same), count(*) FILTER (WHERE same) "
        "FROM obs_match"
    ).fetchone()
    assert row is not None
    return WriteResult(int(row[0]), int(row[1]), int(row[2]))


def correct_observation(
    con: duckdb.DuckDBPyConnection,
    obs_id: int,
    *,
    value: float | None,
    value_text: str | None = None,
    recorded_by: str,
    reason: str,
    quality_flag: str | None = None,
) -> int:
    """Supersede observation ``obs_id`` with a corrected value; return the new row's id."""
    if not reason.strip():
        raise ValueError("a correction needs a reason")
    current = con.execute("SELECT 1 FROM observation_current WHERE obs_id = ?", [obs_id]).fetchone()
    if current is None:
        raise LookupError(f"observation {obs_id} does not exist or is already superseded")
    cols = [c for c in OBS_COLUMNS if c not in ("value", "value_text", "quality_flag")]
    row = con.execute(  # sql: vetted (OBS_COLUMNS)
        f"INSERT INTO observation ({', '.join(cols)}, value, value_text, quality_flag, recorded_by, supersedes, reason) "
        f"SELECT {', '.join(cols)}, ?, ?, coalesce(?, quality_flag), ?, obs_id, ? FROM observation WHERE obs_id = ? "
        "RETURNING obs_id",
        [value, value_text, quality_flag, recorded_by, reason, obs_id],
    ).fetchone()
    assert row is not None
    return int(row[0])


def history(con: duckdb.DuckDBPyConnection, obs_id: int) -> list[dict[str, object]]:
    """The chain of versions that ``obs_id`` belongs to, oldest first."""
    sql = """
    WITH RECURSIVE up(id) AS (
        SELECT ?::BIGINT UNION ALL SELECT o.supersedes FROM observation o JOIN up ON o.obs_id = up.id
        WHERE o.supersedes IS NOT NULL),
    down(id) AS (
        SELECT ?::BIGINT UNION ALL SELECT o.obs_id FROM observation o JOIN down ON o.supersedes = down.id)
    SELECT * FROM observation WHERE obs_id IN (SELECT id FROM up UNION SELECT id FROM down)
    ORDER BY recorded_at, obs_id
    """
    cur = con.execute(sql, [obs_id, obs_id])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
