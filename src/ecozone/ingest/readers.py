"""Readers of the published station-hour formats.  Each returns a checked :class:`ReadResult`.

* ``cnemc``: the CNEMC hourly release, one file per hour (``timepoint,stationcode,…``);
* ``china_sites``: the daily archive files ``china_sites_YYYYMMDD.csv`` (``date,hour,type,<codes>``);
* ``prsa``: the UCI Beijing multi-site files (``No,year,month,day,hour,PM2.5,…,station``);
* ``csv`` / ``parquet`` / ``excel``: any table with a YAML column mapping (:func:`read_mapped`).

Hour labels.  The national release labels each hourly value by the END of its hour; the
``china_sites`` archive and the PRSA files are taken from that release and keep its labels
(hours 0-23 of a date, where 00 is the hour 23:00-24:00 of the day before).  The engine labels
hours by their start, so all three are shifted by one hour.  A mapped file says which it uses.

All parsing happens in DuckDB over VARCHAR cells, so a bad cell is reported, never coerced.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ecozone.air.units import SCALE
from ecozone.arrays import to_numpy
from ecozone.errors import InputError, clip
from ecozone.ingest.common import (
    CO_MG_MEDIAN_MAX,
    CO_MIN_VALUES,
    END_LABEL,
    POLLUTANTS,
    START_LABEL,
    ImportRejected,
    Issue,
    ReadResult,
    check,
    display_path,
)
from ecozone.ingest.stations import Station, background_name, city_code, packaged_stations
from ecozone.store.sqlsafe import exact_file, file_path, ident, literal, registered

FORMATS = ("cnemc", "china_sites", "prsa", "csv", "parquet", "excel")
#: the columns each published format must have (header names, as the files write them)
REQUIRED_COLUMNS = {
    "cnemc": ("timepoint", "stationcode", "pm2_5", "pm10", "so2", "no2", "co", "o3"),
    "china_sites": ("date", "hour", "type"),
    "prsa": ("year", "month", "day", "hour", "PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "station"),
}
#: the line-number column the readers add (a name no published file uses)
LINE = "__ecozone_line"


def engine_reason(exc: BaseException) -> str:
    """DuckDB's message without its SQL echo (``LINE 1: …``), short enough to show."""
    text = str(exc).split("\n\nLINE ")[0].split("\nLINE ")[0]
    text = re.sub(r"^[A-Za-z ]+Error: ", "", text.strip())
    return clip(" ".join(text.split()), 200)


def _read_csv_file(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> list[Issue]:
    """``air_file``: every cell of the CSV as VARCHAR plus its line; returns ragged-row errors.

    The path is bound as a parameter, glob characters neutralised (:func:`exact_file`).  Rows
    DuckDB cannot split (too few or too many fields, bad encoding, an unclosed quote) are
    collected with ``store_rejects`` and reported with their line, never silently dropped.
    """
    name = display_path(path)
    if path.stat().st_size == 0:
        raise InputError("文件为空", "the file is empty", file=name, code="empty_file")
    header, delimiter = _header(path, name)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE air_file AS SELECT row_number() OVER () + 1 AS {LINE}, * "  # sql: vetted
            f"FROM read_csv($path, {CSV_OPTIONS})", {"path": exact_file(path), **_csv_params(header, delimiter)})
    except duckdb.Error as exc:
        raise InputError(f"无法按 CSV 读取：{engine_reason(exc)}", f"cannot read as CSV: {engine_reason(exc)}",
                         file=name, code="unreadable_csv") from None
    _physical_lines(con, path)
    rejects = con.execute(  # one issue per rejected line (DuckDB lists each missing column)
        "SELECT line, arg_min(column_name, column_idx), any_value(csv_line), string_agg(DISTINCT error_type, ', '), "
        "arg_min(error_message, column_idx) FROM reject_errors GROUP BY line ORDER BY line").fetchall()
    issues = [Issue(name, None if line is None else int(line), col, None if raw is None else clip(raw.strip("\r\n")),
                    f"{clip(message, 160)} / 行格式错误（{kind}）", "error")
              for line, col, raw, kind, message in rejects]
    _require_columns(con, name, fmt)
    _require_rows(con, name, issues)
    return issues


#: delimiters a CSV header is tried with (the published formats use commas)
DELIMITERS = (",", ";", "\t", "|")
#: how every CSV is read once :func:`_header` has its columns: no sniffing, every cell text, lines
#: DuckDB cannot split kept in ``reject_errors`` (bound parameters ``$delim`` and ``$columns``)
CSV_OPTIONS = ("header = true, auto_detect = false, delim = $delim, quote = '\"', escape = '\"', "
               "columns = $columns, store_rejects = true, null_padding = false")


