"""What every reader shares: the raw station-hour relation, its checks, and the issue list.

A reader turns one file into a DuckDB relation with VARCHAR cells exactly as the file wrote
them plus ``file``, ``line`` and a parsed ``ts``.  :func:`check` then parses numbers and finds
bad input, set-based, in SQL: malformed timestamps, non-numbers, negative or impossible values,
a CO unit mix-up, and duplicate station-hours.  Errors name file, line, column and reason and
stop the import; warnings (data-quality flags) are kept with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from ecozone.errors import InputError, clip
from ecozone.ingest.stations import Station

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
#: cells that mean "no value" in the published formats
MISSING_TOKENS = ("", "NA", "NaN", "nan", "-", "—", "null", "NULL")
#: physically impossible above these (µg/m³; CO mg/m³): instrument ranges of the national network
#: are far below, so a value above is a unit or keying error, not pollution
IMPOSSIBLE_ABOVE = {"pm25": 2000.0, "pm10": 5000.0, "so2": 5000.0, "no2": 3000.0, "co": 150.0,
                    "o3": 2000.0}
#: the median CO of a file in mg/m³ is a few tenths to a few units; a median above this is
#: µg/m³ mislabelled as mg/m³ (and a µg/m³ file whose median is below 1/1000 of it is the reverse)
CO_MG_MEDIAN_MAX = 30.0

# hour labels: the national release labels an hour by its END (the 16:00 value covers
# 15:00-16:00); internally an hour is labelled by its START, so such labels shift by -1 h
END_LABEL = "end-of-hour labels (national release convention), stored as start-of-hour"
START_LABEL = "start-of-hour labels"

#: the national network's hourly data start well after this: an earlier hour is a keying or
#: parsing error (configurable: ``ECOZONE_EARLIEST_HOUR=YYYY-MM-DD``)
EARLIEST_HOUR = datetime(2000, 1, 1)
ENV_EARLIEST = "ECOZONE_EARLIEST_HOUR"
#: Beijing time (UTC+8), the time of every station hour
BEIJING = timedelta(hours=8)


def earliest_hour() -> datetime:
    """The earliest plausible station hour: ``$ECOZONE_EARLIEST_HOUR`` or 2000-01-01 00:00."""
    text = os.environ.get(ENV_EARLIEST, "").strip()
    if not text:
        return EARLIEST_HOUR
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{ENV_EARLIEST} 须为日期 YYYY-MM-DD", f"{ENV_EARLIEST} must be a date YYYY-MM-DD",
                         value=clip(text)) from None


def latest_hour(now: datetime | None = None) -> datetime:
    """The latest plausible station hour: now (Beijing time) plus one hour."""
    now = now or datetime.now(UTC)
    return (now.astimezone(UTC).replace(tzinfo=None) + BEIJING) + timedelta(hours=1)


def hour_label(hour: int) -> str:
    """An internal hour number as the Beijing time it starts (``2015-03-01 07:00``)."""
    return (datetime(1970, 1, 1) + timedelta(hours=int(hour))).strftime("%Y-%m-%d %H:00")


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{clip(self.file, 200)}:{self.line}" if self.line is not None else clip(self.file, 200)
        col = f" [{clip(self.column, 40)}]" if self.column else ""
        val = f" = {clip(repr(self.value))}" if self.value is not None else ""
        return f"{where}{col}{val}: {clip(self.reason, 300)}"


class ImportRejected(InputError):
    """Bad input: the import is refused as a whole; ``issues`` say where and why (exit 2)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errors = [i for i in issues if i.severity == "error"] or issues
        files = sorted({i.file for i in errors})
        one = files[0] if len(files) == 1 else None
        super().__init__(
            zh=f"导入被拒绝（{len(errors)} 个错误），未写入任何数据",
            en=f"import refused ({len(errors)} errors); nothing was written",
            file=one, detail=[str(i) for i in errors[:1000]], code="import_refused")

    def __str__(self) -> str:
        errors = [i for i in self.issues if i.severity == "error"] or self.issues
        shown = "\n".join(str(i) for i in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        return f"{len(errors)} errors in the input:\n{shown}{more}"


@dataclass
class ReadResult:
    """One file read and checked: station hours (codes, not yet ids) and what was found."""

    file: str
    format: str
    time_convention: str
    rows_read: int
    hours: pa.Table              # station_code, hour, pm25..o3 (float32), line
    stations: list[Station] = field(default_factory=list)   # metadata the file carries
    issues: list[Issue] = field(default_factory=list)
    sha256: str = ""             # content hash of the bytes read (idempotence, provenance)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def _missing(col: str) -> str:
    """SQL: the cell ``col`` (a column name from :data:`POLLUTANTS`) holds no value."""
    tokens = ", ".join(f"'{t}'" for t in MISSING_TOKENS)
    return f"(trim({col}) IN ({tokens}) OR {col} IS NULL)"


#: the raw relations a reader may hand to :func:`check` (names are code constants, never input)
RAW_TABLES = ("air_raw",)


def check(con: duckdb.DuckDBPyConnection, raw: str, *, file: str, shift_hours: int,
          co_factor: float = 1.0, co_unit: str = "mg/m³") -> tuple[pa.Table, list[Issue]]:
    """Parse and check the raw relation ``raw`` (columns file, line, station_code, time_raw, ts,
    and VARCHAR pm25..o3).  Returns the clean station hours and the issues found.

    Plausibility: an hour before :func:`earliest_hour` or after :func:`latest_hour` is an error.
    """
    if raw not in RAW_TABLES or shift_hours not in (-1, 0) or co_factor not in (1.0, 0.001):
        raise ValueError("check() takes a reader's raw table, an hour shift of 0/-1 and a CO factor of 1/0.001")
    parsed = ", ".join(  # sql: vetted (POLLUTANTS and co_factor are code constants)
        f"CASE WHEN {_missing(p)} THEN NULL ELSE TRY_CAST(trim({p}) AS DOUBLE)"
        f"{f' * {co_factor}' if p == 'co' else ''} END AS {p}, {p} AS {p}_raw"
        for p in POLLUTANTS)
    con.execute(  # sql: vetted (raw, shift_hours checked above against constants)
        f"CREATE OR REPLACE TEMP TABLE air_parsed AS SELECT line, trim(station_code) AS station_code,"
        f" time_raw, CAST(epoch(ts) // 3600 AS BIGINT) + ({shift_hours}) AS hour, {parsed} FROM {raw}")
    issues = _row_issues(con, file) + _co_unit_issue(con, file, co_factor, co_unit)
    issues += _duplicate_issues(con, file)
    cols = ", ".join(f"CAST({p} AS FLOAT) AS {p}" for p in POLLUTANTS)  # sql: vetted (constants)
    hours = con.sql(  # sql: vetted (cols from POLLUTANTS)
        f"SELECT station_code, CAST(hour AS INTEGER) AS hour, {cols}, CAST(line AS INTEGER) AS line FROM ("
        " SELECT *, row_number() OVER (PARTITION BY station_code, hour ORDER BY line) AS k"
        " FROM air_parsed WHERE hour IS NOT NULL AND station_code IS NOT NULL AND station_code <> ''"
        " AND hour BETWEEN $lo AND $hi"
        ") WHERE k = 1 ORDER BY station_code, hour", params=_window()).to_arrow_table()
    return hours, issues


def _window() -> dict[str, int]:
    """The plausible hour numbers (bound parameters ``$lo``/``$hi``)."""
    epoch = datetime(1970, 1, 1)
    return {"lo": int((earliest_hour() - epoch) / timedelta(hours=1)),
            "hi": int((latest_hour() - epoch) / timedelta(hours=1))}


def _fetch_issues(con: duckdb.DuckDBPyConnection, sql: str, file: str, severity: str,
                  params: dict[str, int] | None = None) -> list[Issue]:
    return [Issue(file, None if line is None else int(line), col, None if val is None else str(val),
                  reason, severity) for line, col, val, reason in con.execute(sql, params).fetchall()]


def _row_issues(con: duckdb.DuckDBPyConnection, file: str) -> list[Issue]:
    window = _window()
    parts = [
        "SELECT line, 'time', time_raw, 'malformed timestamp / 时间格式错误' FROM air_parsed"
        " WHERE hour IS NULL",
        "SELECT line, 'station', station_code, 'missing station code / 缺少站点编码' FROM air_parsed"
        " WHERE station_code IS NULL OR station_code = ''",
        "SELECT line, 'time', time_raw, 'hour before ' || strftime(make_timestamp($lo * 3600000000), '%Y-%m-%d')"
        " || ', earlier than the monitoring network / 时间早于监测网建立' FROM air_parsed WHERE hour < $lo",
        "SELECT line, 'time', time_raw, 'hour in the future (after ' || strftime(make_timestamp($hi * 3600000000),"
        " '%Y-%m-%d %H:00') || ' Beijing time) / 时间晚于当前时间' FROM air_parsed WHERE hour > $hi",
    ]
    for p in POLLUTANTS:
        parts += [  # sql: vetted (p from POLLUTANTS, limits from IMPOSSIBLE_ABOVE)
            f"SELECT line, '{p}', {p}_raw, 'not a number / 非数值' FROM air_parsed"
            f" WHERE {p} IS NULL AND NOT {_missing(p + '_raw')}",
            f"SELECT line, '{p}', {p}_raw, 'negative concentration / 浓度为负' FROM air_parsed"
            f" WHERE {p} < 0",
            f"SELECT line, '{p}', {p}_raw, 'impossible value above {IMPOSSIBLE_ABOVE[p]:g} / 超出物理可能范围'"
            f" FROM air_parsed WHERE {p} > {IMPOSSIBLE_ABOVE[p]}",
        ]
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2"  # sql: vetted (parts above)
    return _fetch_issues(con, sql, file, "error", window)


def _co_unit_issue(con: duckdb.DuckDBPyConnection, file: str, factor: float, unit: str) -> list[Issue]:
    """A whole-file unit mix-up: the CO median does not fit the unit the format declares."""
    row = con.execute("SELECT median(co), count(co) FROM air_parsed").fetchall()[0]
    if not row or row[0] is None or row[1] < 24:
        return []
    median = float(row[0])
    if median > CO_MG_MEDIAN_MAX:
        why = (f"unit mix-up: CO median {median / factor:g} {unit} is {median:g} mg/m³: the file is not in {unit} "
               f"(µg/m³ read as mg/m³?) / CO 单位疑似混用")
    elif factor < 1 and median < 0.002:
        why = (f"unit mix-up: CO median {median / factor:g} {unit} is only {median:g} mg/m³: the file looks like "
               f"mg/m³, not {unit} / CO 单位疑似混用")
    else:
        return []
    return [Issue(file, None, "co", None, why, "error")]


def _duplicate_issues(con: duckdb.DuckDBPyConnection, file: str) -> list[Issue]:
    """The same station-hour twice: an error if the values differ, a warning if identical."""
    same = " AND ".join(f"a.{p} IS NOT DISTINCT FROM b.{p}" for p in POLLUTANTS)  # sql: vetted (constants)
    sql = (  # sql: vetted (same from POLLUTANTS)
        "SELECT b.line, 'station,time', b.station_code || ' ' || b.time_raw, "
        "CASE WHEN " + same + " THEN 'duplicate station-hour, identical values: kept line ' || a.line "
        "|| ' / 重复记录（数值相同）' ELSE 'duplicate station-hour with different values (line ' || a.line "
        "|| ') / 重复记录且数值不同' END, " + same + " AS same "
        "FROM air_parsed a JOIN air_parsed b ON a.station_code = b.station_code AND a.hour = b.hour "
        "AND a.line < b.line ORDER BY b.line"
    )
    out = []
    for line, col, val, reason, is_same in con.execute(sql).fetchall():
        out.append(Issue(file, int(line), col, val, reason, "warning" if is_same else "error"))
    return out


def flat_o3_warnings(hours: pa.Table, file_label: str, min_run: int = 12) -> list[Issue]:
    """Data-quality flag: an O3 hourly series that repeats the same value ≥ ``min_run`` hours.

    O3 follows the sun; a run of identical hourly values is an instrument or publishing fault
    (seen in the CNEMC archive).  Flagged per station, values kept, never dropped or changed.
    """
    con = duckdb.connect()
    try:
        src = hours  # noqa: F841 - read by DuckDB's replacement scan
        rows = con.execute(
            "WITH s AS (SELECT station_code, hour, o3, "
            "  hour - row_number() OVER (PARTITION BY station_code, o3 ORDER BY hour) AS grp "
            "  FROM src WHERE o3 IS NOT NULL), "
            "runs AS (SELECT station_code, o3, grp, count(*) AS n, min(hour) AS h0 FROM s "
            "  GROUP BY ALL HAVING count(*) >= ?) "
            "SELECT station_code, max(n), arg_max(o3, n), count(*) FROM runs GROUP BY 1 ORDER BY 1",
            [min_run]).fetchall()
    finally:
        con.close()
    return [Issue(file_label, None, "o3", f"{code}: {value:g}",
                  f"O3 repeats the same hourly value for {n} hours ({runs} runs ≥ {min_run} h): "
                  "suspect, kept and flagged / 臭氧小时值长时间不变，疑似异常", "warning")
            for code, n, value, runs in rows]


def display_path(path: Path) -> str:
    """How a file is named in provenance: the path as given, resolved to be unambiguous."""
    return str(path.resolve())
