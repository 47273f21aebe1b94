"""The same air engine on Apache Spark: one city-year per task.

Cities are independent for the daily, monthly and annual statistics of HJ 663-2013 (a city's
values use only its own stations), so the unit of work is a city and a year.  Spark groups the
station hours by (city, year) and hands each group to :func:`_city_year`, which runs the very
functions the DuckDB path runs (:func:`ecozone.air.engine.city_days` and
:func:`ecozone.air.engine.annual`) on that group alone.  Results are identical, city by city.

Layout: Parquet partitioned by ``year`` and ``province`` (:func:`export_parquet` writes it
from the store; any folder of that layout works, e.g. on HDFS or S3 for a cluster):

    <dir>/year=2015/province=130000/*.parquet   station_id, hour, pm25 … o3 (scaled integers),
                                                city_code, background

``master`` is a Spark master URL (``local[*]`` by default; ``spark://host:7077``, ``yarn`` …,
docs/spark.md).  pyspark is imported only here, so the rest of ecozone never needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from ecozone.air import engine
from ecozone.air.units import MISSING

_EPOCH = date(1970, 1, 1)
#: columns of the partitioned layout (besides the partition keys)
COLUMNS = ("station_id", "hour", *engine.POLLUTANTS, "city_code", "background")


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path, years: Sequence[int] | None = None) -> Path:
    """Write the store's station hours as Parquet partitioned by year and province."""
    folder.mkdir(parents=True, exist_ok=True)
    lo = (date(min(years), 1, 1) - _EPOCH).days * 24 if years else -(2**31)
    hi = (date(max(years) + 1, 1, 1) - _EPOCH).days * 24 if years else 2**31 - 1
    # a view cannot take bound parameters: lo and hi are integers computed here
    con.execute("CREATE OR REPLACE TEMP VIEW air_export AS SELECT h.station_id, h.hour, h.pm25, h.pm10, h.so2, "  # sql: vetted (ints)
                "h.no2, h.co, h.o3, s.city_code, s.background, "
                "CAST(year(DATE '1970-01-01' + CAST(h.hour // 24 AS INTEGER)) AS INTEGER) AS year, "
                "substr(s.city_code, 1, 2) || '0000' AS province "
                f"FROM air_station_hour h JOIN air_station s USING (station_id) WHERE h.hour >= {int(lo)} "
                f"AND h.hour < {int(hi)}")
    # COPY takes no bound parameters for its target: the folder goes through the quoting helper
    from ecozone.store.sqlsafe import literal

    con.execute(f"COPY (SELECT * FROM air_export ORDER BY station_id, hour) TO {literal(str(folder))} "  # sql: vetted (literal())
                "(FORMAT parquet, PARTITION_BY (year, province), OVERWRITE_OR_IGNORE true)")
    return folder


def _schema() -> pa.Schema:
    """The Arrow schema of :func:`ecozone.air.engine.annual` (from a one-city run on no data)."""
    sh = engine.StationHours(np.zeros(0, np.int32), np.zeros(0, np.int32),
                             {p: np.zeros(0, np.int32) for p in engine.POLLUTANTS})
    cd = engine.city_days(sh, engine.Network(["x"], np.zeros(1, np.int32)), 16436, 365)
    return _normalise(engine.annual(cd, 2015)).schema


def _normalise(table: pa.Table) -> pa.Table:
    """Object columns (compliance: True/False/None) as Arrow booleans, counts as int64."""
    cols = []
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_integer(col.type) and name not in ("year",):
            col = col.cast(pa.int64())
        elif pa.types.is_null(col.type):        # compliance of a city without data: all None
            col = col.cast(pa.bool_())
        cols.append(col)
    return pa.table(dict(zip(table.column_names, cols, strict=True)))


def _city_year(frame: Any, include_background: bool) -> Any:
    """One city and one year: the engine on that group's station hours (a pandas frame)."""
    city = str(frame["city_code"].iloc[0])
    year = int(frame["year"].iloc[0])
    if not include_background:
        frame = frame[~frame["background"].astype(bool)]
    ids = frame["station_id"].to_numpy().astype(np.int64)
    uniq, local = np.unique(ids, return_inverse=True)
    values = {p: np.nan_to_num(frame[p].to_numpy(dtype=np.float64), nan=MISSING).astype(np.int32)
              for p in engine.POLLUTANTS}
    sh = engine.StationHours(local.astype(np.int32), frame["hour"].to_numpy().astype(np.int32), values)
    first = (date(year, 1, 1) - _EPOCH).days
    n_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    cd = engine.city_days(sh, engine.Network([city], np.zeros(len(uniq), np.int32)), first, n_days)
    return _normalise(engine.annual(cd, year)).to_pandas()


@contextmanager
def session(master: str | None = None, app_name: str = "ecozone") -> Iterator[Any]:
    """A Spark session (``local[*]`` unless ``master`` names a cluster); stopped afterwards."""
    import os
    import sys

    from pyspark.sql import SparkSession

    # local workers run this interpreter (it has ecozone); on a cluster, the workers' own
    # Python must have ecozone installed (docs/spark.md)
    builder = (SparkSession.builder.master(master or "local[*]").appName(app_name)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if not master or master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # one shuffle partition per core: each partition starts a Python worker
        builder = (builder.config("spark.sql.shuffle.partitions", str(os.cpu_count() or 2))
                   .config("spark.ui.enabled", "false"))
    spark = builder.getOrCreate()
    try:
        yield spark
    finally:
        spark.stop()


def annual(spark: Any, folder: str | Path, years: Sequence[int], *, cities: Sequence[str] | None = None,
           include_background: bool = False) -> pa.Table:
    """HJ 663 annual assessment of every city-year of ``years`` in the partitioned ``folder``.

    Same columns and values as :func:`ecozone.air.service.compute_annual` (without city names),
    rows ordered by year and city.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    df = spark.read.parquet(str(folder)).where(F.col("year").isin([int(y) for y in years]))
    if cities:
        df = df.where(F.col("city_code").isin(list(cities)))
    schema = from_arrow_schema(_schema())
    out = (df.select(*COLUMNS, "year")
           .groupBy("city_code", "year")
           .applyInPandas(lambda f: _city_year(f, include_background), schema=schema))
    table = pa.Table.from_pandas(out.toPandas(), preserve_index=False)
    order = sorted(range(table.num_rows), key=lambda i: (table["year"][i].as_py(), table["city"][i].as_py()))
    return table.take(pa.array(order, pa.int64()))


__all__ = ["annual", "export_parquet", "session"]
