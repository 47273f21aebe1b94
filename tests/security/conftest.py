"""Fixtures of the untrusted-input tests: a loaded store copied per test, real fixture files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecozone.cli.common import store
from ecozone.ingest.observations import ensure_bundled
from ecozone.ingest.stations import ensure_packaged_stations
from ecozone.store.db import transaction

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "air"


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the packaged catalogue, bundled figures and stations (built once)."""
    path = tmp_path_factory.mktemp("store") / "loaded.duckdb"
    with store(path) as con:
        ensure_bundled(con)
        with transaction(con):
            ensure_packaged_stations(con)
    return path


@pytest.fixture
def db(loaded_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the loaded store, also ECOZONE_DB; crash logs under tmp_path."""
    path = tmp_path / "store" / "ecozone.duckdb"
    path.parent.mkdir()
    shutil.copy(loaded_store, path)
    monkeypatch.setenv("ECOZONE_DB", str(path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("ECOZONE_LOCK_TIMEOUT", "2")
    return path


@pytest.fixture
def cnemc_file() -> Path:
    return FIXTURES / "cnemc" / "2022-01-04T00.csv"


@pytest.fixture
def china_sites_file() -> Path:
    return FIXTURES / "china_sites_20220104.csv"
