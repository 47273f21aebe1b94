"""Air service layer: import files into the store, compute days and years, record observations.

The same functions serve the persistent store and the file-only mode (an in-memory DuckDB
store with the same schema, see :func:`memory_store`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecozone.air import engine
from ecozone.air.units import MISSING
from ecozone.arrays import to_numpy
from ecozone.errors import InputError
from ecozone.ingest.common import (
    END_LABEL,
    POLLUTANTS,
    ROWS_READ,
    START_LABEL,
    ImportRejected,
    Issue,
    ReadResult,
    display_path,
    file_sha256,
    flat_o3_warnings,
    hour_label,
    station_dictionary,
)
from ecozone.ingest.readers import read_cnemc_group, read_file, read_table
from ecozone.ingest.stations import (
    city_code,
    ensure_packaged_stations,
    region_members,
    region_names,
    upsert_stations,
)
from ecozone.standards.air import METHOD, METHOD_VERSION, composite
from ecozone.store.db import connect, transaction
from ecozone.store.observations import WriteResult, write_observations
from ecozone.store.sqlsafe import reader_connection, registered

#: told each file as it is done
Progress = Callable[[str], None]
#: rows of files read before they are stored (memory: a chunk of rows, not the whole import; a
#: single larger file is one chunk)
CHUNK_ROWS = 4_000_000
#: CNEMC hourly files read in one scan (readers.read_cnemc_group): a day and more of the national
#: network (~1,900 rows a file) per scan, a few hundred MB at most
GROUP_FILES = 256
#: told the number of rows of each batch read (rows/s in a progress display)
RowProgress = Callable[[int], None]


@dataclass
class ImportSummary:
    files: int = 0
    rows_read: int = 0
    hours_added: int = 0
    hours_unchanged: int = 0
    stations_registered: int = 0
    batch_ids: list[int] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: files whose exact content is already in the store: (file, earlier file, earlier batch)
    already: list[tuple[str, str, int]] = field(default_factory=list)


def read_one(path: Path, fmt: str, mapping: dict[str, Any] | None = None,
             scratch: duckdb.DuckDBPyConnection | None = None, time_label: str | None = None,
             fingerprint: tuple[tuple[int, ...], str] | None = None) -> ReadResult:
    """Read and check one file in a scratch connection (:func:`reader_connection`), never the store's.

    The content hash (``fingerprint``, or taken here: :func:`_fingerprint`) is of the bytes before
    the read; a file whose size, modification or change time or inode differs after the read
    changed meanwhile and is refused (a writer cannot set the change time back, so the bytes
    need no second hash).
    """
    signature, before = fingerprint or _fingerprint(path)
    own = scratch is None
    con = reader_connection(path) if scratch is None else scratch
    try:
        result = read_file(con, path, fmt, mapping, time_label)
    finally:
        if own:
            con.close()
    _unchanged_since(path, signature)
    result.sha256 = before
    return result


def _signature(path: Path) -> tuple[int, ...]:
    """What changes when a file is written: size, inode, modification and change times (ns)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}",
                         file=str(path), code="unreadable_file") from None
    return st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns


def _unchanged_since(path: Path, signature: tuple[int, ...]) -> None:
    """Refuse a file whose :func:`_signature` changed since ``signature`` was taken (before its hash)."""
    if _signature(path) != signature:
        raise InputError("文件在读取过程中被修改", "the file changed while it was being read", file=str(path),
                         code="file_changed")


def _fingerprint(path: Path) -> tuple[tuple[int, ...], str]:
    """(the file's :func:`_signature`, then the sha256 of its bytes): a write after the signature
    is taken shows in the signature after the read."""
    signature = _signature(path)
    return signature, file_sha256(path)


