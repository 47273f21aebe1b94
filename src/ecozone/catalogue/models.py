"""Typed records of the reference dictionaries and of the plan-target catalogue.

These pydantic models are the contract between the reviewed YAML data files under
``ecozone/data/`` and everything downstream (store, tracking, API).  Validation that needs
only one record lives here; validation across records (does the region exist, does the unit
match the indicator) lives in :mod:`ecozone.catalogue.loader`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MIN_YEAR = 1978
MAX_YEAR = 2060
MAX_QUOTE_CHARS = 120


class Polarity(StrEnum):
    """Which direction is an improvement."""

    LOWER = "lower"  # 越低越好: PM2.5, CWQI, energy intensity
    HIGHER = "higher"  # 越高越好: good-day ratio, forest cover
    TARGET = "target"  # a band or a fixed state is wanted (water level 6.5-7.0 m)
    NONE = "none"  # no direction (counts of facilities, descriptive values)


class Comparison(StrEnum):
    """How a target value is to be read.  See ``docs/catalogue.md`` for each one's semantics."""

    AT_MOST = "at_most"  # 控制在…以内, 不高于, ≤
    AT_LEAST = "at_least"  # 达到…以上, 不低于, ≥
    RANGE = "range"  # between target_value and target_value_max
    REDUCE_BY_PCT = "reduce_by_pct"  # 比 base year 下降 x%
    INCREASE_BY_PCT = "increase_by_pct"  # 比 base year 增长 x%
    REDUCE_BY_POINTS = "reduce_by_points"  # 下降 x 个百分点
    INCREASE_BY_POINTS = "increase_by_points"  # 提高 x 个百分点
    REDUCE_BY_AMOUNT = "reduce_by_amount"  # 减少 x (万吨 …) against base year
    INCREASE_BY_AMOUNT = "increase_by_amount"  # 新增 x against base year
    ELIMINATE = "eliminate"  # 消除, 全面清零: value must reach 0
    CLASS_OR_BETTER = "class_or_better"  # water class III or better: value is the class number
    RANK_OUTSIDE_BOTTOM = "rank_outside_bottom"  # 退出后十: not among the worst N (value = N)
    QUALITATIVE = "qualitative"  # words only: 稳中向好, 完成省下达任务 (target_text)


RELATIVE_PCT = {Comparison.REDUCE_BY_PCT, Comparison.INCREASE_BY_PCT}
RELATIVE_POINTS = {Comparison.REDUCE_BY_POINTS, Comparison.INCREASE_BY_POINTS}
NEEDS_BASE_YEAR = RELATIVE_PCT | RELATIVE_POINTS | {
    Comparison.REDUCE_BY_AMOUNT,
    Comparison.INCREASE_BY_AMOUNT,
}
PERCENT_UNIT = "%"
POINTS_UNIT = "百分点"


class Kind(StrEnum):
    """Target status as the plan states it."""

    BINDING = "binding"  # 约束性
    EXPECTED = "expected"  # 预期性
    STRIVE = "strive"  # 力争 (a stretch value beside the main one)
    UNSTATED = "unstated"  # the plan does not say


KIND_ZH = {
    Kind.BINDING: "约束性",
    Kind.EXPECTED: "预期性",
    Kind.STRIVE: "力争",
    Kind.UNSTATED: "未标明",
}

COMPARISON_ZH = {
    Comparison.AT_MOST: "不高于",
    Comparison.AT_LEAST: "不低于",
    Comparison.RANGE: "区间",
    Comparison.REDUCE_BY_PCT: "比基准年下降(%)",
    Comparison.INCREASE_BY_PCT: "比基准年增长(%)",
    Comparison.REDUCE_BY_POINTS: "下降(百分点)",
    Comparison.INCREASE_BY_POINTS: "提高(百分点)",
    Comparison.REDUCE_BY_AMOUNT: "比基准年减少",
    Comparison.INCREASE_BY_AMOUNT: "比基准年增加",
    Comparison.ELIMINATE: "消除",
    Comparison.CLASS_OR_BETTER: "达到或优于类别",
    Comparison.RANK_OUTSIDE_BOTTOM: "退出倒数名次",
    Comparison.QUALITATIVE: "定性",
}


class Scope(StrEnum):
    """What region a target's value is measured on."""

    TOTAL = "total"  # the region as a whole (province-wide share, total emissions)
    EACH = "each"  # every member region must meet it (每个县, 各市): ``members`` lists them
    AVERAGE = "average"  # the mean over members (地级城市 PM2.5 = the province's mean)


SCOPE_ZH = {Scope.TOTAL: "整体", Scope.EACH: "每个", Scope.AVERAGE: "平均"}


