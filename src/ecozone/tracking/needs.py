"""The data-needs loop: for every target without a verdict, the observation that would unlock
it (indicator, region, year, unit), and the import template pre-filled with exactly those rows.

Rules (one per reason the evaluation gives, see ``docs/methods/tracking.md``):

============================  ===================================================
reason key                    observation needed
============================  ===================================================
awaiting_data, awaiting_later the level of the deadline year
no_base                       the level of the base year (or the change against it)
no_data, base_only            a level after the base year: the evaluation year's
single_point                  a second level since the base year: the evaluation
                              year's when the latest is older, else the base year's
============================  ===================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from ecozone.ingest.observations import (
    COLUMN_HELP,
    COLUMNS,
    NEEDS_NOTE,
    ListSheet,
    write_workbook_template,
)
from ecozone.tracking.evaluate import TrackFilter, evaluate

NEEDS_KEYS = ("awaiting_data", "awaiting_later", "no_base", "no_data", "base_only", "single_point")


def _year_needed(r: dict[str, Any]) -> int:
    key, as_of = r["reason_key"], int(r["as_of"])
    if key in ("awaiting_data", "awaiting_later"):
        return int(r["target_year"])
    if key == "no_base":
        return int(r["baseline_year"])
    if key == "single_point" and r["latest_year"] is not None and int(r["latest_year"]) >= as_of:
        return int(r["eff_base"])
    return as_of


def needs(
    con: duckdb.DuckDBPyConnection, flt: TrackFilter | None = None, *, as_of: int | None = None
) -> list[dict[str, Any]]:
    """One row per observation needed (region, indicator, year), with the targets it unlocks,
    binding targets first."""
    rows = [r for r in evaluate(con, flt, as_of=as_of) if r["reason_key"] in NEEDS_KEYS]
    found: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in rows:
        year = _year_needed(r)
        key = (r["region_code"], r["indicator_id"], year)
        need = found.get(key)
        if need is None:
            need = found[key] = {
                "region_code": r["region_code"], "region_name": r["region_name"],
                "region_name_en": r["region_name_en"], "indicator_id": r["indicator_id"],
                "indicator_name": r["indicator_name"], "indicator_name_en": r["indicator_name_en"],
                "year": year, "unit": r["indicator_unit"], "targets": [], "statuses": [],
                "binding": False, "reason_key": r["reason_key"], "as_of": r["as_of"],
            }
        need["targets"].append(r["target_id"])
        need["statuses"].append(r["status"])
        need["binding"] = need["binding"] or r["kind"] == "binding"
    return sorted(found.values(), key=lambda n: (not n["binding"], n["region_code"], n["indicator_id"], n["year"]))


def write_needs_template(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]], out: Path) -> Path:
    """The observation template with one empty row per need (value left blank: rows not filled
    in are skipped on import; the example is on its own sheet and never imported)."""
    from ecozone.catalogue.models import Measure

    data = [[n["region_code"], n["indicator_id"], str(n["year"]), "", n["unit"], "level", "", "", "", "ok",
             f"{NEEDS_NOTE}: {n['region_name']} {n['indicator_name']} → {', '.join(n['targets'][:10])}"]
            for n in rows]
    inds = con.execute("SELECT id, name_zh, name_en, unit, domain FROM indicator ORDER BY domain, id").fetchall()
    regs = con.execute("SELECT code, name_zh, name_en, type FROM region ORDER BY code").fetchall()
    return write_workbook_template(
        out, columns=COLUMNS, column_help=COLUMN_HELP, rows=data,
        example=[["130000", "air.pm25_annual_mean", "2024", "37.7", "µg/m³", "level", "",
                  "2024年河北省生态环境状况公报", "", "ok", ""]],
        lists=[ListSheet("indicators", ["id", "name_zh", "name_en", "unit", "domain"], inds, "indicator"),
               ListSheet("regions", ["code", "name_zh", "name_en", "type"], regs, "region")],
        numeric=["value"], choices={"measure": [m.value for m in Measure]},
        notes=[("每行是一个缺失的观测值：填入数值（及出处）后导入；未填数值的行会被跳过",
                "each row is a missing observation: fill in the value (and source) and import; rows left "
                "without a value are skipped"),
               ("导入后 ecozone alerts 显示状态变化", "after the import, ecozone alerts shows the status changes")])
