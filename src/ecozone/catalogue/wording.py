"""One encoding per wording: how the plans' set phrases become comparisons and values.

The plans say the same thing with the same words (基本实现, 零增长, 力争 …); the catalogue must
encode the same words the same way, or tracking counts one commitment as met in one plan and as
unmeasurable in another.  :data:`WORDINGS` is the table (reproduced in ``docs/catalogue.md``);
:func:`wording_problems` finds every such wording in the targets' quotes and compares the
encoding with the table.

Which wording belongs to which record: a quote often holds several commitments ("农村生活污水
治理率达到55%，基本消除农村黑臭水体"), so a wording is applied to a record only when it is in the
record's own words (``target_text``) or, for a record without words, in the clause (between
commas) of the quote that holds the record's number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ecozone.catalogue.loader import Catalogue, Problem
from ecozone.catalogue.models import PERCENT_UNIT, Comparison, Indicator, Kind, Target

_CLAUSE = re.compile(r"[，,；;。：:]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Wording:
    """A set phrase and how it is encoded."""

    words: tuple[str, ...]  # any of these phrases
    encoding_zh: str
    encoding_en: str
    check: Callable[[Target, Indicator, str], str | None]  # (record, indicator, clause) -> problem
    exclude: tuple[str, ...] = ()  # longer phrases that contain the words but mean something else


def _full(t: Target, ind: Indicator, approximate: bool) -> str | None:
    """A share brought to completion: ``at_least 100`` on a per-cent indicator."""
    if ind.unit != PERCENT_UNIT:
        if t.comparison in (Comparison.QUALITATIVE, Comparison.AT_LEAST, Comparison.ELIMINATE):
            return None
        return f"expected qualitative or a stated count on {ind.id} ({ind.unit}), not {t.comparison.value}"
    if t.comparison is Comparison.ELIMINATE:  # 全面完成…杜绝: the object is a bad share, gone
        return None if t.approximate == approximate else f"expected approximate: {str(approximate).lower()}"
    if t.comparison is not Comparison.AT_LEAST or t.target_value != 100:
        return f"expected at_least 100 (%), found {t.comparison.value} {t.target_value}"
    if t.approximate != approximate:
        return f"expected approximate: {str(approximate).lower()}"
    return None


def _basic_full(t: Target, ind: Indicator, clause: str) -> str | None:
    return _full(t, ind, approximate=True)


def _complete_full(t: Target, ind: Indicator, clause: str) -> str | None:
    return _full(t, ind, approximate=False)


def _coverage(t: Target, ind: Indicator, clause: str) -> str | None:
    """全覆盖 on a per-cent indicator is 100 %; 基本 (checked by its own rule) may make it approximate."""
    if ind.unit == PERCENT_UNIT and (t.comparison is not Comparison.AT_LEAST or t.target_value != 100):
        return f"expected at_least 100 (%), found {t.comparison.value} {t.target_value}"
    return None


def _zero_growth(t: Target, ind: Indicator, clause: str) -> str | None:
    if t.comparison is not Comparison.REDUCE_BY_PCT or t.target_value != 0:
        return f"expected reduce_by_pct 0 against a base year, found {t.comparison.value} {t.target_value}"
    approx = "趋零增长" in clause or "趋零增长" in (t.target_text or "")
    if t.approximate != approx:
        return f"expected approximate: {str(approx).lower()} (趋零增长 is approximate, 零增长 is not)"
    return None


def _not_lower(t: Target, ind: Indicator, clause: str) -> str | None:
    if _NUMBER.search(clause) and t.comparison is not Comparison.AT_LEAST:
        return f"a number with 不降低/不减少 is a floor: expected at_least, found {t.comparison.value}"
    return None


def _stably(t: Target, ind: Indicator, clause: str) -> str | None:
    if t.comparison is Comparison.QUALITATIVE and (_NUMBER.search(clause) or "类" in clause):
        return "稳定达到 a number or a class is a level: expected at_most/at_least/class_or_better"
    return None


def _direction(t: Target, ind: Indicator, clause: str) -> str | None:
    if t.comparison is not Comparison.QUALITATIVE and t.target_value is None:
        return f"a direction without a number is qualitative, found {t.comparison.value}"
    return None


def _eliminate(approximate: bool) -> Callable[[Target, Indicator, str], str | None]:
    def check(t: Target, ind: Indicator, clause: str) -> str | None:
        if t.comparison is Comparison.ELIMINATE:
            return None if t.approximate == approximate else f"expected approximate: {str(approximate).lower()}"
        if ind.polarity.value == "higher" and t.comparison is Comparison.AT_LEAST and t.target_value == 100:
            return None  # the complement: 消除黑臭 written on a "share of clean water bodies"
        return f"expected eliminate, found {t.comparison.value}"
    return check


def _strive(t: Target, ind: Indicator, clause: str) -> str | None:
    number = _number_text(t)
    where = clause.find(number) if number else -1
    marker = max(clause.find("力争"), clause.find("争取"))
    if marker >= 0 and (where < 0 or where > marker) and t.kind is not Kind.STRIVE:
        return f"a value after 力争/争取 is kind strive, found {t.kind.value}"
    return None


def _about(t: Target, ind: Indicator, clause: str) -> str | None:
    number = _number_text(t)
    about = number and re.search(rf"(约{re.escape(number)}|{re.escape(number)}[^，。；\d]{{0,8}}左右)", clause)
    if about and not t.approximate:
        return "a value with 左右/约 is approximate: expected approximate: true"
    return None


WORDINGS: tuple[Wording, ...] = (
    Wording(("基本实现",), "百分比指标：at_least 100，approximate: true；其他：qualitative",
            "per-cent indicator: at_least 100, approximate; otherwise qualitative", _basic_full,
            exclude=("基本实现社会主义现代化", "基本实现碳达峰")),
    Wording(("基本完成",), "百分比指标：at_least 100，approximate: true；其他：qualitative",
            "per-cent indicator: at_least 100, approximate; otherwise qualitative", _basic_full),
    Wording(("全面完成", "全面实现", "全部完成"), "百分比指标：at_least 100；计数：at_least 所列数量",
            "per-cent indicator: at_least 100; a count: at_least the number", _complete_full),
    Wording(("全覆盖", "全域覆盖", "全市域覆盖"), "百分比指标：at_least 100（有“基本”另加 approximate）",
            "per-cent indicator: at_least 100 (approximate where 基本 is added)", _coverage),
    Wording(("零增长",), "reduce_by_pct 0（相对基准年）；趋零增长 另加 approximate: true",
            "reduce_by_pct 0 against the base year; 趋零增长 also approximate", _zero_growth),
    Wording(("不降低", "不减少", "不下降"), "有数值：at_least 该数值；无数值：qualitative",
            "with a number: at_least that number; without: qualitative", _not_lower),
    Wording(("稳定达到",), "达到的数值或类别：at_most / at_least / class_or_better，不是 qualitative",
            "the level reached: at_most / at_least / class_or_better, never qualitative", _stably),
    Wording(("持续改善", "稳中向好", "持续降低", "持续提高", "持续减少", "持续下降"),
            "无数值：qualitative（只有方向）", "without a number: qualitative (a direction only)", _direction),
    Wording(("基本消除",), "eliminate，approximate: true", "eliminate, approximate", _eliminate(True)),
    Wording(("全部消除", "全面消除", "清零"), "eliminate，approximate: false", "eliminate, exact", _eliminate(False)),
    Wording(("力争", "争取"), "其后的数值：kind strive", "the value after it: kind strive", _strive),
    Wording(("左右", "约"), "数值后有左右或前有约：approximate: true",
            "a value followed by 左右 or preceded by 约: approximate", _about, exclude=("约束",)),
)


def _number_text(t: Target) -> str | None:
    return None if t.target_value is None else f"{t.target_value:g}"


def own_clause(t: Target) -> str | None:
    """The part of the quote that states this record: its words, else the clause with its number."""
    if t.target_text:
        return t.target_text
    number = _number_text(t)
    clauses = [c for c in _CLAUSE.split(t.quote) if c.strip()]
    if number:
        hits = [c for c in clauses if number in c]
        return hits[0] if len(hits) == 1 else None
    return clauses[0] if len(clauses) == 1 else None


def quote_clause(t: Target) -> str | None:
    """The clause of the quote that holds the record's number, else its words."""
    number = _number_text(t)
    clauses = [c for c in _CLAUSE.split(t.quote) if c.strip()]
    for needle in (number, t.target_text):
        if needle:
            hits = [c for c in clauses if needle in c or (len(c) > 3 and c in needle)]
            if hits:
                return hits[0]
    return None


