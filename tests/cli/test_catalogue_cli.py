"""The catalogue commands: filters, formats, show, plans, db init/load."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecozone.cli import app

runner = CliRunner()
JSON_FIELDS = {
    "id", "document", "section", "region_code", "region_name", "indicator_id", "indicator_name", "unit",
    "baseline_year", "baseline_value", "target_year", "target_value", "comparison", "kind", "quote",
}


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def targets(*args: str) -> list[dict]:
    return json.loads(run("targets", "list", "--format", "json", *args))


@pytest.fixture(autouse=True)
def _db(db_path: Path) -> Path:
    return db_path


def test_db_init_and_load_are_idempotent(db_path: Path) -> None:
    from ecozone.store.db import migrations

    assert f"结构版本 {migrations()[-1][0]}" in run("db", "init")
    first = run("db", "load")
    assert "已载入" in first
    assert "未变化" in run("db", "load")
    run("db", "load", "--force")
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    superseded = con.execute("SELECT count(*) FROM observation WHERE supersedes IS NOT NULL").fetchone()
    assert superseded == (0,)


def test_json_has_the_whole_catalogue_with_provenance() -> None:
    rows = targets()
    assert len(rows) >= 400
    assert set(rows[0]) >= JSON_FIELDS
    assert all(r["quote"] and r["document"] and r["section"] for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_region_by_code_or_name_gives_the_same_rows() -> None:
    by_name = targets("--region", "廊坊市")
    assert by_name
    assert by_name == targets("--region", "131000")
    assert {r["region_code"] for r in by_name} == {"131000"}
    with_children = targets("--region", "廊坊市", "--with-children")
    assert len(with_children) > len(by_name)


def test_filters_combine() -> None:
    rows = targets("--region", "河北省", "--domain", "air", "--year", "2025", "--kind", "binding")
    assert rows
    assert all(r["region_code"] == "130000" and r["target_year"] == 2025 and r["kind"] == "binding" for r in rows)
    assert all(r["indicator_id"].startswith("air.") for r in rows)
    assert targets("--kind", "约束性") == targets("--kind", "binding")
    in_003 = targets("--document", "003")
    assert {r["document"] for r in in_003} >= {"003-4.1", "003-4.7", "003-4.12"}
    # a target whose primary statement is in another plan is listed when 003 restates it
    elsewhere = [r for r in in_003 if not r["document"].startswith("003-4.")]
    assert elsewhere and all(r["n_statements"] > 1 for r in elsewhere)


def test_csv_and_table_formats() -> None:
    text = run("targets", "list", "--region", "131000", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and set(rows[0]) >= JSON_FIELDS
    table = run("targets", "list", "--region", "131000")
    assert "规划目标" in table and rows[0]["id"] in table


def test_unknown_region_is_a_clear_error() -> None:
    result = runner.invoke(app, ["targets", "list", "--region", "火星"])
    assert result.exit_code == 2
    assert "未知地区" in result.output


def test_show_prints_record_and_paragraph() -> None:
    row = targets("--region", "130000", "--domain", "air")[0]
    out = run("targets", "show", row["id"])
    assert row["id"] in out and "原文段落" in out
    shown = json.loads(run("targets", "show", row["id"], "--format", "json"))[0]
    assert shown["quote"] == row["quote"]
    assert shown["context"] and len(shown["context"]) >= len(row["quote"])
    missing = runner.invoke(app, ["targets", "show", "T999-9999"])
    assert missing.exit_code == 2


def test_plans_counts_match_targets() -> None:
    plans = json.loads(run("plans", "--format", "json"))
    by_doc = {p["document"]: p for p in plans}
    assert by_doc["002"]["targets"] == len(targets("--document", "002"))
    for p in plans:
        assert p["targets"] == p["binding"] + p["expected"] + p["strive"] + p["unstated"]


def test_observations_list_shows_achieved_values() -> None:
    rows = json.loads(run("observations", "list", "--source", "plan", "--format", "json"))
    assert rows
    assert all(r["source_type"] == "plan" and r["quote"] and r["document_id"] for r in rows)
    province = json.loads(run("observations", "list", "--region", "河北省", "--document", "003-4.7", "--format", "json"))
    assert province and {r["region_code"] for r in province} == {"130000"}


def test_english_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOZONE_LANG", "en")
    out = run("targets", "list", "--region", "131000")
    assert "Plan targets" in out and "indicator" in out


def test_show_lists_every_statement_and_resolves_merged_ids() -> None:
    """T004-0046 and T004-0090 restated T004-0015 (grassland 1695万亩 in 2022): one target now."""
    out = run("targets", "show", "T004-0046")
    assert "T004-0046 已并入 T004-0015" in out and "表述 3 处" in out
    assert out.count("「") >= 3
    shown = json.loads(run("targets", "show", "T004-0090", "--format", "json"))[0]
    assert shown["id"] == "T004-0015" and shown["n_statements"] == 3
    assert {"scope", "scope_stated", "year_stated", "year_rule", "approximate", "reconstructed",
            "aliases", "members", "statements"} <= set(shown)
    assert [s["is_primary"] for s in shown["statements"]] == [True, False, False]


def test_list_has_one_row_per_commitment_with_its_statement_count() -> None:
    rows = targets("--document", "004", "--indicator", "ecology.grassland_area")
    assert [r["n_statements"] for r in rows if r["target_year"] == 2022] == [3]


def test_show_of_a_former_target_that_is_an_instrument() -> None:
    out = run("targets", "show", "T003-4.16-0004")
    assert "政策工具" in out and "不参与跟踪" in out


def test_instruments_are_listed_apart() -> None:
    rows = json.loads(run("targets", "instruments", "--document", "003-4.16", "--format", "json"))
    assert {r["category"] for r in rows} == {"classification", "obligation"}
    assert all(r["quote"] and r["former_id"] for r in rows)
    plans = {p["document"]: p for p in json.loads(run("plans", "--format", "json"))}
    assert plans["003-4.16"]["instruments"] == len(rows)


def test_plan_counts_are_the_plans_own() -> None:
    """v1 counted body restatements as extra binding targets (4.7: 24 binding against the 16
    binding rows of its table; the non-fossil 13 % twice).  Each commitment now counts once per
    document, with the kind that document gives it."""
    plans = {p["document"]: p for p in json.loads(run("plans", "--format", "json"))}
    assert (plans["003-4.7"]["binding"], plans["003-4.7"]["expected"]) == (16, 5)
    assert (plans["002"]["binding"], plans["002"]["expected"]) == (14, 5)
    assert plans["003-4.6"]["expected"] == 15
    binding = targets("--document", "003-4.7", "--kind", "binding", "--indicator", "energy.non_fossil_share")
    assert [r["id"] for r in binding] == ["T003-4.7-0020"]


def test_wording_table_command() -> None:
    rows = json.loads(run("catalogue", "wordings", "--format", "json"))
    assert any("基本实现" in r["words"] for r in rows) and all(r["encoding"] for r in rows)
