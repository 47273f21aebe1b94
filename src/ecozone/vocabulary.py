"""One bilingual vocabulary for what the dictionaries hold only in Chinese: units and worded
targets (zh → en), kept apart from the catalogue so that they survive its rewrites.

Region, indicator, domain and document names have their English forms in their own
dictionaries (``name_en``); statuses and kinds in their enums.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def _table(name: str) -> dict[str, str]:
    text = resources.files("ecozone").joinpath("data", "vocabulary", f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in data.items()}


def unit_en(unit: str | None) -> str:
    """The English form of a unit (as written when the vocabulary lacks it)."""
    if unit is None:
        return ""
    return _table("units").get(unit, unit)


def worded_en(text: str | None) -> str:
    """The English form of a worded target (``持续降低`` → ``keep falling``); a text missing
    from the vocabulary is returned as written, in quotes of its own language."""
    if text is None:
        return ""
    return _table("worded_en").get(text.strip(), text)


def has_worded_en(text: str) -> bool:
    return text.strip() in _table("worded_en")
