"""Alerts: status changes since the last recorded evaluation, binding targets off track,
cities near the national bottom 10 of the air-quality ranking."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from ecozone.store.db import transaction
from ecozone.tracking.status import Status

NEAR_BOTTOM = 15  # a rank from the worst end up to this is "near the bottom 10"
RANK_INDICATOR = "air.composite_index_rank_from_bottom"


def last_run(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    row = con.execute(
        "SELECT run_id, evaluated_at, as_of, targets FROM tracking_run ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return {"run_id": row[0], "evaluated_at": row[1], "as_of": row[2], "targets": row[3]}


def record_snapshot(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], as_of: int, *, recorded_by: str = "ecozone"
) -> int:
    """Store the statuses of an evaluation; return the run id."""
    snap = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB's replacement scan
        [{k: r.get(k) for k in ("target_id", "status", "latest_year", "latest_value",
                                "projected_value", "rate_ratio", "reason_zh", "reason_en", "p_meet",
                                "reason_key")}
         for r in rows],
        schema=pa.schema([("target_id", pa.string()), ("status", pa.string()),
                          ("latest_year", pa.int32()), ("latest_value", pa.float64()),
                          ("projected_value", pa.float64()), ("rate_ratio", pa.float64()),
                          ("reason_zh", pa.string()), ("reason_en", pa.string()),
                          ("p_meet", pa.float64()), ("reason_key", pa.string())]),
    )
    with transaction(con):
        row = con.execute(
            "INSERT INTO tracking_run (as_of, targets, recorded_by) VALUES (?, ?, ?) RETURNING run_id",
            [as_of, len(rows), recorded_by],
        ).fetchone()
        assert row is not None
        run_id = int(row[0])
        con.execute(
            "INSERT INTO tracking_snapshot (run_id, target_id, status, latest_year, latest_value, projected_value, "
            "rate_ratio, reason_zh, reason_en, p_meet, reason_key) SELECT ?, target_id, status, latest_year, "
            "latest_value, projected_value, rate_ratio, reason_zh, reason_en, p_meet, reason_key FROM snap", [run_id],
        )
    return run_id


def status_changes(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Targets whose status differs from the last recorded evaluation (new targets included)."""
    run = last_run(con)
    if run is None:
        return []
    before = dict(con.execute(
        "SELECT target_id, status FROM tracking_snapshot WHERE run_id = ?", [run["run_id"]]
    ).fetchall())
    out = []
    for r in rows:
        old = before.get(r["target_id"])
        if old != r["status"]:
            old_s = Status(old) if isinstance(old, str) and old in Status._value2member_map_ else None
            out.append({
                "type": "status_change", "severity": _change_severity(old_s, Status(r["status"])),
                "target_id": r["target_id"], "region_name": r["region_name"],
                "indicator_name": r["indicator_name"], "kind": r["kind"],
                "from": old, "to": r["status"],
                "message_zh": f"{r['target_id']} {r['region_name']}·{r['indicator_name']}：状态由"
                              f"{old_s.zh if old_s else '（新目标）'}变为{Status(r['status']).zh}",
                "message_en": f"{r['target_id']} {r['region_name_en']} · {r['indicator_name_en']}: status "
                              f"{old_s.en if old_s else '(new target)'} → {Status(r['status']).en}",
                "since": str(run["evaluated_at"]),
            })
    return out


_RANK = {Status.ACHIEVED: 3, Status.MET_EARLY: 3, Status.ON_TRACK: 3, Status.MODERATELY_OFF_TRACK: 2, Status.OFF_TRACK: 1}


def _change_severity(old: Status | None, new: Status) -> str:
    """A change for the worse, or to at risk / off track from no verdict, is a warning."""
    if old is not None and old in _RANK and new in _RANK:
        return "warning" if _RANK[new] < _RANK[old] else "info"
    return "warning" if new in (Status.OFF_TRACK, Status.MODERATELY_OFF_TRACK) else "info"


def binding_off_track(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Binding targets off track (alert) or moderately off track (warning)."""
    out = []
    for r in rows:
        if r["kind"] != "binding" or r["status"] not in ("off_track", "moderately_off_track"):
            continue
        out.append({
            "type": "binding_off_track",
            "severity": "alert" if r["status"] == "off_track" else "warning",
            "target_id": r["target_id"], "region_name": r["region_name"],
            "indicator_name": r["indicator_name"], "kind": r["kind"], "from": None, "to": r["status"],
            "message_zh": f"约束性目标 {r['target_id']} {r['region_name']}·{r['indicator_name']}："
                          f"{r['reason_zh']}",
            "message_en": f"Binding target {r['target_id']} {r['region_name_en']} · "
                          f"{r['indicator_name_en']}: {r['reason_en']}",
            "since": None,
        })
    return out


def near_bottom(con: duckdb.DuckDBPyConnection, *, as_of: int, threshold: int = NEAR_BOTTOM) -> list[dict[str, Any]]:
    """Cities whose latest national rank from the worst end is ``threshold`` or less (part-year
    rankings included, and said so)."""
    sql = """
    SELECT o.region_code, r.name_zh, r.name_en, o.year, o.period, o.value, o.quality_flag, o.source_id
    FROM observation_current o JOIN region r ON r.code = o.region_code
    WHERE o.indicator_id = $ind AND o.measure = 'level' AND o.value IS NOT NULL AND o.year <= $as_of
      AND o.quality_flag NOT LIKE '%withdrawn%'
    QUALIFY row_number() OVER (PARTITION BY o.region_code
        ORDER BY o.year DESC, regexp_full_match(o.period, '\\d{4}') DESC, o.obs_id DESC) = 1
    ORDER BY o.value, o.region_code
    """
    out = []
    for code, zh, en, year, period, value, flag, src in con.execute(
        sql, {"ind": RANK_INDICATOR, "as_of": as_of}
    ).fetchall():
        if value > threshold:
            continue
        partial = "partial" in flag
        span_zh = f"{period}（非全年）" if partial else f"{year}年"
        span_en = f"{period} (part-year)" if partial else str(year)
        inside = value <= 10
        out.append({
            "type": "near_bottom", "severity": "alert" if inside else "warning",
            "target_id": None, "region_code": code, "region_name": zh, "indicator_name": "重点城市空气质量综合指数倒数排名",
            "kind": None, "from": None, "to": None,
            "message_zh": f"{zh}{span_zh}全国重点城市空气质量排名倒数第{value:g}名，"
                          + ("处于“后十”" if inside else f"接近“后十”（阈值{threshold}）"),
            "message_en": f"{en}: rank {value:g} from the worst among the national key cities in {span_en}, "
                          + ("inside the bottom 10" if inside else f"near the bottom 10 (threshold {threshold})"),
            "since": None, "source": src,
        })
    return out


def alerts(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], *, as_of: int
) -> list[dict[str, Any]]:
    """All alerts for the evaluated ``rows``: changes, binding off track, near the bottom 10."""
    order = {"alert": 0, "warning": 1, "info": 2}
    found = [*status_changes(con, rows), *binding_off_track(rows), *near_bottom(con, as_of=as_of)]
    return sorted(found, key=lambda a: order[a["severity"]])