def mapping_digest(mapping: dict[str, Any] | None) -> str | None:
    """sha256 of a column mapping (canonical JSON), or None for the published formats."""
    if mapping is None:
        return None
    return hashlib.sha256(json.dumps(mapping, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def read_chunks(paths: Sequence[Path], fmt: str, mapping: dict[str, Any] | None = None,
                progress: Progress | None = None, skip: dict[str, tuple[str, int]] | None = None,
                already: list[tuple[str, str, int]] | None = None, time_label: str | None = None,
                rows: RowProgress | None = None) -> Iterator[list[ReadResult]]:
    """Read ``paths`` in one scratch connection that can read exactly these files and nothing else,
    handing them on in chunks of about :data:`CHUNK_ROWS` rows (a chunk is stored and dropped
    before the next is read: memory bounded by a chunk, not by the import).

    A file whose content hash is in ``skip`` (or repeats an earlier file of this import) is not
    read again; it is listed in ``already`` with the file and batch that hold its content.
    ``progress`` is told each file done, ``rows`` the rows of each batch as they stream.
    """
    seen = dict(skip or {})
    todo: list[tuple[Path, tuple[tuple[int, ...], str]]] = []
    for path in paths:
        fingerprint = _fingerprint(path)
        digest = fingerprint[1]
        if digest in seen:
            if already is not None:
                already.append((str(path), *seen[digest]))
            if progress:
                progress(str(path))
            continue
        seen[digest] = (display_path(path), 0)
        todo.append((path, fingerprint))
    if not todo:
        return
    scratch = reader_connection(*(p for p, _ in todo))
    token = ROWS_READ.set(rows)
    try:
        chunk: list[ReadResult] = []
        held = 0  # rows in chunk
        step = GROUP_FILES if fmt == "cnemc" and time_label is None else 1
        for at in range(0, len(todo), step):
            group = todo[at:at + step]
            together = read_cnemc_group(scratch, [p for p, _ in group]) if len(group) > 1 else None
            for i, (path, fingerprint) in enumerate(group):
                if together is None:
                    chunk.append(read_one(path, fmt, mapping, scratch, time_label, fingerprint))
                else:
                    _unchanged_since(path, fingerprint[0])
                    together[i].sha256 = fingerprint[1]
                    chunk.append(together[i])
                held += chunk[-1].hours.num_rows
                if progress:
                    progress(str(path))
            if held >= CHUNK_ROWS:
                yield chunk
                chunk, held = [], 0
        if chunk:
            yield chunk
    finally:
        ROWS_READ.reset(token)
        scratch.close()


def imported_contents(con: duckdb.DuckDBPyConnection, fmt: str,
                      mapping: dict[str, Any] | None = None,
                      time_label: str | None = None) -> dict[str, tuple[str, int]]:
    """sha256 -> (file, batch) of every file already imported the same way (format, or mapping;
    and, when an explicit ``time_label`` is asked for, that hour convention: the same bytes read
    with other hour labels are new data)."""
    convention = {"start": START_LABEL, "end": END_LABEL}.get(str(time_label).lower()) if time_label else None
    if mapping is None:
        rows = con.execute("SELECT file_sha256, any_value(file), min(batch_id) FROM air_import_batch "
                           "WHERE format = ? AND mapping_sha256 IS NULL AND (? IS NULL OR time_convention = ?) "
                           "GROUP BY 1", [fmt, convention, convention]).fetchall()
    else:
        rows = con.execute("SELECT file_sha256, any_value(file), min(batch_id) FROM air_import_batch "
                           "WHERE mapping_sha256 = ? AND (? IS NULL OR time_convention = ?) GROUP BY 1",
                           [mapping_digest(mapping), convention, convention]).fetchall()
    return {str(h): (str(f), int(b)) for h, f, b in rows}


def import_files(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], fmt: str, *,
                 mapping: dict[str, Any] | None = None, register_stations: bool = False,
                 progress: Progress | None = None, time_label: str | None = None,
                 rows: RowProgress | None = None) -> ImportSummary:
    """Read, check and store ``paths`` as one transaction: all files or none.

    Files are read in scratch connections (never on ``con``).  A file whose exact content
    (sha256 of its bytes) is already imported records nothing new.  ``time_label``
    (``start``/``end`` of the averaging hour) overrides the format's convention for prsa, csv,
    parquet and excel files.  Raises :class:`ImportRejected` listing every error (file, line,
    column, reason).
    """
    already: list[tuple[str, str, int]] = []
    chunks = read_chunks(paths, fmt, mapping, progress, skip=imported_contents(con, fmt, mapping, time_label),
                         already=already, time_label=time_label, rows=rows)
    return _store_chunks(con, chunks, register_stations=register_stations, already=already,
                         mapping_sha256=mapping_digest(mapping))


def import_tables(con: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, pa.Table]], *,
                  mapping: dict[str, Any] | None = None, register_stations: bool = False,
                  time_label: str | None = None) -> ImportSummary:
    """:func:`import_files` for in-memory tables ``(name, table)`` (the notebook API)."""
    scratch = duckdb.connect(":memory:")  # readers never run on the store connection
    try:
        results = [read_table(scratch, table, name, mapping, time_label) for name, table in tables]
    finally:
        scratch.close()
    return import_results(con, results, register_stations=register_stations)


