"""Fuzzing the import paths (issue 7): generated files with random corruptions, through the real CLI.

For every case the property is: the exit code is 0 or 2, nothing prints a traceback or writes a
crash log, and the store is either unchanged (every table's row count and content hash) or,
after a successful import, changed by exactly the valid rows of the file: one import record,
and every stored value equal to the value on the file line it names.

Formats: CNEMC hourly files, ``china_sites`` daily files, mapped CSV (with a generated column
mapping) and observation files.  Corruptions: other encodings and a BOM, truncation, ragged
rows, NaN/inf/negative/huge/non-numeric values, duplicate and conflicting rows, blank lines,
NUL bytes, and odd names (glob and Rich markup characters, quotes, SQL fragments) in file names,
header cells, station codes, mapping column names and every other text field.

Bounded to about a minute in the normal test run (``max_examples`` per format, no deadline).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ecozone.air.units import SCALE
from ecozone.cli import app, common
from ecozone.ingest.stations import ensure_packaged_stations
from ecozone.store.db import connect, transaction
from tests.security.storecheck import Snapshot, snapshot

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")  # the order of the stored columns read below

runner = CliRunner()
#: examples per format in the normal run; ECOZONE_FUZZ_EXAMPLES=500 ECOZONE_FUZZ_RANDOM=1 explores further
EXAMPLES = int(os.environ.get("ECOZONE_FUZZ_EXAMPLES", "15"))
# the normal run is derandomised (the same cases every time: CI never fails by chance); no
# shrinking: a failure reports the generated case as it is, and the run stays bounded
FUZZ = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                derandomize=not os.environ.get("ECOZONE_FUZZ_RANDOM"), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

STATIONS = [f"10{n:02d}A" for n in range(1, 13)]
SQL = ["'; DROP TABLE air_station; --", '" FROM x; CREATE TABLE pwn AS SELECT 1; --',
       "1); COPY (SELECT 1) TO '/tmp/ecozone-fuzz-pwn.csv'; --", "${x}", "%s", "{0}", "' OR '1'='1",
       "ATTACH '/tmp/x.db'", "\\x00"]
MARKUP = ["[/]", "[bold red]x[/]", "[link=file:///etc/passwd]y[/link]", "[", "]"]
ODD_NUMBERS = ["NaN", "nan", "inf", "-inf", "Infinity", "-5", "-0.0", "1e308", "99999", "", " ", "1,5", "0x10",
               "12abc", "１２", "1e-320", "—", "NULL"]
NAME_PARTS = st.sampled_from([*"ab12_-. []*?'\"{}()$%&#!~,;=+中文站点", "[bold]", "[red]", "**", "[!a]", "{a,b}"])


def odd_text() -> st.SearchStrategy[str]:
    return st.sampled_from(SQL + MARKUP + ODD_NUMBERS) | st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


# ------------------------------------------------------------------ generated valid files


@st.composite
def hours_table(draw: st.DrawFn) -> list[list[str]]:
    """Rows station, hour-of-2022-01-04 and six pollutant values (valid, distinct station-hours)."""
    keys = draw(st.lists(st.tuples(st.sampled_from(STATIONS), st.integers(1, 23)), min_size=1, max_size=12,
                         unique=True))
    value = st.floats(0, 400, allow_nan=False).map(lambda v: f"{v:.1f}") | st.just("")
    co = st.floats(0.1, 5, allow_nan=False).map(lambda v: f"{v:.2f}")
    return [[s, str(h), draw(value), draw(value), draw(value), draw(value), draw(co), draw(value)] for s, h in keys]


def cnemc_lines(rows: list[list[str]]) -> list[list[str]]:
    head = ["timepoint", "stationcode", "pm2_5", "pm10", "so2", "no2", "co", "o3"]
    return [head] + [[f"2022-01-04T{int(h):02d}:00:00", s, *v] for s, h, *v in rows]


def china_sites_lines(rows: list[list[str]]) -> list[list[str]]:
    codes = sorted({r[0] for r in rows})
    by = {(r[0], r[1]): r[2:] for r in rows}
    types = ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3"]
    out = [["date", "hour", "type", *codes]]
    for h in sorted({int(r[1]) for r in rows}):
        for i, t in enumerate(types):
            out.append(["20220104", str(h), t, *[(by.get((c, str(h))) or [""] * 6)[i] for c in codes]])
    return out


def mapped_lines(rows: list[list[str]], names: list[str]) -> list[list[str]]:
    return [names] + [[s, f"2022-01-04 {int(h):02d}:00", *v] for s, h, *v in rows]


@st.composite
def obs_table(draw: st.DrawFn) -> list[list[str]]:
    inds = {"air.pm25_annual_mean": (0, 140), "air.good_day_ratio": (10, 100), "air.good_days": (0, 366),
            "air.composite_index": (1, 14)}
    regions = ["130000", "131000", "130100", "河北省", "廊坊市"]
    keys = draw(st.lists(st.tuples(st.sampled_from(regions[:3]), st.sampled_from(sorted(inds)),
                                   st.integers(2015, 2024)), min_size=1, max_size=8, unique=True))
    return [["region", "indicator", "period", "value"]] + [
        [r, i, str(y), f"{draw(st.floats(*inds[i], allow_nan=False)):.1f}"] for r, i, y in keys]


# ------------------------------------------------------------------ corruptions


@st.composite
def corrupt(draw: st.DrawFn, lines: list[list[str]], value_cols: list[int]) -> tuple[bytes, list[str]]:
    """The file's bytes after 0-3 random corruptions, and their names (for the failure report)."""
    lines = [list(r) for r in lines]
    done: list[str] = []
    ops = draw(st.lists(st.sampled_from(["sql", "markup", "number", "ragged", "dup", "conflict", "header",
                                         "blank", "text"]), max_size=3))
    for op in ops:
        i = draw(st.integers(1, len(lines) - 1)) if len(lines) > 1 else 0
        if not lines[i] and op in ("sql", "markup", "text", "number", "ragged"):
            continue  # a blank line inserted earlier: nothing to change there
        if op in ("sql", "markup", "text"):
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i][j] = draw(st.sampled_from(SQL) if op == "sql" else st.sampled_from(MARKUP) if op == "markup"
                               else odd_text())
        elif op == "number" and value_cols:
            lines[i][draw(st.sampled_from(value_cols))] = draw(st.sampled_from(ODD_NUMBERS))
        elif op == "ragged":
            lines[i] = lines[i][:-1] if draw(st.booleans()) else [*lines[i], "extra"]
        elif op == "dup" and i:
            lines.insert(i, list(lines[i]))
        elif op == "conflict" and i and value_cols and len(lines[i]) > value_cols[0]:
            row = list(lines[i])
            row[value_cols[0]] = "77.7"
            lines.append(row)
        elif op == "header":
            j = draw(st.integers(0, len(lines[0]) - 1))
            lines[0][j] = draw(st.sampled_from(SQL + MARKUP + ["", lines[0][0]]))
        elif op == "blank":
            lines.insert(i, [])
        done.append(op)
    buf = io.StringIO()
    csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(lines)
    text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if encoding != "utf-8":
        done.append(encoding)
    tail = draw(st.sampled_from(["keep", "keep", "keep", "truncate", "nul"]))
    if tail == "truncate" and len(data) > 2:
        data = data[: draw(st.integers(1, len(data) - 1))]
        done.append("truncate")
    elif tail == "nul":
        k = draw(st.integers(0, len(data)))
        data = data[:k] + b"\x00" + data[k:]
        done.append("nul")
    return data, done


