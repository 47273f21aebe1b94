"""The air engine for notebooks and scripts: DataFrames or files in, DataFrames out.

    import ecozone
    days = ecozone.air.daily(frame, start="2015-01-01", end="2015-01-31")
    year = ecozone.air.annual("data/", year=2015, format="prsa")
    ranking = ecozone.air.rank(frame, year=2015, worst_first=True)

``data`` is any of

* a pandas or Polars DataFrame or an Arrow table of station hours: columns ``station``
  (code), ``time`` (timestamp or ``YYYY-MM-DD HH:MM:SS``), ``pm25 pm10 so2 no2 co o3``
  (µg/m³, CO mg/m³; absent columns are missing values), optionally ``city`` (name or GB/T 2260
  code) and ``station_name``, which register the stations;
* a path, a folder or a list of paths: files in a format of ``ecozone air import``
  (``format=``: cnemc, china_sites, prsa, csv, parquet, excel; csv and parquet files with the
  DataFrame columns above need no mapping);
* ``None``: the ecozone store (``db=`` or ``$ECOZONE_DB``), as the CLI without ``--input``;
* an open store connection (what the CLI passes).

Hour labels: ``time_label="end"`` (default, the national release: the 16:00 value covers
15:00-16:00) or ``"start"``.  Every input goes through the same checks as ``ecozone air
import``; a bad cell raises :class:`ecozone.ingest.common.ImportRejected` naming row, column
and reason.  The CLI commands ``ecozone air daily|annual|period|rank`` call these functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ecozone.air import engine as core
from ecozone.air import service
from ecozone.ingest.readers import TABLE_MAPPING, load_mapping
from ecozone.ingest.stations import ensure_packaged_stations
from ecozone.store.db import connect, migrate

OUTPUTS = ("pandas", "arrow", "polars")
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")


def to_arrow(frame: Any) -> pa.Table:
    """An Arrow table from a pandas or Polars DataFrame (or an Arrow table)."""
    if isinstance(frame, pa.Table):
        return frame
    if type(frame).__module__.startswith("polars"):
        return frame.to_arrow()
    if type(frame).__module__.startswith("pandas"):
        return pa.Table.from_pandas(frame, preserve_index=False)
    raise TypeError(f"not a DataFrame or Arrow table: {type(frame).__name__}")


def _output(table: pa.Table, output: str) -> Any:
    if output == "arrow":
        return table
    if output == "pandas":
        return table.to_pandas()
    if output == "polars":
        import polars

        return polars.from_arrow(table)
    raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")


def _paths(data: str | Path | Sequence[str | Path]) -> list[Path]:
    items = [data] if isinstance(data, str | Path) else list(data)
    out: list[Path] = []
    for item in map(Path, items):
        out.extend(sorted(p for p in item.iterdir() if p.suffix.lower() in FILE_SUFFIXES) if item.is_dir() else [item])
    return out


@contextmanager
def source(data: Any = None, *, format: str | None = None, mapping: str | Path | dict[str, Any] | None = None,
           time_label: str | None = None, register_stations: bool | None = None,
           db: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A store holding ``data`` (see the module docstring): yields a DuckDB connection."""
    if isinstance(data, duckdb.DuckDBPyConnection):
        yield data
        return
    if data is None:
        con = connect(db)
        try:
            ensure_packaged_stations(con)
            yield con
        finally:
            con.close()
        return
    con = duckdb.connect(":memory:")
    try:
        migrate(con)
        maps = load_mapping(Path(mapping)) if isinstance(mapping, str | Path) else mapping
        if isinstance(data, str | Path) or (isinstance(data, Sequence) and not isinstance(data, str | bytes)
                                            and all(isinstance(d, str | Path) for d in data)):
            paths = _paths(data)
            fmt = format or (paths[0].suffix.lower().lstrip(".") if paths else "csv")
            if fmt in ("csv", "parquet") and maps is None:
                maps = TABLE_MAPPING
            service.import_files(con, paths, fmt, mapping=maps, register_stations=bool(register_stations),
                                 time_label=time_label)
        else:
            table = to_arrow(data)
            register = ("city" in table.column_names) if register_stations is None else register_stations
            service.import_tables(con, [("DataFrame", table)], mapping=maps, register_stations=register,
                                  time_label=time_label)
        yield con
    finally:
        con.close()


