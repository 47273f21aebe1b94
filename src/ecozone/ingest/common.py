"""What every reader shares: the raw station-hour relation, its checks, and the issue list.

A reader turns one file into a DuckDB relation with VARCHAR cells exactly as the file wrote
them plus ``file``, ``line`` and a parsed ``ts``.  :func:`check` then parses numbers and finds
bad input, set-based, in SQL: malformed timestamps, non-numbers, negative or impossible values,
a CO unit mix-up, and duplicate station-hours.  Errors name file, line, column and reason and
stop the import; warnings (data-quality flags) are kept with it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecozone.air.units import SCALE, STEP
from ecozone.arrays import to_numpy
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
#: the unit check needs this many CO values in a file
CO_MIN_VALUES = 24

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


#: told the number of rows of each batch :func:`check` streams (a progress display counts rows
#: with it); set by the importer around a read: a context variable, not a parameter of every reader
ROWS_READ: ContextVar[Callable[[int], None] | None] = ContextVar("ecozone_rows_read", default=None)


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
    hours: pa.Table              # station_code, hour, pm25..o3 (int32, units of SCALE), line
    stations: list[Station] = field(default_factory=list)   # metadata the file carries
    issues: list[Issue] = field(default_factory=list)
    sha256: str = ""             # content hash of the bytes read (idempotence, provenance)
    #: stations the file describes whose city the region dictionary does not know: code -> (line, city)
    unknown_cities: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def _missing(col: str) -> str:
    """SQL: the cell ``col`` (a column name from :data:`POLLUTANTS`) holds no value."""
    tokens = ", ".join(f"'{t}'" for t in MISSING_TOKENS)
    return f"(trim({col}) IN ({tokens}) OR {col} IS NULL)"


#: the raw relations a reader may hand to :func:`check` (names are code constants, never input)
RAW_TABLES = ("air_raw",)


def _column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type of a temp table or view."""
    return {str(n): str(t) for n, t in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [relation]).fetchall()}


def _typed(types: dict[str, str]) -> bool:
    """Whether the pollutant columns (``types``: :func:`_column_types`) carry native numbers
    (Parquet, a DataFrame)."""
    return all(types.get(p, "VARCHAR") not in ("VARCHAR", '"NULL"', "NULL") for p in POLLUTANTS)