def _csv_params(header: list[str], delimiter: str) -> dict[str, Any]:
    """The bound parameters of :data:`CSV_OPTIONS`."""
    return {"delim": delimiter, "columns": dict.fromkeys(header, "VARCHAR")}


def _header(path: Path, name: str) -> tuple[list[str], str]:
    """The CSV's column names and delimiter, read from its first record in Python.

    DuckDB's CSV sniffer costs ~80 ms a file (DuckDB 2.0), which dominated imports of many small
    hourly files; with the header known, ``read_csv`` runs without it (~4 ms).  The delimiter is
    the one of :data:`DELIMITERS` the header uses most; empty names become ``column<i>`` (as the
    sniffer named them) and a repeated name is refused.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline(1 << 20)
            sample = first + fh.readline(1 << 20) if first.count('"') % 2 else first
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码", "the file is not UTF-8 text", file=name, row=1,
                         code="bad_encoding") from None
    delimiter = max(DELIMITERS, key=lambda d: sample.count(d))
    cells = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    header = [c.strip() or f"column{i}" for i, c in enumerate(cells)]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if not header or repeated:
        raise InputError(f"表头有重复列名：{', '.join(map(clip, repeated))}" if repeated else "没有表头",
                         f"the header repeats a column name: {', '.join(map(clip, repeated))}" if repeated
                         else "no header", file=name, row=1, code="bad_header")
    return header, delimiter


def _physical_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Make ``air_file``'s line numbers those of the file when it holds blank lines.

    DuckDB skips blank lines, so the n-th record is not always on line n + 1.  The file's
    non-blank lines are found with NumPy over its bytes (only when a blank line exists) and the
    records are renumbered by a join.  (A quoted value spanning lines still counts as one.)
    """
    raw = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.r_[0, ends + 1]
    stops = np.r_[ends, raw.size]
    if starts.size and starts[-1] >= raw.size:  # the newline that ends the file opens no line
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    blank = (length == 0) | ((length == 1) & (raw[np.minimum(starts, max(raw.size - 1, 0))] == 13))
    if not blank.any():
        return
    nonblank = pa.table({"k": pa.array(np.arange(int((~blank).sum()), dtype=np.int64)),
                         "physical": pa.array(np.flatnonzero(~blank).astype(np.int64) + 1)})
    con.register("air_lines", nonblank)
    con.execute(  # sql: vetted (LINE: a code constant)
        f"CREATE OR REPLACE TEMP TABLE air_file AS SELECT l.physical AS {LINE}, f.* EXCLUDE ({LINE}) "
        f"FROM air_file f JOIN air_lines l ON l.k = f.{LINE} - 1 ORDER BY l.physical")
    con.unregister("air_lines")


