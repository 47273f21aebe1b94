"""Fixtures of the energy and carbon engine: small input files written per test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def packaged() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory store with the packaged catalogue (targets and indicators of the plans)."""
    c = connect(":memory:")
    ensure_loaded(c)
    yield c
    c.close()


# Two years of one region, small round numbers (hand-computed in test_energy_service.py):
#   2020: 1000 t raw coal, 10^4 m3 natural gas, 1000 MWh wind, 1000 MWh purchased electricity
#   2022:  900 t raw coal, 10^4 m3 natural gas, 2000 MWh wind
TWO_YEARS = """region,year,fuel,quantity,unit
河北省,2020,raw_coal,1000,t
河北省,2020,natural_gas,1,10^4 m3
河北省,2020,wind,1000,MWh
河北省,2020,electricity,100,10^4 kWh
130000,2022,raw_coal,0.09,10^4 t
130000,2022,natural_gas,10000,m3
130000,2022,wind,2000,MWh
"""
GDP_TWO_YEARS = """region,year,gdp_constant,gdp_current
130000,2020,1000,1000
河北省,2022,1250,1400
"""


def where(issue: str) -> tuple[int, str]:
    """(line, column) of a row-level issue ``file:line [column] = 'value': reason``."""
    m = re.search(r":(\d+) \[([^\]]+)\]", issue)
    assert m, issue
    return int(m.group(1)), m.group(2)