file_names = st.lists(NAME_PARTS, min_size=1, max_size=12).map(lambda p: "".join(p).strip() or "x").filter(
    lambda s: s not in (".", "..") and not s.startswith("-"))


# ------------------------------------------------------------------ the property


@contextmanager
def private_store(template: Path) -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory(prefix="ecozone-fuzz-") as tmp:
        folder = Path(tmp)
        db = folder / "store.duckdb"
        shutil.copy(template, db)
        yield db, folder


def run_cli(args: list[str], db: Path, folder: Path) -> tuple[int, str]:
    widths = common.console.width, common.err_console.width
    common.console.width = common.err_console.width = 100_000
    env = {"ECOZONE_DB": str(db), "XDG_STATE_HOME": str(folder / "state"), "ECOZONE_LANG": "en",
           "ECOZONE_LOCK_TIMEOUT": "5"}
    try:
        res = runner.invoke(app, args, env=env)
    finally:
        common.console.width, common.err_console.width = widths
    return res.exit_code, res.output


def check_outcome(code: int, out: str, before: Snapshot, db: Path, folder: Path, what: str) -> Snapshot:
    """Exit 0 or 2, no traceback, no crash log; unchanged store unless the import succeeded."""
    assert code in (0, 2), f"{what}: exit {code}\n{out}"
    assert "Traceback" not in out and "internal error" not in out, f"{what}\n{out}"
    assert not (folder / "state").exists(), f"{what}: a crash log was written\n{out}"
    assert not Path("/tmp/ecozone-fuzz-pwn.csv").exists()
    after = snapshot(db)
    if code != 0:
        assert after == before, f"{what}: refused import changed the store\n{out}"
    assert set(after) == set(before), f"{what}: tables appeared or vanished: {set(after) ^ set(before)}"
    return after