def _columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The column names of ``air_file``, in file order."""
    return [d[0] for d in con.execute("SELECT * FROM air_file LIMIT 0").description]


def _require_columns(con: duckdb.DuckDBPyConnection, name: str, fmt: str,
                     required: tuple[str, ...] | None = None) -> None:
    """A file without the columns its format needs is refused, naming what is missing."""
    cols = [c for c in _columns(con) if c != LINE]
    need = required if required is not None else REQUIRED_COLUMNS.get(fmt, ())
    missing = [c for c in need if c not in cols]
    if missing:
        found = ", ".join(clip(c, 30) for c in cols[:12]) + (" …" if len(cols) > 12 else "")
        lacking = ", ".join(clip(c, 30) for c in missing[:12]) + (" …" if len(missing) > 12 else "")
        if required is not None:  # a mapped file: the mapping names columns the file lacks
            zh = f"列映射中的列在文件中不存在：{lacking}（文件的列：{found}）"
            en = f"the mapping names column(s) the file does not have: {lacking} (the file has: {found})"
        else:
            zh = f"不是 {fmt} 格式：缺少列 {lacking}（文件的列：{found}）；--format 是否正确？"
            en = f"not a {fmt} file: missing column(s) {lacking} (the file has: {found}); is --format right?"
        raise InputError(zh, en, file=name, code="missing_columns", detail={"missing": missing, "found": cols[:100]})


def _require_rows(con: duckdb.DuckDBPyConnection, name: str, issues: list[Issue]) -> None:
    """A file with a header and no readable row is refused (an empty import is never recorded)."""
    if con.execute("SELECT count(*) FROM air_file").fetchall()[0][0]:
        return
    if issues:
        raise ImportRejected(issues)
    raise InputError("文件只有表头，没有数据行", "the file has a header but no data rows",
                     file=name, code="no_data_rows")


def read_cnemc(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    """One CNEMC hourly file.  ``timepoint`` ends the averaging hour; CO in mg/m³."""
    name = display_path(path)
    ragged = _read_csv_file(con, path, "cnemc")
    optional = {c: c if c in _columns(con) else None for c in ("area", "positionname", "longitude", "latitude")}
    meta = ", ".join(f"{c} AS {c}" if have else f"NULL AS {c}" for c, have in optional.items())  # sql: vetted
    con.execute(  # sql: vetted (LINE and meta: code constants)
        f"CREATE OR REPLACE TEMP TABLE air_raw AS SELECT {LINE} AS line, "
        "stationcode AS station_code, timepoint AS time_raw, "
        "coalesce(try_strptime(timepoint, '%Y-%m-%dT%H:%M:%S'), "
        "         try_strptime(timepoint, '%Y-%m-%d %H:%M:%S')) AS ts, "
        f"pm2_5 AS pm25, pm10, so2, no2, co, o3, {meta} FROM air_file")
    rows_read = _count(con)
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1)
    stations, unknown = _cnemc_stations(con, name)
    return ReadResult(name, "cnemc", END_LABEL, rows_read, hours, stations, ragged + issues,
                      unknown_cities=unknown)


def _cnemc_stations(con: duckdb.DuckDBPyConnection, file: str) -> tuple[list[Station], dict[str, tuple[int, str]]]:
    """Station metadata carried by the file (used only when registration is asked for).

    ``area`` is the city as the release writes it (北京市, 延边州 …), resolved against every
    province and prefecture of the country (data/regions/china_prefectures.yaml); stations
    whose city is still unknown are returned apart, with the line and the name.
    """
    rows = con.execute(
        "SELECT trim(station_code), any_value(positionname), any_value(area), min(line),"
        " any_value(TRY_CAST(longitude AS DOUBLE)), any_value(TRY_CAST(latitude AS DOUBLE))"
        " FROM air_raw WHERE station_code IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    stations: list[Station] = []
    unknown: dict[str, tuple[int, str]] = {}
    for code, pos, area, line, lon, lat in rows:
        city = city_code(area or "")
        if city is None:
            unknown[code] = (int(line), area or "")
            continue
        name, background = background_name(pos or code)
        stations.append(Station(code, name, city, longitude=lon, latitude=lat,
                                background=background, source=f"{file} (registered from the file)"))
    return stations, unknown


def read_cnemc_group(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[ReadResult] | None:
    """Many CNEMC hourly files with one header in one scan: per-file overhead paid once.

    The files are read by one ``read_csv`` (each row keeps its file, ``part``, and its line in
    that file), checked together by :func:`check`, and split back into one :class:`ReadResult`
    per file.  Anything that needs a file's own messages -- a rejected or blank line, any issue,
    a file without rows, a city the region dictionary lacks, a CO median that may be in the
    wrong unit -- returns None, and the caller reads those files one by one (:func:`read_cnemc`),
    so errors and warnings are exactly those of the single-file path.
    """
    names = [display_path(p) for p in paths]
    headers = [_header(p, n) for p, n in zip(paths, names, strict=True)]
    header, delimiter = headers[0]
    if any(h != headers[0] for h in headers) or not set(REQUIRED_COLUMNS["cnemc"]) <= set(header):
        return None
    expected = [_data_lines(p) for p in paths]
    if min(expected) < 1:
        return None
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE air_file AS SELECT row_number() OVER () AS rn_, filename AS file_, "
            f"* EXCLUDE (filename) FROM read_csv($paths, {CSV_OPTIONS}, filename = true)",  # sql: vetted
            {"paths": [exact_file(p) for p in paths], **_csv_params(header, delimiter)})
    except duckdb.Error:
        return None
    if con.execute("SELECT count(*) FROM reject_errors").fetchall()[0][0]:
        return None
    index = {**{str(p): i for i, p in enumerate(paths)}, **{exact_file(p): i for i, p in enumerate(paths)}}
    counts = con.execute("SELECT file_, count(*), min(rn_) FROM air_file GROUP BY 1").fetchall()
    parts = {index.get(f, -1): (int(n), int(first)) for f, n, first in counts}
    if set(parts) != set(range(len(paths))) or any(parts[i][0] != expected[i] for i in parts):
        return None  # a file the scan named otherwise, or blank lines: the per-file path numbers them
    with registered(con, air_parts=pa.table({"file_": [f for f, _, _ in counts],
                                             "part": [index[f] for f, _, _ in counts],
                                             "rn0": [int(r) for _, _, r in counts]})):
        optional = {c: c in header for c in ("area", "positionname", "longitude", "latitude")}
        meta = ", ".join(f"f.{c} AS {c}" if have else f"NULL AS {c}" for c, have in optional.items())  # sql: vetted
        con.execute(  # sql: vetted (meta: code constants)
            "CREATE OR REPLACE TEMP TABLE air_raw AS SELECT f.rn_ - p.rn0 + 2 AS line, p.part, "
            "f.stationcode AS station_code, f.timepoint AS time_raw, "
            "coalesce(try_strptime(f.timepoint, '%Y-%m-%dT%H:%M:%S'), "
            "         try_strptime(f.timepoint, '%Y-%m-%d %H:%M:%S')) AS ts, "
            f"f.pm2_5 AS pm25, f.pm10, f.so2, f.no2, f.co, f.o3, {meta} "
            "FROM air_file f JOIN air_parts p USING (file_) ORDER BY f.rn_")
    label = f"{len(paths)} files ({names[0]} …)"
    hours, issues = check(con, "air_raw", file=label, shift_hours=-1)
    if issues or _co_suspect(hours, len(paths)):
        return None
    stations, unknown = _cnemc_stations(con, label)
    if unknown:
        return None
    part = to_numpy(hours.column("part"))
    if part.size and not bool(np.all(part[1:] >= part[:-1])):  # the scan's threads may interleave files
        order = np.lexsort((to_numpy(hours.column("line")), part))
        hours, part = hours.take(pa.array(order)), part[order]
    bounds = np.searchsorted(part, np.arange(len(paths) + 1))
    hours = hours.drop_columns(["part"])
    return [ReadResult(names[i], "cnemc", END_LABEL, parts[i][0], hours.slice(bounds[i], bounds[i + 1] - bounds[i]),
                       stations if i == 0 else [], [])
            for i in range(len(paths))]


def _data_lines(path: Path) -> int:
    """Records a CSV file holds if none is blank: its lines after the header (0 when a blank line
    is present, so that the per-file path, which numbers lines around blanks, reads it)."""
    raw = path.read_bytes().replace(b"\r\n", b"\n")
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if not body or body.startswith(b"\n") or b"\n\n" in body or body.endswith(b"\n"):
        return 0
    return body.count(b"\n")


def _co_suspect(hours: pa.Table, n_parts: int) -> bool:
    """Whether any one file's CO could fail the unit check (half its values beyond a bound)."""
    co = hours.column("co")
    present = to_numpy(pc.is_valid(co).cast(pa.int8())).astype(bool)
    values = to_numpy(pc.fill_null(co, 0))
    part = to_numpy(hours.column("part"))
    n = np.bincount(part[present], minlength=n_parts)
    high = np.bincount(part[present & (values > CO_MG_MEDIAN_MAX * SCALE["co"])], minlength=n_parts)
    return bool(np.any((n >= CO_MIN_VALUES) & (2 * high >= n)))


