"""The energy account for notebooks and scripts: DataFrames or files in, DataFrames out.

    import ecozone
    acct = ecozone.energy.account(frame)                       # region, year, fuel, quantity, unit
    ints = ecozone.energy.intensity(frame, gdp_frame, base_year=2020)

``data`` and ``gdp`` are a pandas or Polars DataFrame, an Arrow table, or a CSV/Excel path with the
columns of docs/energy.md; every row goes through the same checks as ``ecozone energy account``
(a bad row raises :class:`ecozone.errors.InputError` naming row, column and reason).  The CLI
and the REST API call the same service functions (:mod:`ecozone.energy.service`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ecozone.energy.service import Options


def _source(data: Any) -> Path | pa.Table:
    if isinstance(data, str | Path):
        return Path(data)
    from ecozone.air.api import to_arrow

    return to_arrow(data)


def _frame(rows: list[dict[str, Any]], output: str) -> Any:
    from ecozone.air.api import _output

    flat = [{**{k: v for k, v in r.items() if k not in ("tce_by_fuel", "editions")},
             **{f"tce_{f}": q for f, q in (r.get("tce_by_fuel") or {}).items()},
             **{f"edition_{k}": v for k, v in (r.get("editions") or {}).items()}} for r in rows]
    return _output(pa.Table.from_pylist(flat) if flat else pa.table({}), output)


def account(data: Any, *, year: Sequence[int] | None = None, electricity_method: str = "equivalent",
            primary_method: str = "coal_consumption", grid_scope: str = "country.cn", grid_kind: str = "average",
            output: str = "pandas") -> Any:
    """Total energy (tce), energy by fuel (``tce_<fuel>`` columns), coal and non-fossil shares and
    CO2 per region and year, with the factor editions (``edition_*`` columns)."""
    from ecozone.energy import service
    from ecozone.ingest.energy import read_energy

    opts = Options(electricity_method, primary_method, grid_scope, grid_kind)
    return _frame(service.account(read_energy(_source(data)), opts, years=year).rows, output)


def intensity(data: Any, gdp: Any, *, base_year: int, electricity_method: str = "equivalent",
              primary_method: str = "coal_consumption", grid_scope: str = "country.cn", grid_kind: str = "average",
              output: str = "pandas") -> Any:
    """Energy and CO2 intensity per 10,000 yuan at constant prices and their change [%] against
    ``base_year``, per region and year."""
    from ecozone.energy import service
    from ecozone.ingest.energy import read_energy, read_gdp

    opts = Options(electricity_method, primary_method, grid_scope, grid_kind)
    acc = service.account(read_energy(_source(data)), opts)
    return _frame(service.intensity(acc, read_gdp(_source(gdp)), base_year), output)


__all__ = ["account", "intensity"]
