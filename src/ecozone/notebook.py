"""Plan targets and their tracking for notebooks: the functions behind ``ecozone.targets`` and
``ecozone.track`` (the air functions are in :mod:`ecozone.air.api`).

Both open the store (``db=``, else ``$ECOZONE_DB`` or the default file), load the packaged
catalogue if it changed, as ``ecozone targets list`` and ``ecozone track`` do, and return one
row per target as a DataFrame (``output="pandas"``, ``"arrow"`` or ``"polars"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ecozone.air.api import _output
from ecozone.catalogue.service import TargetFilter, list_targets
from ecozone.ingest.observations import ensure_bundled
from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect
from ecozone.tracking.evaluate import TrackFilter, default_as_of, evaluate


@contextmanager
def _store(db: str | Path | duckdb.DuckDBPyConnection | None, bundled: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    con = connect(db)
    try:
        ensure_loaded(con)
        if bundled:
            ensure_bundled(con)
        yield con
    finally:
        con.close()


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows) if rows else pa.table({})


def targets(region: str | None = None, *, with_children: bool = False, domain: str | None = None,
            year: int | None = None, kind: str | None = None, document: str | None = None,
            indicator: str | None = None, db: str | Path | duckdb.DuckDBPyConnection | None = None,
            output: str = "pandas") -> Any:
    """The plan targets (one row each, with the quote it comes from), filtered like
    ``ecozone targets list``: region (name or code, ``with_children`` for the regions below),
    domain, target year, kind (binding, expected …), document, indicator id."""
    flt = TargetFilter(region, with_children, domain, year, kind, document, indicator)
    with _store(db, bundled=False) as con:
        rows = list_targets(con, flt)
    return _output(_table(rows), output)


def track(region: str | None = None, *, with_children: bool = False, domain: str | None = None,
          document: str | None = None, kind: str | None = None, status: str | None = None,
          as_of: int | None = None, db: str | Path | duckdb.DuckDBPyConnection | None = None,
          output: str = "pandas") -> Any:
    """Every target's status (docs/methods/tracking.md): latest value, gap, projection to the
    deadline with its 80 % interval, P(meet), status, reason key and the reason in Chinese and
    English, as ``ecozone track``; ``as_of`` defaults to the latest year with data."""
    flt = TrackFilter(region=region, with_children=with_children, domain=domain, document=document, kind=kind,
                      status=status)
    with _store(db, bundled=True) as con:
        rows = evaluate(con, flt, as_of=as_of if as_of is not None else default_as_of(con))
    return _output(_table(rows), output)


__all__ = ["targets", "track"]
