"""The one-sentence reason behind each status, in Chinese and in English, with the numbers."""

from __future__ import annotations

import math
from typing import Any

from ecozone.tracking.status import Status
from ecozone.vocabulary import unit_en, worded_en

VERB_ZH = {"reduce": "下降", "increase": "提高"}
VERB_EN = {"reduce": "down", "increase": "up"}


def num(x: float | None, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros."""
    if x is None:
        return "—"
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _u(unit: str) -> str:
    if unit == "百分点":
        return "个百分点"
    return unit if unit == "%" else f" {unit}"


def _ue(unit: str) -> str:
    if unit == "百分点":
        return " percentage points"
    return unit if unit == "%" else f" {unit_en(unit)}"


def unit_zh(unit: str) -> str:
    return unit


def _change(r: dict[str, Any]) -> tuple[str, str]:
    verb = r["comparison"].split("_")[0]
    return VERB_ZH.get(verb, verb), VERB_EN.get(verb, verb)


def goal_zh(r: dict[str, Any]) -> str:
    """The target in words, e.g. ``≤38 µg/m³`` or ``比2020年下降18%（即≤36.74 µg/m³）``;
    ``（约）`` when the plan states it as approximate (左右, 约, 基本)."""
    return _goal_zh(r) + ("（约）" if r.get("approximate") else "")


def goal_en(r: dict[str, Any]) -> str:
    return _goal_en(r) + (" (approx.)" if r.get("approximate") else "")


def _goal_zh(r: dict[str, Any]) -> str:
    c, x, u = r["comparison"], r["target_value"], r["unit"]
    if c == "at_most":
        return f"≤{num(x)}{_u(u)}"
    if c == "at_least":
        return f"≥{num(x)}{_u(u)}"
    if c == "range":
        return f"{num(x)}–{num(r['target_value_max'])}{_u(u)}"
    if c == "eliminate":
        return "消除（为0）"
    if c == "class_or_better":
        return f"达到{num(x)}类或更好"
    if c == "rank_outside_bottom":
        return f"退出倒数前{num(x)}名"
    if c == "qualitative":
        return f"“{r['target_text']}”"
    verb, _ = _change(r)
    if x == 0 and c in ("reduce_by_pct", "reduce_by_amount", "reduce_by_points"):
        return f"不高于{r['baseline_year']}年水平（零增长）"
    text = f"比{r['baseline_year']}年{verb}{num(x)}{_u(u)}"
    if r["mode"] == "level" and r["required_level"] is not None:
        sign = "≤" if r["direction"] < 0 else "≥"
        text += f"（即{sign}{num(r['required_level'])}{_u(r['indicator_unit'])}）"
    return text


def _goal_en(r: dict[str, Any]) -> str:
    c, x, u = r["comparison"], r["target_value"], r["unit"]
    if c == "at_most":
        return f"≤ {num(x)}{_ue(u)}"
    if c == "at_least":
        return f"≥ {num(x)}{_ue(u)}"
    if c == "range":
        return f"{num(x)}–{num(r['target_value_max'])}{_ue(u)}"
    if c == "eliminate":
        return "eliminated (0)"
    if c == "class_or_better":
        return f"class {num(x)} or better"
    if c == "rank_outside_bottom":
        return f"out of the bottom {num(x)}"
    if c == "qualitative":
        return f"“{worded_en(r['target_text'])}”"
    _, verb = _change(r)
    if x == 0 and c in ("reduce_by_pct", "reduce_by_amount", "reduce_by_points"):
        return f"no higher than in {r['baseline_year']} (zero growth)"
    text = f"{verb} {num(x)}{_ue(u)} on {r['baseline_year']}"
    if r["mode"] == "level" and r["required_level"] is not None:
        sign = "≤" if r["direction"] < 0 else "≥"
        text += f" (i.e. {sign} {num(r['required_level'])}{_ue(r['indicator_unit'])})"
    return text


def _value_zh(r: dict[str, Any], year: int, value: float) -> str:
    if r["mode"] == "change":
        verb, _ = _change(r)
        return f"{year}年{r['indicator_name']}比{r['baseline_year']}年{verb}{num(value)}{_u(r['unit'])}"
    return f"{year}年{r['indicator_name']}为{num(value)}{_u(r['indicator_unit'])}"


def _value_en(r: dict[str, Any], year: int, value: float) -> str:
    if r["mode"] == "change":
        _, verb = _change(r)
        return f"in {year}, {_name_en(r['indicator_name_en'])} was {verb} {num(value)}{_ue(r['unit'])} on {r['baseline_year']}"
    return f"in {year}, {_name_en(r['indicator_name_en'])} was {num(value)}{_ue(r['indicator_unit'])}"


def _unit_of_series(r: dict[str, Any]) -> str:
    return r["unit"] if r["mode"] == "change" else r["indicator_unit"]


def _gap_zh(r: dict[str, Any]) -> str:
    unit = _unit_of_series(r)
    return f"{num(r['gap'])}个百分点" if unit == "%" and r["mode"] != "change" else f"{num(r['gap'])}{_u(unit)}"


def _gap_en(r: dict[str, Any]) -> str:
    unit = _unit_of_series(r)
    if unit == "%" and r["mode"] != "change":
        return f"{num(r['gap'])} percentage points"
    return f"{num(r['gap'])}{_ue(unit)}"


def _name_en(name: str) -> str:
    """Lower-case the first letter of an English name used inside a sentence (not PM2.5, CO2)."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _excluded_zh(r: dict[str, Any]) -> str:
    parts = []
    if r.get("n_other_measure"):
        parts.append(f"{r['n_other_measure']}个变化量观测无法换算为年度值（缺上年值或基准年不同），未采用")
    if r["n_partial"]:
        parts.append(f"另有{r['n_partial']}个非全年值（最近为{r['partial_period']}的{num(r['partial_value'])}），不与年度目标比较")
    if r["n_other_unit"]:
        parts.append(f"{r['n_other_unit']}个单位不同的观测值未采用")
    return "；" + "；".join(parts) if parts else ""


def _excluded_en(r: dict[str, Any]) -> str:
    parts = []
    if r.get("n_other_measure"):
        parts.append(f"{r['n_other_measure']} change observation(s) cannot be turned into annual values "
                     "(no previous-year value, or another base year) and are not used")
    if r["n_partial"]:
        parts.append(f"{r['n_partial']} part-year value(s) (latest {r['partial_period']}: "
                     f"{num(r['partial_value'])}) are not compared with an annual target")
    if r["n_other_unit"]:
        parts.append(f"{r['n_other_unit']} value(s) in another unit are not used")
    return "; " + "; ".join(parts) if parts else ""


def p_meet_percent(p: float | None) -> int | None:
    """P(meet) in whole percent, rounded down, so that 0.4996 (off track) never reads 50 %.

    The one rounding of P(meet) for every face (reasons, CLI, pages, reports), so that a table
    cell and the sentence beside it never disagree.
    """
    return None if p is None else math.floor(100 * p + 1e-6)


def _pct(p: float | None) -> str:
    percent = p_meet_percent(p)
    return "—" if percent is None else f"{percent:d}%"


def _window_zh(r: dict[str, Any]) -> str:
    notes = []
    if r["fit_from"] == r["eff_base"]:
        notes.append("自基准年起")
    if r["break_year"] is not None and r["fit_from"] == r["break_year"]:
        notes.append(f"{r['break_year']}年监测网络变化，此前数据不可比")
    if r["fit_missing"]:
        notes.append(f"其间缺{r['fit_missing']}年数据")
    return f"{r['fit_from']}–{r['fit_to']}年{r['fit_n']}个年度值" + (f"（{'，'.join(notes)}）" if notes else "")


def _window_en(r: dict[str, Any]) -> str:
    notes = []
    if r["fit_from"] == r["eff_base"]:
        notes.append("from the base year")
    if r["break_year"] is not None and r["fit_from"] == r["break_year"]:
        notes.append(f"the monitoring network changed in {r['break_year']}; earlier values are not comparable")
    if r["fit_missing"]:
        notes.append(f"{r['fit_missing']} year(s) missing in between")
    return f"the {r['fit_n']} annual values of {r['fit_from']}–{r['fit_to']}" + (f" ({'; '.join(notes)})" if notes else "")


def _trend_zh(r: dict[str, Any]) -> str:
    T = r["target_year"]
    if r["projected_value"] is None:
        return ""
    band = ""
    if r["projected_low"] is not None:
        band = f"（80%区间{num(r['projected_low'])}–{num(r['projected_high'])}"
        band += "，已截断于0）" if r["clipped"] else "）"
    scale = "（比例按logit尺度拟合）" if r["scale"] == "logit" else ""
    text = f"按{_window_zh(r)}的线性趋势{scale}，预计{T}年为{num(r['projected_value'])}{band}"
    if r["p_meet"] is not None:
        text += f"，达标概率{_pct(r['p_meet'])}"
    if r["rate_ratio"] is not None:
        text += (f"；实际年均改善{num(r['actual_rate'])}，需年均改善{num(r['required_rate'])}"
                 f"（比值{num(r['rate_ratio'])}）")
    return text


def _trend_en(r: dict[str, Any]) -> str:
    T = r["target_year"]
    if r["projected_value"] is None:
        return ""
    band = ""
    if r["projected_low"] is not None:
        band = f" (80% interval {num(r['projected_low'])}–{num(r['projected_high'])}"
        band += ", clipped at 0)" if r["clipped"] else ")"
    scale = " (shares fitted on the logit scale)" if r["scale"] == "logit" else ""
    text = f"the linear trend of {_window_en(r)}{scale} projects {num(r['projected_value'])} for {T}{band}"
    if r["p_meet"] is not None:
        text += f", a {_pct(r['p_meet'])} probability of meeting the target"
    if r["rate_ratio"] is not None:
        text += (f"; actual improvement {num(r['actual_rate'])}/yr against {num(r['required_rate'])}/yr"
                 f" required (ratio {num(r['rate_ratio'])})")
    return text


def reason_zh(r: dict[str, Any]) -> str:
    """The reason of an evaluated row in Chinese, from its ``reason_key`` and numbers."""
    s = Status(r["status"])
    T = r["target_year"]
    label = s.zh
    key = r["reason_key"]
    if key == "judged":
        who = f"{r['judged_by']}，{r['judged_year']}年" if r["judged_by"] else f"{r['judged_year']}年"
        return f"目标{goal_zh(r)}，人工判定（{who}）：{r['judged_reason'] or '未说明理由'}；{label}。"
    if key == "judgement":
        return f"定性目标{goal_zh(r)}（{T}年），尚无人工判定记录，{label}。"
    if key == "basically":
        return (f"目标为“{r['target_text'] or '基本消除'}”，未量化为具体数值（不按0计）；"
                f"请按同一规划中的量化目标或人工判定评估；{label}。")
    if key == "not_comparable":
        return f"目标以百分点计，但指标单位为{unit_zh(r['indicator_unit'])}而非%，无法比较（请核对目录）；{label}。"
    if key == "no_base":
        return (f"目标为{goal_zh(r)}，但缺少{r['baseline_year']}年基准值，也没有相对{r['baseline_year']}年的"
                f"变化量观测{_excluded_zh(r)}；{label}。")
    if key == "no_data":
        return f"尚无可用的年度观测值，目标年{T}年未到{_excluded_zh(r)}；{label}。"
    if key == "achieved":
        return f"{_value_zh(r, r['final_year'], r['final_value'])}，达到{T}年目标{goal_zh(r)}{_derived_zh(r)}；{label}。"
    if key == "missed":
        return (f"{_value_zh(r, r['final_year'], r['final_value'])}，未达到{T}年目标{goal_zh(r)}，"
                f"差{_gap_zh(r)}{_derived_zh(r)}；{label}。")
    if key in ("awaiting_data", "awaiting_later"):
        head = f"目标年{T}年已到（评估年{r['as_of']}年），尚无{T}年数值"
        if key == "awaiting_later":
            head += f"（{r['later_year']}年数值为{num(r['later_value'])}，但目标针对{T}年，非“保持”类目标不以之代替）"
        if r["n_points"]:
            head += f"；最近{_value_zh(r, r['latest_year'], r['latest_value'])}"
        if r["projected_value"] is not None:
            head += f"；{_trend_zh(r)}"
        return f"{head}{_excluded_zh(r)}；{label}，不判为达成。"
    if key == "base_only":
        return (f"只有基准年（{_base_zh(r)}）及以前的数值（最近{_value_zh(r, r['latest_year'], r['latest_value'])}），"
                f"基准年以后尚无进展数据{_excluded_zh(r)}；{label}。")
    head = _value_zh(r, r["latest_year"], r["latest_value"])
    if key == "met_early":
        return f"{head}，已提前达到{T}年目标{goal_zh(r)}，需保持至{T}年{_derived_zh(r)}；{label}。"
    head += f"，距{T}年目标{goal_zh(r)}还差{_gap_zh(r)}"
    if key == "single_point":
        return f"{head}；基准年以后只有一个可拟合的年度值，无法判断趋势{_excluded_zh(r)}；{label}。"
    if key == "rate_only":
        return f"{head}；{_trend_zh(r)}；只有两个年度值，无预测区间，按速率比判定{_derived_zh(r)}{_excluded_zh(r)}；{label}。"
    return f"{head}；{_trend_zh(r)}{_derived_zh(r)}{_excluded_zh(r)}；{label}。"


def reason_en(r: dict[str, Any]) -> str:
    """The reason of an evaluated row in English, from its ``reason_key`` and numbers."""
    s = Status(r["status"])
    T = r["target_year"]
    label = s.en[0].upper() + s.en[1:]
    key = r["reason_key"]
    if key == "judged":
        who = f"{r['judged_by']}, {r['judged_year']}" if r["judged_by"] else str(r["judged_year"])
        return (f"Target {goal_en(r)}, judged by a person ({who}): "
                f"{r['judged_reason'] or 'no reason given'}. {label}.")
    if key == "judgement":
        return f"Qualitative target {goal_en(r)} ({T}): no judgement recorded yet. {label}."
    if key == "basically":
        return (f"The target “{worded_en(r['target_text'] or '基本消除')}” is not quantified (not read as 0); "
                f"assess it with the plan's quantified target or a person's judgement. {label}.")
    if key == "not_comparable":
        return (f"The target is in percentage points but the indicator is in {unit_en(r['indicator_unit'])}, "
                f"not %: not comparable (check the catalogue). {label}.")
    if key == "no_base":
        return (f"The target is {goal_en(r)}, but the {r['baseline_year']} base value is missing and "
                f"no change against {r['baseline_year']} is observed{_excluded_en(r)}. {label}.")
    if key == "no_data":
        return f"No usable annual value yet; the target year {T} is still ahead{_excluded_en(r)}. {label}."
    if key == "achieved":
        head = _cap(_value_en(r, r["final_year"], r["final_value"]))
        return f"{head}, meeting the {T} target {goal_en(r)}{_derived_en(r)}. {label}."
    if key == "missed":
        head = _cap(_value_en(r, r["final_year"], r["final_value"]))
        return f"{head}, missing the {T} target {goal_en(r)} by {_gap_en(r)}{_derived_en(r)}. {label}."
    if key in ("awaiting_data", "awaiting_later"):
        head = f"The target year {T} has come (evaluated as of {r['as_of']}) but there is no {T} value"
        if key == "awaiting_later":
            head += (f" (the {r['later_year']} value is {num(r['later_value'])}, but the target is for {T} and is not "
                     f"a 'stay at' target)")
        if r["n_points"]:
            head += f"; latest: {_value_en(r, r['latest_year'], r['latest_value'])}"
        if r["projected_value"] is not None:
            head += f"; {_trend_en(r)}"
        return f"{head}{_excluded_en(r)}. {label}; not judged achieved."
    if key == "base_only":
        return (f"Only values of the base year ({_base_en(r)}) or earlier "
                f"({_value_en(r, r['latest_year'], r['latest_value'])}); no progress observed since the base "
                f"year{_excluded_en(r)}. {label}.")
    head = _cap(_value_en(r, r["latest_year"], r["latest_value"]))
    if key == "met_early":
        return f"{head}, already meeting the {T} target {goal_en(r)}; it must hold until {T}{_derived_en(r)}. {label}."
    head += f", {_gap_en(r)} short of the {T} target {goal_en(r)}"
    if key == "single_point":
        return f"{head}; a single annual value since the base year shows no trend{_excluded_en(r)}. {label}."
    if key == "rate_only":
        return (f"{head}; {_trend_en(r)}; with two annual values there is no interval, the rate ratio "
                f"decides{_derived_en(r)}{_excluded_en(r)}. {label}.")
    return f"{head}; {_trend_en(r)}{_derived_en(r)}{_excluded_en(r)}. {label}."


def _base_zh(r: dict[str, Any]) -> str:
    return f"{r['eff_base']}年" + ("，取自所属规划" if r["base_inferred"] else "")


def _base_en(r: dict[str, Any]) -> str:
    return str(r["eff_base"]) + (", the plan's base year" if r["base_inferred"] else "")


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _derived_zh(r: dict[str, Any]) -> str:
    n, d = r.get("n_derived") or 0, r.get("n_from_days") or 0
    text = f"（其中{n}个年度值由上年值与同比变化推算）" if n else ""
    if d:
        text += f"（其中{d}个年度值由天数按全年天数折算为比率，近似）"
    return text


def _derived_en(r: dict[str, Any]) -> str:
    n, d = r.get("n_derived") or 0, r.get("n_from_days") or 0
    text = f" ({n} annual value(s) derived from the previous year's value and a year-on-year change)" if n else ""
    if d:
        text += f" ({d} annual value(s) computed from the count of days over the days of the year, approximate)"
    return text
