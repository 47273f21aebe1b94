"""DuckDB and Spark agree on every city-year: the same engine per city (local-mode Spark)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

pytest.importorskip("pyspark")

from ecozone.air import spark
from ecozone.ingest.stations import Station, upsert_stations
from ecozone.store.db import connect

CITIES = ["130100", "130200", "650100"]
YEARS = [2015, 2016, 2017]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    """Three years of generated station hours (gaps, outages) for 9 stations in 3 cities."""
    from benchmarks import national

    n_days = 365 + 366 + 365
    g = national.generate(9, 3, n_days, seed=5)
    db = tmp_path_factory.mktemp("store") / "ez.duckdb"
    con = connect(db)
    stations = [Station(f"T{i:03d}", f"测试{i}", CITIES[int(c)], background=(i == 8))
                for i, c in enumerate(g.network.city_of)]
    upsert_stations(con, stations)
    ids = dict(con.execute("SELECT code, station_id FROM air_station").fetchall())
    sid = np.array([ids[f"T{i:03d}"] for i in range(9)], np.int32)[g.sh.station]
    hours = pa.table(  # noqa: F841 - read by DuckDB (replacement scan)
        {"station_id": sid, "hour": g.sh.hour,
                      **{p: pa.array(v, mask=v < 0) for p, v in g.sh.values.items()},
                      "batch_id": np.zeros(sid.size, np.int32), "source_row": np.zeros(sid.size, np.int32)})
    con.execute("INSERT INTO air_station_hour SELECT * FROM hours")
    folder = spark.export_parquet(con, tmp_path_factory.mktemp("parquet") / "station_hours", YEARS)
    con.close()
    return db, folder


def _frame(table: pa.Table) -> object:
    return table.to_pandas().sort_values(["year", "city"]).reset_index(drop=True)


def test_every_city_year_equal_between_duckdb_and_spark(store: tuple) -> None:
    """`ecozone air annual --engine spark` (local Spark, one session) equals the DuckDB engine."""
    import json
    import shutil

    from typer.testing import CliRunner

    from ecozone.cli import app

    if shutil.which("java") is None:
        pytest.skip("no Java runtime for local Spark")
    db, _ = store
    args = ["air", "annual", *[a for y in YEARS for a in ("--year", str(y))], "--db", str(db), "--format", "json"]
    runner = CliRunner()
    duck = runner.invoke(app, args)
    sp = runner.invoke(app, [*args, "--engine", "spark", "--spark-master", "local[2]"])
    assert duck.exit_code == 0 and sp.exit_code == 0, sp.output
    a = json.loads(duck.stdout[duck.stdout.index("["):])
    b = json.loads(sp.stdout[sp.stdout.index("["):])
    key = lambda r: (r["year"], r["city"])  # noqa: E731
    a, b = sorted(a, key=key), sorted(b, key=key)
    assert len(a) == len(CITIES) * len(YEARS) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x == y, {k: (x[k], y.get(k)) for k in x if x[k] != y.get(k)}


def test_partitions_are_by_year_and_province(store: tuple) -> None:
    _, folder = store
    parts = sorted(p.relative_to(folder).as_posix() for p in Path(folder).glob("year=*/province=*"))
    assert parts == [f"year={y}/province={p}" for y in YEARS for p in ("130000", "650000")]