def import_results(con: duckdb.DuckDBPyConnection, results: list[ReadResult], *,
                   register_stations: bool = False, already: list[tuple[str, str, int]] | None = None,
                   mapping_sha256: str | None = None) -> ImportSummary:
    """Check and store what the readers returned, as one transaction: all or nothing."""
    return _store_chunks(con, iter([results] if results else []), register_stations=register_stations,
                         already=already, mapping_sha256=mapping_sha256)


def _store_chunks(con: duckdb.DuckDBPyConnection, chunks: Iterator[list[ReadResult]], *,
                  register_stations: bool = False, already: list[tuple[str, str, int]] | None = None,
                  mapping_sha256: str | None = None) -> ImportSummary:
    """Store chunk after chunk in one transaction: all files or none.

    Once any file has an error nothing more is stored, but the remaining files are still read,
    so that the refusal lists every error of the import (file, line, column, reason).  The O3
    flag runs over all files at the end, on the three columns it needs (kept per chunk).
    """
    summary = ImportSummary(already=already if already is not None else [])
    errors: list[Issue] = []
    warnings: list[Issue] = []
    o3: list[tuple[str, pa.Table]] = []  # (file, station_code hour o3) of every stored file
    with transaction(con):
        ensure_packaged_stations(con)
        for results in chunks:
            summary.files += len(results)
            errors += [i for r in results for i in r.errors]
            if errors:
                continue
            try:
                _store_chunk(con, results, summary, register_stations, mapping_sha256)
            except ImportRejected as exc:  # unknown stations, values differing from the stored ones
                errors += exc.issues
                continue
            warnings += [i for r in results for i in r.issues if i.severity == "warning"]
            o3 += [(r.file, r.hours.select(["station_code", "hour", "o3"])) for r in results]
        if errors:
            raise ImportRejected(errors)
        warnings += _flat_o3(o3)
        _store_warnings(con, warnings, summary.batch_ids[0] if summary.batch_ids else 0)
        summary.warnings = warnings
    return summary


def _store_chunk(con: duckdb.DuckDBPyConnection, results: list[ReadResult], summary: ImportSummary,
                 register_stations: bool, mapping_sha256: str | None) -> None:
    """Register (when asked), check the station codes, and store one chunk of files."""
    if register_stations:
        summary.stations_registered += _register(con, results)
    _unknown_stations(con, results, register_stations)
    ids = _station_ids(con, results)
    if not _append_all(con, results, ids, summary, mapping_sha256):
        for r, station_id in zip(results, ids, strict=True):
            _store_one(con, r, station_id, summary, mapping_sha256)


def _station_ids(con: duckdb.DuckDBPyConnection, results: list[ReadResult]) -> list[np.ndarray]:
    """Each result's registry station ids (int32 per row), from its few distinct codes: the
    registry is looked up once per code, never per row (:func:`_unknown_stations` ran first)."""
    reg = con.execute("SELECT code, station_id FROM air_station").fetchall()
    reg_codes, reg_ids = pa.array([c for c, _ in reg], pa.string()), np.array([i for _, i in reg], np.int32)
    out = []
    for r in results:
        codes, keys = station_dictionary(r.hours.column("station_code"))
        pos = to_numpy(pc.fill_null(pc.index_in(codes, value_set=reg_codes), 0))  # all known: checked before
        out.append(reg_ids[pos.astype(np.int64)][keys] if len(codes) else np.zeros(0, np.int32))
    return out


