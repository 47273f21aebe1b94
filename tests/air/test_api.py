"""The notebook API: Arrow and pandas in, the same checks as a file import, the CLI's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ecozone
from ecozone.air import api
from ecozone.ingest.common import ImportRejected

from .conftest import FIXTURES


def _frame(pm25: object = 80.0) -> pd.DataFrame:
    hours = pd.date_range("2015-01-01 01:00", periods=24, freq="h")
    return pd.DataFrame({"station": "1003A", "time": hours, "pm25": pm25, "co": 1.2})


def test_arrow_and_pandas_give_the_same_answer() -> None:
    frame = _frame()
    a = ecozone.air.daily(frame, start="2015-01-01", end="2015-01-01", output="arrow")
    b = ecozone.air.daily(pa.Table.from_pandas(frame), start="2015-01-01", end="2015-01-01", output="arrow")
    assert a.to_pandas().equals(b.to_pandas()) and a.column("pm25").to_pylist() == [80.0]


def test_a_bad_cell_is_refused_with_row_and_column() -> None:
    frame = _frame().astype({"pm25": str})        # a column read as text, one cell garbled
    frame.loc[5, "pm25"] = "n/a?"
    with pytest.raises(ImportRejected) as exc:
        ecozone.air.daily(frame, start="2015-01-01", end="2015-01-01")
    (issue,) = exc.value.issues
    assert issue.line == 7 and issue.column == "pm25" and issue.value == "n/a?"


def test_files_through_the_api_equal_the_cli_path() -> None:
    files = sorted(FIXTURES.glob("PRSA_Data_*_excerpt.csv"))
    from ecozone.air import service

    con, _ = service.memory_store(files, "prsa")
    want = service.compute_annual(con, 2015)
    got = api.annual(files, format="prsa", year=2015, output="arrow")
    assert got.to_pandas().equals(want.to_pandas())
    assert np.isclose(got.column("composite_index")[0].as_py(), want.column("composite_index")[0].as_py())
