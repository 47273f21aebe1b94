"""``ecozone energy ...`` and ``ecozone carbon ...``: the energy account, intensities, the power
emitters' ledger and the pollutant-reduction ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ecozone.carbon import service as carbon
from ecozone.cli.common import (
    Column,
    DbOption,
    Format,
    FormatOption,
    console,
    print_observations,
    print_warnings,
    render,
    say,
    store,
)
from ecozone.energy import service
from ecozone.errors import InputError
from ecozone.ingest import energy as ingest
from ecozone.standards.energy import gb2589
from ecozone.store.db import transaction

energy_app = typer.Typer(help="能源与碳排放 / energy account: total energy, shares, CO2, intensities", no_args_is_help=True)
carbon_app = typer.Typer(help="碳市场与减排台账 / power emitters' ledger and pollutant-reduction ledger", no_args_is_help=True)

InputOpt = Annotated[Path, typer.Option("--input", "-i", help="能源消费文件 region,year,fuel,quantity,unit（CSV 或 Excel）/ energy use file")]
YearOpt = Annotated[list[int] | None, typer.Option("--year", "-y", help="只计算这些年份 / only these years")]
ElecOpt = Annotated[str, typer.Option("--electricity-method", help="调入电力折标：equivalent 当量值 0.1229 | coal_consumption 发电煤耗法")]
PrimaryOpt = Annotated[str, typer.Option("--primary-method", help="一次电力（水风光核）折标：coal_consumption 发电煤耗法（默认）| equivalent")]
GridScopeOpt = Annotated[str, typer.Option("--grid-scope", help="电力排放因子范围 / grid factor scope: country.cn, grid.north_china, 130000")]
GridKindOpt = Annotated[str, typer.Option("--grid-kind", help="电力排放因子口径 / kind: average, average_excl_market_nonfossil, fossil, ets")]
CoalRateOpt = Annotated[Path | None, typer.Option("--coal-rate-file", help="自备的火电煤耗表 year,gce_per_kwh（含 # edition: 行）/ your own coal-rate table")]
GridFileOpt = Annotated[Path | None, typer.Option("--grid-factor-file", help="自备的电力排放因子表 year,scope,kind,factor,source / your own grid factor table")]
RecordOpt = Annotated[bool, typer.Option("--record", help="把结果写入数据库作为计算观测值，供目标跟踪 / write the results as observations for tracking")]


def register(app: typer.Typer) -> None:
    app.add_typer(energy_app, name="energy")
    app.add_typer(carbon_app, name="carbon")


def _json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _warn(warnings: list[str]) -> None:
    """Every warning of an energy account (they are few: one per region-year or factor gap)."""
    print_warnings(warnings, most=None)


ACCOUNT_COLUMNS = [
    Column("region_label", "地区", "region"), Column("year", "年份", "year"),
    Column("tce_10k", "能源消费总量（万吨标准煤）", "total energy (10^4 tce)"),
    Column("coal_10k", "煤炭消费量（万吨）", "coal (10^4 t)"), Column("coal_share", "煤炭占比 %", "coal share %"), Column("non_fossil_share", "非化石占比 %", "non-fossil share %"),
    Column("co2_10k", "二氧化碳（万吨）", "CO2 (10^4 t)"), Column("grid_factor", "电力因子", "grid factor"),
]


def _exact(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Floats as full decimal text for CSV (the shared renderer's ``%g`` keeps 6 digits)."""
    def text(v: Any) -> Any:
        return np.format_float_positional(v, trim="-") if isinstance(v, float) and v == v else v
    return [{k: text(v) for k, v in r.items()} for r in rows]


def _record(db: Path | None, acc: service.Account, intensities: list[dict[str, Any]] | None,
            inputs: list[Path], opts: service.Options) -> None:
    """``--record``: write the account (and intensities) as observations; say what changed."""
    with store(db) as con, transaction(con):
        res = service.record(con, acc, intensities, inputs, opts)
    print_observations(res, "已记录观测值", "observations recorded")


def _round(v: Any, n: int) -> Any:
    return None if v is None else round(float(v), n)


