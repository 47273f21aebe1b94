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

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from ecozone.ingest.common import (
    END_LABEL,
    POLLUTANTS,
    START_LABEL,
    Issue,
    ReadResult,
    check,
    display_path,
)
from ecozone.ingest.stations import Station, city_code, packaged_stations

FORMATS = ("cnemc", "china_sites", "prsa", "csv", "parquet", "excel")


def _csv(path: Path) -> str:
    p = str(path).replace("'", "''")
    return f"read_csv('{p}', all_varchar = true, header = true, quote = '\"')"


def read_cnemc(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    """One CNEMC hourly file.  ``timepoint`` ends the averaging hour; CO in mg/m³."""
    name = display_path(path)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE air_raw AS SELECT row_number() OVER () + 1 AS line, "
        f"stationcode AS station_code, timepoint AS time_raw, "
        f"coalesce(try_strptime(timepoint, '%Y-%m-%dT%H:%M:%S'), "
        f"         try_strptime(timepoint, '%Y-%m-%d %H:%M:%S')) AS ts, "
        f"pm2_5 AS pm25, pm10, so2, no2, co, o3, area, positionname, longitude, latitude FROM {_csv(path)}")
    rows_read = _count(con)
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1)
    stations, unknown = _cnemc_stations(con, name)
    return ReadResult(name, "cnemc", END_LABEL, rows_read, hours, stations, issues, unknown)


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
        background = "对照点" in (pos or "")
        name = (pos or code).replace("(对照点)", "").replace("（对照点）", "").strip()
        stations.append(Station(code, name, city, longitude=lon, latitude=lat,
                                background=background, source=f"{file} (registered from the file)"))
    return stations, unknown


def read_china_sites(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    """One ``china_sites_YYYYMMDD.csv``: a row per hour and type, a column per station code.

    Only the hourly types (PM2.5, PM10, SO2, NO2, CO, O3) are read; the published derived rows
    (``*_24h``, ``O3_8h``, ``AQI``) are recomputed by HJ 663 instead of trusted.
    """
    name = display_path(path)
    con.execute(f"CREATE OR REPLACE TEMP TABLE air_wide AS SELECT row_number() OVER () + 1 AS line, * "
                f"FROM {_csv(path)}")
    cols = [r[0] for r in con.execute("DESCRIBE air_wide").fetchall()]
    missing = [c for c in ("date", "hour", "type") if c not in cols]
    if missing:
        raise ValueError(f"{name}: not a china_sites file, missing columns {missing}")
    codes = [c for c in cols if c not in ("line", "date", "hour", "type")]
    types = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
    pivots = ", ".join(
        f"max(value) FILTER (WHERE type = '{t}') AS {p}" for t, p in types.items())
    quoted = ", ".join(f'"{c}"' for c in codes)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW air_long AS "
        f"UNPIVOT (SELECT line, date, hour, trim(type) AS type, {quoted} FROM air_wide "
        f"WHERE trim(type) IN ({', '.join(repr(t) for t in types)})) "
        f"ON {quoted} INTO NAME station_code VALUE value")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE air_raw AS SELECT min(line) AS line, station_code, "
        "date || ' ' || hour AS time_raw, try_strptime(date || ' ' || lpad(hour, 2, '0'), '%Y%m%d %H') AS ts, "
        f"{pivots}, count(*) - count(DISTINCT type) AS repeated "
        "FROM air_long GROUP BY station_code, date, hour")
    rows_read = int((con.execute("SELECT count(*) FROM air_wide").fetchall()[0] or [0])[0])
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1)
    repeated = con.execute("SELECT line, station_code, time_raw FROM air_raw WHERE repeated > 0").fetchall()
    issues += [Issue(name, int(line), "type", f"{code} {t}",
                     "a type row repeats for this hour / 同一小时同一项目重复", "error")
               for line, code, t in repeated]
    return ReadResult(name, "china_sites", END_LABEL, rows_read, hours, [], issues)


TIME_LABELS = ("start", "end")


def _time_label(label: str | None, default: str) -> str:
    """``start`` or ``end`` (of the averaging hour); ValueError otherwise."""
    got = (label or default).strip().lower()
    if got not in TIME_LABELS:
        raise ValueError(f"time label must be start or end, not {label!r}")
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
    con.execute(
        "CREATE OR REPLACE TEMP TABLE air_raw AS SELECT r.line, coalesce(n.code, '?' || r.station) AS station_code, "
        "r.year || '-' || r.month || '-' || r.day || ' ' || r.hour AS time_raw, "
        "try_strptime(r.year || '-' || r.month || '-' || r.day || ' ' || r.hour, '%Y-%m-%d %H') AS ts, "
        'r."PM2.5" AS pm25, r.PM10 AS pm10, r.SO2 AS so2, r.NO2 AS no2, r.CO AS co, r.O3 AS o3 '
        f"FROM (SELECT row_number() OVER () + 1 AS line, * FROM {_csv(path)}) r "
        "LEFT JOIN prsa_names n ON n.name_en = trim(r.station)")
    rows_read = _count(con)
    hours, issues = check(con, "air_raw", file=name, shift_hours=-1 if end else 0, co_factor=0.001,
                          co_unit="µg/m³")
    unknown = con.execute("SELECT min(line), station_code FROM air_raw WHERE station_code LIKE '?%' "
                          "GROUP BY 2").fetchall()
    issues += [Issue(name, int(line), "station", code[1:],
                     "unknown PRSA station name / 未知站点名称", "error") for line, code in unknown]
    return ReadResult(name, "prsa", END_LABEL if end else START_LABEL, rows_read, hours, [], issues)


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
    """
    mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "station" not in mapping or "columns" not in mapping:
        raise ValueError(f"{path}: a mapping needs `station` and `columns`")
    if "time" not in mapping and not ("date" in mapping and "hour" in mapping):
        raise ValueError(f"{path}: a mapping needs `time`, or `date` and `hour`")
    unknown = set(mapping["columns"]) - set(POLLUTANTS)
    if unknown:
        raise ValueError(f"{path}: unknown pollutants in `columns`: {sorted(unknown)}")
    return mapping


def _excel_table(path: Path, sheet: str | None) -> pa.Table:
    """An Excel sheet as VARCHAR columns (first row = header)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    columns: list[list[str | None]] = [[] for _ in header]
    for row in rows:  # reading cells is I/O, not computation: the checks below are set-based
        for i, cell in enumerate(row[: len(header)]):
            columns[i].append(None if cell is None else str(cell))
    wb.close()
    return pa.table({h: pa.array(c, pa.string()) for h, c in zip(header, columns, strict=True)})


