"""``ecozone air ...``: station data import and HJ 633 / HJ 663 computations."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import pyarrow as pa
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ecozone.air import api, engine, service
from ecozone.cli.common import (
    Column,
    DbOption,
    Format,
    FormatOption,
    InputOpt,
    MoreInputs,
    console,
    err_console,
    fail,
    print_observations,
    print_warnings,
    render,
    require_store,
    say,
    store,
)
from ecozone.errors import InputError
from ecozone.ingest.readers import FORMATS, load_mapping
from ecozone.ingest.stations import (
    Station,
    city_code,
    ensure_packaged_stations,
    list_stations,
    read_station_file,
    upsert_stations,
)
from ecozone.store.db import transaction

air_app = typer.Typer(help="空气质量 / air quality: import, daily AQI, monthly/quarterly/annual assessment, ranking", no_args_is_help=True)
stations_app = typer.Typer(help="监测站点 / station registry", no_args_is_help=True)
air_app.add_typer(stations_app, name="stations")

InputFormatOpt = Annotated[str, typer.Option("--input-format", help=f"输入格式 / input format: {', '.join(FORMATS)}")]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="列映射文件 / column mapping (YAML) for csv/parquet/excel")]
RegisterOpt = Annotated[bool, typer.Option("--register-stations", help="按文件中的站点信息登记新站点 / register stations the files describe")]
BackgroundOpt = Annotated[bool, typer.Option("--include-background", help="城市均值包含对照点 / include background stations in city means")]


def register(app: typer.Typer) -> None:
    app.add_typer(air_app, name="air")


class _RowsColumn(ProgressColumn):
    """Rows read so far and the rate (the ``rows`` field of the task)."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        rate = rows / task.elapsed if task.elapsed else 0.0
        return Text(f"{rows:,} {say('行', 'rows')} · {rate:,.0f} {say('行/秒', 'rows/s')}")