@energy_app.command("account")
def account_cmd(
    input_file: InputOpt,
    year: YearOpt = None,
    electricity_method: ElecOpt = "equivalent",
    primary_method: PrimaryOpt = "coal_consumption",
    grid_scope: GridScopeOpt = "country.cn",
    grid_kind: GridKindOpt = "average",
    coal_rate_file: CoalRateOpt = None,
    grid_factor_file: GridFileOpt = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """能源消费总量、分品种、煤炭与非化石占比、二氧化碳（GB/T 2589-2020；省级清单指南）/ energy account."""
    opts = service.Options(electricity_method, primary_method, grid_scope, grid_kind, coal_rate_file, grid_factor_file)
    acc = service.account(ingest.read_energy(input_file), opts, years=year)
    _warn(acc.warnings)
    if year and not acc.rows:
        _warn([say(f"文件中没有 {', '.join(map(str, year))} 年的数据", f"the file has no rows for {', '.join(map(str, year))}")])
    if record:
        _record(db, acc, None, [input_file], opts)
    if fmt is Format.json:
        _json(acc.rows)
        return
    rows = [{**r, "region_label": say(r["region_name"], r["region_name_en"]), "tce_10k": f"{r['tce_total'] / 1e4:,.2f}", "co2_10k": f"{r['co2_t'] / 1e4:,.2f}",
             "coal_10k": f"{r['coal_t'] / 1e4:,.2f}",
             "coal_share": _round(r["coal_share"], 2), "non_fossil_share": _round(r["non_fossil_share"], 2)}
            for r in acc.rows]
    if fmt is Format.csv:  # one column per fuel present: tce_raw_coal, tce_natural_gas …
        present = [f for f in gb2589.FUEL_IDS if any(f in r["tce_by_fuel"] for r in acc.rows)]
        render(_exact([{**{k: v for k, v in r.items() if k not in ("tce_by_fuel", "editions")},
                        **{f"tce_{f}": r["tce_by_fuel"].get(f) for f in present}} for r in acc.rows]),
               ACCOUNT_COLUMNS, fmt)
        return
    render(rows, ACCOUNT_COLUMNS, fmt, say("能源消费与二氧化碳排放", "Energy use and CO2"))
    console.print(say(f"折标：{acc.editions['energy']}；排放：{acc.editions['co2']}",
                      f"conversion: {acc.editions['energy']}; CO2: {acc.editions['co2']}"), style="dim")


INTENSITY_COLUMNS = [
    Column("region_label", "地区", "region"), Column("year", "年份", "year"),
    Column("energy_intensity", "单位GDP能耗（吨标准煤/万元）", "energy intensity (tce/10^4 yuan)"),
    Column("energy_intensity_change_pct", "比基准年变化 %", "change vs base %"),
    Column("co2_intensity", "单位GDP二氧化碳（吨/万元）", "CO2 intensity (t/10^4 yuan)"),
    Column("co2_intensity_change_pct", "比基准年变化 %", "change vs base %"),
]


@energy_app.command("intensity")
def intensity_cmd(
    input_file: InputOpt,
    gdp: Annotated[Path, typer.Option("--gdp", help="GDP 文件 region,year,gdp_constant（或 gdp_index）")],
    base_year: Annotated[int, typer.Option("--base-year", help="基准年 / base year, e.g. 2020")],
    year: YearOpt = None,
    electricity_method: ElecOpt = "equivalent",
    primary_method: PrimaryOpt = "coal_consumption",
    grid_scope: GridScopeOpt = "country.cn",
    grid_kind: GridKindOpt = "average",
    coal_rate_file: CoalRateOpt = None,
    grid_factor_file: GridFileOpt = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """单位GDP能耗与二氧化碳排放及其比基准年变化 / energy and CO2 intensity and their change."""
    opts = service.Options(electricity_method, primary_method, grid_scope, grid_kind, coal_rate_file, grid_factor_file)
    energy = ingest.read_energy(input_file)
    years = sorted({*year, base_year}) if year else None
    acc = service.account(energy, opts, years=years)
    _warn(acc.warnings)
    rows = service.intensity(acc, ingest.read_gdp(gdp), base_year)
    gaps = [f"{say(r['region_name'], r['region_name_en'])} {r['year']}" for r in rows if r["gdp_missing"]]
    if gaps:
        _warn([say(f"以下地区年份没有 GDP，强度为空：{', '.join(gaps)}",
                   f"no GDP for these region-years, intensities left empty: {', '.join(gaps)}")])
    if record:
        _record(db, acc, rows, [input_file, gdp], opts)
    if year:
        rows = [r for r in rows if r["year"] in year]
    if fmt is Format.json:
        _json(rows)
        return
    if fmt is Format.csv:
        render(_exact([{k: v for k, v in r.items() if k != "editions"} for r in rows]), INTENSITY_COLUMNS, fmt)
        return
    shown = [{**r, "region_label": say(r["region_name"], r["region_name_en"]),
              **{k: _round(r[k], 4) for k in ("energy_intensity", "co2_intensity")},
              **{k: _round(r[k], 2) for k in ("energy_intensity_change_pct", "co2_intensity_change_pct")}} for r in rows]
    render([{k: v for k, v in r.items() if k != "editions"} for r in shown], INTENSITY_COLUMNS, fmt,
           say(f"能耗强度与碳排放强度（基准年 {base_year}，不变价）", f"Energy and CO2 intensity (base {base_year}, constant prices)"))


@energy_app.command("template")
def template_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Excel 文件 / workbook to write")],
    kind: Annotated[list[str] | None, typer.Option("--kind", help="工作表 / sheets: energy, gdp, ledger, reductions")] = None,
    example: Annotated[bool, typer.Option("--example", help="填入示例行 / fill example rows")] = False,
) -> None:
    """生成导入模板（含能源品种与单位下拉）/ write the Excel input template."""
    kinds = kind or ["energy", "gdp"]
    bad = [k for k in kinds if k not in ingest.LAYOUTS]
    if bad:
        raise InputError(f"未知模板：{', '.join(bad)}", f"unknown template: {', '.join(bad)}", column="--kind")
    ingest.write_template(out, kinds, example=example)
    console.print(say(f"已写入模板 {out}", f"template written to {out}"))


FUEL_COLUMNS = [
    Column("fuel", "品种 id", "fuel id"), Column("name_zh", "名称", "name (zh)"), Column("name_en", "英文名", "name (en)"),
    Column("group", "类别", "group"), Column("unit", "基本单位", "base unit"),
    Column("kgce", "折标系数（kgce/基本单位）", "kgce per base unit"), Column("range", "表A.1 范围", "Table A.1 range"),
]


@energy_app.command("fuels")
def fuels_cmd(fmt: FormatOption = Format.table) -> None:
    """能源品种与 GB/T 2589-2020 表A.1 折标准煤系数 / fuels and their coefficients."""
    rows = [{"fuel": f.id, "name_zh": f.name_zh, "name_en": f.name_en, "group": f.group, "unit": f.unit,
             "kgce": f.kgce, "range": f"{f.kgce_min:g}–{f.kgce_max:g}" if f.kgce_min != f.kgce_max else "",
             "choice": f.choice} for f in gb2589.REFERENCE_COEFFICIENTS.values()]
    render(rows, FUEL_COLUMNS, fmt, gb2589.EDITION)


# --------------------------------------------------------------------------- carbon


FACILITY_COLUMNS = [
    Column("facility_id", "编号", "id"), Column("list_no", "名录序号", "list no."), Column("city_label", "城市", "city"),
    Column("name_zh", "单位名称", "name"),
]


@carbon_app.command("facilities")
def facilities_cmd(
    city: Annotated[str | None, typer.Option("--city", help="城市 / city")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """2022 年纳入全国碳市场的河北发电行业重点排放单位名录 / the facility registry."""
    with store(db, load=False) as con:
        info = carbon.registry_info(con)
        rows = carbon.list_facilities(con, city)
    rows = [{**r, "city_label": say(r["city_name"], r["city_name_en"])} for r in rows] if fmt is Format.table else rows
    render(rows, FACILITY_COLUMNS, fmt, say("重点排放单位名录", "Facility registry"))
    if fmt is Format.table:
        console.print(say(f"名录：{info['list_name']}；正文称 {info['stated_count']} 家，附件列出 {info['listed_count']} 家"
                          f"（缺序号 {info['missing_numbers']}）",
                          f"list: {info['list_name']}; its text says {info['stated_count']}, the annex lists "
                          f"{info['listed_count']} (numbers missing: {info['missing_numbers']})"), style="dim")


@carbon_app.command("import")
def ledger_import_cmd(
    path: Annotated[Path, typer.Argument(help="核查排放量与配额文件 facility,year,verified_emissions,allowance[,surrendered][,ccer]")],
    db: DbOption = None,
) -> None:
    """导入经核查排放量与分配配额（全部成功或全部不写）/ import verified emissions and allowances."""
    with store(db, load=False) as con:
        n = carbon.import_ledger(con, path)
    console.print(say(f"已导入 {n} 条单位年度记录", f"imported {n} facility-years"))


LEDGER_COLUMNS = [
    Column("facility_id", "编号", "id"), Column("city_label", "城市", "city"), Column("name_zh", "单位名称", "name", 36),
    Column("verified_t", "核查排放量（吨）", "verified (t)"), Column("allowance_t", "配额（吨）", "allowances (t)"),
    Column("balance_t", "盈余(+)/缺口(−)", "surplus/shortfall"), Column("status_label", "状态", "status"),
]
STATUS_LABELS = {"surplus": ("盈余", "surplus"), "balanced": ("持平", "balanced"), "shortfall": ("缺口", "shortfall"),
                 "covered": ("已清缴", "covered"), "missing": ("无数据", "no data")}


@carbon_app.command("ledger")
def ledger_cmd(
    year: Annotated[int, typer.Option("--year", "-y", help="年度 / year")],
    city: Annotated[str | None, typer.Option("--city", help="城市 / city")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """每家重点排放单位的配额盈缺与履约状态，及合计 / allowance balance and compliance per facility."""
    with store(db, load=False) as con:
        led = carbon.ledger(con, year, city)
    if fmt is Format.json:
        _json({"year": year, "facilities": led.rows, "total": led.total})
        return
    if fmt is Format.csv:
        render(_exact(led.rows), LEDGER_COLUMNS, fmt)
        return
    rows = [{**r, "status_label": say(*STATUS_LABELS[r["status"]]), "city_label": say(r["city_name"], r["city_name_en"]),
             **{k: None if r[k] is None else f"{r[k]:,.0f}" for k in ("verified_t", "allowance_t", "balance_t")}}
            for r in led.rows] if fmt is Format.table else led.rows
    render(rows, LEDGER_COLUMNS, fmt, say(f"{year} 年度配额清缴台账", f"Allowance ledger {year}"))
    if fmt is Format.table:
        t = led.total
        console.print(say(
            f"合计：{t['facilities_with_data']}/{t['facilities']} 家有数据；核查排放 {t['verified_t']:,.0f} 吨，配额 "
            f"{t['allowance_t']:,.0f} 吨，净盈缺 {t['balance_t']:+,.0f} 吨；缺口单位 {t['shortfall_count']} 家（缺口合计 "
            f"{t['shortfall_t']:,.0f} 吨）",
            f"total: {t['facilities_with_data']}/{t['facilities']} facilities with data; verified {t['verified_t']:,.0f} t, "
            f"allowances {t['allowance_t']:,.0f} t, net {t['balance_t']:+,.0f} t; {t['shortfall_count']} facilities short "
            f"({t['shortfall_t']:,.0f} t)"))


REDUCTION_COLUMNS = [
    Column("region_label", "地区", "region"), Column("pollutant_name", "污染物", "pollutant"),
    Column("through_year", "截至", "through"), Column("done_10kt", "累计减排（万吨）", "done (10^4 t)"),
    Column("quota_10kt", "目标（万吨）", "quota (10^4 t)"), Column("share_pct", "完成比例 %", "share done %"),
    Column("target_id", "目标编号", "target"),
]


@carbon_app.command("reductions")
def reductions_cmd(
    input_file: Annotated[Path | None, typer.Option("--input", "-i", help="减排量文件（不写入数据库）；省略则用已导入的台账 / a reductions file, or the stored ledger")] = None,
    record: RecordOpt = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """主要污染物重点工程减排量对照规划目标 / key-project reductions against the plans' quotas."""
    with store(db) as con:
        red = ingest.read_reductions(input_file) if input_file else carbon.stored_reductions(con)
        rows = carbon.reduction_progress(con, red)
        if record and input_file:
            with transaction(con):
                res = carbon.record_reductions(con, red, [input_file])
            print_observations(res, "已记录观测值", "observations recorded")
    if fmt is Format.json:
        _json(rows)
        return
    shown = [{**r, "region_label": say(r["region_name"], r["region_name_en"]),
              "pollutant_name": say(*ingest.POLLUTANTS[r["pollutant"]]),
              "share_pct": _round(r["share_pct"], 1), "done_10kt": _round(r["done_10kt"], 4)} for r in rows]
    render(shown, REDUCTION_COLUMNS, fmt, say("重点工程减排量完成情况", "Key-project reductions against quotas"))


@carbon_app.command("reductions-import")
def reductions_import_cmd(
    path: Annotated[Path, typer.Argument(help="减排量文件 region,year,pollutant,reduction,unit[,project]")],
    db: DbOption = None,
) -> None:
    """导入重点工程减排量台账并记录累计减排观测值（同名文件重新导入即替换）/ import the reduction ledger."""
    with store(db) as con:
        n, res = carbon.import_reductions(con, path)
    console.print(say(f"已导入 {n} 行；观测值新增 {res.added}，更新 {res.superseded}，未变 {res.unchanged}",
                      f"imported {n} rows; observations {res.added} added, {res.superseded} superseded, "
                      f"{res.unchanged} unchanged"))
