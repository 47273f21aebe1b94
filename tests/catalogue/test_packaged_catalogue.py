"""The catalogue shipped with the package: valid, every quote found, and complete enough."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from ecozone.catalogue.check import all_problems, counts_by_document, quote_problems
from ecozone.catalogue.loader import Catalogue, load_catalogue
from ecozone.catalogue.models import Comparison, Kind, Target


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def test_every_quote_is_in_its_document(cat: Catalogue) -> None:
    assert quote_problems(cat) == []


def test_the_catalogue_check_finds_nothing(cat: Catalogue) -> None:
    """No duplicate commitment in a document, every wording encoded as docs/catalogue.md says."""
    assert [str(p) for p in all_problems(cat)] == []


# The reviewed counts per document: (targets, binding, expected, statements, instruments, achieved).
# "targets" are the commitments a document states (one restated in several documents counts in
# each); binding/expected are the kinds the document itself gives them.
# A change to the catalogue that adds, merges or removes records must update this table: it is
# the reviewer's record of what is there.  Binding and expected counts are those of the plans'
# own tables (4.7: 16 binding rows and 5 expected; 4.6: 15 expected rows; 002: 19 lines).
COUNTS = {
    "000": (81, 0, 0, 81, 0, 19),
    "001": (85, 0, 0, 89, 0, 0),
    "002": (111, 14, 5, 124, 1, 64),
    "003": (0, 0, 0, 0, 0, 0),
    "003-4.1": (26, 0, 0, 26, 0, 0),
    "003-4.2": (10, 0, 0, 10, 9, 0),
    "003-4.3": (3, 0, 0, 3, 0, 0),
    "003-4.4": (0, 0, 0, 0, 7, 0),
    "003-4.5": (19, 0, 0, 19, 0, 0),
    "003-4.6": (64, 0, 15, 81, 0, 59),
    "003-4.7": (143, 16, 5, 153, 2, 37),
    "003-4.8": (23, 0, 0, 31, 1, 1),
    "003-4.9": (13, 0, 0, 13, 0, 0),
    "003-4.10": (5, 0, 0, 5, 2, 0),
    "003-4.11": (11, 1, 6, 11, 0, 9),
    "003-4.12": (38, 1, 0, 38, 4, 0),
    "003-4.13": (24, 0, 0, 24, 0, 0),
    "003-4.14": (42, 0, 0, 42, 1, 0),
    "003-4.15": (40, 1, 0, 40, 2, 0),
    "003-4.16": (3, 0, 0, 3, 5, 0),
    "003-4.17": (2, 0, 0, 3, 0, 0),
    "003-4.18": (6, 0, 0, 6, 0, 0),
    "003-4.19": (0, 0, 0, 0, 0, 1),
    "004": (95, 0, 0, 123, 0, 53),
}


def test_counts_per_document(cat: Catalogue) -> None:
    found = {d: astuple(n) for d, n in counts_by_document(cat).items()}
    assert found == COUNTS
    assert len(cat.targets) + len(cat.achieved) >= 600


def test_main_indicator_tables_are_complete(cat: Catalogue) -> None:
    """Every line of the main-indicator tables (16 indicators on 19 lines in 002, 18 on 21 in 003-4.7)."""
    def table_rows(doc: str) -> list[Target]:
        return [t for t in cat.targets.values() if t.document == doc and "主要指标" in t.section]

    assert len(table_rows("002")) == 19
    assert len(table_rows("003-4.7")) == 21
    assert len(table_rows("003-4.6")) == 15
    rows = table_rows("003-4.7")
    assert all(t.target_year == 2025 for t in rows)
    # the table gives a 2020 value for some rows and "—" for others
    assert all(t.baseline_year == 2020 for t in rows if t.baseline_value is not None)
    assert sum(t.baseline_value is not None for t in rows) == 7
    assert {t.kind for t in table_rows("003-4.7")} == {Kind.BINDING, Kind.EXPECTED}


def test_table_of_4_7_has_18_indicators_with_kinds(cat: Catalogue) -> None:
    table = [t for t in cat.targets.values() if t.document == "003-4.7" and "表" in t.section]
    assert len({t.indicator for t in table}) >= 15
    assert {t.kind for t in table} >= {Kind.BINDING, Kind.EXPECTED}


def test_provincial_pm25_targets_are_recorded(cat: Catalogue) -> None:
    pm25 = [t for t in cat.targets.values() if t.indicator == "air.pm25_annual_mean" and t.region == "130000"]
    assert {t.document for t in pm25} >= {"000", "001", "003-4.7"}
    assert all(t.comparison in (Comparison.AT_MOST, Comparison.REDUCE_BY_PCT, Comparison.QUALITATIVE) for t in pm25)


def test_conflicts_point_both_ways(cat: Catalogue) -> None:
    records = {**cat.targets, **cat.achieved}
    for rid, rec in records.items():
        for other in rec.conflicts_with:
            assert rid in records[other].conflicts_with, f"{rid} -> {other} is not mirrored"


def test_worded_targets_are_kept(cat: Catalogue) -> None:
    worded = [t for t in cat.targets.values() if t.comparison is Comparison.QUALITATIVE]
    assert len(worded) >= 10
    assert all(t.target_text for t in worded)


def test_reconstructed_values_in_004_are_flagged(cat: Catalogue) -> None:
    rebuilt = [r for r in [*cat.targets.values(), *cat.achieved.values()] if r.reconstructed]
    assert rebuilt, "004 lost its decimal points: some values must be reconstructed and flagged"
    assert all(r.document == "004" and r.reconstruction_note for r in rebuilt)