# a number that is an amount: not a year, a month, a standard's code, a batch number or 4G/5G
_AMOUNT = re.compile(r"(?<![\d./A-Za-z第-])\d+(?:\.\d+)?(?![\d年月/G\-]|网络)(?!个(?:重点)?(?:行业|领域))")

_BESIDE_NUMBER = (_strive, _about, _not_lower, _stably)


def numbers_in_words(cat: Catalogue) -> list[Problem]:
    """Qualitative records whose own words hold a number (「每年再退减10万亩」): encode the number."""
    problems = []
    for t in cat.targets.values():
        if t.comparison is Comparison.QUALITATIVE and t.target_text and _AMOUNT.search(t.target_text):
            file, line = cat.origin[t.id]
            problems.append(Problem(file, line, "encoding",
                                    f"{t.id}: the words 「{t.target_text}」 hold a number; encode it (or add note why not)"))
    return problems


def _mentions(w: Wording, text: str) -> bool:
    for ex in w.exclude:
        text = text.replace(ex, "")
    return any(word in text for word in w.words)


def wording_problems(cat: Catalogue) -> list[Problem]:
    """Every target whose encoding differs from the table for a wording in its own words."""
    problems: list[Problem] = []
    for t in cat.targets.values():
        ind = cat.indicators.get(t.indicator)
        clause = own_clause(t)
        if ind is None or clause is None:
            continue
        for w in WORDINGS:
            # 力争/左右/不降低 sit beside the number, outside target_text: read the quote's clause
            text = quote_clause(t) or clause if w.check in _BESIDE_NUMBER else clause
            if not _mentions(w, text):
                continue
            if (msg := w.check(t, ind, text)) is not None:
                file, line = cat.origin[t.id]
                problems.append(Problem(file, line, "encoding", f"{t.id} 「{w.words[0]}」: {msg}"))
    return problems
