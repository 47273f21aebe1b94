"""``ecozone water ...``: surface-water import, GB 3838 assessment, shares, CWQI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

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
    lang,
    print_observations,
    print_warnings,
    render,
    require_store,
    say,
    store,
)
from ecozone.ingest.water import FORMATS, LEVEL_WORDS, write_template
from ecozone.standards.water import gb3838
from ecozone.store.db import transaction
from ecozone.water import service

water_app = typer.Typer(help="地表水 / surface water: import, GB 3838 classes, shares, CWQI", no_args_is_help=True)
sections_app = typer.Typer(help="断面登记 / section registry", no_args_is_help=True)
water_app.add_typer(sections_app, name="sections")

FmtOpt = Annotated[str | None, typer.Option("--input-format", help=f"输入格式（默认自动识别）/ input format: {', '.join(FORMATS)} (default: detect)")]
YearOpt = Annotated[int, typer.Option("--year", "-y", help="评价年份 / year")]
MonthOpt = Annotated[str | None, typer.Option("--months", help="评价时段（月），如 1-6 或 7 / months of the period, e.g. 1-6")]
RecordOpt = Annotated[bool, typer.Option("--record", help="把结果写入观测值（供目标跟踪）/ record the results as observations")]


def register(app: typer.Typer) -> None:
    app.add_typer(water_app, name="water")


def _paths(inputs: list[Path] | None, more: list[Path] | None) -> list[Path] | None:
    if not inputs and more:
        raise fail("多余的参数：输入文件须跟在 --input 之后", "extra arguments: input files go after --input")
    out: list[Path] = []
    for p in [*(inputs or []), *(more or [])]:
        out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in (".csv", ".xlsx")) if p.is_dir() else [p])
    return out or None


def _months(text: str | None) -> tuple[int, int]:
    if not text:
        return (1, 12)
    a, _, b = text.partition("-")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise fail(f"--months 格式错误：{text}", f"--months must be M or M-N: {text}") from None
    if not 1 <= lo <= hi <= 12:
        raise fail(f"--months 超出 1-12：{text}", f"--months outside 1-12: {text}")
    return lo, hi


@contextmanager
def _section_store(db: Path | None, load: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store, with the packaged section registry brought up to date."""
    with store(db, load=load) as con:
        with transaction(con):
            service.ensure_packaged_sections(con)
        yield con


@contextmanager
def _source(db: Path | None, inputs: list[Path] | None, fmt: str | None, year: int | None,
            load: bool = False) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
    """The store, or an in-memory store holding ``inputs``; yields (connection, from_files)."""
    if inputs:
        con, summary = service.memory_store(inputs, fmt, year=year)
        print_warnings(summary.warnings)
        try:
            yield con, True
        finally:
            con.close()
    else:
        with _section_store(db, load=load) as con:
            yield con, False


def _record(con: duckdb.DuckDBPyConnection, from_files: bool, year: int) -> None:
    require_store(from_files)
    result = service.record(con, year)
    print_observations(result)
    skipped = [*result.skipped_regions, *result.skipped_indicators]
    if skipped:
        codes = ", ".join(skipped)
        err_console.print(f"[yellow]{say('提示', 'warning')}[/yellow] " + say(
            f"以下地区或指标不在目录中，其数值未写入：{codes}", f"not in the catalogue, values not recorded: {codes}"))


@water_app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="断面监测数据文件 / section data files (CSV or Excel)")],
    input_format: FmtOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="自动站文件的年份（时间只写月-日时）/ year for release files that omit it")] = None,
    db: DbOption = None,
) -> None:
    """导入断面监测数据（全部或全不）/ import section results (all files or none)."""
    paths = _paths(files, None) or []
    with store(db, load=False) as con:
        summary = service.import_files(con, paths, input_format, year=year)
    print_warnings(summary.warnings)
    console.print(say(
        f"文件 {summary.files} 个，读取 {summary.rows_read} 行；新增 {summary.samples_added} 个监测值，"
        f"{summary.samples_unchanged} 个已存在；新登记断面 {summary.sections_registered} 个",
        f"{summary.files} files, {summary.rows_read} rows; {summary.samples_added} values added, "
        f"{summary.samples_unchanged} already stored; {summary.sections_registered} sections registered"))