def read_china_sites(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    """One ``china_sites_YYYYMMDD.csv``: a row per hour and type, a column per station code.

    Only the hourly types (PM2.5, PM10, SO2, NO2, CO, O3) are read; the published derived rows
    (``*_24h``, ``O3_8h``, ``AQI``) are recomputed by HJ 663 instead of trusted.  The station
    columns are whatever the header says: they are unpivoted by position (``COLUMNS(* EXCLUDE
    …)``), so a header cell is data, never SQL.
    """
    name = display_path(path)
    ragged = _read_csv_file(con, path, "china_sites")
    codes = [c for c in _columns(con) if c not in (LINE, "date", "hour", "type")]
    if not codes:
        raise InputError("没有站点列", "no station columns after date, hour, type", file=name,
                         code="missing_columns")
    types = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
    pivots = ", ".join(  # sql: vetted (types: a code constant)
        f"max(value) FILTER (WHERE type = '{t}') AS {p}" for t, p in types.items())
    con.execute(  # sql: vetted (LINE and types: code constants)
        "CREATE OR REPLACE TEMP VIEW air_long AS "
        f"UNPIVOT (SELECT {LINE}, date, hour, trim(type) AS type, * EXCLUDE ({LINE}, date, hour, type) "
        f"FROM air_file WHERE trim(type) IN ({', '.join(repr(t) for t in types)})) "
        f"ON COLUMNS(* EXCLUDE ({LINE}, date, hour, type)) INTO NAME station_code VALUE value")
    con.execute(  # sql: vetted (pivots, LINE: constants)
        f"CREATE OR REPLACE TEMP TABLE air_raw AS SELECT min({LINE}) AS line, station_code, "
        "date || ' ' || hour AS time_raw, try_strptime(date || ' ' || lpad(hour, 2, '0'), '%Y%m%d %H') AS ts, "
        f"{pivots}, count(*) - count(DISTINCT type) AS repeated "
        "FROM air_long GROUP BY station_code, date, hour")
    rows_read = int((con.execute("SELECT count(*) FROM air_file").fetchall()[0] or [0])[0])
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1)
    repeated = con.execute("SELECT line, station_code, time_raw FROM air_raw WHERE repeated > 0").fetchall()
    issues += [Issue(name, int(line), "type", f"{code} {t}",
                     "a type row repeats for this hour / 同一小时同一项目重复", "error")
               for line, code, t in repeated]
    return ReadResult(name, "china_sites", END_LABEL, rows_read, hours, [], ragged + issues)