def check(con: duckdb.DuckDBPyConnection, raw: str, *, file: str, shift_hours: int,
          co_factor: float = 1.0, co_unit: str = "mg/m³") -> tuple[pa.Table, list[Issue]]:
    """Parse and check the raw relation ``raw`` (columns line, station_code, time_raw, ts, and
    pm25..o3 as text or as native numbers).  Returns the clean station hours and the issues found.

    Set-based and lean: text cells are parsed once into a temp table; native numbers (Parquet,
    DataFrames) are read where they lie, never cast to text (a view).  One aggregate pass counts
    every kind of bad cell and the duplicate station-hours; only when it finds some are the
    offending rows listed (file, line, column, value, reason).

    Plausibility: an hour before :func:`earliest_hour` or after :func:`latest_hour` is an error.
    """
    if raw not in RAW_TABLES or shift_hours not in (-1, 0) or co_factor not in (1.0, 0.001):
        raise ValueError("check() takes a reader's raw table, an hour shift of 0/-1 and a CO factor of 1/0.001")
    types = _column_types(con, raw)
    typed = _typed(types)
    if typed:
        parsed = ", ".join(  # sql: vetted (POLLUTANTS and co_factor are code constants)
            f"CASE WHEN isnan(CAST({p} AS DOUBLE)) THEN NULL ELSE CAST({p} AS DOUBLE)"
            f"{f' * {co_factor}' if p == 'co' else ''} END AS {p}, CAST({p} AS VARCHAR) AS {p}_raw"
            for p in POLLUTANTS)
        kind = "VIEW"
    else:
        parsed = ", ".join(  # sql: vetted (POLLUTANTS and co_factor are code constants)
            f"CASE WHEN {_missing(p)} THEN NULL ELSE TRY_CAST(trim({p}) AS DOUBLE)"
            f"{f' * {co_factor}' if p == 'co' else ''} END AS {p}, {p} AS {p}_raw"
            for p in POLLUTANTS)
        kind = "TABLE"
    # a raw relation read from several files at once numbers them in ``part`` (carried through)
    part = ", part" if "part" in types else ""
    _drop(con, "air_parsed")
    con.execute(  # sql: vetted (raw, kind, part and shift_hours checked above against constants)
        f"CREATE TEMP {kind} air_parsed AS SELECT line{part}, trim(station_code) AS station_code,"
        f" time_raw, CAST(epoch(ts) // 3600 AS BIGINT) + ({shift_hours}) AS hour, {parsed} FROM {raw}")

    # station codes as an ENUM type of the file's distinct codes: the scan below carries a small
    # integer per row in file order, and the hours hold a dictionary column (no string per row,
    # integer keys for every later pass).  The codes are data of the type, never SQL text.
    con.execute("DROP TYPE IF EXISTS air_code")
    con.execute("CREATE TYPE air_code AS ENUM (SELECT DISTINCT station_code FROM air_parsed "
                "WHERE station_code IS NOT NULL AND station_code <> '' ORDER BY 1)")
    # stored as integers of SCALE[p] steps (ecozone.air.units): exact sums downstream.  The
    # inner query scales each value once; the checks read the scaled values (a condition on the
    # parsed view would re-evaluate the view's expressions for every use).  TRY_CAST: a NaN
    # (missing in Parquet) must give NULL even where the optimiser moves the cast.
    scaled = ", ".join(f"{p} * {SCALE[p]} AS {p}" for p in POLLUTANTS)  # sql: vetted (constants)
    not_number = "" if typed else ", " + ", ".join(  # sql: vetted (constants)
        f"{p} IS NULL AND NOT {_missing(p + '_raw')} AS {p}_nan" for p in POLLUTANTS)
    cols = ", ".join(f"TRY_CAST(round({p}) AS INTEGER) AS {p}" for p in POLLUTANTS)  # sql: vetted (constants)
    valid = "hour IS NOT NULL AND k IS NOT NULL AND hour BETWEEN $lo AND $hi"
    inner = (f"SELECT line{part}, TRY_CAST(station_code AS air_code) AS k, hour, {scaled}{not_number} "  # sql: vetted
             "FROM air_parsed")
    # one scan: the stored values, and per row whether any cell is bad and whether it is kept
    reader = con.sql(  # sql: vetted (cols and conditions from code constants)
        f"SELECT k, CAST(hour AS INTEGER) AS hour, {cols}, CAST(line AS INTEGER) AS line{part}, "
        f"coalesce({_bad_condition(typed)}, false) AS bad__, coalesce({valid}, false) AS ok__ FROM ({inner})",
        params=_window()).to_arrow_reader(1 << 20)
    kept, any_bad, report = [], False, ROWS_READ.get()
    for batch in reader:  # streamed: only the kept rows of each batch are held
        if report is not None:
            report(batch.num_rows)
        any_bad = any_bad or bool(pc.any(batch.column("bad__")).as_py())
        ok = batch.column("ok__")
        if not pc.all(ok).as_py():  # (a copy only for a batch with rows to leave out)
            batch = batch.filter(ok)
        kept.append(batch.drop_columns(["bad__", "ok__"]))
    schema = pa.schema([f for f in reader.schema if f.name not in ("bad__", "ok__")])
    hours = _with_codes(pa.Table.from_batches(kept, schema=schema))
    issues = _row_issues(con, file) if any_bad else []
    issues += _co_unit_issue(file, co_factor, co_unit, hours.column("co"))
    repeated = False
    if hours.num_rows > 1:  # ordered by station and hour, a repeat is a neighbour
        order, same_station = station_hour_order(hours)
        hr = to_numpy(hours.column("hour"))
        if order is not None:
            hr = hr[order]
        repeated = bool(np.any(same_station[1:] & (hr[1:] == hr[:-1])))
    if repeated:  # the same station-hour twice: list them, keep the first line of each
        issues += _duplicate_issues(con, file)
        hours = _with_codes(con.sql(  # sql: vetted (cols from POLLUTANTS and SCALE)
            f"SELECT k, CAST(hour AS INTEGER) AS hour, {cols}, CAST(line AS INTEGER) AS line{part} FROM ("
            " SELECT *, row_number() OVER (PARTITION BY k, hour ORDER BY line) AS n_"
            f" FROM ({inner}) WHERE {valid}) WHERE n_ = 1", params=_window()).to_arrow_table())
    return hours, issues