def _day(d: str | date) -> date:
    return d if isinstance(d, date) else date.fromisoformat(str(d))


def daily(data: Any = None, *, start: str | date, end: str | date, cities: Sequence[str] | None = None,
          include_background: bool = False, output: str = "pandas", **source_options: Any) -> Any:
    """City daily concentrations, AQI, level and primary pollutants (HJ 633-2012, HJ 663-2013).

    One row per city and day from ``start`` to ``end`` (inclusive): ``city``, ``city_name``,
    ``date``, ``pm25 pm10 so2 no2 co o3_1h o3_8h`` (GB/T 8170-rounded city daily values, µg/m³,
    CO mg/m³), ``aqi``, ``level``, ``category``, ``primary``.
    """
    d0, d1 = _day(start), _day(end)
    if d1 < d0:
        raise ValueError("end is before start")
    with source(data, **source_options) as con:
        cd = service.compute_days(con, d0, d1, service.resolve_cities(cities), include_background)
    return _output(service.with_city_names(core.daily_rows(cd)), output)


def _years(year: int | Sequence[int]) -> list[int]:
    return [int(year)] if isinstance(year, int | str) else [int(y) for y in year]


ENGINES = ("duckdb", "spark")


def annual(data: Any = None, *, year: int | Sequence[int], cities: Sequence[str] | None = None,
           include_background: bool = False, output: str = "pandas", engine: str = "duckdb",
           spark_master: str | None = None, spark_data: str | Path | None = None, **source_options: Any) -> Any:
    """HJ 663-2013 annual assessment of each city and year: evaluation items with limits,
    compliance and exceedance, validity, day statistics and the composite index.

    ``engine="spark"`` runs the same engine per city-year on Spark (:mod:`ecozone.air.spark`):
    the station hours are written as Parquet partitioned by year and province (to
    ``spark_data``, else a temporary folder) and ``spark_master`` (default ``local[*]``) does the
    work; the result is the same table.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    years = _years(year)
    with source(data, **source_options) as con:
        codes = service.resolve_cities(cities)
        if engine == "duckdb":
            table = pa.concat_tables([service.compute_annual(con, y, codes, include_background) for y in years])
        else:
            table = _spark_annual(con, years, codes, include_background, spark_master, spark_data)
    return _output(table, output)


def _spark_annual(con: duckdb.DuckDBPyConnection, years: list[int], codes: list[str] | None,
                  include_background: bool, master: str | None, folder: str | Path | None) -> pa.Table:
    import tempfile

    from ecozone.air import spark

    with tempfile.TemporaryDirectory(prefix="ecozone-spark-") as tmp:
        target = Path(folder) if folder else Path(tmp) / "station_hours"
        spark.export_parquet(con, target, years)
        with spark.session(master) as session:
            table = spark.annual(session, target, years, cities=codes, include_background=include_background)
    return service.with_city_names(table)


def period(data: Any = None, *, year: int | Sequence[int], by: str = "month", cities: Sequence[str] | None = None,
           include_background: bool = False, output: str = "pandas", **source_options: Any) -> Any:
    """HJ 663-2013 monthly (``by="month"``) or quarterly (``by="quarter"``) assessment."""
    if by not in core.PERIODS:
        raise ValueError("by must be month or quarter")
    with source(data, **source_options) as con:
        codes = service.resolve_cities(cities)
        table = pa.concat_tables([service.compute_period(con, y, by, codes, include_background)
                                  for y in _years(year)])
    return _output(table, output)


def rank(data: Any = None, *, year: int, cities: Sequence[str] | None = None, worst_first: bool = False,
         base_year: int | None = None, output: str = "pandas", **source_options: Any) -> Any:
    """Composite-index ranking of the cities (环办监测〔2018〕19号): ``rank`` (并列 shared; 0 = not
    ranked, missing statistics), ``composite_index``, ``composite_primary``; with ``base_year``
    the base index and the change in %.  ``cities`` may name city groups (``group.cn_jjj_2_26``)."""
    with source(data, **source_options) as con:
        codes = service.resolve_cities(cities)
        table = service.compute_annual(con, year, codes)
        base = service.compute_annual(con, base_year, codes) if base_year else None
    return _output(service.ranking(table, worst_first=worst_first, base=base), output)


__all__ = ["annual", "daily", "period", "rank", "source", "to_arrow"]
