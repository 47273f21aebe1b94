"""The one-sentence reason behind each status, in Chinese and in English, with the numbers."""

from __future__ import annotations

from typing import Any

from ecozone.tracking.status import Status

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
    return unit if unit == "%" else f" {unit}"


def _change(r: dict[str, Any]) -> tuple[str, str]:
    verb = r["comparison"].split("_")[0]
    return VERB_ZH.get(verb, verb), VERB_EN.get(verb, verb)


def goal_zh(r: dict[str, Any]) -> str:
    """The target in words, e.g. ``≤38 µg/m³`` or ``比2020年下降18%（即≤36.74 µg/m³）``."""
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
    text = f"比{r['baseline_year']}年{verb}{num(x)}{_u(u)}"
    if r["mode"] == "level" and r["required_level"] is not None:
        sign = "≤" if r["direction"] < 0 else "≥"
        text += f"（即{sign}{num(r['required_level'])}{_u(r['indicator_unit'])}）"
    return text


def goal_en(r: dict[str, Any]) -> str:
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
        return f"“{r['target_text']}”"
    _, verb = _change(r)
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
    if r["n_partial"]:
        parts.append(f"另有{r['n_partial']}个非全年值（最近为{r['partial_period']}的{num(r['partial_value'])}），不与年度目标比较")
    if r["n_other_unit"]:
        parts.append(f"{r['n_other_unit']}个单位不同的观测值未采用")
    return "；" + "；".join(parts) if parts else ""


def _excluded_en(r: dict[str, Any]) -> str:
    parts = []
    if r["n_partial"]:
        parts.append(f"{r['n_partial']} part-year value(s) (latest {r['partial_period']}: "
                     f"{num(r['partial_value'])}) are not compared with an annual target")
    if r["n_other_unit"]:
        parts.append(f"{r['n_other_unit']} value(s) in another unit are not used")
    return "; " + "; ".join(parts) if parts else ""


def _trend_zh(r: dict[str, Any]) -> str:
    T = r["target_year"]
    if r["projected_value"] is None:
        return ""
    band = ""
    if r["projected_low"] is not None:
        band = f"（80%区间{num(r['projected_low'])}–{num(r['projected_high'])}）"
    text = (f"按近{r['fit_n']}个年度值（{r['fit_from']}–{r['latest_year']}年）的线性趋势，"
            f"预计{T}年为{num(r['projected_value'])}{band}")
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
        band = f" (80% band {num(r['projected_low'])}–{num(r['projected_high'])})"
    text = (f"the linear trend of the last {r['fit_n']} annual values ({r['fit_from']}–"
            f"{r['latest_year']}) projects {num(r['projected_value'])} for {T}{band}")
    if r["rate_ratio"] is not None:
        text += (f"; actual improvement {num(r['actual_rate'])}/yr against {num(r['required_rate'])}/yr"
                 f" required (ratio {num(r['rate_ratio'])})")
    return text


def reason_zh(r: dict[str, Any]) -> str:
    s = Status(r["status"])
    T = r["target_year"]
    label = s.zh
    if r["mode"] == "judgement":
        if r["judged_status"]:
            who = f"{r['judged_by']}，{r['judged_year']}年" if r["judged_by"] else f"{r['judged_year']}年"
            return f"定性目标{goal_zh(r)}，人工判定（{who}）：{r['judged_reason'] or '未说明理由'}；{label}。"
        return f"定性目标{goal_zh(r)}（{T}年），尚无人工判定记录，{label}。"
    if r["mode"] == "not_comparable":
        return (f"目标以百分点计，但指标单位为{r['indicator_unit']}而非%，无法比较（请核对目录）；{label}。")
    if r["mode"] == "no_base":
        return (f"目标为{goal_zh(r)}，但缺少{r['baseline_year']}年基准值，也没有相对{r['baseline_year']}年的"
                f"变化量观测{_excluded_zh(r)}；{label}。")
    if not r["n_points"]:
        when = f"目标年{T}年未过" if s is Status.NOT_YET_DUE else f"目标年{T}年已过"
        return f"尚无可用的年度观测值，{when}{_excluded_zh(r)}；{label}。"
    if r["final_year"] is not None:
        head = _value_zh(r, r["final_year"], r["final_value"])
        if s is Status.ACHIEVED:
            return f"{head}，达到{T}年目标{goal_zh(r)}；{label}。"
        return f"{head}，未达到{T}年目标{goal_zh(r)}，差{_gap_zh(r)}；{label}。"
    head = _value_zh(r, r["latest_year"], r["latest_value"])
    if s is Status.ACHIEVED:
        return f"{head}，已提前达到{T}年目标{goal_zh(r)}（需保持）；{label}。"
    head += f"，距{T}年目标{goal_zh(r)}还差{_gap_zh(r)}"
    if s is Status.INSUFFICIENT_DATA:
        return f"{head}；只有一个年度值，无法判断趋势{_excluded_zh(r)}；{label}。"
    late = "；目标年数据尚未获得" if r["as_of"] > T else ""
    return f"{head}{late}；{_trend_zh(r)}；{label}。"


def reason_en(r: dict[str, Any]) -> str:
    s = Status(r["status"])
    T = r["target_year"]
    label = s.en.capitalize()
    if r["mode"] == "judgement":
        if r["judged_status"]:
            who = f"{r['judged_by']}, {r['judged_year']}" if r["judged_by"] else str(r["judged_year"])
            return (f"Qualitative target {goal_en(r)}, judged by a person ({who}): "
                    f"{r['judged_reason'] or 'no reason given'}. {label}.")
        return f"Qualitative target {goal_en(r)} ({T}): no judgement recorded yet. {label}."
    if r["mode"] == "not_comparable":
        return (f"The target is in percentage points but the indicator is in {r['indicator_unit']}, "
                f"not %: not comparable (check the catalogue). {label}.")
    if r["mode"] == "no_base":
        return (f"The target is {goal_en(r)}, but the {r['baseline_year']} base value is missing and "
                f"no change against {r['baseline_year']} is observed{_excluded_en(r)}. {label}.")
    if not r["n_points"]:
        when = f"the target year {T} is still ahead" if s is Status.NOT_YET_DUE else f"the target year {T} has passed"
        return f"No usable annual value yet and {when}{_excluded_en(r)}. {label}."
    if r["final_year"] is not None:
        head = _value_en(r, r["final_year"], r["final_value"])
        head = head[0].upper() + head[1:]
        if s is Status.ACHIEVED:
            return f"{head}, meeting the {T} target {goal_en(r)}. {label}."
        return f"{head}, missing the {T} target {goal_en(r)} by {_gap_en(r)}. {label}."
    head = _value_en(r, r["latest_year"], r["latest_value"])
    head = head[0].upper() + head[1:]
    if s is Status.ACHIEVED:
        return f"{head}, already meeting the {T} target {goal_en(r)} (to be kept). {label}."
    head += f", {_gap_en(r)} short of the {T} target {goal_en(r)}"
    if s is Status.INSUFFICIENT_DATA:
        return f"{head}; a single annual value shows no trend{_excluded_en(r)}. {label}."
    late = "; the target-year value is not available yet" if r["as_of"] > T else ""
    return f"{head}{late}; {_trend_en(r)}. {label}."
