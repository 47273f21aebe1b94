"""Catalogue v2: one record per commitment, scope and inferred facts as data, one encoding per
wording, policy instruments apart from targets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from ecozone.catalogue.check import all_problems, duplicate_problems
from ecozone.catalogue.loader import Catalogue, CatalogueError, load_catalogue, packaged_catalogue
from ecozone.catalogue.models import Comparison, Kind, Scope, Target
from ecozone.catalogue.service import TargetFilter, get_instrument, get_target, list_targets
from ecozone.catalogue.wording import WORDINGS, wording_problems
from ecozone.store.catalogue_load import load_catalogue_into
from ecozone.store.db import connect
from tests.conftest import FIXTURES, GOOD_TARGET


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return packaged_catalogue()


def _with(cat: Catalogue, *targets: Target) -> Catalogue:
    """The packaged catalogue with some targets replaced or added (added ones at a made-up line)."""
    origin = {**cat.origin, **{t.id: ("data/catalogue/test.yaml", 1) for t in targets if t.id not in cat.origin}}
    return replace(cat, targets={**cat.targets, **{t.id: t for t in targets}}, origin=origin)


# --- the model -------------------------------------------------------------------------------

BASE = {
    "id": "T000-0001", "document": "000", "section": "s", "region": "130000",
    "indicator": "air.pm25_annual_mean", "unit": "µg/m³", "target_year": 2025, "target_value": 38,
    "comparison": "at_most", "kind": "binding", "quote": "q",
}


@pytest.mark.parametrize(("extra", "message"), [
    ({"scope": "each"}, "needs members"),
    ({"scope": "each", "members": ["130100"]}, "needs members"),
    ({"members": ["130100", "130200"]}, "only for scope"),
    ({"year_stated": False}, "year_rule"),
    ({"aliases": ["T000-0001"]}, "not another target id"),
    ({"aliases": ["X1"]}, "not another target id"),
])
def test_model_rejects_incomplete_v2_fields(extra: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Target.model_validate({**BASE, **extra})


def test_each_with_a_member_rule_is_enough() -> None:
    t = Target.model_validate({**BASE, "scope": "each", "member_rule": "每个乡（镇）"})
    assert t.scope is Scope.EACH and t.members == ()


def test_loader_checks_statements_members_and_aliases(mini_root: Path) -> None:
    text = GOOD_TARGET.replace(
        "    quote: 细颗粒物浓度\nachieved:",
        "    quote: 细颗粒物浓度\n    scope: each\n    members: ['130100', 'nowhere.x']\n"
        "    aliases: [T000-0002]\n    statements:\n      - {document: '999', section: s, quote: q}\n"
        "  - id: T000-0002\n    document: '000'\n    section: s\n    region: '130000'\n"
        "    indicator: air.pm25_annual_mean\n    unit: µg/m³\n    target_year: 2025\n"
        "    target_value: 30\n    comparison: at_most\n    kind: binding\n    quote: q\nachieved:",
    )
    (mini_root / "catalogue" / "000.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(mini_root)
    messages = " | ".join(f"{p.field}: {p.message}" for p in info.value.problems)
    assert "statements.document: unknown document '999'" in messages
    assert "members: unknown region 'nowhere.x'" in messages
    assert "alias 'T000-0002' is still a target of its own" in messages


# --- the checks find what they are for ---------------------------------------------------------

def test_duplicate_commitment_in_one_document_is_an_error(cat: Catalogue) -> None:
    """The defect of v1: a body sentence recorded again beside its table row."""
    table_row = cat.targets["T003-4.7-0020"]  # non-fossil share ≥ 13 %, binding
    copy = table_row.model_copy(update={"id": "T003-4.7-0999", "section": "三、（三）1.", "statements": (),
                                        "aliases": ()})
    problems = duplicate_problems(_with(cat, copy))
    assert [p.field for p in problems] == ["duplicate"]
    assert "T003-4.7-0999 states the same commitment as T003-4.7-0020" in problems[0].message


@pytest.mark.parametrize(("target_id", "update", "wording"), [
    # 基本实现 on a per-cent indicator is at_least 100, approximate (v1 had it both ways)
    ("T000-0028", {"comparison": Comparison.QUALITATIVE, "target_value": None, "approximate": False}, "基本实现"),
    ("T003-4.7-0035", {"approximate": False}, "基本实现"),
    # 零增长 is reduce_by_pct 0 against a base year, not words
    ("T000-0070", {"comparison": Comparison.QUALITATIVE, "target_value": None, "unit": "万吨",
                   "baseline_year": None}, "零增长"),
    # 基本消除 is eliminate, approximate
    ("T003-4.7-0004", {"approximate": False}, "基本消除"),
    # a number with 不降低 is a floor
    ("T002-0034", {"comparison": Comparison.QUALITATIVE, "target_value": None}, "不降低"),
    # 力争 marks the stretch value
    ("T003-4.7-0051", {"kind": Kind.UNSTATED}, "力争"),
])
def test_wording_check_finds_a_second_encoding(cat: Catalogue, target_id: str, update: dict, wording: str) -> None:
    target = cat.target(target_id)
    assert target is not None
    assert not [p for p in wording_problems(cat) if target.id in p.message]
    changed = target.model_copy(update=update)
    problems = [p for p in wording_problems(_with(cat, changed)) if target.id in p.message]
    assert problems and f"「{wording}」" in problems[0].message


def test_number_in_words_is_flagged(cat: Catalogue) -> None:
    t = cat.targets["T004-0084"].model_copy(update={
        "comparison": Comparison.QUALITATIVE, "target_value": None,
        "target_text": "在巩固退减40万亩水浇地的基础上，每年再退减10万亩"})
    assert any("T004-0084" in p.message for p in all_problems(_with(cat, t)))


# --- the packaged catalogue --------------------------------------------------------------------

def test_restatements_are_statements_and_merged_ids_resolve(cat: Catalogue) -> None:
    grass = cat.target("T004-0046")  # grassland 1695万亩 in 2022, stated three times in 004
    assert grass is not None and grass.id == "T004-0015"
    assert set(grass.aliases) == {"T004-0046", "T004-0090"}
    assert {s.merged_from for s in grass.statements} == {"T004-0046", "T004-0090"}
    assert cat.target("T003-4.7-0027") is cat.targets["T003-4.7-0020"]  # non-fossil 13 %, once


def test_restatements_across_documents_are_one_target(cat: Catalogue) -> None:
    """T000-0028 and T003-4.7-0035 are the same sentence (airport vehicles 基本实现电动化)."""
    airport = cat.target("T003-4.7-0035")
    assert airport is not None and airport.id == "T000-0028"
    assert {s.document for s in airport.statements} == {"003-4.7"}
    # the 4.7 table row is the primary statement of the 13 % non-fossil share stated in 4.1 and 4.12
    nonfossil = cat.targets["T003-4.7-0020"]
    assert {s.document for s in nonfossil.statements} >= {"003-4.1", "003-4.12"}
    assert nonfossil.kind is Kind.BINDING


def test_kind_comes_from_the_stating_sentence(cat: Catalogue) -> None:
    """Body restatements copied the table's kind; now only what a sentence marks counts."""
    body = [s for t in cat.targets.values() for s in t.statements if s.merged_from]
    assert body and all(s.kind is Kind.UNSTATED or s.kind.value in ("binding", "expected", "strive") for s in body)
    nonfossil = cat.targets["T003-4.7-0020"]
    assert nonfossil.kind is Kind.BINDING and {s.kind for s in nonfossil.statements} == {Kind.UNSTATED}
    assert cat.targets["T003-4.6-0018"].kind is Kind.UNSTATED  # 1.5 % in the body, not the table's


