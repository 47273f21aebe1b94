"""The embedded store: one DuckDB file, a versioned schema and its migrations.

Only this package writes DDL.  Migrations are the numbered ``migrations/NNNN_name.sql`` files,
applied in order, each in its own transaction, and recorded in ``schema_version``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from ecozone.errors import StoreError, clip

ENV_DB = "ECOZONE_DB"
#: how long to wait for a store another process holds (seconds); ``$ECOZONE_LOCK_TIMEOUT``
ENV_LOCK_TIMEOUT = "ECOZONE_LOCK_TIMEOUT"
LOCK_TIMEOUT = 30.0
#: a DuckDB database file carries these bytes at offset 8 (the storage header's magic)
DUCKDB_MAGIC = b"DUCK"
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?)(?: \(PID (\d+)\))?\.? See also|Conflicting lock")


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


def _refuse(path: Path, zh: str, en: str, code: str) -> StoreError:
    return StoreError(f"无法使用数据库文件：{zh}", f"cannot use the store: {en}", file=str(path), code=code)


def check_store_path(path: Path, *, read_only: bool = False) -> None:
    """Refuse, before anything is read or written, a store path that cannot hold the store.

    A directory, a file that is not a DuckDB database (checked by its header bytes, so a CSV or
    an empty file given as ``--db`` is never taken for an empty store), an unreadable file, or a
    place ecozone cannot write (the file, or its folder, where DuckDB keeps the ``.wal`` journal).
    """
    if path.is_dir():
        raise _refuse(path, "这是一个文件夹；--db 须为数据库文件", "this is a directory; --db must name a database file",
                      "store_is_directory")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise _refuse(path, f"无法读取（{exc.strerror}）", f"cannot read it ({exc.strerror})", "store_unreadable") from None
        if head[8:12] != DUCKDB_MAGIC:
            raise _refuse(path, "不是 DuckDB 数据库文件（不会覆盖它）",
                          "not a DuckDB database file (ecozone will not overwrite it)", "store_not_duckdb")
        if not read_only and not os.access(path, os.W_OK):
            raise _refuse(path, "文件不可写", "the file is not writable", "store_unwritable")
    folder = path.parent
    if not read_only:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _refuse(path, f"无法创建所在文件夹（{exc.strerror}）", f"cannot create its folder ({exc.strerror})",
                          "store_unwritable") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _refuse(path, "所在文件夹不可写", "its folder is not writable", "store_unwritable")


def lock_timeout() -> float:
    text = os.environ.get(ENV_LOCK_TIMEOUT, "")
    try:
        return max(0.0, float(text)) if text else LOCK_TIMEOUT
    except ValueError:
        return LOCK_TIMEOUT


def _lock_holder(exc: BaseException) -> str | None:
    """``program (PID n)`` of a DuckDB "Conflicting lock" error, or None for other errors."""
    text = str(exc)
    m = _LOCK_HOLDER.search(text)
    if not m:
        return "another process" if "Could not set lock" in text else None
    prog, pid = m.group(1), m.group(2)
    if prog is None:
        return "another process"
    return f"{Path(prog).name} (PID {pid})" if pid else Path(prog).name


def store_io_error(exc: BaseException, path: str | None = None) -> StoreError:
    """A DuckDB I/O error on the store as a :class:`StoreError` (no SQL, no engine prefix)."""
    text = re.sub(r"^[A-Za-z ]+Error: ", "", str(exc).split("\n")[0])
    return StoreError(f"数据库读写失败：{clip(text, 200)}", f"store input/output failed: {clip(text, 200)}",
                      file=path, code="store_io")


def _open(target: str, read_only: bool, on_wait: Callable[[str], None] | None,
          timeout: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that waits (bounded, with backoff) while another process holds the lock."""
    deadline = time.monotonic() + timeout
    delay, told = 0.05, False
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as exc:
            holder = _lock_holder(exc)
            if holder is None:
                raise store_io_error(exc, target) from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"数据库正被其他进程使用（{holder}），已等待 {timeout:g} 秒；请稍后再试",
                    f"store busy: held by {holder}; gave up after {timeout:g} s, try again later "
                    f"(wait longer with {ENV_LOCK_TIMEOUT}=seconds)",
                    file=target, code="store_busy") from None
            if on_wait is not None and not told:
                on_wait(holder)
                told = True
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 1.0)


def connect(path: Path | str | None = None, *, read_only: bool = False,
            on_wait: Callable[[str], None] | None = None,
            timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a throw-away database (tests, one-off file computations).  A path that
    cannot hold the store is refused first (:func:`check_store_path`); a store another process
    holds is waited for up to ``timeout`` seconds (default ``$ECOZONE_LOCK_TIMEOUT`` or 30),
    calling ``on_wait(holder)`` once, then refused with a :class:`StoreError`.
    """
    target = str(path) if path is not None else str(default_db_path())
    if target != ":memory:":
        check_store_path(Path(target), read_only=read_only)
    con = _open(target, read_only, on_wait, lock_timeout() if timeout is None else timeout)
    if not read_only:
        try:
            migrate(con)
        except duckdb.IOException as exc:
            con.close()
            raise store_io_error(exc, target) from None
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