def _float(cell: str) -> float | None:
    cell = cell.strip()
    if cell in ("", "NA", "NaN", "nan", "-", "—", "null", "NULL"):
        return None
    return float(cell)


def _stored(values: list[float | None]) -> list[int | None]:
    """File values (pm25, pm10, so2, no2, co, o3) as the store keeps them: integers of SCALE steps."""
    return [None if v is None else round(v * SCALE[p]) for p, v in zip(POLLUTANTS, values, strict=True)]


def check_air_rows(db: Path, data: bytes, before: Snapshot, after: Snapshot, fmt: str, what: str) -> None:
    """A successful air import: one batch; every stored hour equals its file line's values."""
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"air_station_hour", "air_import_batch", "air_import_issue", "air_station"}, what
    con = duckdb.connect(str(db), read_only=True)
    try:
        batches = con.execute("SELECT batch_id, hours_added FROM air_import_batch").fetchall()
        assert len(batches) <= 1, what
        stored = con.execute(
            "SELECT s.code, h.hour, h.source_row, h.pm25, h.pm10, h.so2, h.no2, h.co, h.o3 "
            "FROM air_station_hour h JOIN air_station s USING (station_id) ORDER BY h.source_row").fetchall()
    finally:
        con.close()
    if batches:
        assert batches[0][1] == len(stored), what
    # values are stored as scaled integers (issue 13, air.units.SCALE): compared exactly, see _stored
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if fmt == "china_sites":
        _check_china_sites(lines, stored, what)
        return
    for code, _hour, line, *values in stored:
        cells = lines[line - 1]
        assert cells[1 if fmt == "cnemc" else 0].strip() == code, (what, line, cells)
        expect = _stored([_float(c) for c in cells[2:8]])
        assert list(values) == expect, (what, line, cells, values)