def _flat_o3(files: list[tuple[str, pa.Table]]) -> list[Issue]:
    """O3 flag over all files of the import together (CNEMC files hold one hour each): ``files``
    are (file, its station_code, hour and o3 columns).

    The files' station codes are numbered in one sorted dictionary, so that a file already
    sorted by station code and hour needs no sort.
    """
    files = [(f, t) for f, t in files if t.num_rows]
    if not files:
        return []
    if len(files) == 1:
        table = files[0][1]
    else:
        parts = [station_dictionary(t.column("station_code")) for _, t in files]
        # files read together share one dictionary: each distinct one is listed once
        distinct = {id(c): c for c, _ in parts}.values()
        codes = pa.array(sorted(set().union(*(c.to_pylist() for c in distinct))), pa.string())
        keys = [to_numpy(pc.index_in(c, value_set=codes)).astype(np.int32)[k] for c, k in parts]
        table = pa.table({
            "station_code": pa.DictionaryArray.from_arrays(pa.array(np.concatenate(keys)), codes),
            "hour": pa.chunked_array([c for _, t in files for c in t.column("hour").chunks]),
            "o3": pa.chunked_array([c for _, t in files for c in t.column("o3").chunks]),
        })
    label = files[0][0] if len(files) == 1 else f"{len(files)} files ({files[0][0]} …)"
    return flat_o3_warnings(table, label)


def _register(con: duckdb.DuckDBPyConnection, results: list[ReadResult]) -> int:
    """Explicit registration of the stations the files describe and the registry lacks."""
    known = {r[0] for r in con.execute("SELECT code FROM air_station").fetchall()}
    new = {s.code: s for r in results for s in r.stations if s.code not in known}
    upsert_stations(con, list(new.values()))
    return len(new)


def _unknown_stations(con: duckdb.DuckDBPyConnection, results: list[ReadResult],
                      register_stations: bool = False) -> None:
    """Refuse station codes the registry does not know, saying what would register them."""
    known = pa.array([r[0] for r in con.execute("SELECT code FROM air_station").fetchall()], pa.string())
    issues = []
    for r in results:
        codes, keys = station_dictionary(r.hours.column("station_code"))
        unknown = to_numpy(pc.fill_null(pc.index_in(codes, value_set=known), -1)) < 0
        first: dict[str, int] = {}
        if unknown.any():  # the first line of each unknown code (few): set-based
            rows = unknown[keys]
            bad = pa.table({"k": keys[rows], "line": r.hours.column("line").filter(pa.array(rows))})
            bad = bad.group_by("k").aggregate([("line", "min")])
            names = codes.take(bad.column("k")).to_pylist()
            first = dict(zip(names, bad.column("line_min").to_pylist(), strict=True))
        for code, line in first.items():
            if code in r.unknown_cities:
                at, city = r.unknown_cities[code]
                issues.append(Issue(r.file, at, "area", city,
                                    f"station {code}: city {city!r} is not in the region dictionary (no province or "
                                    "prefecture of that name) / 站点所在城市不在行政区划表中", "error"))
            elif register_stations:
                issues.append(Issue(r.file, line, "station", code,
                                    "unknown station code, and the file does not describe it (no city or name "
                                    "columns): register it with ecozone air stations import / 未知站点，文件未提供站点信息",
                                    "error"))
            else:
                issues.append(Issue(r.file, line, "station", code,
                                    "unknown station code: register it (ecozone air stations import, or "
                                    "--register-stations for files that describe their stations) / 未知站点", "error"))
    if issues:
        raise ImportRejected(issues)