def read_mapped(con: duckdb.DuckDBPyConnection, path: Path, mapping: dict[str, Any],
                fmt: str = "csv", time_label: str | None = None) -> ReadResult:
    """Any CSV, Parquet or Excel file with a column mapping (see :func:`load_mapping`).

    ``time_label`` (start/end), when given, overrides the mapping's ``time_label``.
    """
    name = display_path(path)
    if fmt == "excel" or path.suffix.lower() in (".xlsx", ".xlsm"):
        con.register("air_excel", _excel_table(path, mapping.get("sheet")))
        source, fmt = "air_excel", "excel"
    elif fmt == "parquet" or path.suffix.lower() == ".parquet":
        p = str(path).replace("'", "''")
        source, fmt = f"(SELECT COLUMNS(*)::VARCHAR FROM read_parquet('{p}'))", "parquet"
    else:
        source = _csv(path)
    return _read_source(con, source, name, fmt, mapping, time_label)


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
    missing = [mapping[k] for k in ("station", "time") if k in mapping and mapping[k] not in names]
    if missing:
        raise ValueError(f"{name}: missing columns {missing} (expected station, time and pollutant columns)")
    con.register("air_frame", table)
    result = _read_source(con, "air_frame", name, "table", mapping, time_label)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    result.sha256 = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return result


def _read_source(con: duckdb.DuckDBPyConnection, source: str, name: str, fmt: str, mapping: dict[str, Any],
                 time_label: str | None) -> ReadResult:
    """The mapped columns of relation ``source`` (a registered table or a table function)."""
    q = lambda c: '"' + str(c).replace('"', '""') + '"'  # noqa: E731
    tf = mapping.get("time_format", "%Y-%m-%d %H:%M:%S")
    if "time" in mapping:
        time_raw = f"CAST({q(mapping['time'])} AS VARCHAR)"
        ts = f"try_strptime({time_raw}, '{tf}')"
    else:
        df = mapping.get("date_format", "%Y-%m-%d")
        time_raw = f"CAST({q(mapping['date'])} AS VARCHAR) || ' ' || CAST({q(mapping['hour'])} AS VARCHAR)"
        ts = f"try_strptime({time_raw}, '{df} %H')"
    pols = ", ".join(f"CAST({q(mapping['columns'][p])} AS VARCHAR) AS {p}" if p in mapping["columns"] else f"NULL AS {p}"
                     for p in POLLUTANTS)
    extra = ", ".join(f"{q(mapping[k])} AS meta_{k}" if k in mapping else f"NULL AS meta_{k}"
                      for k in ("city", "station_name"))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE air_raw AS SELECT row_number() OVER () + 1 AS line, "
        f"CAST({q(mapping['station'])} AS VARCHAR) AS station_code, {time_raw} AS time_raw, {ts} AS ts, "
        f"{pols}, {extra} FROM {source}")
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
    return ReadResult(name, fmt, END_LABEL if end else START_LABEL, rows_read, hours, stations, issues, unknown)


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM air_raw").fetchall()[0]
    return int(row[0]) if row else 0


def read_file(con: duckdb.DuckDBPyConnection, path: Path, fmt: str,
              mapping: dict[str, Any] | None = None, time_label: str | None = None) -> ReadResult:
    """Dispatch on ``fmt``.  ``time_label`` (start/end of the hour) applies to prsa, csv, parquet
    and excel; the CNEMC formats always label hours by their end."""
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if time_label is not None and fmt in ("cnemc", "china_sites"):
        raise ValueError(f"--time-label does not apply to {fmt}: its hours are labelled by their end")
    if fmt == "cnemc":
        result = read_cnemc(con, path)
    elif fmt == "china_sites":
        result = read_china_sites(con, path)
    elif fmt == "prsa":
        result = read_prsa(con, path, time_label)
    elif fmt in ("csv", "parquet", "excel"):
        if mapping is None:
            raise ValueError("a csv/parquet/excel import needs --mapping FILE")
        result = read_mapped(con, path, mapping, fmt, time_label)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return result