ASSESS_COLUMNS = [
    Column("section", "断面编码", "section"), Column("name", "断面", "name"), Column("water_type_label", "类型", "type"),
    Column("period", "时段", "period"), Column("class_display", "水质类别", "class"),
    Column("quality_label", "水质状况", "quality"), Column("exceeding_label", "超标项目（超标倍数）", "exceeding (multiple)", 40),
    Column("samples", "月数", "months"), Column("target_label", "目标", "target"), Column("meets_label", "达标", "meets"),
    Column("main_label", "主要污染指标（断面超标率%）", "main pollutants (sections exceeding %)", 40),
    Column("trophic_label", "营养状态", "trophic state"),
]


def _exceeding_label(r: dict[str, Any]) -> str:
    """The exceeding items, main pollutants first, each with its multiple: 汞(1)、氨氮(0.52)."""
    en = lang().value == "en"
    main = r["main_pollutants"]
    items = sorted(r["exceeding"], key=lambda e: main.index(e["item"]) if e["item"] in main else len(main))
    sep = ", " if en else "、"
    return sep.join((gb3838.ITEMS[e["item"]].name_en if en else gb3838.ITEMS[e["item"]].name_zh)
                    + (f"({e['multiple']:g})" if e["multiple"] is not None else "") for e in items)


def _class_display(r: dict[str, Any]) -> str:
    if r["class"] is None:
        return ""
    return gb3838.class_label([gb3838.CLASS_CODES.index(r["class"]) + 1], lang().value)[0] or ""


def _main_label(r: dict[str, Any], en: bool) -> str:
    """The main pollutants, each with its rate of sections exceeding: 氨氮(12.5)、总磷(8.3)."""
    return ("、" if not en else ", ").join(
        f"{gb3838.ITEMS[m['item']].name_en if en else gb3838.ITEMS[m['item']].name_zh}({m['exceedance_rate']:g})"
        for m in r["main_pollutants"])


def _trophic_label(r: dict[str, Any], en: bool) -> str:
    """The trophic level index and its state ("" where there is none)."""
    return "" if r["tli"] is None else f"{r['tli']:g} {r['trophic_state_en'] if en else r['trophic_state']}"


def _assess_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    en = lang().value == "en"
    for r in rows:
        r["exceeding_label"] = _exceeding_label(r)
        r["class_display"] = _class_display(r)
        r["water_type_label"] = say("湖库", "lake") if r["water_type"] == "lake" else say("河流", "river")
        r["quality_label"] = r["quality_en"] if en else r["quality"]
        r["target_label"] = r["target_class"] or ""
        r["meets_label"] = "" if r["meets_target"] is None else (say("是", "yes") if r["meets_target"] else say("否", "no"))
        r["main_label"] = _main_label(r, en)
        r["trophic_label"] = _trophic_label(r, en)
        if not r["enough_samples"]:
            r["samples"] = f"{r['samples']}*"
    return rows