def _store_one(con: duckdb.DuckDBPyConnection, r: ReadResult, ids: np.ndarray, summary: ImportSummary,
               mapping_sha256: str | None = None) -> None:
    """Insert one file's station hours (``ids``: registry station id per row); equal stored hours
    are unchanged, different ones refused."""
    row = con.execute("SELECT nextval('air_import_batch_seq')").fetchall()[0]
    assert row is not None
    batch = int(row[0])
    incoming = r.hours.drop_columns(["station_code"]).add_column(0, "station_id", pa.array(ids, pa.int32()))
    if incoming.num_rows:
        lo, hi = pc.min_max(incoming.column("hour")).values()
        overlap = _stored_overlap(con, ids, lo.as_py(), hi.as_py())
    else:
        overlap = 0
    if not overlap:  # nothing stored for these stations and hours: append, no joins
        _insert_batches(con, [r], [batch], [incoming.num_rows], [0], mapping_sha256)
        with registered(con, incoming=incoming):
            con.execute(  # sql: vetted (POLLUTANTS: constants; the batch is a parameter)
                f"INSERT INTO air_station_hour SELECT station_id, hour, {', '.join(POLLUTANTS)}, ?, line FROM incoming",
                [batch])
        summary.rows_read += r.rows_read
        summary.hours_added += incoming.num_rows
        summary.batch_ids.append(batch)
        return
    with registered(con, incoming=incoming):
        con.execute("CREATE OR REPLACE TEMP TABLE air_in AS SELECT * FROM incoming")
    same = " AND ".join(f"h.{p} IS NOT DISTINCT FROM i.{p}" for p in POLLUTANTS)  # sql: vetted (constants)
    conflicts = con.execute(  # sql: vetted (same from a constant tuple)
        f"SELECT i.line, s.code, i.hour, h.batch_id, h.source_row, b.file FROM air_in i "
        f"JOIN air_station_hour h USING (station_id, hour) JOIN air_station s USING (station_id) "
        f"JOIN air_import_batch b ON b.batch_id = h.batch_id WHERE NOT ({same}) ORDER BY i.line LIMIT 1000"
    ).fetchall()
    if conflicts:
        raise ImportRejected([
            Issue(r.file, int(line), "station,time", f"{code} {hour_label(hour)}",
                  f"differs from the stored value of {file}:{src_row} (batch {b}) / 与已入库数值不同",
                  "error") for line, code, hour, b, src_row, file in conflicts])
    counted = con.execute(
        "SELECT count(*) FILTER (WHERE h.station_id IS NULL), count(*) FILTER (WHERE h.station_id IS NOT NULL) "
        "FROM air_in i LEFT JOIN air_station_hour h USING (station_id, hour)").fetchall()[0]
    assert counted is not None
    added, unchanged = int(counted[0]), int(counted[1])
    _insert_batches(con, [r], [batch], [added], [unchanged], mapping_sha256)
    con.execute(  # sql: vetted (POLLUTANTS: constants; the batch is a parameter)
        f"INSERT INTO air_station_hour SELECT i.station_id, i.hour, {', '.join('i.' + p for p in POLLUTANTS)}, "
        "?, i.line FROM air_in i ANTI JOIN air_station_hour h USING (station_id, hour)", [batch])
    summary.rows_read += r.rows_read
    summary.hours_added += added
    summary.hours_unchanged += unchanged
    summary.batch_ids.append(batch)


def _append_all(con: duckdb.DuckDBPyConnection, results: list[ReadResult], ids: list[np.ndarray],
                summary: ImportSummary, mapping_sha256: str | None = None) -> bool:
    """Many files with new station hours only (nothing stored for their stations and hours, no
    station-hour in two files): one append of all rows and one insert of all provenance rows, in
    place of two statements per file.  False (nothing written) when that does not hold: then
    :func:`_store_one` compares each file with what is stored."""
    if len(results) < 2:
        return False
    station = np.concatenate(ids)
    hour = np.concatenate([to_numpy(r.hours.column("hour")) for r in results])
    if not station.size:
        return False
    lo, hi = int(hour.min()), int(hour.max())
    # a station-hour in two files: stored vs incoming, file by file.  Hour-major keys: files of
    # one hour each (CNEMC) in time order are already increasing, and need no sort to tell
    key = ((hour - lo).astype(np.int64) << 32) | station.astype(np.int64)
    if not bool(np.all(key[1:] > key[:-1])) and np.unique(key).size != key.size:
        return False
    if _stored_overlap(con, station, lo, hi):
        return False
    batches = [int(b) for (b,) in con.execute("SELECT nextval('air_import_batch_seq') FROM range(?)",
                                               [len(results)]).fetchall()]
    counts = [r.hours.num_rows for r in results]
    _insert_batches(con, results, batches, counts, [0] * len(results), mapping_sha256)
    rows = pa.table({
        "station_id": pa.array(station, pa.int32()), "hour": pa.array(hour, pa.int32()),
        **{p: pa.chunked_array([c for r in results for c in r.hours.column(p).chunks], pa.int32())
           for p in POLLUTANTS},
        "batch_id": pa.array(np.repeat(np.asarray(batches, np.int32), counts)),
        "source_row": pa.chunked_array([c for r in results for c in r.hours.column("line").chunks], pa.int32())})
    with registered(con, incoming=rows):
        con.execute(  # sql: vetted (POLLUTANTS: constants)
            f"INSERT INTO air_station_hour SELECT station_id, hour, {', '.join(POLLUTANTS)}, batch_id, source_row "
            "FROM incoming")
    summary.rows_read += sum(r.rows_read for r in results)
    summary.hours_added += int(station.size)
    summary.batch_ids += batches
    return True


