"""Fixtures: an in-memory store holding the small test catalogue of tests/fixtures/tracking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from ecozone.catalogue.loader import load_catalogue
from ecozone.store.catalogue_load import load_catalogue_into
from ecozone.store.db import connect
from ecozone.store.observations import write_observations

DATA = Path(__file__).parents[1] / "fixtures" / "tracking" / "data"


@pytest.fixture()
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(":memory:")
    load_catalogue_into(c, load_catalogue(DATA))
    c.execute("DELETE FROM target")  # unit tests add their own targets
    c.execute("DELETE FROM observation")
    yield c
    c.close()


@pytest.fixture()
def full() -> Iterator[duckdb.DuckDBPyConnection]:
    """The fixture catalogue with its targets and achieved values."""
    c = connect(":memory:")
    load_catalogue_into(c, load_catalogue(DATA))
    yield c
    c.close()


UNITS = {"air.pm25_annual_mean": "µg/m³", "air.good_day_ratio": "%", "water.section_class": "类别",
         "air.composite_index_rank_from_bottom": "名", "water.lake_level": "米", "energy.coal_consumption": "万吨",
         "energy.energy_intensity": "吨标准煤/万元", "water.national_section_inferior_v_ratio": "%",
         "ecology.forest_cover": "%", "air.heavy_pollution_days": "天",
         "air.heavy_pollution_day_ratio": "%", "air.good_days": "天", "water.national_section_good_ratio": "%"}


def add_target(
    con: duckdb.DuckDBPyConnection, tid: str, indicator: str, comparison: str, target_value: float | None,
    target_year: int = 2025, *, region: str = "130000", baseline_year: int | None = None,
    baseline_value: float | None = None, unit: str | None = None, kind: str = "binding",
    target_value_max: float | None = None, target_text: str | None = None, document: str = "900",
) -> None:
    if unit is None:
        unit = {"reduce_by_pct": "%", "increase_by_pct": "%", "reduce_by_points": "百分点",
                "increase_by_points": "百分点"}.get(comparison, UNITS[indicator])
    con.execute(
        "INSERT INTO target (id, document_id, section, region_code, indicator_id, unit, baseline_year, "
        "baseline_value, target_year, target_value, target_value_max, target_text, comparison, kind, quote, "
        "conflicts_with, reconstructed, source_file, source_line) VALUES "
        "(?, ?, 's', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'q', [], FALSE, 'test', 1)",
        [tid, document, region, indicator, unit, baseline_year, baseline_value, target_year, target_value,
         target_value_max, target_text, comparison, kind],
    )


def add_obs(
    con: duckdb.DuckDBPyConnection, indicator: str, values: dict[int, float], *, region: str = "130000",
    measure: str = "level", base_year: int | None = None, unit: str | None = None, source_type: str = "bulletin",
    source_id: str = "test", period: str = "{y}", quality_flag: str = "ok",
) -> None:
    rows: list[dict[str, Any]] = [{
        "region_code": region, "indicator_id": indicator, "period": period.format(y=y), "year": y,
        "measure": measure, "base_year": base_year, "value": float(v),
        "unit": unit or UNITS[indicator], "source_type": source_type, "source_id": source_id,
        "quality_flag": quality_flag,
    } for y, v in values.items()]
    schema = pa.schema([("region_code", pa.string()), ("indicator_id", pa.string()), ("period", pa.string()),
                        ("year", pa.int32()), ("measure", pa.string()), ("base_year", pa.int32()),
                        ("value", pa.float64()), ("unit", pa.string()), ("source_type", pa.string()),
                        ("source_id", pa.string()), ("quality_flag", pa.string())])
    write_observations(con, pa.Table.from_pylist(rows, schema=schema))
