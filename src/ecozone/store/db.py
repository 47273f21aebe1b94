"""The embedded store: one DuckDB file, a versioned schema and its migrations.

Only this package writes DDL.  Migrations are the numbered ``migrations/NNNN_name.sql`` files,
applied in order, each in its own transaction, and recorded in ``schema_version``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

ENV_DB = "ECOZONE_DB"
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def default_db_path() -> Path:
    """``$ECOZONE_DB``, else ``$XDG_DATA_HOME/ecozone/ecozone.duckdb`` (``~/.local/share/…``)."""
    if env := os.environ.get(ENV_DB):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ecozone" / "ecozone.duckdb"


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    folder = resources.files("ecozone.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        if m := _MIGRATION.match(entry.name):
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a version number: {sorted(versions)}")
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    # every missing version, not just those above the highest: a migration merged from a
    # parallel branch with a lower number must still be applied
    done = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a throw-away database (tests, one-off file computations).
    """
    target = str(path) if path is not None else str(default_db_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    if not read_only:
        migrate(con)
    return con


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value of the ``meta`` table (digests of loaded data), or None."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


#: connections (by id) inside a :func:`transaction` block; DuckDB aborts a transaction on a second
#: BEGIN, so nesting is tracked here instead of probed
_OPEN: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends normally, roll back on any exception.

    Nested use joins the transaction already open (DuckDB has no savepoints): the outermost
    block commits or rolls back, so a caller can wrap a service's write and its audit row in
    one transaction.
    """
    if id(con) in _OPEN:
        yield con  # the outer block owns commit and rollback
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN.add(id(con))
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _OPEN.discard(id(con))
    con.execute("COMMIT")