def _stored_overlap(con: duckdb.DuckDBPyConnection, station_ids: np.ndarray, lo: int, hi: int) -> int:
    """Station hours already stored for these stations between hours ``lo`` and ``hi``."""
    present = np.flatnonzero(np.bincount(station_ids)).astype(np.int32)
    with registered(con, station_set=pa.table({"id": pa.array(present, pa.int32())})):
        return int(con.execute("SELECT count(*) FROM air_station_hour WHERE hour BETWEEN ? AND ? "
                               "AND station_id IN (SELECT id FROM station_set)", [lo, hi]).fetchall()[0][0])


def _insert_batches(con: duckdb.DuckDBPyConnection, results: list[ReadResult], batches: list[int],
                    added: list[int], unchanged: list[int], mapping_sha256: str | None = None) -> None:
    """The provenance rows of files (content hash, and the mapping's hash for mapped files)."""
    provenance = pa.table({
        "batch_id": batches, "file": [r.file for r in results], "file_sha256": [r.sha256 for r in results],
        "format": [r.format for r in results], "time_convention": [r.time_convention for r in results],
        "rows_read": [r.rows_read for r in results], "hours_added": added, "hours_unchanged": unchanged,
        "warnings": [sum(1 for i in r.issues if i.severity == "warning") for r in results],
        "mapping_sha256": pa.array([mapping_sha256] * len(results), pa.string())})
    with registered(con, provenance=provenance):
        con.execute("INSERT INTO air_import_batch (batch_id, file, file_sha256, format, time_convention, rows_read, "
                    "hours_added, hours_unchanged, warnings, mapping_sha256) SELECT * FROM provenance")


def _store_warnings(con: duckdb.DuckDBPyConnection, warnings: list[Issue], batch: int) -> None:
    if not warnings:
        return
    table = pa.Table.from_pylist([
        {"batch_id": batch, "file": w.file, "line": w.line, "column": w.column, "value": w.value,
         "reason": w.reason, "severity": w.severity} for w in warnings])
    with registered(con, issues=table):
        con.execute('INSERT INTO air_import_issue SELECT batch_id, file, line, "column", value, reason, '
                    "severity FROM issues")


def memory_store(paths: Sequence[Path], fmt: str, *, mapping: dict[str, Any] | None = None,
                 register_stations: bool = False,
                 progress: Progress | None = None) -> tuple[duckdb.DuckDBPyConnection, ImportSummary]:
    """File-only mode: an in-memory store with the files imported (same checks as the store)."""
    con = connect(":memory:")
    summary = import_files(con, paths, fmt, mapping=mapping, register_stations=register_stations,
                           progress=progress)
    return con, summary


# ---------------------------------------------------------------- computations over the store


def resolve_cities(names: Sequence[str] | None) -> list[str] | None:
    """City codes of names, codes or city groups (a group stands for its members); LookupError if unknown."""
    if not names:
        return None
    codes: list[str] = []
    groups = region_members()
    for n in names:
        for part in str(n).split(","):
            if not part.strip():
                continue
            code = city_code(part)
            if code is None:
                raise LookupError(part)
            for c in groups.get(code, (code,)):
                if c not in codes:
                    codes.append(c)
    return codes


