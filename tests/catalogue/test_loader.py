"""The loader rejects bad records with file, line and field, and accepts good ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecozone.catalogue.loader import CatalogueError, expected_unit, load_catalogue
from ecozone.catalogue.models import Comparison, Measure
from tests.conftest import GOOD_TARGET


def _write(root: Path, text: str) -> None:
    (root / "catalogue" / "000.yaml").write_text(text, encoding="utf-8")


def _problems(root: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(root)
    return [(p.file, p.line, p.field, p.message) for p in info.value.problems]


def test_good_catalogue_loads(mini_root: Path) -> None:
    cat = load_catalogue(mini_root)
    assert set(cat.targets) == {"T000-0001"}
    assert cat.targets["T000-0001"].target_value == 38
    assert cat.achieved["A000-0001"].value == 44.8
    assert cat.origin["T000-0001"] == ("data/catalogue/000.yaml", 2)


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [
        ('region: "130000"\n    indicator', 'region: "139999"\n    indicator', "region", 2, "unknown region '139999'"),
        ("indicator: air.pm25_annual_mean\n    unit: µg/m³\n    baseline_year", "indicator: air.nope\n    unit: µg/m³\n    baseline_year", "indicator", 2, "unknown indicator 'air.nope'"),
        ("unit: µg/m³\n    baseline_year", "unit: mg/m³\n    baseline_year", "unit", 2, "expected 'µg/m³'"),
        ("    quote: 细颗粒物浓度\nachieved", "    quote: ''\nachieved", "quote", 13, "quote is empty"),
        ("target_year: 2025", "target_year: 2205", "target_year", 9, "outside"),
        ("baseline_year: 2020\n    target_year", "baseline_year: 2026\n    target_year", None, 2, "is not before target_year"),
        ("comparison: at_most", "comparison: smaller", "comparison", 11, "Input should be"),
        ("    target_value: 38\n", "", None, 2, "needs target_value"),
        ("    kind: binding\n", "    kind: binding\n    colour: red\n", "colour", 13, "Extra inputs"),
    ],
)
def test_bad_target_names_line_and_field(mini_root: Path, old: str, new: str, field: str | None, line: int, message: str) -> None:
    assert old in GOOD_TARGET
    _write(mini_root, GOOD_TARGET.replace(old, new, 1))
    problems = _problems(mini_root)
    assert len(problems) == 1, problems
    file, got_line, got_field, got_message = problems[0]
    assert file == "data/catalogue/000.yaml"
    assert got_line == line
    assert got_field == field
    assert message in got_message


def test_long_quote_is_rejected(mini_root: Path) -> None:
    _write(mini_root, GOOD_TARGET.replace("    quote: 细颗粒物浓度\nachieved", f"    quote: {'长' * 121}\nachieved"))
    (problem,) = _problems(mini_root)
    assert problem[2] == "quote" and "at most 120" in problem[3]


def test_duplicate_id_points_to_first(mini_root: Path) -> None:
    _write(mini_root, GOOD_TARGET.replace("A000-0001", "A000-0002"))
    (mini_root / "catalogue" / "001.yaml").write_text(GOOD_TARGET.replace("A000-0001", "A000-0003"), encoding="utf-8")
    (problem,) = _problems(mini_root)
    assert problem[0] == "data/catalogue/001.yaml"
    assert "duplicate id 'T000-0001' (first at data/catalogue/000.yaml:2)" in problem[3]


def test_yaml_syntax_error_has_line(mini_root: Path) -> None:
    _write(mini_root, GOOD_TARGET.replace("kind: binding", "kind: [binding"))
    (problem,) = _problems(mini_root)
    assert problem[3].startswith("YAML syntax")
    assert problem[1] is not None


def test_conflict_needs_known_id_and_note(mini_root: Path) -> None:
    _write(mini_root, GOOD_TARGET.replace("    kind: binding\n", "    kind: binding\n    conflicts_with: [T999-0001]\n"))
    messages = sorted(p[3] for p in _problems(mini_root))
    assert messages == ["a conflict needs a note saying what disagrees", "unknown target or achieved id 'T999-0001'"]


def test_relative_target_needs_base_year_and_percent(mini_root: Path) -> None:
    text = GOOD_TARGET.replace("comparison: at_most", "comparison: reduce_by_pct").replace("    baseline_year: 2020\n", "")
    _write(mini_root, text)
    (problem,) = _problems(mini_root)
    assert "needs baseline_year" in problem[3]
    _write(mini_root, GOOD_TARGET.replace("comparison: at_most", "comparison: reduce_by_pct"))
    (problem,) = _problems(mini_root)
    assert problem[2] == "unit" and "expected '%'" in problem[3]


def test_achieved_change_needs_base_year(mini_root: Path) -> None:
    _write(mini_root, GOOD_TARGET.replace("    year: 2020\n", "    year: 2020\n    measure: reduce_by_pct\n"))
    (problem,) = _problems(mini_root)
    assert "base_year is required" in problem[3]


def test_expected_units() -> None:
    cat_unit = "µg/m³"
    from ecozone.catalogue.models import Indicator, Polarity

    ind = Indicator(id="air.x", domain="air", name_zh="x", name_en="x", unit=cat_unit, polarity=Polarity.LOWER)
    assert expected_unit(Comparison.AT_MOST, ind) == cat_unit
    assert expected_unit(Comparison.REDUCE_BY_PCT, ind) == "%"
    assert expected_unit(Comparison.INCREASE_BY_POINTS, ind) == "百分点"
    assert expected_unit(Measure.REDUCE_BY_AMOUNT, ind) == cat_unit
