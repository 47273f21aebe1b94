"""`obs needs` → fill → import moves the statuses, and the alerts show the changes."""

from __future__ import annotations

from pathlib import Path

import duckdb
from openpyxl import load_workbook

from ecozone.ingest.observations import import_file
from ecozone.tracking.alerts import record_snapshot, status_changes
from ecozone.tracking.evaluate import evaluate
from ecozone.tracking.needs import needs, write_needs_template

from .conftest import add_obs, add_target


def test_needs_fill_import_moves_statuses(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    add_target(con, "T900-301", "air.pm25_annual_mean", "at_most", 38, 2024)  # deadline passed, no 2024 value
    add_target(con, "T900-302", "air.pm25_annual_mean", "at_most", 36, 2024)  # the same observation unlocks it
    add_target(con, "T900-303", "energy.energy_intensity", "reduce_by_pct", 10, 2025, baseline_year=2020)
    add_obs(con, "air.pm25_annual_mean", {2022: 40, 2023: 39})
    add_obs(con, "energy.energy_intensity", {2024: 0.5})  # no 2020 base value
    rows = evaluate(con, as_of=2024)
    assert {r["target_id"]: r["status"] for r in rows} == {
        "T900-301": "awaiting_data", "T900-302": "awaiting_data", "T900-303": "insufficient_data"}
    record_snapshot(con, rows, 2024)

    found = needs(con, as_of=2024)
    assert [(n["region_code"], n["indicator_id"], n["year"], n["unit"], n["targets"]) for n in found] == [
        ("130000", "air.pm25_annual_mean", 2024, "µg/m³", ["T900-301", "T900-302"]),
        ("130000", "energy.energy_intensity", 2020, "吨标准煤/万元", ["T900-303"]),
    ]
    out = write_needs_template(con, found, tmp_path / "needs.xlsx")
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=3)]
    assert [(d[header.index("region")], d[header.index("period")], d[header.index("value")]) for d in data] == [
        ("130000", "2024", None), ("130000", "2020", None)]
    ws.cell(row=2, column=header.index("value") + 1, value=37.2)  # fill only the PM2.5 row
    wb.save(out)

    res = import_file(con, out, recorded_by="analyst")
    assert res.rows == 1  # the row left empty is skipped, the example sheet is never read
    after = {r["target_id"]: r["status"] for r in evaluate(con, as_of=2024)}
    assert after == {"T900-301": "achieved", "T900-302": "off_track", "T900-303": "insufficient_data"}
    changes = {(a["target_id"], a["from"], a["to"]) for a in status_changes(con, evaluate(con, as_of=2024))}
    assert changes == {("T900-301", "awaiting_data", "achieved"), ("T900-302", "awaiting_data", "off_track")}
