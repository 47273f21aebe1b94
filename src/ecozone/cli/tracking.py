"""``ecozone obs ...``, ``ecozone track`` and ``ecozone report ...``: target tracking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.markup import escape

from ecozone.catalogue.models import KIND_ZH, Kind
from ecozone.catalogue.service import UnknownRegion
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
    err_console,
    fail,
    lang,
    render,
    say,
    store,
)
from ecozone.ingest.observations import ensure_bundled, import_file, load_bundled, write_template
from ecozone.store.db import transaction
from ecozone.store.observations import correct_observation, history
from ecozone.tracking.alerts import alerts as find_alerts
from ecozone.tracking.alerts import record_snapshot
from ecozone.tracking.evaluate import TrackFilter, default_as_of, evaluate, status_counts
from ecozone.tracking.judgement import record_judgement
from ecozone.tracking.reasons import goal_en, goal_zh, num, p_meet_percent
from ecozone.tracking.rollup import league_table, matrix, rollup
from ecozone.tracking.status import STATUS_ORDER
from ecozone.vocabulary import unit_en

obs_app = typer.Typer(help="观测值 / observations: import, template, corrections, judgements", no_args_is_help=True)
track_app = typer.Typer(help="目标跟踪 / target tracking: status of every target", invoke_without_command=True)
report_app = typer.Typer(help="评估报告 / review reports", no_args_is_help=True)

StatusOpt = Annotated[str | None, typer.Option("--status", "-s", help="状态 / status: achieved, met_early, on_track, moderately_off_track (at risk), off_track, awaiting_data, not_yet_due, insufficient_data, needs_judgement")]
AsOfOpt = Annotated[int | None, typer.Option("--as-of", "--year", "-y", help="评估年（使用该年及以前的观测值；默认：有数据的最近年份）/ evaluation year (default: the latest year with data)")]
ByOpt = Annotated[str, typer.Option("--by", help="记录人 / who records it")]


@contextmanager
def tracking_store(db: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store with the packaged catalogue and the bundled official figures loaded."""
    with store(db) as con:
        ensure_bundled(con)
        yield con


# ------------------------------------------------------------------------------------- obs


@obs_app.command("import")
def obs_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV 或 Excel 文件 / CSV or Excel file")],
    by: ByOpt = "ecozone",
    db: DbOption = None,
) -> None:
    """导入观测值（整份文件有效才写入）/ import observations (all or nothing)."""
    with tracking_store(db) as con:
        res = import_file(con, file, recorded_by=by)  # ImportFailed: rows and reasons, exit 2 (EcozoneGroup)
    if res.already is not None:
        console.print(say(f"该文件（内容相同）已于批次 {res.already} 导入，未记录新内容",
                          f"this file's exact content was imported as batch {res.already}; nothing new recorded"))
        return
    for warn in res.warnings[:50]:
        err_console.print(f"[yellow]{say('提示', 'warning')}[/yellow] " + escape(warn.message(lang().value)))
    w = res.written
    console.print(say(f"已导入 {res.rows} 行（批次 {res.batch_id}）：新增 {w.added}，更正 {w.superseded}，未变 {w.unchanged}",
                      f"imported {res.rows} rows (batch {res.batch_id}): added {w.added}, superseded {w.superseded}, unchanged {w.unchanged}"))


@obs_app.command("template")
def obs_template(
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件 (.xlsx 或 .csv) / output file")] = Path("observations_template.xlsx"),
    db: DbOption = None,
) -> None:
    """生成导入模板（指标、单位、地区代码与数据校验）/ write the import template."""
    with store(db) as con:
        path = write_template(con, out)
    console.print(escape(say(f"模板已写入 {path}", f"template written to {path}")))