def _with_codes(table: pa.Table) -> pa.Table:
    """``k`` (the ENUM of station codes, a dictionary column in chunks) -> ``station_code``, one
    dictionary array with int32 indices."""
    chunks = table.column("k").unify_dictionaries().chunks  # one ENUM: the same dictionary throughout
    codes = chunks[0].dictionary if chunks else pa.array([], pa.string())
    indices = (pa.concat_arrays([c.indices for c in chunks]) if chunks else pa.array([], pa.int32()))
    column = pa.DictionaryArray.from_arrays(indices.cast(pa.int32()), codes)
    return table.drop_columns(["k"]).add_column(0, "station_code", column)


def _median(values: np.ndarray) -> float:
    """The exact median of integer values (a partition: no sort, no float copy)."""
    n = values.size
    part = np.partition(values, [(n - 1) // 2, n // 2])
    return (float(part[(n - 1) // 2]) + float(part[n // 2])) / 2


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the temp table or view ``name`` (a code constant) if there is one."""
    kinds = {r[0] for r in con.execute("SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = $n UNION ALL "
                                       "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = $n", {"n": name}).fetchall()}
    for kind in kinds:
        con.execute(f"DROP {kind} {name}")  # sql: vetted (kind from the catalogue, name a code constant)


def _bad_condition(typed: bool) -> str:
    """SQL over the scaled values of ``air_parsed`` (see :func:`check`): the row holds a bad cell of
    any kind (details: :func:`_row_issues`).  Native numbers cannot be "not a number"."""
    conds = ["hour IS NULL", "k IS NULL", "hour < $lo", "hour > $hi"]  # k: the station code's number
    for p in POLLUTANTS:
        # NOT isnan: NaN (missing in Parquet) compares above every number, and DuckDB may push
        # a comparison past the CASE that turns NaN into NULL
        conds += [f"{p} < 0", f"{p} > {IMPOSSIBLE_ABOVE[p] * SCALE[p]} AND NOT isnan({p})",
                  f"abs({p} - round({p})) > 1e-6 * greatest(1, abs({p})) AND NOT isnan({p})"]
        if not typed:
            conds.append(f"{p}_nan")
    return "(" + " OR ".join(f"({c})" for c in conds) + ")"


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
            f" FROM air_parsed WHERE {p} > {IMPOSSIBLE_ABOVE[p]} AND NOT isnan({p})",
            # stored as integers of SCALE[p] steps: a value between steps would be rounded, so it
            # is refused instead (the published formats never carry more decimals)
            f"SELECT line, '{p}', {p}_raw, 'more decimals than the stored step {STEP[p]} / 小数位超出存储精度'"
            f" FROM air_parsed WHERE abs({p} * {SCALE[p]} - round({p} * {SCALE[p]}))"
            f" > 1e-6 * greatest(1, abs({p} * {SCALE[p]})) AND NOT isnan({p})",
        ]
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2"  # sql: vetted (parts above)
    return _fetch_issues(con, sql, file, "error", window)


def _co_unit_issue(file: str, factor: float, unit: str, co: pa.ChunkedArray | pa.Array) -> list[Issue]:
    """A whole-file unit mix-up: the median CO (mg/m³, of ≥ 24 values) does not fit the unit the
    format declares (above :data:`CO_MG_MEDIAN_MAX`, or, for a µg/m³ file, below 0.002).

    The median can only be beyond a bound when at least half the values are: two counts decide
    that, and the exact median (a partition) is taken only then.
    """
    values = to_numpy(pc.drop_null(co))
    n = values.size
    high, low = CO_MG_MEDIAN_MAX * SCALE["co"], 0.002 * SCALE["co"]
    if n < CO_MIN_VALUES or (2 * np.count_nonzero(values > high) < n
                  and not (factor < 1 and 2 * np.count_nonzero(values < low) >= n)):
        return []
    median = _median(values) / SCALE["co"]
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


def station_hour_order(hours: pa.Table) -> tuple[np.ndarray | None, np.ndarray]:
    """(row order by station then hour, or None when the rows are already in that order; whether
    each ordered row has the station of the row before).

    Files usually come grouped by station with hours increasing: that is checked on integer keys
    (:func:`station_keys`, hour) and then no sort happens; otherwise one sort of the keys.
    """
    idx = station_keys(hours.column("station_code"))
    h = to_numpy(hours.column("hour"))
    same = np.empty(idx.size, dtype=bool)
    same[:1] = False
    np.equal(idx[1:], idx[:-1], out=same[1:])
    if idx.size < 2 or bool(np.all((idx[1:] > idx[:-1]) | (same[1:] & (h[1:] > h[:-1])))):
        return None, same  # already grouped by station, hours increasing: no sort
    order = np.argsort((idx.astype(np.int64) << 32) | (h.astype(np.int64) - int(h.min())), kind="stable")
    si = idx[order]
    return order, np.r_[False, si[1:] == si[:-1]]


def station_dictionary(code: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """(the distinct station codes, each row's index into them): a dictionary column's own
    dictionary and indices (the readers' hours), else a dictionary encoding of the codes."""
    arr = code.combine_chunks() if isinstance(code, pa.ChunkedArray) else code
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    return arr.dictionary, to_numpy(arr.indices)


def station_keys(code: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer per row, equal for equal station codes (:func:`station_dictionary`)."""
    return station_dictionary(code)[1]


def flat_o3_warnings(hours: pa.Table, file_label: str, min_run: int = 12) -> list[Issue]:
    """Data-quality flag: an O3 hourly series that repeats the same value ≥ ``min_run`` hours.

    O3 follows the sun; a run of identical hourly values is an instrument or publishing fault
    (seen in the CNEMC archive).  Flagged per station, values kept, never dropped or changed.
    A run: consecutive hours of one station with the same non-missing value (rows in station and
    hour order, then array comparisons; a missing value ends a run).  A running count of
    continuations first tells whether any stretch is long enough; only the stations that have
    one are measured run by run.
    """
    if hours.num_rows < min_run:
        return []
    order, same_station = station_hour_order(hours)
    hr = to_numpy(hours.column("hour"))
    o3 = to_numpy(pc.fill_null(hours.column("o3"), MISSING_INT))
    if order is not None:
        hr, o3 = hr[order], o3[order]
    valid = o3 != MISSING_INT
    cont = np.zeros(o3.size, dtype=bool)  # row i continues the run of row i - 1
    cont[1:] = same_station[1:] & (o3[1:] == o3[:-1]) & (hr[1:] == hr[:-1] + 1) & valid[1:] & valid[:-1]
    ran = np.cumsum(cont, dtype=np.int32)
    starts = np.flatnonzero(ran[min_run - 1:] - ran[: o3.size - min_run + 1] == min_run - 1)
    if not starts.size:  # no stretch of min_run equal hours anywhere (the usual case)
        return []
    keys = station_keys(hours.column("station_code"))
    if order is not None:
        keys = keys[order]
    rows = np.flatnonzero(np.isin(keys, np.unique(keys[starts])))  # the stations with a long run
    return _flat_runs(hours, file_label, min_run, rows if order is None else order[rows],
                      hr[rows], o3[rows], ~cont[rows] | np.r_[True, np.diff(rows) != 1])


def _flat_runs(hours: pa.Table, file_label: str, min_run: int, source: np.ndarray, hr: np.ndarray,
               o3: np.ndarray, brk: np.ndarray) -> list[Issue]:
    """The runs ≥ ``min_run`` of the rows ``source`` (in station and hour order; ``brk``: a run
    starts here), one warning per station with its longest run."""
    first = np.flatnonzero(brk)
    length = np.diff(np.r_[first, o3.size])
    long = np.flatnonzero((length >= min_run) & (o3[first] != MISSING_INT))
    out = []
    codes = hours.column("station_code").take(pa.array(source[first[long]])).to_pylist()
    for code in sorted(set(codes)):  # one line per flagged station (few): output, not data rows
        mine = long[np.asarray(codes, dtype=object) == code]
        best = mine[np.argmax(length[mine])]
        out.append(Issue(file_label, None, "o3", f"{code}: {o3[first[best]] / SCALE['o3']:g}",
                         f"O3 repeats the same hourly value for {int(length[best])} hours ({mine.size} runs ≥ "
                         f"{min_run} h): suspect, kept and flagged / 臭氧小时值长时间不变，疑似异常", "warning"))
    return sorted(out, key=lambda i: i.value or "")


#: a missing value in integer arrays (stored concentrations are never negative)
MISSING_INT = -1


def display_path(path: Path) -> str:
    """How a file is named in provenance: the path as given, resolved to be unambiguous."""
    return str(path.resolve())


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB chunks: what makes an import recognisable
    when the same content comes again (issue 7's idempotence)."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}",
                         file=str(path), code="unreadable_file") from None
    return h.hexdigest()