TIME_LABELS = ("start", "end")


def _time_label(label: str | None, default: str) -> str:
    """``start`` or ``end`` (of the averaging hour); InputError otherwise."""
    got = (label or default).strip().lower()
    if got not in TIME_LABELS:
        raise InputError(f"小时标记须为 start 或 end，而不是 {clip(label)!r}",
                         f"time label must be start or end, not {clip(label)!r}", code="bad_time_label")
    return got


def read_prsa(con: duckdb.DuckDBPyConnection, path: Path, time_label: str | None = None) -> ReadResult:
    """One UCI PRSA Beijing station file; CO is in µg/m³ there (÷ 1000 to mg/m³).

    The ``station`` column holds the English station name; it is matched to the registry by
    ``name_en`` (the packaged Beijing registry carries all twelve).  Hours are read as labelled
    by the END of the hour (the national release the files come from) unless ``time_label``
    says ``start``.
    """
    end = _time_label(time_label, "end") == "end"
    name = display_path(path)
    by_name = {s.name_en: s.code for s in packaged_stations() if s.name_en}
    mapping = pa.table({"name_en": list(by_name), "code": list(by_name.values())})
    con.register("prsa_names", mapping)
    ragged = _read_csv_file(con, path, "prsa")
    con.execute(  # sql: vetted (LINE: a code constant)
        "CREATE OR REPLACE TEMP TABLE air_raw AS SELECT r.line, coalesce(n.code, '?' || r.station) AS station_code, "
        "r.year || '-' || r.month || '-' || r.day || ' ' || r.hour AS time_raw, "
        "try_strptime(r.year || '-' || r.month || '-' || r.day || ' ' || r.hour, '%Y-%m-%d %H') AS ts, "
        'r."PM2.5" AS pm25, r.PM10 AS pm10, r.SO2 AS so2, r.NO2 AS no2, r.CO AS co, r.O3 AS o3 '
        f"FROM (SELECT {LINE} AS line, * EXCLUDE ({LINE}) FROM air_file) r "
        "LEFT JOIN prsa_names n ON n.name_en = trim(r.station)")
    rows_read = _count(con)
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1 if end else 0, co_factor=0.001,
                          co_unit="µg/m³")
    unknown = con.execute("SELECT min(line), station_code FROM air_raw WHERE station_code LIKE '?%' "
                          "GROUP BY 2").fetchall()
    issues += [Issue(name, int(line), "station", code[1:],
                     "unknown PRSA station name / 未知站点名称", "error") for line, code in unknown]
    return ReadResult(name, "prsa", END_LABEL if end else START_LABEL, rows_read, hours, [], ragged + issues)


MAPPING_KEYS = ("station", "time", "time_format", "date", "date_format", "hour", "time_label", "columns",
                "co_unit", "sheet", "city", "station_name")


def _mapping_error(path: Path, zh: str, en: str, **kw: Any) -> InputError:
    return InputError(f"列映射文件有误：{zh}", f"bad column mapping: {en}", file=str(path), code="bad_mapping", **kw)