def _day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def load_span(con: duckdb.DuckDBPyConnection, first_day: int, n_days: int,
              cities: Sequence[str] | None = None,
              include_background: bool = False) -> tuple[engine.StationHours, engine.Network]:
    """Station hours of the span and the station→city layout, as compact arrays."""
    stations = con.execute("SELECT station_id, city_code FROM air_station WHERE ? OR NOT background",
                           [include_background]).fetchall()
    if cities is not None:
        stations = [s for s in stations if s[1] in set(cities)]
    max_id = int((con.execute("SELECT max(station_id) FROM air_station").fetchall()[0] or [0])[0] or 0)
    data = _station_hour_arrays(con, first_day * 24, (first_day + n_days) * 24)
    station_ids = data["station_id"]
    # the cities with at least one station hour in the span (the registry holds every city of
    # the network; a city without data has no row, as before)
    has_data = np.zeros(max_id + 1, dtype=bool)
    has_data[station_ids] = True
    stations = [(sid, c) for sid, c in stations if has_data[sid]]
    city_list = sorted({c for _, c in stations})
    index = {c: i for i, c in enumerate(city_list)}
    city_of = np.full(max_id + 1, -1, dtype=np.int32)
    for sid, c in stations:  # one entry per registered station, not per data row
        city_of[sid] = index[c]
    sh = engine.StationHours(station_ids, data["hour"], {p: data[p] for p in engine.POLLUTANTS})
    return sh, engine.Network(city_list, city_of)


def _station_hour_arrays(con: duckdb.DuckDBPyConnection, lo: int, hi: int) -> dict[str, np.ndarray]:
    """Station hours with ``lo <= hour < hi`` as int32 NumPy arrays (missing = ``MISSING``).

    Streamed in Arrow batches straight into arrays sized by a count: one copy of the data and
    one batch of overhead, no whole Arrow table held beside the arrays; NULL becomes
    ``MISSING`` in the scan (DuckDB's threads), so every batch converts without a copy.
    """
    names = ("station_id", "hour", *engine.POLLUTANTS)
    n = int((con.execute("SELECT count(*) FROM air_station_hour WHERE hour >= ? AND hour < ?",
                         [lo, hi]).fetchall()[0] or [0])[0])
    out = {c: np.empty(n, np.int32) for c in names}
    cols = ", ".join(f"coalesce({p}, {MISSING}) AS {p}" for p in engine.POLLUTANTS)  # sql: vetted (constants)
    reader = con.sql(f"SELECT station_id, hour, {cols} FROM air_station_hour "  # sql: vetted (cols)
                     "WHERE hour >= $1 AND hour < $2", params=[lo, hi]).to_arrow_reader(1 << 20)
    at = 0
    for batch in reader:  # batches of rows, not rows
        k = batch.num_rows
        if at + k > n:  # rows committed since the count (another connection): grow
            out = {c: np.concatenate([a, np.empty(at + k - n, np.int32)]) for c, a in out.items()}
            n = at + k
        for j, c in enumerate(names):
            out[c][at:at + k] = to_numpy(batch.column(j))
        at += k
    return {c: a[:at] for c, a in out.items()}


def compute_days(con: duckdb.DuckDBPyConnection, start: date, end: date,
                 cities: Sequence[str] | None = None, include_background: bool = False) -> engine.CityDays:
    first, n = _day_number(start), (end - start).days + 1
    sh, net = load_span(con, first, n, cities, include_background)
    return engine.city_days(sh, net, first, n)


def compute_annual(con: duckdb.DuckDBPyConnection, year: int, cities: Sequence[str] | None = None,
                   include_background: bool = False) -> pa.Table:
    cd = compute_days(con, date(year, 1, 1), date(year, 12, 31), cities, include_background)
    return with_city_names(engine.annual(cd, year))


def compute_period(con: duckdb.DuckDBPyConnection, year: int, by: str, cities: Sequence[str] | None = None,
                   include_background: bool = False) -> pa.Table:
    """Monthly (``by="month"``) or quarterly evaluation of ``year``: the days of the annual path."""
    cd = compute_days(con, date(year, 1, 1), date(year, 12, 31), cities, include_background)
    return with_city_names(engine.period(cd, year, by))


def with_city_names(table: pa.Table) -> pa.Table:
    names = region_names()
    labels = [names.get(c, c) for c in table.column("city").to_pylist()]
    return table.add_column(1, "city_name", pa.array(labels, pa.string()))


