"""Fixtures of the air tests: real excerpts under tests/fixtures/air, the shared data if present."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "air"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture
def prsa_excerpt() -> list[Path]:
    return sorted(FIXTURES.glob("PRSA_Data_*_excerpt.csv"))


@pytest.fixture
def cnemc_files() -> list[Path]:
    return sorted((FIXTURES / "cnemc").glob("*.csv"))
