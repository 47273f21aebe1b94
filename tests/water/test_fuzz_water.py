"""Any cell a long CSV can hold gives a clean result or an InputError, never a traceback."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecozone.errors import InputError
from ecozone.store.db import connect
from ecozone.water import service

CELLS = st.one_of(
    st.sampled_from(["", "0.01L", "<0.005", "-1", "1e400", "NaN", "7.5", "ND", "—", "2024-02", "2024-02-30",
                     "river", "lake", "湖库", "codmn", "hg", "ph", "保定市", "130600", "国控", "x" * 300, "1,5", '"']),
    st.text(max_size=12),
)
ROW = st.lists(CELLS, min_size=7, max_size=9)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=6))
def test_any_long_csv_is_clean_or_refused(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "name", "water_type", "region", "date", "item", "value", "level", "basin"])
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        con = connect(":memory:")
        try:
            service.import_files(con, [path])
            service.assess(con, 2024)
            service.summary(con, 2024, "region")
            service.cwqi_cities(con, 2024)
        except InputError as exc:
            assert exc.message("en") and exc.exit_code == 2
        finally:
            con.close()