@water_app.command("assess")
def assess_cmd(
    year: YearOpt,
    months: MonthOpt = None,
    inputs: InputOpt = None,
    input_format: FmtOpt = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """断面水质评价（GB 3838-2002、地表水环境质量评价办法）/ section classes, exceeding items, targets."""
    period = _months(months)
    with _source(db, _paths(inputs, more), input_format, year, load=record) as (con, from_files):
        rows = service.assess(con, year, period)
        if record:
            _record(con, from_files, year)
    if not rows:
        err_console.print(say("没有该时段的断面数据", "no section data for that period"))
    if fmt is Format.csv:
        for r in rows:
            r["exceeding"] = ";".join(f"{e['item']}:{e['multiple'] if e['multiple'] is not None else ''}" for e in r["exceeding"])
            r["main_pollutants"] = ";".join(r["main_pollutants"])
            r["groups"] = ";".join(r["groups"])
            r.pop("means")
    render(_assess_rows(rows) if fmt is Format.table else rows, ASSESS_COLUMNS, fmt,
           say(f"{year} 年断面水质评价", f"Surface-water sections {year}"))
    if fmt is Format.table and any(not r["enough_samples"] for r in rows):
        err_console.print(say("* 月数少于评价办法的要求（国控12次，其他8次）", "* fewer monthly results than the method asks (national 12, others 8)"))


SUMMARY_COLUMNS = [
    Column("group_name", "分组", "group"), Column("sections", "断面数", "sections"),
    Column("good", "Ⅰ-Ⅲ类", "I-III"), Column("share_good_label", "Ⅰ-Ⅲ类比例%", "I-III %"),
    Column("worse_v", "劣Ⅴ类", "worse V"), Column("share_worse_v_label", "劣Ⅴ类比例%", "worse V %"),
    Column("quality_label", "水质状况", "quality"), Column("method_label", "评价方法", "method"),
    Column("main_label", "主要污染指标（断面超标率%）", "main pollutants (sections exceeding %)", 40),
    Column("trophic_label", "营养状态", "trophic state"),
]


def _summary_labels(rows: list[dict[str, Any]]) -> None:
    en = lang().value == "en"
    for r in rows:
        r["share_good_label"] = f"{r['share_good']:.1f}"
        r["share_worse_v_label"] = f"{r['share_worse_v']:.1f}"
        r["quality_label"] = r["quality_en"] if en else r["quality"]
        r["main_label"] = _main_label(r, en)
        r["trophic_label"] = _trophic_label(r, en)
        r["method_label"] = (say("断面比例法", "class shares") if r["description_method"] == "shares"
                             else say(f"断面均值（{r['mean_class'] or ''}类）", f"section means (class {r['mean_class'] or ''})"))


@water_app.command("summary")
def summary_cmd(
    year: YearOpt,
    by: Annotated[str, typer.Option("--by", help="分组：all, region, basin, level, group / grouping")] = "all",
    level: Annotated[list[str] | None, typer.Option("--level", help="只计该级别断面 / only sections of this level (national, provincial, municipal)")] = None,
    months: MonthOpt = None,
    inputs: InputOpt = None,
    input_format: FmtOpt = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """Ⅰ-Ⅲ类与劣Ⅴ类断面比例及水质状况 / shares of sections at I-III and worse than V, description."""
    period = _months(months)
    levels = None
    if level:
        levels = [LEVEL_WORDS.get(v.strip().lower()) for v in level]
        if None in levels:
            raise fail(f"--level 须为 national、provincial 或 municipal：{', '.join(level)}",
                       f"--level must be national, provincial or municipal: {', '.join(level)}")
    with _source(db, _paths(inputs, more), input_format, year, load=record) as (con, from_files):
        rows = service.summary(con, year, by, period, [v for v in levels or [] if v] or None)
        if record:
            _record(con, from_files, year)
    if fmt is Format.table:
        _summary_labels(rows)
    elif fmt is Format.csv:
        for r in rows:
            r["main_pollutants"] = ";".join(f"{m['item']}:{m['exceedance_rate']:g}" for m in r["main_pollutants"])
            r["sections_list"] = ";".join(r["sections_list"])
            r["incomplete"] = ";".join(r["incomplete"])
    render(rows, SUMMARY_COLUMNS, fmt, say(f"{year} 年地表水水质状况", f"Surface-water quality {year}"))


@water_app.command("cwqi")
def cwqi_cmd(
    year: YearOpt,
    base_year: Annotated[int | None, typer.Option("--base-year", help="对比基准年 / base year for ΔCWQI")] = None,
    sections: Annotated[bool, typer.Option("--sections", help="列出断面 CWQI / list the section indices")] = False,
    months: MonthOpt = None,
    inputs: InputOpt = None,
    input_format: FmtOpt = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """城市水质指数（CWQI）与排名 / city water quality index and ranking."""
    period = _months(months)
    with _source(db, _paths(inputs, more), input_format, year, load=record) as (con, from_files):
        if sections:
            rows = service.cwqi_sections(con, year, period)
            render(rows, [Column("section", "断面编码", "section"), Column("name", "断面", "name"),
                          Column("region", "城市", "city"), Column("cwqi", "CWQI", "CWQI"),
                          Column("items", "指标数", "items")], fmt, say(f"{year} 年断面水质指数", f"Section CWQI {year}"))
            return
        rows = service.cwqi_cities(con, year, base_year, period)
        if record:
            _record(con, from_files, year)
    columns = [Column("rank", "名次", "rank"), Column("city_name", "城市", "city"), Column("cwqi", "CWQI", "CWQI"),
               Column("river_sections", "河流断面", "river sections"), Column("lake_points", "湖库点位", "lake points")]
    if base_year:
        columns += [Column("base_cwqi", f"{base_year} CWQI", f"{base_year} CWQI"), Column("change_pct", "变化率%", "change %"),
                    Column("change_rank", "变化名次", "change rank")]
    render(rows, columns, fmt, say(f"{year} 年城市水质指数排名", f"City water quality index {year}"))


@water_app.command("section")
def section_cmd(
    code: Annotated[str, typer.Argument(help="断面编码或名称 / section code or name")],
    year: YearOpt,
    inputs: InputOpt = None,
    input_format: FmtOpt = None,
    fmt: FormatOption = Format.table,
    more: MoreInputs = None,
    db: DbOption = None,
) -> None:
    """单个断面逐月水质类别 / one section's class month by month."""
    with _source(db, _paths(inputs, more), input_format, year) as (con, _):
        section = service.find_section(con, code)
        rows = service.monthly_classes(con, section["code"], year)
        annual = service.assess(con, year, sections=[section["code"]])
    for r in rows:
        r["exceeding_label"] = _exceeding_label(r)
        r["class_display"] = _class_display(r)
        r["means_label"] = ", ".join(f"{k}={v:g}" for k, v in r["means"].items() if k in ("do", "codmn", "nh3_n", "tp"))
    title = say(f"{section['name_zh']}（{section['code']}）{year} 年逐月水质", f"{section['code']} {year} by month")
    if annual:
        a = annual[0]
        title += say(f"；全年 {a['class_label'] or '—'}", f"; year: {a['class'] or '—'}")
    render(rows, [Column("month", "月份", "month"), Column("class_display", "水质类别", "class"),
                  Column("exceeding_label", "超标项目（超标倍数）", "exceeding (multiple)", 40),
                  Column("means_label", "主要指标", "main items", 60)], fmt, title)


@water_app.command("template")
def template_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="输出 Excel 文件 / output .xlsx")],
    year: Annotated[int | None, typer.Option("--year", help="按登记断面预填该年 12 个月 / pre-fill the registered sections' months of this year")] = None,
    db: DbOption = None,
) -> None:
    """生成宽表 Excel 模板 / write the wide Excel template."""
    sections: list[dict[str, Any]] = []
    if year:
        with _section_store(db) as con:
            sections = service.list_sections(con)
    try:
        write_template(out, sections, year)
    except OSError as exc:
        raise fail(f"无法写出 {out}：{exc}", f"cannot write {out}: {exc}") from exc
    console.print(say(f"已写出 {out}", f"wrote {out}"))


@sections_app.command("list")
def sections_list(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """列出断面登记 / list the section registry."""
    with _section_store(db) as con:
        rows = service.list_sections(con)
    columns = [Column("code", "编码", "code"), Column("name_zh", "断面", "name"), Column("water_type", "类型", "type"),
               Column("river", "水体", "water body"), Column("basin", "流域", "basin"), Column("region_code", "城市", "city"),
               Column("level", "级别", "level"), Column("targets", "目标类别（年:类）", "targets (year:class)")]
    render(rows, columns, fmt, say("地表水断面", "Surface-water sections"))


@sections_app.command("import")
def sections_import(
    file: Annotated[Path, typer.Argument(help="CSV 或 Excel：code,name_zh,water_type,region,level,groups,targets / CSV or Excel")],
    db: DbOption = None,
) -> None:
    """从文件登记或更新断面 / register or update sections from a file."""
    sections = service.read_section_file(file)
    with store(db, load=False) as con, transaction(con):
        n = service.upsert_sections(con, sections)
    console.print(say(f"断面 {n} 个已登记或更新", f"{n} sections registered or updated"))