@obs_app.command("needs")
def obs_needs(
    region: RegionOpt = None,
    with_children: ChildrenOpt = False,
    plan: DocOpt = None,
    domain: DomainOpt = None,
    kind: KindOpt = None,
    year: AsOfOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="预填的导入模板 (.xlsx 或 .csv) / pre-filled template")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """缺哪些观测值：每个尚无结论的目标需要的观测（可写出预填模板）/ the observations that would unlock targets."""
    from ecozone.tracking.needs import needs, write_needs_template

    flt = TrackFilter(region=region, with_children=with_children, domain=domain, document=plan, kind=kind)
    with tracking_store(db) as con:
        as_of = year or default_as_of(con)
        try:
            rows = needs(con, flt, as_of=as_of)
        except UnknownRegion as exc:
            raise fail(f"未知地区：{exc}", f"unknown region: {exc}") from exc
        path = write_needs_template(con, rows, out) if out is not None else None
    for n in rows:
        n["region"] = say(n["region_name"], n["region_name_en"])
        n["indicator"] = say(n["indicator_name"], n["indicator_name_en"])
        n["unit_label"] = say(n["unit"], unit_en(n["unit"]))
        n["unlocks"] = ", ".join(n["targets"][:4]) + (f" …(+{len(n['targets']) - 4})" if len(n["targets"]) > 4 else "")
    if fmt is not Format.table:
        render([{k: n[k] for k in ("region_code", "region_name", "indicator_id", "indicator_name", "year", "unit",
                                   "targets", "binding", "as_of")} for n in rows], [], fmt)
    else:
        render(rows, [Column("region", "地区", "region"), Column("indicator", "指标", "indicator", 28),
                      Column("year", "年份", "year"), Column("unit_label", "单位", "unit"),
                      Column("unlocks", "可解锁的目标", "unlocks targets", 40)], fmt,
               say(f"缺少的观测值（评估年 {as_of}）", f"Observations needed (as of {as_of})"))
    if path is not None:
        console.print(escape(say(f"已写出预填模板 {path}（{len(rows)} 行，数值留空）：填写后用 ecozone obs import 导入",
                                 f"pre-filled template written to {path} ({len(rows)} rows, values empty): fill in, then ecozone obs import")))


@obs_app.command("correct")
def obs_correct(
    obs_id: Annotated[int, typer.Argument(help="观测值编号 / observation id")],
    value: Annotated[float, typer.Option("--value", help="更正后的数值 / corrected value")],
    reason: Annotated[str, typer.Option("--reason", help="更正理由 / why")],
    by: Annotated[str, typer.Option("--by", help="更正人 / who")],
    db: DbOption = None,
) -> None:
    """更正观测值（旧值保留，新值取代之）/ correct an observation (the old value is kept)."""
    with store(db) as con:
        try:
            with transaction(con):
                new_id = correct_observation(con, obs_id, value=value, recorded_by=by, reason=reason)
        except (LookupError, ValueError) as exc:
            raise fail(str(exc), str(exc)) from exc
    console.print(say(f"已记录更正：{obs_id} → {new_id}", f"correction recorded: {obs_id} → {new_id}"))


