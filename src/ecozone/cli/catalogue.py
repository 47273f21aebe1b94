"""Catalogue commands: ``db``, ``targets``, ``plans``, ``observations``, ``catalogue check``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel

from ecozone.catalogue import check as catalogue_check
from ecozone.catalogue.loader import CatalogueError
from ecozone.catalogue.models import (
    COMPARISON_ZH,
    INSTRUMENT_CATEGORY_ZH,
    KIND_ZH,
    SCOPE_ZH,
    Comparison,
    InstrumentCategory,
    Kind,
    Scope,
)
from ecozone.catalogue.seeds import seed_text
from ecozone.catalogue.service import (
    ObservationFilter,
    TargetFilter,
    UnknownRegion,
    describe_target,
    describe_target_en,
    get_instrument,
    get_target,
    list_instruments,
    list_observations,
    list_targets,
    plan_summary,
)
from ecozone.catalogue.wording import WORDINGS
from ecozone.cli.common import (
    ChildrenOpt,
    Column,
    DbOption,
    DocOpt,
    DomainOpt,
    Format,
    FormatOption,
    KindOpt,
    RegionOpt,
    console,
    fail,
    render,
    say,
    store,
    store_busy,
)
from ecozone.ingest.observations import load_bundled
from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect, default_db_path, schema_version
from ecozone.vocabulary import unit_en

db_app = typer.Typer(help="数据库 / database: create and load", no_args_is_help=True)
targets_app = typer.Typer(help="规划目标 / plan targets", no_args_is_help=True)
obs_list_app = typer.Typer(help="已达成值（规划基准）/ achieved values reported by the plans", no_args_is_help=True)
catalogue_app = typer.Typer(help="目录维护 / catalogue maintenance", no_args_is_help=True)

YearOpt = Annotated[int | None, typer.Option("--year", "-y", help="目标年 / target year")]
IndicatorOpt = Annotated[str | None, typer.Option("--indicator", "-i", help="指标 id / indicator id")]

TARGET_COLUMNS = [
    Column("id", "编号", "id"),
    Column("region_label", "地区", "region"),
    Column("indicator_label", "指标", "indicator", 28),
    Column("baseline", "基准", "baseline"),
    Column("goal", "目标", "target", 30),
    Column("kind_label", "属性", "kind"),
    Column("document", "文件", "doc"),
    Column("n_statements", "表述", "stmts"),
]


def _with_labels(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["goal"] = say(describe_target(r), describe_target_en(r))
        r["region_label"] = say(r["region_name"], r.get("region_name_en") or r["region_name"])
        r["indicator_label"] = say(r["indicator_name"], r.get("indicator_name_en") or r["indicator_name"])
        r["kind_label"] = say(KIND_ZH[Kind(r["kind"])], r["kind"])
        r["comparison_label"] = COMPARISON_ZH[Comparison(r["comparison"])]
        if r["baseline_year"] is not None:
            value = "" if r["baseline_value"] is None else f" {r['baseline_value']:g}"
            r["baseline"] = f"{r['baseline_year']}{value}"
        else:
            r["baseline"] = ""
    return rows


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """创建数据库并升级结构 / create the database and apply migrations."""
    with store(db, load=False) as con:
        version = schema_version(con)
    console.print(escape(say(f"数据库就绪：{db or default_db_path()}（结构版本 {version}）",
                             f"database ready: {db or default_db_path()} (schema version {version})")))


@db_app.command("load")
def db_load(
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="即使未变化也重新载入 / reload even if unchanged")] = False,
) -> None:
    """载入地区、指标、文件与目标目录（重复执行无变化）/ load dictionaries and the catalogue (idempotent)."""
    con = connect(db, on_wait=store_busy)
    try:
        result = ensure_loaded(con, force=force)
        if (bundled := load_bundled(con, force=force)) is not None:
            console.print(say(f"内置公报数据：载入 {bundled.loaded} 行，新增 {bundled.written.added}",
                              f"bundled figures: {bundled.loaded} rows loaded, {bundled.written.added} added"))
    except CatalogueError as exc:
        raise fail(str(exc), str(exc)) from exc
    finally:
        con.close()
    if result is None or not result.changed:
        console.print(say("目录未变化，无需载入。", "catalogue unchanged: nothing to load."))
        return
    console.print(say(
        f"已载入：地区 {result.regions}，指标 {result.indicators}，文件 {result.documents}，目标 {result.targets}；"
        f"规划已达成值 新增 {result.observations_added}，更正 {result.observations_superseded}，撤回 {result.observations_withdrawn}",
        f"loaded: {result.regions} regions, {result.indicators} indicators, {result.documents} documents, "
        f"{result.targets} targets; achieved values added {result.observations_added}, "
        f"superseded {result.observations_superseded}, withdrawn {result.observations_withdrawn}",
    ))


def _target_filter(region, with_children, domain, year, kind, document, indicator) -> TargetFilter:
    return TargetFilter(region, with_children, domain, year, kind, document, indicator)


@targets_app.command("list")
def targets_list(
    region: RegionOpt = None,
    with_children: ChildrenOpt = False,
    domain: DomainOpt = None,
    year: YearOpt = None,
    kind: KindOpt = None,
    document: DocOpt = None,
    indicator: IndicatorOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """列出规划目标 / list plan targets."""
    flt = _target_filter(region, with_children, domain, year, kind, document, indicator)
    with store(db) as con:
        try:
            rows = list_targets(con, flt)
        except UnknownRegion as exc:
            raise fail(f"未知地区：{exc}", f"unknown region: {exc}") from exc
        except ValueError as exc:
            raise fail(str(exc), str(exc)) from exc
    if fmt is Format.table:
        rows = _with_labels(rows)
    render(rows, TARGET_COLUMNS, fmt, say("规划目标", "Plan targets"))


@targets_app.command("show")
def targets_show(target_id: str, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """显示一个目标的全部表述与原文段落 / show one target with every statement and its source paragraph."""
    with store(db) as con:
        row = get_target(con, target_id)
        instrument = get_instrument(con, target_id) if row is None else None
    if row is None and instrument is not None:
        _show_instrument(instrument, target_id, fmt)
        return
    if row is None:
        raise fail(f"没有编号为 {target_id} 的目标", f"no target {target_id}")
    for st in row["statements"]:
        st["context"] = seed_text(st["document_file"]).context(st["quote"])
    row["context"] = row["statements"][0]["context"] if row["statements"] else None
    if fmt is not Format.table:
        render([row], [], fmt)
        return
    _with_labels([row])
    row = {k: escape(v) if isinstance(v, str) else v for k, v in row.items()}  # catalogue text is data
    lines = []
    if row["requested_id"] != row["id"]:
        lines.append(say(f"{row['requested_id']} 已并入 {row['id']}（同一承诺的重复表述）",
                         f"{row['requested_id']} was merged into {row['id']} (a restatement of one commitment)"))
    scope = Scope(row["scope"])
    scope_text = say(SCOPE_ZH[scope], scope.value)
    if row["members"]:
        scope_text += f"（{len(row['members'])}）: {', '.join(row['members'])}"
    if row["member_rule"]:
        scope_text += f" 「{row['member_rule']}」"
    if not row["scope_stated"]:
        scope_text += say("（推断）", " (inferred)")
    deadline = str(row["target_year"]) + ("" if row["year_stated"] else say(f"（原文未写年份：{row['year_rule']}）",
                                                                           f" (year not stated: {row['year_rule']})"))
    lines += [
        f"[bold]{row['id']}[/bold]  {row['region_label']}（{row['region_code']}） · {row['indicator_label']}（{row['indicator_id']}）",
        f"{say('目标', 'target')}: {row['goal']}    {say('属性', 'kind')}: {row['kind_label']}",
        f"{say('基准', 'baseline')}: {row['baseline'] or '—'}    {say('单位', 'unit')}: {row['unit']}",
        f"{say('期限', 'deadline')}: {deadline}    {say('范围', 'scope')}: {scope_text}",
        f"{say('文件', 'document')}: {row['document']} {row['document_title']} · {row['section']}",
    ]
    flags = [say(zh, en) for key, zh, en in (("approximate", "约数", "approximate"), ("reconstructed", "数值重建", "reconstructed"))
             if row.get(key)]
    if flags:
        lines.append(f"{say('标记', 'flags')}: {', '.join(flags)}")
    for key, zh, en in (("target_text", "原文表述", "words"), ("conflict_note", "冲突", "conflict"),
                        ("reconstruction_note", "数值重建", "reconstructed"), ("reference", "引用", "reference"),
                        ("note", "备注", "note")):
        if row.get(key):
            lines.append(f"{say(zh, en)}: {row[key]}")  # escaped with the row above
    if row["conflicts_with"]:
        lines.append(f"{say('冲突记录', 'conflicts with')}: {escape(', '.join(row['conflicts_with']))}")
    if row["aliases"]:
        lines.append(f"{say('并入的编号', 'merged ids')}: {escape(', '.join(row['aliases']))}")
    lines.append(f"{say('数据来源', 'catalogue file')}: {row['source_file']}:{row['source_line']}")
    lines.append(say(f"表述 {len(row['statements'])} 处：", f"{len(row['statements'])} statement(s):"))
    for n, st in enumerate(row["statements"], 1):
        mark = say("主", "primary") if st["is_primary"] else say("复述", "restates")
        where = f"{st['document']} · {st['section']}" + (f" · {say('行', 'line')} {st['line']}" if st["line"] else "")
        kind = say(KIND_ZH[Kind(st["kind"])], st["kind"])
        lines.append(escape(f"  {n}. [{mark}] {where} · {kind}"))
        lines.append(escape(f"     「{st['quote']}」"))
    console.print(Panel("\n".join(lines), title=say("规划目标", "Plan target")))
    if row["context"]:
        context = row["context"].replace(row["quote"], f"[reverse]{row['quote']}[/reverse]")
        console.print(Panel(context, title=say("原文段落", "Source paragraph")))


def _show_instrument(row: dict, requested: str, fmt: Format) -> None:
    """A former target record that is a policy instrument: say so and show it."""
    if fmt is not Format.table:
        render([row], [], fmt)
        return
    category = InstrumentCategory(row["category"])
    value = "" if row["value"] is None else f"{row['value']:g}" + (
        f"–{row['value_max']:g}" if row["value_max"] is not None else "") + f" {row['unit'] or ''}"
    lines = []
    if requested != row["id"]:
        lines.append(say(f"{requested} 是政策工具，不是目标，现为 {row['id']}（不参与跟踪）",
                         f"{requested} is a policy instrument, not a target: now {row['id']} (never tracked)"))
    lines += [
        f"[bold]{row['id']}[/bold]  {row['region_name']} · {row['subject']}",
        f"{say('类别', 'category')}: {say(INSTRUMENT_CATEGORY_ZH[category], category.value)}    "
        f"{say('数值', 'value')}: {value.strip() or '—'}",
        f"{say('文件', 'document')}: {row['document_id']} {row['document_title']} · {row['section']}",
        f"{say('原文', 'quote')}: 「{escape(row['quote'])}」",
    ]
    for key, zh, en in (("text", "原文表述", "words"), ("note", "备注", "note")):
        if row.get(key):
            lines.append(f"{say(zh, en)}: {row[key]}")  # escaped with the row above
    console.print(Panel("\n".join(lines), title=say("政策工具", "Policy instrument")))


@obs_list_app.command("list")
def observations_list(
    region: RegionOpt = None,
    with_children: ChildrenOpt = False,
    domain: DomainOpt = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="年份 / year")] = None,
    document: DocOpt = None,
    indicator: IndicatorOpt = None,
    source: Annotated[str | None, typer.Option("--source", help="来源类型 / source type: plan, bulletin, import, computed")] = None,
    history: Annotated[bool, typer.Option("--history", help="包含被更正的旧值 / include superseded values")] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """列出观测值（含规划中的已达成值）/ list observations, including the plans' achieved values."""
    flt = ObservationFilter(region, with_children, domain, year, indicator, source, document, history)
    with store(db) as con:
        try:
            rows = list_observations(con, flt)
        except UnknownRegion as exc:
            raise fail(f"未知地区：{exc}", f"unknown region: {exc}") from exc
    for r in rows:
        r["region_label"] = say(r["region_name"], r["region_name_en"])
        r["indicator_label"] = say(r["indicator_name"], r["indicator_name_en"])
        r["unit_label"] = say(r["unit"], unit_en(r["unit"]))
    columns = [
        Column("region_label", "地区", "region"), Column("indicator_label", "指标", "indicator", 28),
        Column("period", "时期", "period"), Column("measure", "口径", "measure"),
        Column("value", "数值", "value"), Column("unit_label", "单位", "unit"),
        Column("source_type", "来源", "source"), Column("source_id", "出处", "reference", 24),
        Column("quality_flag", "质量", "quality"),
    ]
    render(rows, columns, fmt, say("观测值", "Observations"))


