"""Readers of the energy and carbon engine's input files, and their Excel templates.

Four long tables, each as CSV (UTF-8, with or without BOM) or as a sheet of an Excel workbook
(the template :func:`write_template` generates), documented in docs/energy.md:

* ``energy``: ``region,year,fuel,quantity,unit`` — energy use by region, year and fuel;
* ``gdp``: ``region,year,gdp_constant[,gdp_current][,price_year]`` — GDP in 10,000 yuan at the
  base year's constant prices, or ``region,year,gdp_index`` — a volume index (any base);
* ``ledger``: ``facility,year,verified_emissions,allowance[,surrendered][,ccer]`` — the power
  emitters' verified emissions, allocated allowances, and what they surrendered (tCO2);
* ``reductions``: ``region,year,pollutant,reduction,unit[,project]`` — key-project reductions of
  COD, NH3-N, NOx and VOCs.

A file is read into a table of text cells with its line numbers, then checked set-based in
DuckDB SQL; every problem is a row-level :class:`~ecozone.ingest.common.Issue` (file, line,
column, value, reason) and a file with errors raises :class:`~ecozone.errors.InputError` whose
``detail`` lists them as ``file:line [column] = 'value': reason`` (as the other importers do).
Nothing is written by a reader.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa

from ecozone.catalogue.loader import packaged_catalogue
from ecozone.errors import InputError, clip
from ecozone.ingest.common import Issue, display_path
from ecozone.standards.energy import gb2589
from ecozone.store.sqlsafe import exact_file, reader_connection

POLLUTANTS: Final = {"cod": ("化学需氧量", "COD"), "nh3n": ("氨氮", "NH3-N"), "nox": ("氮氧化物", "NOx"),
                     "vocs": ("挥发性有机物", "VOCs")}
POLLUTANT_ALIASES: Final = {"化学需氧量": "cod", "cod": "cod", "氨氮": "nh3n", "nh3-n": "nh3n", "nh3n": "nh3n",
                            "氮氧化物": "nox", "nox": "nox", "挥发性有机物": "vocs", "vocs": "vocs", "voc": "vocs"}
#: mass units of the reduction ledger, in 10^4 t (the plans' unit, 万吨)
MASS_UNITS: Final = {"t": 1e-4, "吨": 1e-4, "10^4 t": 1.0, "万吨": 1.0, "10^4t": 1.0}
FUEL_ALIASES: Final = {**{f.name_zh: f.id for f in gb2589.REFERENCE_COEFFICIENTS.values()},
                       "电力": "electricity", "热力": "heat", "光伏": "solar", "太阳能": "solar"}
#: row-level issues returned in an error's detail (the message gives the full count)
MAX_ISSUES: Final = 1000


@dataclass(frozen=True)
class Layout:
    """One input table: its columns, Chinese header aliases and the sheet name in a workbook."""

    kind: str
    sheet: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, str]
    help: dict[str, tuple[str, str]]
    example: tuple[tuple[str, ...], ...]


_EXAMPLE_UNIT: Final = {f: {"kg": "10^4 t", "m3": "10^4 m3", "kWh": "10^4 kWh", "MJ": "GJ"}[fuel.unit]
                         for f, fuel in gb2589.REFERENCE_COEFFICIENTS.items()}
ENERGY = Layout(
    "energy", "energy", ("region", "year", "fuel", "quantity", "unit"), ("note",),
    {"地区": "region", "年份": "year", "能源品种": "fuel", "品种": "fuel", "数量": "quantity", "实物量": "quantity",
     "消费量": "quantity", "单位": "unit", "备注": "note"},
    {"region": ("地区代码或名称", "region code or name"), "year": ("年份", "year"),
     "fuel": ("能源品种 id（见 fuels 表）", "fuel id (see sheet fuels)"),
     "quantity": ("实物消费量（只填数字）", "physical quantity (number only)"),
     "unit": ("单位：t, 10^4 t, 10^4 m3, MWh, 10^4 kWh, GJ …（见 fuels 表）", "unit: t, 10^4 t, 10^4 m3, MWh, 10^4 kWh, GJ …"),
     "note": ("备注", "note")},
    # illustrative values (docs/examples/energy_example.csv), not statistics
    tuple(("130000", y, f, q, u) for y, rows in (
        ("2020", (("raw_coal", "27900"), ("washed_coal", "1500"), ("coke", "4800"), ("crude_oil", "1300"),
                  ("gasoline", "600"), ("diesel", "700"), ("natural_gas", "1850000"), ("electricity", "14000000"),
                  ("wind", "3800000"), ("solar", "1700000"), ("hydro", "200000"))),
        ("2022", (("raw_coal", "26800"), ("washed_coal", "1450"), ("coke", "4700"), ("crude_oil", "1250"),
                  ("gasoline", "580"), ("diesel", "650"), ("natural_gas", "2200000"), ("electricity", "16000000"),
                  ("wind", "4900000"), ("solar", "3000000"), ("hydro", "250000"))))
        for f, q in rows for u in (_EXAMPLE_UNIT[f],)),
)
GDP = Layout(
    "gdp", "gdp", ("region", "year"), ("gdp_constant", "gdp_current", "gdp_index", "price_year", "note"),
    {"地区": "region", "年份": "year", "不变价地区生产总值": "gdp_constant", "可比价地区生产总值": "gdp_constant",
     "现价地区生产总值": "gdp_current", "地区生产总值指数": "gdp_index", "价格基准年": "price_year", "备注": "note"},
    {"region": ("地区代码或名称", "region code or name"), "year": ("年份", "year"),
     "gdp_constant": ("地区生产总值（万元，基准年不变价）", "GDP, 10,000 yuan at the base year's constant prices"),
     "gdp_current": ("地区生产总值（万元，当年价，可选）", "GDP at current prices, 10,000 yuan (optional)"),
     "gdp_index": ("地区生产总值指数（不变价，任一基期，可代替 gdp_constant）", "volume index (constant prices, any base), instead of gdp_constant"),
     "price_year": ("不变价的价格基准年（可选）", "year of the constant prices (optional)"),
     "note": ("备注", "note")},
    (("130000", "2020", "362064000", "362064000", "", "2020"), ("130000", "2022", "392500000", "420370000", "", "2020")),
)
LEDGER = Layout(
    "ledger", "ledger", ("facility", "year", "verified_emissions", "allowance"), ("surrendered", "ccer", "note"),
    {"单位名称": "facility", "企业": "facility", "序号": "facility", "年份": "year", "年度": "year",
     "核查排放量": "verified_emissions", "经核查排放量": "verified_emissions", "配额": "allowance",
     "分配配额": "allowance", "清缴量": "surrendered", "清缴配额": "surrendered", "ccer": "ccer",
     "CCER": "ccer", "抵销量": "ccer", "备注": "note"},
    {"facility": ("重点排放单位：名录编号（如 HB2022-001）、序号或单位名称", "facility: registry id (HB2022-001), list number or name"),
     "year": ("年度", "year"), "verified_emissions": ("经核查排放量（吨二氧化碳）", "verified emissions, tCO2"),
     "allowance": ("分配配额（吨）", "allocated allowances, t"),
     "surrendered": ("已清缴的配额（吨，可选）", "allowances surrendered, t (optional)"),
     "ccer": ("用于抵销的国家核证自愿减排量（吨，可选；最多计入核查排放量的5%）",
              "CCER offsets surrendered, t (optional; at most 5 % of verified emissions count)"),
     "note": ("备注", "note")},
    (("HB2022-001", "2021", "4500000", "4600000"),),
)
REDUCTIONS = Layout(
    "reductions", "reductions", ("region", "year", "pollutant", "reduction"), ("unit", "project", "note"),
    {"地区": "region", "年份": "year", "污染物": "pollutant", "减排量": "reduction", "单位": "unit",
     "项目": "project", "工程": "project", "备注": "note"},
    {"region": ("地区代码或名称", "region code or name"), "year": ("年份（当年完成的减排量）", "year (reduction achieved that year)"),
     "pollutant": ("污染物：cod, nh3n, nox, vocs", "pollutant: cod, nh3n, nox, vocs"),
     "reduction": ("重点工程减排量", "key-project reduction"), "unit": ("单位：t 或 10^4 t（默认 10^4 t）", "unit: t or 10^4 t (default 10^4 t)"),
     "project": ("工程名称（可选）", "project (optional)"), "note": ("备注", "note")},
    (("131000", "2021", "cod", "0.25", "10^4 t", "城镇污水处理提质增效"),),
)
LAYOUTS: Final = {lay.kind: lay for lay in (ENERGY, GDP, LEDGER, REDUCTIONS)}


# --------------------------------------------------------------------------- reading


def _cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _check_path(path: Path) -> None:
    """An existing regular file (sqlsafe's check: a folder, a missing or odd path is refused)."""
    exact_file(path)


def _utf8(path: Path) -> Path:
    """``path`` if it is UTF-8; a GB18030/GBK file (what Excel writes on a Chinese Windows) is
    transcoded to a temporary UTF-8 copy; anything else is refused with a clear message."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return path
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError("文件既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为 UTF-8 CSV",
                         "the file is neither UTF-8 nor GBK/GB18030: save it as UTF-8 CSV", file=str(path)) from exc
    tmp = Path(tempfile.mkdtemp(prefix="ecozone-")) / "utf8.csv"
    tmp.write_text(text, encoding="utf-8")
    return tmp


def _frame_cells(frame: pa.Table) -> pa.Table:
    """A DataFrame's cells as text, numbered like a file's lines (the header is line 1)."""
    cols = {name: pa.array([_cell(v) for v in frame.column(name).to_pylist()], pa.string())
            for name in frame.column_names}
    return pa.table({**cols, "line": pa.array(range(2, frame.num_rows + 2), pa.int64())})


def read_cells(con: duckdb.DuckDBPyConnection, path: Path | pa.Table, layout: Layout) -> pa.Table:
    """The file's (or an Arrow table's) cells as text, columns renamed to the layout's names,
    plus ``line``."""
    if isinstance(path, pa.Table):
        table = _frame_cells(path)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_path(path)
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError("无法读取 Excel 文件", f"cannot read the Excel file: {clip(exc)}", file=str(path)) from exc
        ws = wb[layout.sheet] if layout.sheet in wb.sheetnames else wb.worksheets[0]
        raw = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        header = [h or "" for h in (raw[0] if raw else [])]
        body = raw[1:]
        cols = {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header) if h}
        table = pa.table({**cols, "line": list(range(2, len(body) + 2))}) if cols else pa.table({"line": pa.array([], pa.int64())})
    else:
        _check_path(path)
        src = _utf8(path)
        try:  # read on a scratch connection that can open this one file and nothing else
            reader = reader_connection(src)
            try:
                table = reader.sql(
                    "SELECT *, (row_number() OVER ()) + 1 AS line FROM read_csv(?, all_varchar = true, header = true,"
                    " auto_detect = true)", params=[exact_file(src)]).to_arrow_table()
            finally:
                reader.close()
        except duckdb.Error as exc:
            raise InputError("无法读取 CSV 文件", f"cannot read the CSV file: {clip(exc, 200)}", file=str(path)) from exc
        finally:
            if src != path:
                shutil.rmtree(src.parent, ignore_errors=True)
    # numbers as written in statistical tables: "1,234.5" (thousands separators) but not "1,5"
    con.execute("CREATE OR REPLACE TEMP MACRO ez_num(x) AS TRY_CAST(CASE WHEN regexp_full_match(trim(x), "
                "'[+-]?\\d{1,3}(,\\d{3})+(\\.\\d*)?') THEN replace(trim(x), ',', '') ELSE trim(x) END AS DOUBLE)")
    names = []
    for name in table.column_names:
        key = name.strip().lstrip("\ufeff")
        names.append(layout.aliases.get(key, key.lower()))
    table = table.rename_columns(names)
    missing = [c for c in layout.required if c not in names]
    if missing:
        raise InputError(f"缺少必需列：{', '.join(missing)}（应有 {', '.join(layout.required)}）",
                         f"missing required column(s): {', '.join(missing)} (expected {', '.join(layout.required)})",
                         file=_label(path), row=1, column=",".join(missing))
    for c in layout.optional:
        if c not in names:
            table = table.append_column(c, pa.nulls(table.num_rows, pa.string()))
    keep = [*layout.required, *layout.optional, "line"]
    return table.select(keep).cast(pa.schema([(c, pa.int64() if c == "line" else pa.string()) for c in keep]))


@cache
def _regions_table() -> pa.Table:
    """Every spelling of every region (code, Chinese and English names, aliases) → code."""
    cat = packaged_catalogue()
    names, codes, zh = [], [], []
    for r in cat.regions.values():
        for n in {r.code, r.name_zh, r.name_en, *r.aliases}:
            names.append(n)
            codes.append(r.code)
            zh.append(r.name_zh)
    t = pa.table({"name": names, "code": codes, "name_zh": zh})
    # a name shared by two regions (an alias) resolves to the region whose own name or code it is
    con = duckdb.connect()
    try:
        src = t  # noqa: F841 - read by DuckDB's replacement scan
        return con.sql(
            "SELECT name, arg_min(code, CASE WHEN name = code OR name = name_zh THEN 0 ELSE 1 END) AS code, "
            "arg_min(name_zh, CASE WHEN name = code OR name = name_zh THEN 0 ELSE 1 END) AS region_name "
            "FROM src GROUP BY name").to_arrow_table()
    finally:
        con.close()


def _issues(con: duckdb.DuckDBPyConnection, file: str, sql: str) -> list[Issue]:
    """The issues the check query finds (at most MAX_ISSUES + 1: enough to report and count on)."""
    rows = con.execute(sql).fetchmany(MAX_ISSUES + 1)
    return [Issue(file, None if line is None else int(line), col, None if val is None else str(val), reason, "error")
            for line, col, val, reason in rows]


def _raise(file: str, issues: list[Issue], what_zh: str, what_en: str) -> None:
    if not issues:
        return
    first = issues[0]
    count = f"{MAX_ISSUES}+" if len(issues) > MAX_ISSUES else str(len(issues))
    raise InputError(
        f"{what_zh}有 {count} 处错误，未使用该文件（第一处：第 {first.line} 行 [{first.column}] {first.reason}）",
        f"{what_en} has {count} error(s); the file was not used (first: line {first.line} "
        f"[{first.column}] {first.reason})",
        file=file, row=first.line, column=first.column, value=first.value,
        detail=[str(i) for i in issues[:MAX_ISSUES]], code="bad_rows")


def _fuel_table() -> pa.Table:
    ids = list(gb2589.FUEL_IDS)
    names = [*ids, *FUEL_ALIASES]
    return pa.table({"name": names, "fuel": [*ids, *FUEL_ALIASES.values()],
                     "base_unit": [gb2589.REFERENCE_COEFFICIENTS[f].unit for f in [*ids, *FUEL_ALIASES.values()]]})


def _unit_table() -> pa.Table:
    names = [*gb2589.UNITS, *gb2589.UNIT_ALIASES]
    canon = [*gb2589.UNITS, *gb2589.UNIT_ALIASES.values()]
    return pa.table({"name": names, "unit": canon, "base": [gb2589.UNITS[u][0] for u in canon],
                     "factor": [gb2589.UNITS[u][1] for u in canon]})


@contextmanager
def _connection(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con`` as it is, or a new in-memory connection that is closed when the block ends."""
    if con is not None:
        yield con
        return
    own = duckdb.connect()
    try:
        yield own
    finally:
        own.close()