def load_mapping(path: Path) -> dict[str, Any]:
    """A column mapping for :func:`read_mapped` (YAML)::

        station: 站点编码            # column with the station code (required)
        time: 时间                   # one timestamp column, or `date` + `hour` columns
        time_format: "%Y-%m-%d %H:%M:%S"
        time_label: end              # end (national convention) or start of the hour
        columns: {pm25: PM2.5, pm10: PM10, so2: SO2, no2: NO2, co: CO, o3: O3}
        co_unit: mg/m3               # or ug/m3
        sheet: Sheet1                # Excel only
        city: 城市                   # optional: with station_name, allows registration
        station_name: 站点名称

    Every value is data: column names are quoted as identifiers, formats are bound parameters.
    A missing, unreadable or malformed mapping is an :class:`InputError` naming the file.
    """
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError("列映射文件不存在", "no such mapping file", file=str(path), code="no_such_file") from None
    except IsADirectoryError:
        raise InputError("列映射须为文件，不是文件夹", "the mapping must be a file, not a directory",
                         file=str(path), code="is_directory") from None
    except UnicodeDecodeError:
        raise _mapping_error(path, "不是 UTF-8 文本", "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"无法读取列映射：{exc.strerror}", f"cannot read the mapping: {exc.strerror}",
                         file=str(path), code="unreadable_file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _mapping_error(path, "YAML 语法错误", f"YAML syntax error: {clip(getattr(exc, 'problem', exc), 120)}",
                             row=None if mark is None else mark.line + 1) from None
    if not isinstance(mapping, dict):
        raise _mapping_error(path, "应为键值映射（station: …, columns: …）", "expected a mapping (station: …, columns: …)")
    unknown_keys = sorted(str(k) for k in mapping if k not in MAPPING_KEYS)
    if unknown_keys:
        raise _mapping_error(path, f"未知键 {', '.join(map(clip, unknown_keys))}",
                             f"unknown keys {', '.join(map(clip, unknown_keys))}; allowed: {', '.join(MAPPING_KEYS)}")
    if "station" not in mapping or "columns" not in mapping:
        raise _mapping_error(path, "需要 station 和 columns", "a mapping needs `station` and `columns`")
    if "time" not in mapping and not ("date" in mapping and "hour" in mapping):
        raise _mapping_error(path, "需要 time，或 date 与 hour", "a mapping needs `time`, or `date` and `hour`")
    if not isinstance(mapping["columns"], dict) or not mapping["columns"]:
        raise _mapping_error(path, "columns 应为 污染物: 列名", "`columns` must map pollutants to column names")
    unknown = sorted(str(k) for k in set(mapping["columns"]) - set(POLLUTANTS))
    if unknown:
        raise _mapping_error(path, f"columns 中有未知污染物 {unknown}", f"unknown pollutants in `columns`: {unknown}")
    for key in ("station", "time", "date", "hour", "city", "station_name", "sheet"):
        if key in mapping and not isinstance(mapping[key], str | int):
            raise _mapping_error(path, f"{key} 应为列名", f"`{key}` must be a column name", column=key)
    for p, col in mapping["columns"].items():
        if not isinstance(col, str | int):
            raise _mapping_error(path, f"columns.{p} 应为列名", f"`columns.{p}` must be a column name", column=p)
    scratch = duckdb.connect(":memory:")
    try:
        for key in ("time_format", "date_format"):
            if key in mapping:
                try:
                    scratch.execute("SELECT try_strptime('2000-01-01', ?)", [str(mapping[key])])
                except duckdb.Error:
                    raise _mapping_error(path, f"{key} 不是有效的时间格式", f"`{key}` is not a valid strptime format",
                                         column=key, value=clip(mapping[key])) from None
    finally:
        scratch.close()
    if str(mapping.get("time_label", "end")).lower() not in ("end", "start"):
        raise _mapping_error(path, "time_label 须为 end 或 start", "`time_label` must be end or start")
    if str(mapping.get("co_unit", "mg/m3")).lower().replace("µ", "u") not in ("mg/m3", "ug/m3", "mg/m³", "ug/m³"):
        raise _mapping_error(path, "co_unit 须为 mg/m3 或 ug/m3", "`co_unit` must be mg/m3 or ug/m3")
    return mapping


