"""The catalogue shipped with the package: valid, every quote found, and complete enough."""

from __future__ import annotations

from collections import Counter

import pytest

from ecozone.catalogue.check import quote_problems
from ecozone.catalogue.loader import Catalogue, load_catalogue
from ecozone.catalogue.models import Comparison, Kind


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def test_every_quote_is_in_its_document(cat: Catalogue) -> None:
    assert quote_problems(cat) == []


# Lower bounds per document, set from the reviewed catalogue: a shrinking catalogue fails here.
MIN_TARGETS = {
    "000": 60, "001": 30, "002": 60, "003-4.1": 10, "003-4.6": 10, "003-4.7": 60,
    "003-4.12": 10, "003-4.13": 10, "003-4.14": 10, "003-4.15": 10, "004": 30,
}


def test_counts_per_document(cat: Catalogue) -> None:
    counts = Counter(t.document for t in cat.targets.values())
    for doc, minimum in MIN_TARGETS.items():
        assert counts[doc] >= minimum, f"{doc}: {counts[doc]} targets < {minimum}"
    assert len(cat.targets) + len(cat.achieved) >= 600


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
