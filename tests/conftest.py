"""Shared fixtures: a private database per test, and paths to the shipped data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ecozone.catalogue.loader import data_dir
from ecozone.store.db import connect

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database file, also set as ECOZONE_DB for CLI invocations."""
    path = tmp_path / "ecozone.duckdb"
    monkeypatch.setenv("ECOZONE_DB", str(path))
    return path


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database with the current schema."""
    connection = connect(":memory:")
    yield connection
    connection.close()

GOOD_TARGET = """\
targets:
  - id: T000-0001
    document: "000"
    section: 测试
    region: "130000"
    indicator: air.pm25_annual_mean
    unit: µg/m³
    baseline_year: 2020
    target_year: 2025
    target_value: 38
    comparison: at_most
    kind: binding
    quote: 细颗粒物浓度
achieved:
  - id: A000-0001
    document: "000"
    section: 测试
    region: "130000"
    indicator: air.pm25_annual_mean
    unit: µg/m³
    year: 2020
    value: 44.8
    quote: 细颗粒物浓度
"""


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A data folder with the real dictionaries and one small catalogue file (catalogue/000.yaml)."""
    src = data_dir()
    root = tmp_path / "data"
    (root / "regions").mkdir(parents=True)
    (root / "indicators").mkdir()
    (root / "catalogue").mkdir()
    for name in ("domains.yaml", "documents.yaml"):
        shutil.copy(src / name, root / name)
    for regions in (src / "regions").glob("*.yaml"):
        shutil.copy(regions, root / "regions" / regions.name)
    for indicators in (src / "indicators").glob("*.yaml"):
        shutil.copy(indicators, root / "indicators" / indicators.name)
    (root / "catalogue" / "000.yaml").write_text(GOOD_TARGET, encoding="utf-8")
    return root