def input_files(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The files whose station hours fed ``year`` (provenance of computed values)."""
    first = _day_number(date(year, 1, 1))
    n = _day_number(date(year + 1, 1, 1)) - first
    rows = con.execute(
        "SELECT DISTINCT b.file FROM air_import_batch b WHERE b.batch_id IN (SELECT DISTINCT batch_id "
        "FROM air_station_hour WHERE hour >= ? AND hour < ?) ORDER BY 1",
        [first * 24, (first + n) * 24]).fetchall()
    return [r[0] for r in rows]


#: annual column -> (indicator id, unit)
OBSERVED = {
    "pm25_mean": ("air.pm25_annual_mean", "µg/m³"),
    "pm10_mean": ("air.pm10_annual_mean", "µg/m³"),
    "so2_mean": ("air.so2_annual_mean", "µg/m³"),
    "no2_mean": ("air.no2_annual_mean", "µg/m³"),
    "co_p95": ("air.co_24h_p95", "mg/m³"),
    "o3_8h_p90": ("air.o3_8h_p90", "µg/m³"),
    "good_days": ("air.good_days", "天"),
    "good_day_ratio": ("air.good_day_ratio", "%"),
    "heavy_days": ("air.heavy_pollution_days", "天"),
    "heavy_day_ratio": ("air.heavy_pollution_day_ratio", "%"),
    "composite_index": ("air.composite_index", "无量纲"),
}
_VALIDITY = {"pm25_mean": "pm25_valid", "pm10_mean": "pm10_valid", "so2_mean": "so2_valid",
             "no2_mean": "no2_valid", "co_p95": "co_valid", "o3_8h_p90": "o3_8h_valid"}


def observations_table(annual: pa.Table, inputs: Sequence[str]) -> pa.Table:
    """The annual values as observations (source_type 'computed', method HJ 663-2013)."""
    rows = []
    detail = "inputs: " + "; ".join(inputs)
    all_valid = np.all([annual.column(v).to_numpy(zero_copy_only=False) for v in _VALIDITY.values()], 0)
    for i, rec in enumerate(annual.to_pylist()):  # one row per city and indicator: output records
        for col, (indicator, unit) in OBSERVED.items():
            value = rec[col]
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            valid = rec[_VALIDITY[col]] if col in _VALIDITY else bool(all_valid[i])
            rows.append({
                "region_code": rec["city"], "indicator_id": indicator, "period": str(rec["year"]),
                "year": int(rec["year"]), "value": float(value), "unit": unit,
                "source_type": "computed", "source_id": "ecozone.air", "source_detail": detail,
                "method": METHOD, "method_version": METHOD_VERSION,
                "quality_flag": "ok" if valid else "incomplete",
                "note": None if valid else "HJ 663 validity not met (days < 324 or a month short)",
            })
    return pa.Table.from_pylist(rows)


def record_annual(con: duckdb.DuckDBPyConnection, annual: pa.Table, inputs: Sequence[str]) -> WriteResult:
    """Write the annual values as observations, one transaction."""
    with transaction(con):
        return write_observations(con, observations_table(annual, inputs), recorded_by="ecozone air",
                                  reason="recomputed from station data / 由站点数据重新计算")


def ranking(annual: pa.Table, *, worst_first: bool = False, base: pa.Table | None = None) -> pa.Table:
    """Composite-index ranking of the cities in ``annual`` (best first, or 倒排)."""
    index = to_numpy(annual.column("composite_index"))
    ranks = composite.rank(index, worst_first=worst_first)
    table = annual.select(["city", "city_name", "year", "composite_index", "composite_primary",
                           "pm25_mean", "good_day_ratio"]).append_column("rank", pa.array(ranks))
    if base is not None:
        lookup = dict(zip(base.column("city").to_pylist(),
                          base.column("composite_index").to_pylist(), strict=True))
        base_vals = np.array([lookup.get(c, np.nan) for c in table.column("city").to_pylist()], float)
        table = table.append_column("base_index", pa.array(base_vals, from_pandas=True))
        table = table.append_column("change_pct", pa.array(composite.change_pct(index, base_vals),
                                                           from_pandas=True))
    order = pc.sort_indices(table, [("rank", "ascending"), ("city", "ascending")])
    ranked = table.take(order)
    not_ranked = pc.equal(ranked.column("rank"), 0)
    return pa.concat_tables([ranked.filter(pc.invert(not_ranked)), ranked.filter(not_ranked)])