def plans(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """规划文件及其目标数量 / the plan documents with their target counts by kind and domain."""
    with store(db) as con:
        rows = plan_summary(con)
    columns = [
        Column("document", "文件", "doc"), Column("title_label", "名称", "title", 40),
        Column("scope_label", "范围", "scope"), Column("targets", "目标", "targets"),
        Column("binding", "约束性", "binding"), Column("expected", "预期性", "expected"),
        Column("strive", "力争", "strive"), Column("unstated", "未标明", "unstated"),
        Column("statements", "表述", "statements"), Column("instruments", "政策工具", "instruments"),
        Column("achieved", "已达成值", "achieved"), Column("by_domain_label", "按领域", "by domain", 40),
    ]
    for r in rows:
        r["title_label"] = say(r["title"], r["title_en"])
        r["scope_label"] = say(r["scope_name"], r["scope_name_en"])
        r["by_domain_label"] = say(r["by_domain_zh"] or "", r["by_domain_en"] or "")
    render(rows, columns, fmt, say("规划文件", "Plan documents"))


@targets_app.command("instruments")
def targets_instruments(
    document: DocOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """列出政策工具（准入条件、补贴、分级、技术标准；不参与跟踪）/ list policy instruments (never tracked)."""
    with store(db) as con:
        rows = list_instruments(con, document)
    for r in rows:
        category = InstrumentCategory(r["category"])
        r["category_label"] = say(INSTRUMENT_CATEGORY_ZH[category], category.value)
        value = "" if r["value"] is None else f"{r['value']:g}"
        if r["value_max"] is not None:
            value += f"–{r['value_max']:g}"
        r["value_label"] = f"{value} {r['unit'] or ''}".strip() or (r["text"] or "")
    columns = [
        Column("id", "编号", "id"), Column("document_id", "文件", "doc"),
        Column("category_label", "类别", "category"), Column("subject", "对象", "subject", 36),
        Column("value_label", "数值/表述", "value", 24), Column("former_id", "原目标编号", "former id"),
    ]
    render(rows, columns, fmt, say("政策工具", "Policy instruments"))


@catalogue_app.command("check")
def catalogue_check_cmd(
    files: Annotated[list[str] | None, typer.Argument(help="只显示这些文件的问题 / only problems of files matching")] = None,
) -> None:
    """校验目录：字段、引用、单位、原文引语 / validate records, references, units and quotes."""
    raise typer.Exit(catalogue_check.main(files or []))


@catalogue_app.command("wordings")
def catalogue_wordings(fmt: FormatOption = Format.table) -> None:
    """措辞编码表：每种措辞只有一种编码 / the wording table: one encoding per wording."""
    rows = [{"words": "、".join(w.words), "encoding": say(w.encoding_zh, w.encoding_en)} for w in WORDINGS]
    render(rows, [Column("words", "措辞", "wording", 24), Column("encoding", "编码", "encoding", 60)], fmt,
           say("措辞编码表", "Wording table"))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(targets_app, name="targets")
    app.add_typer(obs_list_app, name="observations")
    app.add_typer(catalogue_app, name="catalogue")
    app.command("plans")(plans)
