"""Every unit and worded target of the packaged catalogue has its English form, so that the
English interface and report read fully in English."""

from __future__ import annotations

from ecozone.catalogue.loader import packaged_catalogue
from ecozone.vocabulary import has_worded_en, unit_en, worded_en


def test_every_worded_target_has_an_english_form() -> None:
    cat = packaged_catalogue()
    texts = {t.target_text.strip() for t in cat.targets.values() if t.target_text}
    assert texts and sorted(t for t in texts if not has_worded_en(t)) == []
    assert worded_en("稳中向好") == "stable and improving"


def test_every_unit_has_an_english_form() -> None:
    cat = packaged_catalogue()
    units = {i.unit for i in cat.indicators.values()} | {t.unit for t in cat.targets.values()}
    cjk = sorted(u for u in units if any("\u3400" <= ch <= "\u9fff" for ch in unit_en(u)))
    assert cjk == []
    assert unit_en("万吨") == "10⁴ t" and unit_en("µg/m³") == "µg/m³"