def _excel_table(path: Path, sheet: str | None) -> pa.Table:
    """An Excel sheet as VARCHAR columns (first row = header); a corrupt workbook is an InputError."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = display_path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError("不是有效的 Excel 工作簿（文件损坏或格式不对）",
                         f"not a valid Excel workbook (corrupt or another format): {clip(exc, 120)}",
                         file=name, code="bad_workbook") from None
    try:
        if sheet and sheet not in wb.sheetnames:
            raise InputError(f"没有工作表 {clip(sheet)!r}", f"no sheet {clip(sheet)!r}", file=name,
                             detail={"sheets": wb.sheetnames}, code="no_such_sheet")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError("工作表为空", "the sheet is empty", file=name, code="empty_file")
        header = [str(h) if h is not None else f"column{i}" for i, h in enumerate(first)]
        columns: list[list[str | None]] = [[] for _ in header]
        for row in rows:  # reading cells is I/O, not computation: the checks below are set-based
            for i in range(len(header)):
                cell = row[i] if i < len(row) else None
                columns[i].append(None if cell is None else str(cell))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError("Excel 工作簿损坏", f"corrupt Excel workbook: {clip(exc, 120)}", file=name,
                         code="bad_workbook") from None
    finally:
        wb.close()
    if len(set(header)) != len(header):
        raise InputError("表头有重复列名", "the header repeats a column name", file=name, row=1, code="bad_header")
    return pa.table({h: pa.array(c, pa.string()) for h, c in zip(header, columns, strict=True)})


def read_mapped(con: duckdb.DuckDBPyConnection, path: Path, mapping: dict[str, Any],
                fmt: str = "csv", time_label: str | None = None) -> ReadResult:
    """Any CSV, Parquet or Excel file with a column mapping (see :func:`load_mapping`).

    Column names from the mapping reach SQL only through :func:`ident`; formats as parameters.
    ``time_label`` (start/end), when given, overrides the mapping's ``time_label``.
    """
    name = display_path(path)
    ragged: list[Issue] = []
    if fmt == "excel" or path.suffix.lower() in (".xlsx", ".xlsm"):
        excel = _excel_table(path, mapping.get("sheet"))
        con.register("air_excel", excel)
        con.execute(f"CREATE OR REPLACE TEMP TABLE air_file AS SELECT row_number() OVER () + 1 AS {LINE}, * "  # sql: vetted
                    "FROM air_excel")
        fmt = "excel"
    elif fmt == "parquet" or path.suffix.lower() == ".parquet":
        try:
            # native types, read where they lie (a view: no text round trip, no copy); rows
            # numbered as lines of a CSV with a header (first row = 2)
            _drop_relation(con, "air_file")
            con.execute(f"CREATE TEMP VIEW air_file AS SELECT file_row_number + 2 AS {LINE}, "  # sql: vetted (file_path)
                        f"* EXCLUDE (file_row_number) FROM read_parquet({file_path(path)}, file_row_number = true)")
            con.execute("SELECT count(*) FROM air_file").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"无法按 Parquet 读取：{engine_reason(exc)}",
                             f"cannot read as Parquet: {engine_reason(exc)}", file=name, code="unreadable_parquet") from None
        fmt = "parquet"
    else:
        ragged = _read_csv_file(con, path, "csv")
    return _read_air_file(con, name, fmt, mapping, ragged, time_label)


#: the columns of a station-hour table handed to the notebook API (:func:`read_table`)
TABLE_MAPPING: dict[str, Any] = {
    "station": "station", "time": "time", "time_format": "%Y-%m-%d %H:%M:%S", "time_label": "end",
    "columns": {p: p for p in POLLUTANTS}, "co_unit": "mg/m3",
}


def read_table(con: duckdb.DuckDBPyConnection, table: pa.Table, name: str = "DataFrame",
               mapping: dict[str, Any] | None = None, time_label: str | None = None) -> ReadResult:
    """An in-memory station-hour table (Arrow; the notebook API converts pandas and Polars).

    Columns by default (:data:`TABLE_MAPPING`): ``station`` (code), ``time`` (timestamp or
    ``YYYY-MM-DD HH:MM:SS``), ``pm25 pm10 so2 no2 co o3`` (µg/m³, CO mg/m³; absent columns are
    missing), optional ``city`` and ``station_name`` (allow registration).  The same checks as
    a file, rows numbered from 2 as if the table were a CSV with a header.
    """
    import hashlib

    mapping = dict(mapping or TABLE_MAPPING)
    names = set(table.column_names)
    mapping["columns"] = {p: c for p, c in mapping["columns"].items() if c in names}
    for extra in ("city", "station_name"):
        if extra in names and extra not in mapping:
            mapping[extra] = extra
    con.register("air_frame", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE air_file AS SELECT row_number() OVER () + 1 AS {LINE}, * "  # sql: vetted
                "FROM air_frame")
    result = _read_air_file(con, name, "table", mapping, [], time_label)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    result.sha256 = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return result


def _read_air_file(con: duckdb.DuckDBPyConnection, name: str, fmt: str, mapping: dict[str, Any],
                   ragged: list[Issue], time_label: str | None) -> ReadResult:
    """The mapped columns of the temp table ``air_file`` (a file's cells, or a DataFrame)."""
    used: dict[str, Any] = {k: mapping[k] for k in ("station", "time", "date", "hour", "city", "station_name")
                            if k in mapping}
    used.update({f"columns.{p}": c for p, c in mapping["columns"].items()})
    _require_columns(con, name, fmt, tuple(str(c) for c in used.values()))
    _require_rows(con, name, ragged)
    q = ident
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'air_file'")
                 .fetchall())
    if "time" in mapping and str(types.get(str(mapping["time"]), "")).startswith(("TIMESTAMP", "DATE")):
        # a native timestamp (Parquet, a DataFrame): no parsing at all
        time_raw = f"CAST({q(mapping['time'])} AS VARCHAR)"  # sql: vetted (ident)
        ts = f"CAST({q(mapping['time'])} AS TIMESTAMP)"  # sql: vetted (ident)
    elif "time" in mapping:
        time_raw = f"CAST({q(mapping['time'])} AS VARCHAR)"  # sql: vetted (ident)
        # the format is user text: a quoted literal (a view cannot take bound parameters)
        ts = f"try_strptime({time_raw}, {literal(str(mapping.get('time_format', '%Y-%m-%d %H:%M:%S')))})"  # sql: vetted (ident, literal)
    else:
        time_raw = (f"CAST({q(mapping['date'])} AS VARCHAR) || ' ' || "  # sql: vetted (ident)
                    f"CAST({q(mapping['hour'])} AS VARCHAR)")
        ts = f"try_strptime({time_raw}, {literal(str(mapping.get('date_format', '%Y-%m-%d')) + ' %H')})"  # sql: vetted (ident, literal)
    # native numbers stay numbers (check() reads them where they lie); anything else is text
    numeric = ("DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "DECIMAL", "HUGEINT", "UINTEGER",
               "UBIGINT", "USMALLINT", "UTINYINT")
    typed = all(str(types.get(str(c), "")).startswith(numeric) for c in mapping["columns"].values())
    pols = ", ".join((f"{q(mapping['columns'][p])} AS {p}" if typed else  # sql: vetted (ident)
                      f"CAST({q(mapping['columns'][p])} AS VARCHAR) AS {p}")
                     if p in mapping["columns"] else (f"CAST(NULL AS DOUBLE) AS {p}" if typed else f"NULL AS {p}")
                     for p in POLLUTANTS)
    extra = ", ".join(f"{q(mapping[k])} AS meta_{k}" if k in mapping else f"NULL AS meta_{k}"  # sql: vetted
                      for k in ("city", "station_name"))
    _drop_relation(con, "air_raw")
    con.execute(  # sql: vetted (identifiers through ident(), formats through literal())
        f"CREATE TEMP VIEW air_raw AS SELECT {LINE} AS line, "
        f"CAST({q(mapping['station'])} AS VARCHAR) AS station_code, {time_raw} AS time_raw, {ts} AS ts, "
        f"{pols}, {extra} FROM air_file")
    rows_read = _count(con)
    end = _time_label(time_label, str(mapping.get("time_label", "end"))) == "end"
    co_ug = str(mapping.get("co_unit", "mg/m3")).lower().replace("µ", "u").startswith("ug")
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1 if end else 0,
                          co_factor=0.001 if co_ug else 1.0, co_unit="µg/m³" if co_ug else "mg/m³")
    stations: list[Station] = []
    unknown: dict[str, tuple[int, str]] = {}
    if "city" in mapping:
        for code, nm, city, line in con.execute(
                "SELECT station_code, any_value(meta_station_name), any_value(meta_city), min(line) FROM air_raw "
                "GROUP BY 1").fetchall():
            cc = city_code(str(city or ""))
            if cc:
                stations.append(Station(str(code), str(nm or code), cc, source=f"{name} (registered)"))
            else:
                unknown[str(code)] = (int(line), str(city or ""))
    return ReadResult(name, fmt, END_LABEL if end else START_LABEL, rows_read, hours, stations, ragged + issues,
                      unknown_cities=unknown)


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    from ecozone.ingest.common import _drop

    _drop(con, name)


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM air_raw").fetchall()[0]
    return int(row[0]) if row else 0