def _check_china_sites(lines: list[list[str]], stored: list[tuple[Any, ...]], what: str) -> None:
    """Each stored station-hour equals the file's six type rows of its (end-labelled) hour."""
    header = [c.strip() for c in lines[0]]
    cell = {}
    for row in lines[1:]:
        if len(row) == len(header) and row[1].strip().isdigit():  # other rows cannot have given a stored hour
            for col, value in zip(header[3:], row[3:], strict=True):
                cell[(col, row[0].strip(), int(row[1]), row[2].strip())] = value
    types = ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3"]
    for code, hour, _line, *values in stored:
        label = hour + 1                        # stored by the start of the hour; the file labels its end
        day = (np.datetime64("1970-01-01") + np.timedelta64(label // 24, "D")).astype(str).replace("-", "")
        expect = _stored([_float(cell.get((code, day, label % 24, t), "")) for t in types])
        assert list(values) == expect, (what, code, hour, values, expect)


@pytest.fixture(scope="module")
def template(loaded_store: Path) -> Path:
    """The loaded store (catalogue, bundled figures, stations): what `obs import` needs."""
    return loaded_store


@pytest.fixture(scope="module")
def air_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the schema and the packaged stations only: all `air import` needs (fast to hash)."""
    path = tmp_path_factory.mktemp("air") / "air.duckdb"
    con = connect(path)
    with transaction(con):
        ensure_packaged_stations(con)
    con.close()
    return path


@FUZZ
@given(rows=hours_table(), data=st.data(), name=file_names)
def test_fuzz_cnemc(air_template: Path, rows: list[list[str]], data: st.DataObject, name: str) -> None:
    content, ops = data.draw(corrupt(cnemc_lines(rows), [2, 3, 4, 5, 6, 7]))
    _air_case(air_template, content, ops, name, ["--format", "cnemc"], "cnemc")


@FUZZ
@given(rows=hours_table(), data=st.data(), name=file_names)
def test_fuzz_china_sites(air_template: Path, rows: list[list[str]], data: st.DataObject, name: str) -> None:
    content, ops = data.draw(corrupt(china_sites_lines(rows), [3]))
    _air_case(air_template, content, ops, name, ["--format", "china_sites"], "china_sites")


@FUZZ
@given(rows=hours_table(), data=st.data(), name=file_names,
       names=st.lists((st.lists(NAME_PARTS, min_size=1, max_size=6).map(lambda p: "".join(p).strip())
                       | st.sampled_from(SQL)).filter(bool), min_size=8, max_size=8, unique=True))
def test_fuzz_mapped_csv(air_template: Path, rows: list[list[str]], data: st.DataObject, name: str,
                         names: list[str]) -> None:
    content, ops = data.draw(corrupt(mapped_lines(rows, names), [2, 3, 4, 5, 6, 7]))
    time_format = data.draw(st.sampled_from(["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M", *SQL[:3]]))
    if time_format in SQL:
        ops.append("sql time_format")
    mapping = {"station": names[0], "time": names[1], "time_format": time_format, "time_label": "start",
               "columns": dict(zip(["pm25", "pm10", "so2", "no2", "co", "o3"], names[2:], strict=True))}
    _air_case(air_template, content, ops, name, ["--format", "csv"], "csv", mapping)


def _air_case(template: Path, content: bytes, ops: list[str], name: str, args: list[str], fmt: str,
              mapping: dict[str, Any] | None = None) -> None:
    import yaml

    with private_store(template) as (db, folder):
        f = folder / "in" / f"{name}.csv"
        f.parent.mkdir()
        f.write_bytes(content)
        extra = []
        if mapping is not None:
            m = folder / "in" / "mapping.yaml"
            m.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
            extra = ["--mapping", str(m)]
        before = snapshot(db)
        code, out = run_cli(["air", "import", *args, *extra, str(f)], db, folder)
        what = f"{fmt} {ops} {name!r}"
        after = check_outcome(code, out, before, db, folder, what)
        if code == 0:
            check_air_rows(db, content, before, after, fmt, what)
        if not ops and code != 0:
            pytest.fail(f"{what}: a valid file was refused\n{out}")


@FUZZ
@given(table=obs_table(), data=st.data(), name=file_names)
def test_fuzz_observations(template: Path, table: list[list[str]], data: st.DataObject, name: str) -> None:
    content, ops = data.draw(corrupt(table, [3]))
    with private_store(template) as (db, folder):
        f = folder / "in" / f"{name}.csv"
        f.parent.mkdir()
        f.write_bytes(content)
        before = snapshot(db)
        code, out = run_cli(["obs", "import", str(f)], db, folder)
        what = f"obs {ops} {name!r}"
        after = check_outcome(code, out, before, db, folder, what)
        if code == 0:
            changed = {t for t in after if after[t] != before[t]}
            assert changed <= {"observation", "import_batch"}, what
            con = duckdb.connect(str(db), read_only=True)
            try:
                n_batch = con.execute("SELECT count(*), max(rows) FROM import_batch").fetchone()
                n_obs = con.execute("SELECT count(*) FROM observation WHERE source_type = 'import'").fetchone()
                bad = con.execute("SELECT count(*) FROM observation WHERE source_type = 'import' AND "
                                  "(NOT isfinite(value) OR value < 0)").fetchone()
            finally:
                con.close()
            assert n_batch is not None and n_obs is not None and n_batch[0] == 1 and n_obs[0] == n_batch[1], what
            assert bad == (0,), what
        elif not ops:
            pytest.fail(f"{what}: a valid file was refused\n{out}")