class Record(BaseModel):
    """Base: unknown fields are errors, so a typo in a data file cannot pass unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Domain(Record):
    id: str
    name_zh: str
    name_en: str


class Region(Record):
    """An administrative division (GB/T 2260 code) or a stable id for another unit."""

    code: str = Field(pattern=r"^(\d{6}|[a-z][a-z0-9_]*\.[a-z0-9_.]+)$")
    name_zh: str
    name_en: str
    type: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # for groups: the member region codes
    note: str | None = None


class Indicator(Record):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    domain: str
    name_zh: str
    name_en: str
    unit: str
    polarity: Polarity
    aliases: tuple[str, ...] = ()
    method: str | None = None  # the national standard or method that computes it
    former_ids: tuple[str, ...] = ()  # ids this indicator had before a rename: still understood
    note: str | None = None

    @model_validator(mode="after")
    def _domain_prefix(self) -> Indicator:
        if not self.id.startswith(self.domain + "."):
            raise ValueError(f"indicator id {self.id!r} must start with its domain {self.domain!r}")
        return self


class Document(Record):
    id: str = Field(pattern=r"^\d{3}(-4\.\d{1,2})?$")
    file: str
    title_zh: str
    title_en: str
    issuer: str | None = None
    issued: date | None = None
    scope: str  # region code the document governs
    parent: str | None = None  # for the documents inside the 003 compilation
    note: str | None = None


def _check_quote(v: str) -> str:
    v = v.strip()
    if not v:
        raise ValueError("quote is empty")
    if len(v) > MAX_QUOTE_CHARS:
        raise ValueError(f"quote has {len(v)} characters; at most {MAX_QUOTE_CHARS}")
    return v


def _check_year(v: int | None) -> int | None:
    if v is not None and not MIN_YEAR <= v <= MAX_YEAR:
        raise ValueError(f"year {v} outside {MIN_YEAR}-{MAX_YEAR}")
    return v


TARGET_ID = r"^T\d{3}(-4\.\d{1,2})?-\d{3,4}$"


class Statement(Record):
    """A further sentence that states a target (a restatement): the table row and the body
    sentence, or the same commitment repeated in another document.

    The target's own ``document``/``section``/``quote`` are its primary statement (the one its
    kind comes from); ``statements`` lists the others.
    """

    document: str
    section: str
    quote: str
    kind: Kind = Kind.UNSTATED  # what this sentence itself marks (body copies mark nothing)
    merged_from: str | None = Field(default=None, pattern=TARGET_ID)  # the record it was before the merge
    note: str | None = None

    _quote = field_validator("quote")(_check_quote)


class Target(Record):
    """One commitment of a plan: one region (or an explicit set of members with ``each``), one
    indicator, one deadline, one comparison and value, one kind; traceable to every sentence
    that states it.
    """

    id: str = Field(pattern=TARGET_ID)
    document: str
    section: str
    region: str
    indicator: str
    unit: str
    baseline_year: int | None = None
    baseline_value: float | None = None
    target_year: int
    target_value: float | None = None
    target_value_max: float | None = None  # upper bound for ``range``
    target_text: str | None = None  # the plan's own words, when not (only) a number
    approximate: bool = False  # the plan says 左右 / 约 (about)
    comparison: Comparison
    kind: Kind
    quote: str
    conflicts_with: tuple[str, ...] = ()
    conflict_note: str | None = None
    reconstructed: bool = False  # a damaged number restored from context (004)
    reconstruction_note: str | None = None
    reference: str | None = None  # an external list or standard the target points to
    scope: Scope = Scope.TOTAL
    members: tuple[str, ...] = ()  # the member regions of an ``each`` (or ``average``) target
    member_rule: str | None = None  # the plan's words for members it does not list (每个乡（镇）)
    scope_stated: bool = True  # False: the scope was inferred, not written in the sentence
    year_stated: bool = True  # False: the sentence gives no year; ``year_rule`` says how it was set
    year_rule: str | None = None
    statements: tuple[Statement, ...] = ()  # restatements, beside the primary statement
    aliases: tuple[str, ...] = ()  # ids of records merged into this one: they stay resolvable
    note: str | None = None

    _quote = field_validator("quote")(_check_quote)
    _years = field_validator("baseline_year", "target_year")(_check_year)

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        c = self.comparison
        if c is Comparison.QUALITATIVE:
            if not self.target_text:
                raise ValueError("a qualitative target needs target_text (the plan's words)")
        elif c is not Comparison.ELIMINATE and self.target_value is None:
            raise ValueError(f"comparison {c.value} needs target_value")
        if c is Comparison.RANGE and (
            self.target_value_max is None
            or self.target_value is None
            or self.target_value_max < self.target_value
        ):
            raise ValueError("range needs target_value <= target_value_max")
        if c in NEEDS_BASE_YEAR and self.baseline_year is None:
            raise ValueError(f"comparison {c.value} needs baseline_year (the base year)")
        if self.baseline_year is not None and self.baseline_year >= self.target_year:
            raise ValueError(
                f"baseline_year {self.baseline_year} is not before target_year {self.target_year}"
            )
        if self.reconstructed and not self.reconstruction_note:
            raise ValueError("reconstructed values need reconstruction_note")
        if self.scope is not Scope.TOTAL and len(self.members) < 2 and not self.member_rule:
            raise ValueError(f"scope {self.scope.value} needs members (two or more regions) or member_rule")
        if self.scope is Scope.TOTAL and (self.members or self.member_rule):
            raise ValueError("members and member_rule are only for scope 'each' or 'average'")
        if not self.year_stated and not self.year_rule:
            raise ValueError("year_stated: false needs year_rule (how the deadline was set)")
        for alias in self.aliases:
            if not re.match(TARGET_ID, alias) or alias == self.id:
                raise ValueError(f"alias {alias!r} is not another target id")
        return self


class InstrumentCategory(StrEnum):
    """Kinds of policy instrument: rules that steer action, not states of the world to reach."""

    ELIGIBILITY = "eligibility"  # 准入/申报条件: a threshold that qualifies a project or firm
    SUBSIDY = "subsidy"  # 补贴, 奖励 amounts and rates
    CLASSIFICATION = "classification"  # bands that sort firms or projects (A/B/C 级, 分档)
    TECHNICAL = "technical"  # technical standards for equipment (锅炉容量, 能效限值)
    PENALTY = "penalty"  # fines, surcharges, differentiated prices
    OBLIGATION = "obligation"  # who must act and in what proportion (审核范围, 按比例购买抵销)
    OTHER = "other"


INSTRUMENT_CATEGORY_ZH = {
    InstrumentCategory.ELIGIBILITY: "准入/申报条件",
    InstrumentCategory.SUBSIDY: "补贴/奖励",
    InstrumentCategory.CLASSIFICATION: "分级分类",
    InstrumentCategory.TECHNICAL: "技术标准",
    InstrumentCategory.PENALTY: "惩罚/差别价格",
    InstrumentCategory.OBLIGATION: "义务范围/比例",
    InstrumentCategory.OTHER: "其他",
}


class Instrument(Record):
    """A policy instrument a plan sets (eligibility threshold, subsidy, classification band,
    technical standard).  Kept with the same provenance as targets, never tracked.
    """

    id: str = Field(pattern=r"^I\d{3}(-4\.\d{1,2})?-\d{3,4}$")
    document: str
    section: str
    region: str
    category: InstrumentCategory
    subject: str  # what it applies to, in the plan's words: 燃煤锅炉, 申报企业
    indicator: str | None = None  # the indicator it is expressed in, where there is one
    comparison: Comparison | None = None
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    text: str | None = None  # the rule in the plan's words
    year: int | None = None  # from when / until when it applies, where stated
    quote: str
    former_id: str | None = Field(default=None, pattern=TARGET_ID)  # the target record it was
    note: str | None = None

    _quote = field_validator("quote")(_check_quote)
    _years = field_validator("year")(_check_year)

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        if self.value is None and not self.text:
            raise ValueError("an instrument needs value or text (the plan's words)")
        if self.value is not None and not self.unit:
            raise ValueError("an instrument value needs its unit")
        return self


class Measure(StrEnum):
    """What an achieved value measures: a level, or a change against ``base_year``."""

    LEVEL = "level"
    REDUCE_BY_PCT = "reduce_by_pct"
    INCREASE_BY_PCT = "increase_by_pct"
    REDUCE_BY_POINTS = "reduce_by_points"
    INCREASE_BY_POINTS = "increase_by_points"
    REDUCE_BY_AMOUNT = "reduce_by_amount"
    INCREASE_BY_AMOUNT = "increase_by_amount"


class Achieved(Record):
    """A value a plan reports as already reached: an observation that tracking starts from.

    ``year`` is the year (or the last year of the span) the value refers to.  A change
    ("十三五期间累计下降19.5%") has ``measure`` ``reduce_by_pct`` and ``base_year`` 2015.
    """

    id: str = Field(pattern=r"^A\d{3}(-4\.\d{1,2})?-\d{3,4}$")
    document: str
    section: str
    region: str
    indicator: str
    unit: str
    year: int
    measure: Measure = Measure.LEVEL
    base_year: int | None = None
    value: float | None = None
    value_text: str | None = None  # a worded result: 均达到国家标准, 全面完成
    approximate: bool = False
    quote: str
    conflicts_with: tuple[str, ...] = ()
    conflict_note: str | None = None
    reconstructed: bool = False
    reconstruction_note: str | None = None
    note: str | None = None

    _quote = field_validator("quote")(_check_quote)
    _years = field_validator("year", "base_year")(_check_year)

    @model_validator(mode="after")
    def _consistent(self) -> Achieved:
        if self.reconstructed and not self.reconstruction_note:
            raise ValueError("reconstructed values need reconstruction_note")
        if self.value is None and not self.value_text:
            raise ValueError("an achieved value needs value (a number) or value_text (the plan's words)")
        if (self.measure is Measure.LEVEL) != (self.base_year is None):
            raise ValueError("base_year is required for a change and only for a change")
        if self.base_year is not None and self.base_year >= self.year:
            raise ValueError(f"base_year {self.base_year} is not before year {self.year}")
        return self