def read_file(con: duckdb.DuckDBPyConnection, path: Path, fmt: str,
              mapping: dict[str, Any] | None = None, time_label: str | None = None) -> ReadResult:
    """Dispatch on ``fmt``.  ``con`` should be a scratch connection (:func:`reader_connection`).

    ``time_label`` (start/end of the hour) applies to prsa, csv, parquet and excel; the CNEMC
    formats always label hours by their end."""
    exact_file(path)  # a missing path, a directory or a special file is an InputError here
    if time_label is not None and fmt in ("cnemc", "china_sites"):
        raise InputError(f"--time-label 不适用于 {fmt}：其小时标记为时段终点",
                         f"--time-label does not apply to {fmt}: its hours are labelled by their end",
                         code="bad_time_label")
    if fmt == "cnemc":
        result = read_cnemc(con, path)
    elif fmt == "china_sites":
        result = read_china_sites(con, path)
    elif fmt == "prsa":
        result = read_prsa(con, path, time_label)
    elif fmt in ("csv", "parquet", "excel"):
        if mapping is None:
            raise InputError("csv/parquet/excel 导入需要 --mapping 列映射文件",
                             "a csv/parquet/excel import needs --mapping FILE", code="mapping_needed")
        result = read_mapped(con, path, mapping, fmt, time_label)
    else:
        raise InputError(f"未知格式 {clip(fmt)!r}，可选：{', '.join(FORMATS)}",
                         f"unknown format {clip(fmt)!r}; one of {', '.join(FORMATS)}", code="unknown_format")
    return result