def _region_year_checks(table: str) -> list[str]:
    """The checks every region-and-year file shares: a known region, a whole year 1949-2100."""
    # sql: vetted — table is a constant name of the caller's temp table
    return [f"SELECT line, 'region', region, 'unknown region / 未知地区' FROM {table} WHERE region_code IS NULL",
            # sql: vetted — table is a constant name of the caller's temp table
            f"SELECT line, 'year', year, 'year must be a whole number 1949-2100 / 年份应为1949-2100的整数' "
            f"FROM {table} WHERE year_n IS NULL OR year_n NOT BETWEEN 1949 AND 2100"]


def _label(source: Path | pa.Table) -> str:
    return "<table>" if isinstance(source, pa.Table) else display_path(source)


def read_energy(path: Path | pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Energy use rows, checked: region_code, region_name, year, fuel, quantity, unit,
    quantity_base (in the fuel's base unit: kg, m³, kWh or MJ), base_unit, line."""
    with _connection(con) as con:
        cells = read_cells(con, path, ENERGY)  # noqa: F841 - read by DuckDB
        regions = _regions_table()  # noqa: F841
        fuels = _fuel_table()  # noqa: F841
        units = _unit_table()  # noqa: F841
        con.execute(
            "CREATE OR REPLACE TEMP TABLE energy_in AS SELECT c.line, c.region, c.year, c.fuel AS fuel_raw,"
            " c.quantity AS quantity_raw, c.unit AS unit_raw, r.code AS region_code, r.region_name,"
            " TRY_CAST(trim(c.year) AS INTEGER) AS year_n, f.fuel, f.base_unit, u.unit, u.base AS unit_base,"
            " u.factor, ez_num(c.quantity) AS quantity"
            " FROM cells c LEFT JOIN regions r ON r.name = trim(c.region)"
            " LEFT JOIN fuels f ON f.name = lower(trim(c.fuel))"
            " LEFT JOIN units u ON u.name = coalesce((SELECT any_value(name) FROM units WHERE name = trim(c.unit)),"
            " lower(trim(c.unit)))"
            " WHERE coalesce(c.region, c.year, c.fuel, c.quantity, c.unit) IS NOT NULL")
        file = _label(path)
        # sql: vetted — the shared checks name a constant temp table
        issues = _issues(con, file, " UNION ALL ".join(_region_year_checks("energy_in")) + """
            UNION ALL SELECT line, 'fuel', fuel_raw, 'unknown fuel (see ecozone energy fuels) / 未知能源品种'
              FROM energy_in WHERE fuel IS NULL
            UNION ALL SELECT line, 'unit', unit_raw, 'unknown unit / 未知单位' FROM energy_in WHERE unit IS NULL
            UNION ALL SELECT line, 'unit', unit_raw, 'unit does not fit the fuel (' || fuel || ' is measured in '
              || base_unit || ') / 单位与能源品种不符'
              FROM energy_in WHERE unit IS NOT NULL AND fuel IS NOT NULL AND unit_base <> base_unit
            UNION ALL SELECT line, 'quantity', quantity_raw, 'not a number / 非数值' FROM energy_in
              WHERE quantity IS NULL OR isnan(quantity) OR isinf(quantity)
            UNION ALL SELECT line, 'quantity', quantity_raw, 'negative quantity / 数量为负' FROM energy_in WHERE quantity < 0
            UNION ALL SELECT b.line, 'region,year,fuel', b.region || ' ' || b.year || ' ' || b.fuel,
              'the same region, year and fuel twice (first on line ' || a.line || ') / 地区、年份、品种重复'
              FROM energy_in a JOIN energy_in b ON a.region_code = b.region_code AND a.year_n = b.year_n
               AND a.fuel = b.fuel AND a.line < b.line
            ORDER BY 1, 2""")
        _raise(file, issues, "能源消费文件", "the energy file")
        return con.sql(
            "SELECT region_code, region_name, year_n AS year, fuel, quantity, unit, quantity * factor AS quantity_base,"
            " base_unit, line FROM energy_in ORDER BY region_code, year, fuel").to_arrow_table()


def read_gdp(path: Path | pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """GDP rows, checked: region_code, region_name, year, gdp_constant, gdp_current, gdp_index,
    price_year, line.  Each row needs ``gdp_constant`` or ``gdp_index``."""
    with _connection(con) as con:
        cells = read_cells(con, path, GDP)  # noqa: F841 - read by DuckDB
        regions = _regions_table()  # noqa: F841
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gdp_in AS SELECT c.*, r.code AS region_code, r.region_name,"
            " TRY_CAST(trim(c.year) AS INTEGER) AS year_n, ez_num(c.gdp_constant) AS gdp_c,"
            " ez_num(c.gdp_current) AS gdp_cur, ez_num(c.gdp_index) AS gdp_i,"
            " TRY_CAST(trim(c.price_year) AS INTEGER) AS price_y"
            " FROM cells c LEFT JOIN regions r ON r.name = trim(c.region)"
            " WHERE coalesce(c.region, c.year, c.gdp_constant, c.gdp_index) IS NOT NULL")
        file = _label(path)
        checks = [*_region_year_checks("gdp_in"),
                  "SELECT line, 'gdp_constant', gdp_constant, 'give gdp_constant or gdp_index / 须填不变价GDP或GDP指数' "
                  "FROM gdp_in WHERE gdp_c IS NULL AND gdp_i IS NULL AND nullif(trim(gdp_constant), '') IS NULL "
                  "AND nullif(trim(gdp_index), '') IS NULL",
                  "SELECT b.line, 'region,year', b.region || ' ' || b.year, 'the same region and year twice (first on "
                  "line ' || a.line || ') / 地区、年份重复' FROM gdp_in a JOIN gdp_in b ON a.region_code = b.region_code "
                  "AND a.year_n = b.year_n AND a.line < b.line",
                  "SELECT line, 'price_year', price_year, 'not a year / 年份无效' FROM gdp_in "
                  "WHERE price_y IS NULL AND nullif(trim(price_year), '') IS NOT NULL"]
        for col, var in (("gdp_constant", "gdp_c"), ("gdp_current", "gdp_cur"), ("gdp_index", "gdp_i")):
            # sql: vetted — column names and conditions from the constant tuples in this function
            checks.append(f"SELECT line, '{col}', {col}, 'not a positive number / 应为正数' FROM gdp_in "
                          f"WHERE nullif(trim({col}), '') IS NOT NULL AND ({var} IS NULL OR NOT {var} > 0 OR isinf({var}))")
        # sql: vetted — column names and conditions from the constant tuples in this function
        issues = _issues(con, file, " UNION ALL ".join(checks) + " ORDER BY 1, 2")
        _raise(file, issues, "GDP 文件", "the GDP file")
        return con.sql(
            "SELECT region_code, region_name, year_n AS year, gdp_c AS gdp_constant, gdp_cur AS gdp_current,"
            " gdp_i AS gdp_index, price_y AS price_year, line FROM gdp_in ORDER BY region_code, year").to_arrow_table()


def read_ledger(path: Path, facilities: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Verified emissions and allowances per facility and year, checked against the registry
    ``facilities`` (facility_id, list_no, name_zh): facility_id, year, verified_t, allowance_t,
    surrendered_t, ccer_t, line."""
    with _connection(con) as con:
        cells = read_cells(con, path, LEDGER)  # noqa: F841 - read by DuckDB
        reg = facilities  # noqa: F841
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ledger_in AS SELECT c.*, fr.facility_id,"
            " TRY_CAST(trim(c.year) AS INTEGER) AS year_n,"
            " ez_num(c.verified_emissions) AS verified_t, ez_num(c.allowance) AS allowance_t,"
            " ez_num(c.surrendered) AS surrendered_t, ez_num(c.ccer) AS ccer_t FROM cells c LEFT JOIN reg fr"
            " ON trim(c.facility) IN (fr.facility_id, fr.name_zh, CAST(fr.list_no AS VARCHAR))"
            " WHERE coalesce(c.facility, c.year, c.verified_emissions, c.allowance) IS NOT NULL")
        file = _label(path)
        checks = ["SELECT line, 'facility', facility, 'not in the facility registry (ecozone carbon facilities) / "
                  "不在重点排放单位名录中' FROM ledger_in WHERE facility_id IS NULL",
                  "SELECT line, 'year', year, 'year must be a whole number 2013-2100 / 年份应为2013-2100的整数' "
                  "FROM ledger_in WHERE year_n IS NULL OR year_n NOT BETWEEN 2013 AND 2100",
                  "SELECT b.line, 'facility,year', b.facility || ' ' || b.year, 'the same facility and year twice "
                  "(first on line ' || a.line || ') / 单位、年度重复' FROM ledger_in a JOIN ledger_in b "
                  "ON a.facility_id = b.facility_id AND a.year_n = b.year_n AND a.line < b.line"]
        for col, var, required in (("verified_emissions", "verified_t", True), ("allowance", "allowance_t", True),
                                   ("surrendered", "surrendered_t", False), ("ccer", "ccer_t", False)):
            empty = f"nullif(trim({col}), '') IS NULL"
            cond = f"{var} IS NULL OR {var} < 0 OR isinf({var})"
            where = f"({cond})" if required else f"NOT {empty} AND ({cond})"
            # sql: vetted — column names and conditions from the constant tuples in this function
            checks.append(f"SELECT line, '{col}', {col}, 'not a number ≥ 0 / 应为非负数' FROM ledger_in WHERE {where}")
        # sql: vetted — column names and conditions from the constant tuples in this function
        issues = _issues(con, file, " UNION ALL ".join(checks) + " ORDER BY 1, 2")
        _raise(file, issues, "配额清缴文件", "the ledger file")
        return con.sql(
            "SELECT facility_id, year_n AS year, verified_t, allowance_t, surrendered_t, ccer_t, line FROM ledger_in "
            "ORDER BY facility_id, year").to_arrow_table()


def read_reductions(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Key-project reductions, checked: region_code, region_name, year, pollutant, reduction_10kt
    (in 10^4 t, the plans' unit), project, line."""
    with _connection(con) as con:
        cells = read_cells(con, path, REDUCTIONS)  # noqa: F841 - read by DuckDB
        regions = _regions_table()  # noqa: F841
        pol = pa.table({"name": list(POLLUTANT_ALIASES), "pollutant": list(POLLUTANT_ALIASES.values())})  # noqa: F841
        mass = pa.table({"name": list(MASS_UNITS), "factor": list(MASS_UNITS.values())})  # noqa: F841
        con.execute(
            "CREATE OR REPLACE TEMP TABLE red_in AS SELECT c.*, r.code AS region_code, r.region_name,"
            " TRY_CAST(trim(c.year) AS INTEGER) AS year_n, p.pollutant AS pollutant_id, m.factor,"
            " ez_num(c.reduction) AS amount FROM cells c LEFT JOIN regions r ON r.name = trim(c.region)"
            " LEFT JOIN pol p ON p.name = lower(trim(c.pollutant))"
            " LEFT JOIN mass m ON m.name = coalesce(nullif(trim(c.unit), ''), '10^4 t')"
            " WHERE coalesce(c.region, c.year, c.pollutant, c.reduction) IS NOT NULL")
        file = _label(path)
        # sql: vetted — the shared checks name a constant temp table
        issues = _issues(con, file, " UNION ALL ".join(_region_year_checks("red_in")) + """
            UNION ALL SELECT line, 'pollutant', pollutant, 'unknown pollutant (cod, nh3n, nox, vocs) / 未知污染物'
              FROM red_in WHERE pollutant_id IS NULL
            UNION ALL SELECT line, 'unit', unit, 'unknown unit (t or 10^4 t) / 未知单位' FROM red_in WHERE factor IS NULL
            UNION ALL SELECT line, 'reduction', reduction, 'not a number ≥ 0 / 应为非负数' FROM red_in
              WHERE amount IS NULL OR amount < 0 OR isinf(amount)
            ORDER BY 1, 2""")
        _raise(file, issues, "减排量文件", "the reductions file")
        return con.sql(
            "SELECT region_code, region_name, year_n AS year, pollutant_id AS pollutant, amount * factor AS reduction_10kt,"
            " project, line FROM red_in ORDER BY region_code, year, pollutant, line").to_arrow_table()


# --------------------------------------------------------------------------- templates


def write_template(path: Path, kinds: Sequence[str] = ("energy", "gdp"), *, example: bool = False) -> Path:
    """An Excel workbook with one sheet per input table (validated fuel and unit lists) and a
    ``fuels`` sheet with every fuel, its unit and its coefficient.  ``example`` fills rows."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for kind in kinds:
        lay = LAYOUTS[kind]
        ws = wb.create_sheet(lay.sheet)
        cols = [*lay.required, *lay.optional]
        ws.append(cols)
        for cell, col in zip(ws[1], cols, strict=True):
            cell.font = Font(bold=True)
            if col in lay.help:
                cell.comment = Comment(f"{lay.help[col][0]}\n{lay.help[col][1]}", "ecozone")
        if example:
            for row in lay.example:
                ws.append([int(v) if v.isdigit() else (float(v) if _is_float(v) else v) for v in row])
        for i, _ in enumerate(cols):
            ws.column_dimensions[chr(ord("A") + i)].width = 18
        ws.freeze_panes = "A2"
        if kind == "energy":
            fuel_dv = DataValidation(type="list", formula1=f"=fuels!$A$2:$A${len(gb2589.FUEL_IDS) + 1}", allow_blank=True)
            unit_dv = DataValidation(type="list", formula1='"' + ",".join(gb2589.UNITS) + '"', allow_blank=True)
            ws.add_data_validation(fuel_dv)
            ws.add_data_validation(unit_dv)
            fuel_dv.add("C2:C5000")
            unit_dv.add("E2:E5000")
    fs = wb.create_sheet("fuels")
    fs.append(["fuel", "name_zh", "name_en", "group", "base_unit", "kgce_per_base_unit", "units_accepted"])
    for f in gb2589.REFERENCE_COEFFICIENTS.values():
        units = ", ".join(u for u, (b, _) in gb2589.UNITS.items() if b == f.unit)
        fs.append([f.id, f.name_zh, f.name_en, f.group, f.unit, f.kgce, units])
    for c in fs[1]:
        c.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _is_float(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True