@obs_app.command("history")
def obs_history(
    obs_id: Annotated[int, typer.Argument(help="观测值编号 / observation id")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """一个观测值的全部版本 / every version of an observation."""
    with store(db) as con:
        rows = history(con, obs_id)
    if not rows:
        raise fail(f"没有编号为 {obs_id} 的观测值", f"no observation {obs_id}")
    cols = [Column("obs_id", "编号", "id"), Column("period", "时期", "period"), Column("value", "数值", "value"),
            Column("value_text", "文字", "text"), Column("unit", "单位", "unit"), Column("source_type", "来源", "source"),
            Column("recorded_at", "记录时间", "recorded at"), Column("recorded_by", "记录人", "by"),
            Column("supersedes", "取代", "supersedes"), Column("reason", "理由", "reason", 40)]
    render(rows, cols, fmt, say("观测值历史", "Observation history"))


@obs_app.command("judge")
def obs_judge(
    target_id: Annotated[str, typer.Argument(help="目标编号 / target id")],
    status: Annotated[str, typer.Option("--status", help="achieved, on_track, moderately_off_track, off_track")],
    reason: Annotated[str, typer.Option("--reason", help="判定理由 / why")],
    by: Annotated[str, typer.Option("--by", help="判定人 / who")],
    year: Annotated[int | None, typer.Option("--year", help="判定所依据的年份 / year judged")] = None,
    db: DbOption = None,
) -> None:
    """人工判定定性目标 / record a person's judgement of a qualitative target."""
    with store(db) as con:
        try:
            obs_id = record_judgement(con, target_id, status, reason=reason, by=by, year=year or default_as_of(con))
        except (LookupError, ValueError) as exc:
            raise fail(str(exc), str(exc)) from exc
    console.print(say(f"已记录判定（观测值 {obs_id}）", f"judgement recorded (observation {obs_id})"))


@obs_app.command("load-bundled")
def obs_load_bundled(
    force: Annotated[bool, typer.Option(help="即使未变化也重新载入 / reload even if unchanged")] = False,
    db: DbOption = None,
) -> None:
    """载入内置的官方公报数据 / load the bundled official figures."""
    with store(db) as con:
        res = load_bundled(con, force=force)
    if res is None:
        console.print(say("内置数据未变化。", "bundled figures unchanged."))
        return
    w = res.written
    console.print(say(
        f"内置公报数据：{res.rows} 行，载入 {res.loaded}（其中非全年值 {res.partial}），跳过 {len(res.skipped)}；新增 {w.added}，更正 {w.superseded}，未变 {w.unchanged}",
        f"bundled figures: {res.rows} rows, {res.loaded} loaded ({res.partial} part-year), {len(res.skipped)} skipped; "
        f"added {w.added}, superseded {w.superseded}, unchanged {w.unchanged}"))
    for s in res.skipped:
        console.print(f"  [yellow]{escape(s)}[/yellow]")


# ----------------------------------------------------------------------------------- track

TRACK_COLUMNS = [
    Column("status_label", "状态", "status"), Column("target_id", "编号", "id"), Column("kind_label", "属性", "kind"),
    Column("region_label", "地区", "region"), Column("indicator_label", "指标", "indicator", 22),
    Column("goal", "目标", "target", 24), Column("latest", "最新", "latest"), Column("projected", "预计", "projected"),
    Column("p_meet_label", "达标概率", "P(meet)"),
    Column("reason", "理由", "reason", 70),
]
JSON_KEYS = (
    "target_id", "parent_id", "scope", "approximate", "document", "region_code", "region_name", "indicator_id", "indicator_name", "domain", "kind",
    "comparison", "unit", "baseline_year", "baseline_value", "target_year", "target_value", "target_value_max",
    "target_text", "required_level", "latest_year", "latest_value", "gap", "progress", "projected_value",
    "projected_low", "projected_high", "p_meet", "scale", "clipped", "fit_from", "fit_to", "fit_n", "fit_missing",
    "break_year", "eff_base", "base_inferred", "final_year", "final_value", "n_derived",
    "actual_rate", "required_rate", "rate_ratio", "reason_key", "status", "status_zh",
    "status_en", "reason", "reason_zh", "reason_en", "quote", "as_of",
)


def _evaluate(con: duckdb.DuckDBPyConnection, flt: TrackFilter, as_of: int | None) -> list[dict[str, Any]]:
    try:
        return evaluate(con, flt, as_of=as_of)
    except UnknownRegion as exc:
        raise fail(f"未知地区：{exc}", f"unknown region: {exc}") from exc
    except ValueError as exc:
        raise fail(str(exc), str(exc)) from exc


@track_app.callback()
def track(
    ctx: typer.Context,
    region: RegionOpt = None,
    with_children: ChildrenOpt = False,
    plan: DocOpt = None,
    domain: DomainOpt = None,
    status: StatusOpt = None,
    kind: KindOpt = None,
    year: AsOfOpt = None,
    fmt: FormatOption = Format.table,
    record: Annotated[bool, typer.Option("--record", help="保存本次评估，供预警比较 / save this evaluation for alerts")] = False,
    db: DbOption = None,
) -> None:
    """每个目标的状态、预测与理由 / status, projection and reason of every target."""
    if ctx.invoked_subcommand is not None:
        return
    flt = TrackFilter(region=region, with_children=with_children, domain=domain, document=plan, kind=kind, status=status)
    with tracking_store(db) as con:
        as_of = year or default_as_of(con)
        rows = _evaluate(con, flt, as_of)
        if record:
            record_snapshot(con, _evaluate(con, TrackFilter(), as_of), as_of)
    for r in rows:
        r["reason"] = say(r["reason_zh"], r["reason_en"])
    if fmt is not Format.table:
        render([{k: r.get(k) for k in JSON_KEYS} for r in rows], [], fmt)
        return
    for r in rows:
        r["status_label"] = f"{r['status_icon']} {say(r['status_zh'], r['status_en'])}"
        r["kind_label"] = say(KIND_ZH[Kind(r["kind"])], r["kind"])
        r["region_label"] = say(r["region_name"], r["region_name_en"])
        r["indicator_label"] = say(r["indicator_name"], r["indicator_name_en"])
        r["goal"] = say(goal_zh(r), goal_en(r))
        r["latest"] = f"{r['latest_year']}: {num(r['latest_value'])}" if r["latest_year"] else ""
        r["p_meet_label"] = "" if r["p_meet"] is None else f"{p_meet_percent(r['p_meet'])}%"
        r["projected"] = "" if r["projected_value"] is None else num(r["projected_value"]) + (
            f" ({num(r['projected_low'])}–{num(r['projected_high'])})" if r["projected_low"] is not None else "")
    why_zh, why_en = ("", "") if year else ("，有数据的最近年份", ", the latest year with data")
    render(rows, TRACK_COLUMNS, fmt, say(f"目标跟踪（评估年 {as_of}{why_zh}）", f"Target tracking (as of {as_of}{why_en})"))
    counts = status_counts(rows)
    console.print("  ".join(f"{s.icon} {say(s.zh, s.en)} {counts[s.value]}" for s in STATUS_ORDER))


@track_app.command("summary")
def track_summary(
    region: RegionOpt = None,
    with_children: Annotated[bool, typer.Option("--with-children/--no-children", help="包含下级地区 / include sub-regions")] = True,
    plan: DocOpt = None,
    domain: DomainOpt = None,
    kind: KindOpt = None,
    year: AsOfOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """汇总：按属性、地区、领域、文件的状态计数，地区×领域矩阵，城市排名 / roll-ups, matrix, league table."""
    flt = TrackFilter(region=region, with_children=with_children, domain=domain, document=plan, kind=kind)
    with tracking_store(db) as con:
        as_of = year or default_as_of(con)
        rows = _evaluate(con, flt, as_of)
        league = league_table(con, as_of=as_of)
    groups = [g for by in ("kind", "region", "domain", "document") for g in rollup(rows, by)]
    domains, mat = matrix(rows)
    if fmt is not Format.table:
        import json

        payload = {"as_of": as_of, "rollups": groups, "matrix": {"domains": domains, "rows": mat}, "league": league}
        if fmt is Format.json:
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        else:
            render(groups, [], fmt)
        return
    status_cols = [Column(s.value, f"{s.icon}{s.zh}", f"{s.icon} {s.en}") for s in STATUS_ORDER]
    for by, zh, en in (("kind", "按属性", "By kind"), ("region", "按地区", "By region"),
                       ("domain", "按领域", "By domain"), ("document", "按规划文件", "By plan")):
        part = [dict(g, label=say(g["label_zh"], g["label_en"])) for g in groups if g["dimension"] == by]
        render(part, [Column("label", zh, en, 24), Column("total", "合计", "total"), *status_cols], fmt,
               say(f"{zh}（评估年 {as_of}）", f"{en} (as of {as_of})"))
    names = {r["domain"]: (r["domain_name"] or r["domain"], r["domain_name_en"] or r["domain"]) for r in rows}
    for m in mat:
        m["region_label"] = say(m["region_name"], m["region_name_en"])
    render(mat, [Column("region_label", "地区", "region"),
                 *[Column(d, names[d][0], names[d][1]) for d in domains]], fmt,
           say("地区 × 领域（●达成、提前达到或顺利 ▲有风险 ✖严重滞后 ?数据不足/待数据/待判定 ○未到期）",
               "Region × domain (● achieved, met early or on track ▲ at risk ✖ off track ? unknown or awaiting data "
               "○ not yet due)"))
    for g in league:
        g["indicator_label"] = say(g["indicator_name"], g["indicator_name_en"])
        g["region_label"] = say(g["region_name"], g["region_name_en"])
        g["unit_label"] = say(g["unit"], unit_en(g["unit"]))
    render(league, [Column("indicator_label", "指标", "indicator", 24), Column("year", "年份", "year"),
                    Column("rank", "名次", "rank"), Column("region_label", "城市", "city"),
                    Column("value", "数值", "value"), Column("unit_label", "单位", "unit")], fmt,
           say("城市排名（可比指标，1 为最好）", "City league table (comparable indicators, 1 = best)"))


@track_app.command("backtest")
def track_backtest(
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """回测：80%预测区间的覆盖率、误差与判定命中率 / calibration: interval coverage, errors, verdict hit rate."""
    import json

    from ecozone.tracking.backtest import backtest

    with tracking_store(db) as con:
        res = backtest(con)
    if fmt is Format.json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=2, default=str))
        return
    lv = res["level_verdicts"]
    console.print(say(
        f"回测：{res['n']}个预测（向前1–{res['horizon_years']}年，拟合近{res['window_years']}年）；"
        f"{round(100 * res['interval'])}%区间覆盖率 {num(res['coverage'])}（未校准的t区间 {num(res['coverage_nominal'])}；"
        f"标准误放大系数 {num(res['scale_used'])}，逐序列留一验证覆盖率 {num(res['coverage_leave_one_series_out'])}）；"
        f"平均绝对百分比误差 {num(res['mape'], 1)}%；对规划目标水平的判定命中率 {num(lv['hit_rate'])}（{lv['n']}个）。",
        f"Backtest: {res['n']} projections (1-{res['horizon_years']} years ahead, last {res['window_years']} years fitted); "
        f"coverage of the {round(100 * res['interval'])}% interval {num(res['coverage'])} (uncalibrated t interval "
        f"{num(res['coverage_nominal'])}; standard error scaled by {num(res['scale_used'])}, leave-one-series-out coverage "
        f"{num(res['coverage_leave_one_series_out'])}); mean absolute percentage error {num(res['mape'], 1)}%; "
        f"verdict hit rate against the plans' levels {num(lv['hit_rate'])} ({lv['n']})."))
    cols = [Column("label", "分组", "group"), Column("n", "预测数", "n"), Column("coverage", "覆盖率", "coverage"),
            Column("coverage_nominal", "未校准覆盖率", "uncalibrated"), Column("mae", "平均绝对误差", "MAE"),
            Column("mape", "平均绝对百分比误差%", "MAPE %"), Column("verdicts_hit_rate", "判定命中率", "verdict hit rate"),
            Column("verdicts_n", "判定数", "verdicts")]
    for part, zh, en in (("by_domain", "按领域", "By domain"), ("by_horizon", "按预测年数", "By horizon (years)")):
        rows = [{**{k: (num(v, 3) if isinstance(v, float) else v) for k, v in g.items()},
                 "label": say(g["label_zh"], g["label_en"])} for g in res[part]]
        render(rows, cols, fmt, say(zh, en))


# ---------------------------------------------------------------------------------- alerts


def alerts_cmd(
    year: AsOfOpt = None,
    record: Annotated[bool, typer.Option("--record/--no-record", help="保存本次评估作为下次比较的基准 / save this evaluation")] = True,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """预警：状态变化、约束性目标滞后、接近全国“后十”的城市 / alerts."""
    with tracking_store(db) as con:
        as_of = year or default_as_of(con)
        rows = _evaluate(con, TrackFilter(), as_of)
        found = find_alerts(con, rows, as_of=as_of)
        if record:
            record_snapshot(con, rows, as_of)
    severity = {"alert": "警报", "warning": "警告", "info": "提示"}
    kinds = {"status_change": "状态变化", "binding_off_track": "约束性目标滞后", "near_bottom": "接近“后十”"}
    for a in found:
        a["message"] = say(a["message_zh"], a["message_en"])
        a["severity_label"] = say(severity.get(a["severity"], a["severity"]), a["severity"])
        a["type_label"] = say(kinds.get(a["type"], a["type"]), a["type"].replace("_", " "))
    render(found, [Column("severity_label", "级别", "severity"), Column("type_label", "类型", "type"),
                   Column("message", "内容", "message", 110)], fmt,
           say(f"预警（评估年 {as_of}）", f"Alerts (as of {as_of})"))


# ---------------------------------------------------------------------------------- report


@report_app.command("review")
def report_review(
    plan: Annotated[str, typer.Option("--plan", "--document", help="规划文件 / document id")],
    year: AsOfOpt = None,
    region: RegionOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 / output folder")] = Path("."),
    db: DbOption = None,
) -> None:
    """评估报告：Excel 工作簿与 HTML 报告 / review workbook (Excel) and report (HTML)."""
    from ecozone.reports.review import review

    with tracking_store(db) as con:
        try:
            files = review(con, document=plan, year=year or default_as_of(con), region=region, out_dir=out)
        except UnknownRegion as exc:
            raise fail(f"未知地区：{exc}", f"unknown region: {exc}") from exc
        except LookupError as exc:
            raise fail(f"没有规划文件 {plan}", f"no document {plan}") from exc
    console.print(escape(say(f"已生成：{files.xlsx}，{files.html}，{files.html_en}（目标 {files.targets}，图 {files.charts}）",
                             f"written: {files.xlsx}, {files.html}, {files.html_en} ({files.targets} targets, {files.charts} charts)")))


def register(app: typer.Typer) -> None:
    """Add the tracking commands to ``app``."""
    app.add_typer(obs_app, name="obs")
    app.add_typer(track_app, name="track")
    app.command("alerts")(alerts_cmd)
    app.add_typer(report_app, name="report")
