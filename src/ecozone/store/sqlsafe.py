"""The one quoting helper for SQL text that does not come from ecozone's own code.

Values always travel as bound parameters (``?``).  Where SQL needs an identifier (a column a
file names) or a file path (DuckDB's readers take the path as a string), the text goes
through this module and nowhere else:

* :func:`ident` quotes an identifier (``"a""b"``);
* :func:`literal` quotes a string literal (``'it''s'``);
* :func:`exact_file` turns a path into the pattern that DuckDB's readers expand to exactly
  that file, and nothing else: DuckDB treats ``*``, ``?`` and ``[...]`` in a reader's path as a
  glob (``glob[1].csv`` would read ``glob1.csv``), so each of those characters is wrapped in a
  one-character class (``[[]``, ``[*]``, ``[?]``), and the result is checked against DuckDB's own
  ``glob()`` before it is used;
* :func:`file_path` is :func:`exact_file` as a quoted SQL literal.

A directory or a wildcard is never handed to DuckDB: ecozone lists a folder's files itself
(visibly) and names each one.  Text with a NUL character is refused (DuckDB would cut it).

Statements that must interpolate something (a column list from a constant tuple, a quoted
identifier) carry the comment ``# sql: vetted``; ``tests/security/test_sql_strings.py`` fails
on any other f-string, ``.format`` or ``%`` in SQL.
"""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ecozone.errors import InputError, clip

#: the characters DuckDB's file readers expand as a glob pattern
GLOB_CHARS = frozenset("[]*?")


def _no_nul(text: str, what: str) -> str:
    if "\x00" in text:
        raise InputError(f"{what}含有 NUL 字符：{clip(text)!r}", f"{what} contains a NUL character: {clip(text)!r}",
                         value=clip(text))
    return text


def ident(name: object) -> str:
    """``name`` as a quoted SQL identifier: any text, doubled quotes inside."""
    text = _no_nul(str(name), "标识符 identifier ")
    return '"' + text.replace('"', '""') + '"'


def literal(text: object) -> str:
    """``text`` as a quoted SQL string literal (prefer a bound parameter where SQL allows one)."""
    s = _no_nul(str(text), "文本 text ")
    return "'" + s.replace("'", "''") + "'"


def glob_escape(path: str) -> str:
    """``path`` with each glob character wrapped in a one-character class (``[`` -> ``[[]``)."""
    return "".join(f"[{c}]" if c in "[*?" else c for c in path)


def _check_file(path: Path) -> Path:
    """The absolute path of an existing regular file, or an :class:`InputError`."""
    name = str(path)
    _no_nul(name, "路径 path ")
    try:
        resolved = path.expanduser().resolve()
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise InputError("文件不存在", "no such file", file=name, code="no_such_file") from None
    except OSError as exc:
        raise InputError(f"无法访问该文件：{exc.strerror}", f"cannot access the file: {exc.strerror}",
                         file=name, code="unreadable_file") from None
    if stat.S_ISDIR(mode):
        raise InputError("这是一个文件夹，不是文件；请给出文件（文件夹由 ecozone 逐个列出文件）",
                         "this is a directory, not a file; name the files (ecozone lists a folder's files itself)",
                         file=name, code="is_directory")
    if not stat.S_ISREG(mode):
        raise InputError("不是普通文件", "not a regular file", file=name, code="not_a_file")
    return resolved


_GLOB_CHECK = threading.Lock()
_glob_con: duckdb.DuckDBPyConnection | None = None


def _duckdb_glob(pattern: str) -> list[str]:
    """What DuckDB's own ``glob()`` expands ``pattern`` to (one shared in-memory connection)."""
    global _glob_con
    with _GLOB_CHECK:
        if _glob_con is None:
            _glob_con = duckdb.connect(":memory:")
        return [r[0] for r in _glob_con.execute("SELECT file FROM glob(?)", [pattern]).fetchall()]


def exact_file(path: Path | str) -> str:
    """The pattern that makes DuckDB's readers read exactly ``path`` (an existing file).

    Pass it as a bound parameter: ``con.execute("SELECT * FROM read_csv(?)", [exact_file(p)])``.
    Raises :class:`InputError` for a missing path, a directory, or anything but a regular file.
    """
    resolved = _check_file(Path(path))
    pattern = glob_escape(str(resolved))
    if pattern != str(resolved):  # belt and braces: DuckDB itself must expand it to this one file
        found = _duckdb_glob(pattern)
        if found != [str(resolved)]:
            raise InputError("无法把该路径安全地交给读取器（通配符展开不唯一）",
                             "this path cannot be handed safely to the reader (its glob expansion is not the file)",
                             file=str(path), detail={"expanded": found[:5]}, code="unsafe_path")
    return pattern


def file_path(path: Path | str) -> str:
    """:func:`exact_file` as a quoted SQL literal, for the few places a parameter cannot go."""
    return literal(exact_file(path))


def reader_connection(*paths: Path | str) -> duckdb.DuckDBPyConnection:
    """A scratch in-memory DuckDB that can read exactly ``paths`` and touch nothing else.

    Files are read here, never on the store's connection: whatever a read does stays in this
    throw-away database.  External access is off except for the named files (no other file
    read or written, no ATTACH, no extension download) and the configuration is locked.
    """
    allowed: list[str] = []
    for p in paths:
        pattern = exact_file(p)
        allowed += [pattern, str(Path(p).expanduser().resolve())]
    con = duckdb.connect(":memory:")
    try:
        if allowed:
            con.execute("SET allowed_paths = $paths", {"paths": allowed})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """Arrow tables visible to SQL under fixed code names for the block, then withdrawn.

    Explicit registration rather than DuckDB's replacement scan of Python locals: the names
    are the code's, and the scan of a caller's frame (which imports pandas to look for
    DataFrames) is avoided.
    """
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield con
    finally:
        for name in tables:
            con.unregister(name)