def test_per_unit_targets_are_each_with_members(cat: Catalogue) -> None:
    pv = cat.targets["T003-4.1-0023"]  # a million-kW PV base in each of five areas
    assert pv.scope is Scope.EACH and len(pv.members) == 5 and pv.target_value == 100
    centre = cat.targets["T003-4.7-0120"]  # one centre per larger county
    assert centre.scope is Scope.EACH and centre.member_rule
    assert cat.targets["T003-4.7-0006"].scope is Scope.AVERAGE


def test_inferred_years_are_fields(cat: Catalogue) -> None:
    inferred = [t for t in cat.targets.values() if not t.year_stated]
    assert len(inferred) >= 150
    assert all(t.year_rule for t in inferred)


def test_instruments_are_not_targets(cat: Catalogue) -> None:
    former = {i.former_id for i in cat.instruments.values()}
    assert {"T003-4.16-0004", "T003-4.4-0003", "T003-4.2-0002"} <= former
    assert not former & set(cat.targets)
    assert not [t for t in cat.targets.values() if t.document == "003-4.4"]


# --- the store and the service -----------------------------------------------------------------

def test_store_holds_statements_aliases_members_and_instruments(cat: Catalogue) -> None:
    con = connect(":memory:")
    load_catalogue_into(con, cat)
    row = get_target(con, "T004-0046")
    assert row is not None and row["id"] == "T004-0015" and row["requested_id"] == "T004-0046"
    assert row["n_statements"] == 3 and len(row["statements"]) == 3
    assert row["statements"][0]["is_primary"] and all(s["line"] for s in row["statements"])
    pv = get_target(con, "T003-4.1-0023")
    assert pv is not None and pv["scope"] == "each" and len(pv["members"]) == 5
    instrument = get_instrument(con, "T003-4.16-0004")
    assert instrument is not None and instrument["category"] == "classification"
    assert get_target(con, "T003-4.16-0004") is None
    total = con.execute("SELECT count(*), sum(n_statements) FROM target").fetchone()
    assert total == (len(cat.targets), sum(1 + len(t.statements) for t in cat.targets.values()))
    assert con.execute("SELECT count(*) FROM target_statement").fetchone() == (total[1],)
    rows = list_targets(con, TargetFilter(document="003-4.7", kind="binding"))
    assert len(rows) == 16  # the 16 binding rows of 4.7's table, once each
    con.close()


def test_every_v1_target_id_still_resolves(cat: Catalogue) -> None:
    """Links to v1 ids (reports, notes, bookmarks) keep working: each is a target, an alias of
    the target it was merged into, or the former id of a policy instrument."""
    lines = (FIXTURES / "catalogue" / "v1_target_ids.txt").read_text(encoding="utf-8").splitlines()
    v1 = [x for x in lines if x and not x.startswith("#")]
    assert len(v1) == 930
    former = {i.former_id for i in cat.instruments.values()}
    lost = [x for x in v1 if cat.target(x) is None and x not in former]
    assert lost == []


def test_the_wording_table_is_written_down() -> None:
    """docs/catalogue.md carries the table the check enforces, wording by wording."""
    docs = (FIXTURES.parents[1] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    table = docs[docs.index("### One encoding per wording"):docs.index("### Targets and policy instruments")]
    assert [w.words[0] for w in WORDINGS if w.words[0] not in table] == []
