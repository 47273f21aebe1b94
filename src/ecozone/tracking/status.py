"""The statuses a target can have, with stable ids, labels, icons and colours."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a target stands.  The ids are stable: they are stored in evaluation snapshots."""

    ACHIEVED = "achieved"
    MET_EARLY = "met_early"
    ON_TRACK = "on_track"
    MODERATELY_OFF_TRACK = "moderately_off_track"
    OFF_TRACK = "off_track"
    NOT_YET_DUE = "not_yet_due"
    AWAITING_DATA = "awaiting_data"
    INSUFFICIENT_DATA = "insufficient_data"
    NEEDS_JUDGEMENT = "needs_judgement"

    @property
    def zh(self) -> str:
        return STATUS_ZH[self]

    @property
    def en(self) -> str:
        return STATUS_EN[self]

    @property
    def icon(self) -> str:
        return STATUS_ICON[self]

    @property
    def colour(self) -> str:
        """Background colour (hex RGB, no ``#``) used in the workbook and the HTML report."""
        return STATUS_COLOUR[self]


STATUS_ZH = {
    Status.ACHIEVED: "已达成",
    Status.MET_EARLY: "提前达到（需保持）",
    Status.ON_TRACK: "进展顺利",
    Status.MODERATELY_OFF_TRACK: "有风险",
    Status.OFF_TRACK: "严重滞后",
    Status.NOT_YET_DUE: "未到期",
    Status.AWAITING_DATA: "待目标年数据",
    Status.INSUFFICIENT_DATA: "数据不足",
    Status.NEEDS_JUDGEMENT: "待人工判定",
}
STATUS_EN = {
    Status.ACHIEVED: "achieved",
    Status.MET_EARLY: "met early (must hold)",
    Status.ON_TRACK: "on track",
    Status.MODERATELY_OFF_TRACK: "at risk",
    Status.OFF_TRACK: "off track",
    Status.NOT_YET_DUE: "not yet due",
    Status.AWAITING_DATA: "awaiting deadline data",
    Status.INSUFFICIENT_DATA: "insufficient data",
    Status.NEEDS_JUDGEMENT: "needs judgement",
}
# ● good, ▲ warning, ✖ bad, ○ nothing to judge yet, ? data or a person needed
STATUS_ICON = {
    Status.ACHIEVED: "●",
    Status.MET_EARLY: "●",
    Status.ON_TRACK: "●",
    Status.MODERATELY_OFF_TRACK: "▲",
    Status.OFF_TRACK: "✖",
    Status.NOT_YET_DUE: "○",
    Status.AWAITING_DATA: "…",
    Status.INSUFFICIENT_DATA: "?",
    Status.NEEDS_JUDGEMENT: "?",
}
STATUS_COLOUR = {
    Status.ACHIEVED: "1B7F3B",
    Status.MET_EARLY: "4CA65A",
    Status.ON_TRACK: "7CC47F",
    Status.MODERATELY_OFF_TRACK: "F2C14E",
    Status.OFF_TRACK: "D64541",
    Status.NOT_YET_DUE: "C9D6E3",
    Status.AWAITING_DATA: "9EC1E0",
    Status.INSUFFICIENT_DATA: "BDBDBD",
    Status.NEEDS_JUDGEMENT: "B39DDB",
}
# order used in tables and roll-ups: worst first among the judged ones
STATUS_ORDER = [
    Status.OFF_TRACK,
    Status.MODERATELY_OFF_TRACK,
    Status.ON_TRACK,
    Status.MET_EARLY,
    Status.ACHIEVED,
    Status.AWAITING_DATA,
    Status.NEEDS_JUDGEMENT,
    Status.INSUFFICIENT_DATA,
    Status.NOT_YET_DUE,
]
# statuses without a verdict: the data-needs list (`ecozone obs needs`) covers them
NO_VERDICT = (Status.AWAITING_DATA, Status.INSUFFICIENT_DATA, Status.NOT_YET_DUE)
# statuses a person may record for a qualitative target
JUDGEABLE = (Status.ACHIEVED, Status.MET_EARLY, Status.ON_TRACK, Status.MODERATELY_OFF_TRACK, Status.OFF_TRACK)


def parse_status(value: str) -> Status:
    """A status from its id, Chinese or English label (``moderately off track``, the label
    before the probability-based verdict, still reads as at risk)."""
    v = value.strip()
    if v in ("moderately off track", "略有滞后"):
        return Status.MODERATELY_OFF_TRACK
    for s in Status:
        if v in (s.value, s.zh, s.en):
            return s
    raise ValueError(f"unknown status {value!r}: one of {', '.join(s.value for s in Status)}")