def _progress(total: int) -> tuple[Progress, TaskID]:
    """Files done of ``total`` and rows read with their rate (shown on a terminal only)."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RowsColumn(),
                   TimeElapsedColumn(), console=err_console, transient=True, disable=not err_console.is_terminal)
    task = bar.add_task(say("读取文件", "reading files"), total=total, rows=0)
    return bar, task


def _import(con: duckdb.DuckDBPyConnection, paths: list[Path], fmt: str, mapping: Path | None,
            register_stations: bool, time_label: str | None = None) -> service.ImportSummary:
    """Errors (ImportRejected, InputError: file, line, column, reason) go to EcozoneGroup."""
    if fmt not in FORMATS:
        raise fail(f"未知格式 {fmt}，可选：{', '.join(FORMATS)}", f"unknown format {fmt}; one of {', '.join(FORMATS)}")
    mapped = load_mapping(mapping) if mapping else None
    bar, task = _progress(len(paths))

    read = 0

    def rows(n: int) -> None:
        nonlocal read
        read += n
        bar.update(task, rows=read)

    with bar:
        return service.import_files(con, paths, fmt, mapping=mapped, register_stations=register_stations,
                                    progress=lambda _: bar.advance(task), time_label=time_label, rows=rows)


@contextmanager
def _source(db: Path | None, inputs: list[Path] | None, fmt: str, mapping: Path | None,
            register_stations: bool) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
    """The store, or an in-memory store holding ``inputs``; yields (connection, from_files)."""
    if inputs:
        con = duckdb.connect(":memory:")
        from ecozone.store.db import migrate

        migrate(con)
        try:
            summary = _import(con, inputs, fmt, mapping, register_stations)
            print_warnings(summary.warnings)
            yield con, True
        finally:
            con.close()
    else:
        with store(db, load=False) as con:
            ensure_packaged_stations(con)
            yield con, False


def _inputs(inputs: list[Path] | None, more: list[Path] | None) -> list[Path] | None:
    """``--input A B C``: Click takes A for the option and B, C as arguments; a folder means its files."""
    if not inputs and more:
        raise fail("多余的参数：输入文件须跟在 --input 之后", "extra arguments: input files go after --input")
    paths = [*(inputs or []), *(more or [])]
    out: list[Path] = []
    for p in paths:  # a folder is expanded here, visibly, never by DuckDB's glob
        if not p.is_dir():
            out.append(p)
            continue
        found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".csv", ".parquet", ".xlsx"))
        if not found:
            raise InputError("文件夹中没有 .csv/.parquet/.xlsx 文件", "no .csv/.parquet/.xlsx files in this folder",
                             file=str(p), code="empty_folder")
        err_console.print(escape(say(f"文件夹 {p}：{len(found)} 个文件", f"folder {p}: {len(found)} files")),
                          style="dim", highlight=False)
        out.extend(found)
    return out or None


def _cities(names: list[str] | None) -> list[str] | None:
    try:
        return service.resolve_cities(names)
    except LookupError as exc:
        raise fail(f"未知城市：{exc}", f"unknown city: {exc}") from exc


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows = table.to_pylist()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
    return rows


@air_app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="文件 / files")],
    fmt: Annotated[str, typer.Option("--format", help=f"输入格式 / input format: {', '.join(FORMATS)}")] = "cnemc",
    mapping: MappingOpt = None,
    register_stations: RegisterOpt = False,
    time_label: Annotated[str | None, typer.Option(
        "--time-label", help="小时标记为时段起点或终点（prsa、csv、parquet、excel）/ hour labels mark the start or "
                             "end of the hour (prsa: end; csv: the mapping's time_label)")] = None,
    db: DbOption = None,
) -> None:
    """导入站点小时数据（一次导入：全部成功或全部不写）/ import station hours, all or nothing."""
    paths = _inputs(paths, None) or []
    with store(db, load=False) as con:
        started = time.perf_counter()
        summary = _import(con, paths, fmt, mapping, register_stations, time_label)
        seconds = max(time.perf_counter() - started, 1e-9)
    print_warnings(summary.warnings)
    for file, earlier, batch in summary.already:
        err_console.print(escape(say(f"已导入过（内容相同：批次 {batch}，{earlier}），跳过：{file}",
                                     f"already imported (same content as batch {batch}, {earlier}), skipped: {file}")))
    console.print(say(
        f"已导入 {summary.files} 个文件：读取 {summary.rows_read} 行，新增站点小时 {summary.hours_added}，"
        f"未变化 {summary.hours_unchanged}，新登记站点 {summary.stations_registered}，提示 {len(summary.warnings)}",
        f"imported {summary.files} files: {summary.rows_read} rows read, {summary.hours_added} station-hours "
        f"added, {summary.hours_unchanged} unchanged, {summary.stations_registered} stations registered, "
        f"{len(summary.warnings)} warnings"))
    console.print(say(f"用时 {seconds:.1f} 秒：每秒 {summary.rows_read / seconds:,.0f} 行，{summary.files / seconds:.1f} 个文件",
                      f"{seconds:.1f} s: {summary.rows_read / seconds:,.0f} rows/s, {summary.files / seconds:.1f} files/s"))


DAILY_COLUMNS = [
    Column("city_name", "城市", "city"), Column("date", "日期", "date"),
    Column("pm25", "PM2.5", "PM2.5"), Column("pm10", "PM10", "PM10"), Column("so2", "SO2", "SO2"),
    Column("no2", "NO2", "NO2"), Column("co", "CO", "CO"), Column("o3_1h", "O3-1h", "O3-1h"),
    Column("o3_8h", "O3-8h", "O3-8h"), Column("aqi", "AQI", "AQI"),
    Column("category", "类别", "category"), Column("primary", "首要污染物", "primary"),
]


@air_app.command("daily")
def daily_cmd(
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="城市 / city (code or name)")] = None,
    start: Annotated[str, typer.Option("--from", help="起始日期 / first day YYYY-MM-DD")] = "",
    end: Annotated[str, typer.Option("--to", help="结束日期 / last day YYYY-MM-DD")] = "",
    inputs: InputOpt = None,
    input_format: InputFormatOpt = "prsa",
    mapping: MappingOpt = None,
    register_stations: RegisterOpt = False,
    include_background: BackgroundOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """城市日均浓度与日 AQI（HJ 633 / HJ 663）/ city daily values and daily AQI."""
    try:
        d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise fail("请用 --from/--to 给出日期 YYYY-MM-DD", "give --from/--to as YYYY-MM-DD") from exc
    if d1 < d0:
        raise fail("结束日期早于起始日期", "--to is before --from")
    cities = _cities(city)
    with _source(db, _inputs(inputs, more), input_format, mapping, register_stations) as (con, _):
        table = api.daily(con, start=d0, end=d1, cities=cities, include_background=include_background,
                          output="arrow")
    render(_rows(table), DAILY_COLUMNS, fmt, say("城市日空气质量", "City daily air quality"))


# the assessment items shared by the annual and the monthly/quarterly tables
ITEM_COLUMNS = [
    Column("pm25_mean", "PM2.5", "PM2.5"), Column("pm10_mean", "PM10", "PM10"),
    Column("so2_mean", "SO2", "SO2"), Column("no2_mean", "NO2", "NO2"),
    Column("co_p95", "CO-95per", "CO p95"), Column("o3_8h_p90", "O3-8h-90per", "O3 p90"),
    Column("valid_days", "有效天数", "valid days"), Column("good_days", "优良天数", "good days"),
    Column("good_day_ratio", "优良率%", "good %"), Column("heavy_days", "重污染天数", "heavy days"),
    Column("heavy_day_ratio", "重污染率%", "heavy %"), Column("composite_index", "综合指数", "index"),
]
ANNUAL_COLUMNS = [
    Column("city_name", "城市", "city"), Column("year", "年份", "year"), *ITEM_COLUMNS,
    Column("compliance_label", "达标", "complies"),
]
POLS = ("so2", "no2", "pm10", "pm25", "co", "o3")
# how a pollutant is written in either language (never the internal id)
POLLUTANT_LABEL = {"so2": "SO₂", "no2": "NO₂", "pm10": "PM10", "pm25": "PM2.5", "co": "CO", "o3": "O₃",
                   "o3_8h": "O₃-8h", "o3_1h": "O₃-1h"}


def _pollutants(ids: list[str]) -> str:
    return "、".join(POLLUTANT_LABEL.get(p, p) for p in ids) if say("zh", "en") == "zh" else \
        ", ".join(POLLUTANT_LABEL.get(p, p) for p in ids)


def _annual_rows(table: pa.Table) -> list[dict[str, Any]]:
    rows = _rows(table)
    for r in rows:
        r["compliance"] = {p: r[f"{p}_complies"] for p in POLS}
        failing = [p for p in POLS if r[f"{p}_complies"] is False]
        r["compliance_label"] = say("达标", "yes") if r["all_complies"] else \
            (say("超标：", "no: ") + _pollutants(failing) if failing else say("数据不足", "incomplete"))
    return rows


@air_app.command("annual")
def annual_cmd(
    year: Annotated[list[int], typer.Option("--year", "-y", help="年份，可多次 / calendar year (repeatable)")],
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="城市 / city (code or name)")] = None,
    inputs: InputOpt = None,
    input_format: InputFormatOpt = "prsa",
    mapping: MappingOpt = None,
    register_stations: RegisterOpt = False,
    include_background: BackgroundOpt = False,
    record: Annotated[bool, typer.Option("--record", help="把年值写入观测值（供目标跟踪）/ record the values as observations")] = False,
    engine_name: Annotated[str, typer.Option("--engine", help="计算引擎：duckdb（本机）或 spark / engine: duckdb (this machine) or spark")] = "duckdb",
    spark_master: Annotated[str | None, typer.Option("--spark-master", help="Spark 主节点 URL（默认 local[*]）/ Spark master URL (default local[*])")] = None,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """年度评价（HJ 663）、优良天数与综合指数 / annual assessment, good days, composite index."""
    cities = _cities(city)
    if engine_name not in api.ENGINES:
        raise fail(f"未知引擎 {engine_name}，可选：duckdb、spark", f"unknown engine {engine_name}; one of duckdb, spark")
    with _source(db, _inputs(inputs, more), input_format, mapping, register_stations) as (con, from_files):
        table = api.annual(con, year=year, cities=cities, include_background=include_background, output="arrow",
                           engine=engine_name, spark_master=spark_master)
        if record:
            require_store(from_files)
            sources = sorted({f for y in year for f in service.input_files(con, y)})
            print_observations(service.record_annual(con, table, sources))
    if table.num_rows == 0:
        err_console.print(say("没有该年的站点数据", "no station data for that year"))
    years = "、".join(map(str, year))
    render(_annual_rows(table), ANNUAL_COLUMNS, fmt, say(f"{years} 年环境空气质量评价", f"Air quality {years}"))


PERIOD_COLUMNS = [
    Column("city_name", "城市", "city"), Column("period", "时段", "period"), *ITEM_COLUMNS,
    Column("validity_label", "数据有效性", "validity"),
]
#: evaluation item -> the pollutant whose daily values its validity counts
PERIOD_VALIDITY = {"pm25_mean": "pm25", "pm10_mean": "pm10", "so2_mean": "so2", "no2_mean": "no2",
                   "co_p95": "co", "o3_8h_p90": "o3_8h"}


def _period_rows(table: pa.Table) -> list[dict[str, Any]]:
    rows = _rows(table)
    for r in rows:
        r["validity"] = {k: r[f"{p}_valid"] for k, p in PERIOD_VALIDITY.items()}
        short = [p for p in PERIOD_VALIDITY.values() if not r[f"{p}_valid"]]
        r["validity_label"] = say("有效", "valid") if not short else say("数据不足：", "incomplete: ") + _pollutants(short)
    return rows


@air_app.command("period")
def period_cmd(
    year: Annotated[list[int], typer.Option("--year", "-y", help="年份，可多次 / calendar year (repeatable)")],
    by: Annotated[str, typer.Option("--by", help="评价时段：month（月）或 quarter（季）/ period: month or quarter")] = "month",
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="城市 / city (code or name)")] = None,
    inputs: InputOpt = None,
    input_format: InputFormatOpt = "prsa",
    mapping: MappingOpt = None,
    register_stations: RegisterOpt = False,
    include_background: BackgroundOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """月度或季度评价（HJ 663）、优良天数与综合指数 / monthly or quarterly assessment."""
    if by not in engine.PERIODS:
        raise fail("--by 须为 month 或 quarter", "--by must be month or quarter")
    cities = _cities(city)
    with _source(db, _inputs(inputs, more), input_format, mapping, register_stations) as (con, _):
        table = api.period(con, year=year, by=by, cities=cities, include_background=include_background,
                           output="arrow")
    if table.num_rows == 0:
        err_console.print(say("没有该年的站点数据", "no station data for that year"))
    years = "、".join(map(str, year))
    title = say(f"{years} 年{'月度' if by == 'month' else '季度'}环境空气质量评价", f"Air quality {years} by {by}")
    render(_period_rows(table), PERIOD_COLUMNS, fmt, title)


@air_app.command("rank")
def rank_cmd(
    year: Annotated[int, typer.Option("--year", "-y", help="年份 / year")],
    cities: Annotated[list[str] | None, typer.Option("--cities", help="参与排名的城市 / cities to rank")] = None,
    worst_first: Annotated[bool, typer.Option("--worst-first", help="倒排（最差在前）/ worst first")] = False,
    base_year: Annotated[int | None, typer.Option("--base-year", help="对比基准年 / base year for the change")] = None,
    inputs: InputOpt = None,
    input_format: InputFormatOpt = "prsa",
    mapping: MappingOpt = None,
    register_stations: RegisterOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """综合指数排名（城市环境空气质量排名技术规定）/ composite-index ranking of cities."""
    codes = _cities(cities)
    with _source(db, _inputs(inputs, more), input_format, mapping, register_stations) as (con, _):
        ranked = api.rank(con, year=year, cities=codes, worst_first=worst_first, base_year=base_year,
                          output="arrow")
    columns = [Column("rank", "名次", "rank"), Column("city_name", "城市", "city"),
               Column("composite_index", "综合指数", "index"), Column("composite_primary", "首要污染物", "primary"),
               Column("pm25_mean", "PM2.5", "PM2.5"), Column("good_day_ratio", "优良率%", "good %")]
    if base_year:
        columns += [Column("base_index", f"{base_year}指数", f"{base_year} index"),
                    Column("change_pct", "变化率%", "change %")]
    title = say(f"{year} 年综合指数排名" + ("（倒排）" if worst_first else ""),
                f"Composite index ranking {year}" + (" (worst first)" if worst_first else ""))
    rows = _rows(ranked)
    if fmt is Format.table:  # pollutant names, not ids, on screen; the JSON/CSV keep the ids
        for r in rows:
            r["composite_primary"] = _pollutants([p for p in str(r.get("composite_primary") or "").split(",") if p])
    render(rows, columns, fmt, title)


@stations_app.command("list")
def stations_list(
    city: Annotated[str | None, typer.Option("--city", "-c", help="城市 / city")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """列出站点登记 / list the station registry."""
    code = None
    if city:
        code = city_code(city)
        if code is None:
            raise fail(f"未知城市：{city}", f"unknown city: {city}")
    with store(db, load=False) as con:
        with transaction(con):
            ensure_packaged_stations(con)
        rows = list_stations(con, code)
    columns = [Column("code", "编码", "code"), Column("name_zh", "站点", "station"), Column("city", "城市", "city"),
               Column("longitude", "经度", "lon"), Column("latitude", "纬度", "lat"),
               Column("national_control", "国控", "national"), Column("background", "对照点", "background")]
    render(rows, columns, fmt, say("监测站点", "Stations"))


@stations_app.command("import")
def stations_import(
    file: Annotated[Path, typer.Argument(help="CSV 或 YAML：code,name_zh,city,longitude,latitude,… / CSV or YAML")],
    db: DbOption = None,
) -> None:
    """从文件登记或更新站点 / register or update stations from a file."""
    stations = read_station_file(file)  # InputError: file, row, reason (EcozoneGroup)
    with store(db, load=False) as con, transaction(con):
        changed = upsert_stations(con, stations)
    console.print(say(f"站点 {len(stations)} 个，新增或更新 {changed} 个", f"{len(stations)} stations, {changed} new or changed"))


@stations_app.command("add")
def stations_add(
    code: Annotated[str, typer.Option("--code", help="站点编码 / station code")],
    name: Annotated[str, typer.Option("--name", help="站点名称 / name")],
    city: Annotated[str, typer.Option("--city", help="城市 / city")],
    longitude: Annotated[float | None, typer.Option("--lon")] = None,
    latitude: Annotated[float | None, typer.Option("--lat")] = None,
    background: Annotated[bool, typer.Option("--background", help="对照点 / background station")] = False,
    db: DbOption = None,
) -> None:
    """登记一个站点 / register one station."""
    cc = city_code(city)
    if cc is None:
        raise fail(f"未知城市：{city}", f"unknown city: {city}")
    with store(db, load=False) as con, transaction(con):
        upsert_stations(con, [Station(code, name, cc, longitude=longitude, latitude=latitude,
                                      background=background, source="ecozone air stations add")])
    console.print(escape(say(f"已登记 {code}", f"registered {code}")))
