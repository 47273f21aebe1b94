"""Readers of surface-water section results: long CSV/Excel, ecozone's wide template, and the
column layout of the national automatic water-quality stations' real-time release.

Every reader turns a file into one raw relation of VARCHAR cells exactly as the file wrote them
(``line, section, name, water_type, region, level, date_raw, item, value_raw``); :func:`check`
then parses and checks it set-based in DuckDB SQL: unknown items, malformed dates, non-numbers,
negative values, impossible pH, below-detection-limit values (``0.01L``: half the limit enters
the statistics), conflicting duplicates, a section given two water types.  Errors name file,
line, column and reason and stop the import; warnings are kept.

Formats (see docs/water_data.md):

* ``long``: columns ``section,name,water_type,region,date,item,value`` (optional ``level``,
  ``basin``, ``river``); one value per row.
* ``wide``: the Excel template :func:`write_template` writes: one row per section and date, one
  column per item (row 1 item ids, row 2 Chinese labels).
* ``cnemc``: 省份, 流域, 断面名称, 监测时间, 水质类别, 水温, pH, 溶解氧, 电导率, 浊度, 高锰酸盐指数,
  氨氮, 总磷, 总氮, 叶绿素α, 藻密度, 站点情况 (CSV or Excel); the section is identified by
  its name, chlorophyll a is published in mg/L and converted to mg/m³.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import pyarrow as pa

from ecozone.errors import InputError
from ecozone.ingest.common import Issue
from ecozone.ingest.stations import city_code
from ecozone.standards.water import gb3838

FORMATS: Final = ("long", "wide", "cnemc")
ITEM_IDS: Final = tuple(gb3838.ITEMS)
LONG_COLUMNS: Final = ("section", "name", "water_type", "region", "date", "item", "value")
OPTIONAL_COLUMNS: Final = ("level", "basin", "river")
SECTION_COLUMNS: Final = ("section", "name", "water_type", "region", "level", "date")
LEVELS: Final = ("national", "provincial", "municipal")
#: how files write the water type
WATER_TYPE_WORDS: Final = {"river": "river", "河流": "river", "河": "river", "lake": "lake", "湖库": "lake",
                           "湖泊": "lake", "水库": "lake", "reservoir": "lake", "湖": "lake", "库": "lake"}
LEVEL_WORDS: Final = {"national": "national", "国控": "national", "国考": "national",
                      "provincial": "provincial", "省控": "provincial", "省考": "provincial",
                      "municipal": "municipal", "市控": "municipal", "市考": "municipal"}
#: cells that mean "no value"
MISSING_TOKENS: Final = ("", "NA", "NaN", "nan", "-", "--", "—", "*", "/", "null", "NULL", "未监测")
#: the national real-time release: column → (item id, factor to ecozone's unit)
CNEMC_COLUMNS: Final = {
    "水温": ("wt", 1.0), "pH": ("ph", 1.0), "溶解氧": ("do", 1.0), "高锰酸盐指数": ("codmn", 1.0),
    "氨氮": ("nh3_n", 1.0), "总磷": ("tp", 1.0), "总氮": ("tn", 1.0),
    "叶绿素α": ("chla", 1000.0),  # published in mg/L; ecozone's chla is mg/m³
}
CNEMC_REQUIRED: Final = ("断面名称", "监测时间")
#: Chinese and common English headers of the long layout
HEADER_ALIASES: Final = {
    "断面编码": "section", "断面代码": "section", "断面": "section", "断面名称": "name", "名称": "name",
    "水体类型": "water_type", "类型": "water_type", "所属城市": "region", "城市": "region", "地区": "region",
    "日期": "date", "监测时间": "date", "采样日期": "date", "月份": "date", "项目": "item", "监测项目": "item",
    "指标": "item", "监测值": "value", "数值": "value", "浓度": "value", "值": "value", "级别": "level",
    "断面级别": "level", "流域": "basin", "河流": "river", "所在水体": "river",
}
#: item names as files write them (Chinese names of Table 1, usual abbreviations) → item id
ITEM_ALIASES: Final = {
    **{it.name_zh.lower(): it.id for it in gb3838.ITEMS.values()},
    "ph值": "ph", "溶解氧(do)": "do", "codmn": "codmn", "高锰酸盐": "codmn", "codcr": "cod", "化学需氧量(cod)": "cod",
    "bod": "bod5", "nh3-n": "nh3_n", "nh3n": "nh3_n", "氨氮(nh3-n)": "nh3_n", "总磷(以p计)": "tp",
    "总氮(以n计)": "tn", "氟化物(以f-计)": "fluoride", "f": "fluoride", "cr6+": "cr6", "六价铬": "cr6",
    "铬(六价)": "cr6", "cn": "cyanide", "挥发性酚": "phenol", "石油": "petroleum", "油类": "petroleum",
    "阴离子表面活性剂(las)": "las", "s2-": "sulfide", "粪大肠菌群数": "fecal_coliform", "fc": "fecal_coliform",
    "叶绿素": "chla", "叶绿素a": "chla", "chl-a": "chla", "chl_a": "chla", "secchi": "sd", "水温": "wt",
}
#: cells that say "below the detection limit" without giving the limit: an error that says how to write it
NOT_DETECTED: Final = ("ND", "nd", "N.D.", "未检出", "<DL", "<dl", "低于检出限")
#: the date formats a file may use (a month alone, a day, a day and time)
DATE_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                       "%Y%m%d")


@dataclass
class WaterRead:
    """One file read and checked."""

    file: str
    format: str
    rows_read: int
    samples: pa.Table          # section, sampled_at, month_only, item, value, below_dl, raw, line
    sections: pa.Table         # section, name, water_type, region_code, level, basin, river, line
    issues: list[Issue] = field(default_factory=list)
    #: the class the file publishes per line (national release: 水质类别), for a cross-check
    published: dict[int, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def rejected(issues: list[Issue]) -> InputError:
    """The import refused: an :class:`InputError` locating the first error, all of them in ``detail``."""
    errors = [i for i in issues if i.severity == "error"]
    first = errors[0]
    return InputError(
        f"导入被拒绝：{len(errors)} 个错误，未写入任何数据", f"import refused: {len(errors)} errors; nothing was written",
        file=first.file, row=first.line, column=first.column, value=first.value,
        detail=[str(i) for i in errors], code="import_rejected")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour, v.minute, v.second) != (0, 0, 0) else v.strftime("%Y-%m-%d")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _rows(path: Path, sheet: str | None = None) -> list[list[str]]:
    """All rows of a CSV (UTF-8 with or without BOM, else GB18030) or of an Excel sheet."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, KeyError) as exc:
            raise ValueError(f"{path.name}: not a readable Excel workbook ({exc}) / 无法读取的 Excel 文件") from exc
        try:
            ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
            return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def detect_format(path: Path, header: list[str]) -> str:
    """``long``, ``wide`` or ``cnemc`` from the header row."""
    keys = {HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header}
    if all(c in header for c in CNEMC_REQUIRED) and "项目" not in header and "监测项目" not in header:
        return "cnemc"
    if {"item", "value"} & keys:
        return "long"
    if "section" in keys and keys & set(ITEM_IDS):
        return "wide"
    raise ValueError(f"{path.name}: not a known water-data layout (header: {', '.join(header[:8])}) / 无法识别的文件格式")


def read_file(con: duckdb.DuckDBPyConnection, path: Path, fmt: str | None = None, *,
              year: int | None = None) -> WaterRead:
    """Read and check one file; ``fmt`` None detects it.  Raises ValueError for an unreadable file."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file / 文件不存在")
    file = str(path)
    fast = _long_csv(path) if fmt in (None, "long") and path.suffix.lower() not in (".xlsx", ".xlsm") else None
    if fast is not None:
        raw, n_rows = fast
        samples, sections, more = check(con, raw, file=file)
        return WaterRead(file, "long", n_rows, samples, sections, more)
    rows = _rows(path, sheet="数据")
    if not rows:
        raise ValueError(f"{path.name}: empty file / 空文件")
    header = [h.strip() for h in rows[0]]
    fmt = fmt or detect_format(path, header)
    if fmt == "long":
        raw, issues = _long(header, rows[1:], file)
    elif fmt == "wide":
        raw, issues = _wide(header, rows[1:], file)
    elif fmt == "cnemc":
        raw, issues, published = _cnemc(header, rows[1:], file, year)
    else:
        raise ValueError(f"unknown water format {fmt!r}: {', '.join(FORMATS)}")
    samples, sections, more = check(con, raw, file=file)
    return WaterRead(file, fmt, len(rows) - 1, samples, sections, issues + more,
                     published if fmt == "cnemc" else {})


def _table(records: dict[str, list[Any]]) -> pa.Table:
    return pa.table({k: pa.array(v, pa.int32() if k == "line" else pa.string()) for k, v in records.items()})


RAW_COLUMNS: Final = ("line", "section", "name", "water_type", "region", "level", "basin", "river", "date_raw",
                      "item", "value_raw", "factor")


def _empty_raw() -> dict[str, list[Any]]:
    return {c: [] for c in RAW_COLUMNS}


def _decoded(path: Path) -> bytes:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig").encode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030").encode("utf-8")


def _long_csv(path: Path) -> tuple[pa.Table, int] | None:
    """A long CSV read column-wise by Arrow (every cell as text); None when the file needs the
    row-by-row reader (not the long layout, blank lines that would shift the line numbers, or
    rows Arrow cannot split)."""
    import pyarrow.csv as pacsv

    try:
        data = _decoded(path)
    except UnicodeDecodeError:
        return None  # the row reader reports it
    first = data.split(b"\n", 1)[0].decode("utf-8").strip().lower()
    head = [HEADER_ALIASES.get(h.strip(), h.strip()) for h in first.split(",")]
    if not all(c in head for c in LONG_COLUMNS) or b"\n\n" in data or b"\r\n\r\n" in data or b'"' in data:
        return None
    try:
        table = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(column_names=head, skip_rows=1),
                               convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in head},
                                                                    strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    n = table.num_rows
    cols: dict[str, pa.Array] = {"line": pa.array(np.arange(2, n + 2, dtype=np.int32))}
    for c in RAW_COLUMNS[1:]:
        source = {"date_raw": "date", "value_raw": "value"}.get(c, c)
        if c == "factor":
            cols[c] = pa.array(["1"] * n, pa.string()) if n else pa.array([], pa.string())
        elif source in head:
            cols[c] = table.column(source).combine_chunks()
        else:
            cols[c] = pa.nulls(n, pa.string())
    return pa.table(cols), n


def _long(header: list[str], body: list[list[str]], file: str) -> tuple[pa.Table, list[Issue]]:
    keys = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    missing = [c for c in LONG_COLUMNS if c not in keys]
    if missing:
        return _table(_empty_raw()), [Issue(file, 1, ",".join(missing), None,
                                            f"missing columns: {', '.join(missing)} / 缺少列", "error")]
    pos = {k: i for i, k in enumerate(keys)}
    out = _empty_raw()
    for n, row in enumerate(body, start=2):  # reading the file: one pass, cells kept as text
        if not any(row):
            continue

        def get(col: str, row: list[str] = row) -> str | None:
            i = pos.get(col)
            return row[i] if i is not None and i < len(row) else None

        out["line"].append(n)
        for col in ("section", "name", "water_type", "region", "level", "basin", "river", "item"):
            out[col].append(get(col))
        out["date_raw"].append(get("date"))
        out["value_raw"].append(get("value"))
        out["factor"].append("1")
    return _table(out), []


def _wide(header: list[str], body: list[list[str]], file: str) -> tuple[pa.Table, list[Issue]]:
    keys = [h.strip().lower() for h in header]
    missing = [c for c in ("section", "date") if c not in keys]
    if missing:
        return _table(_empty_raw()), [Issue(file, 1, ",".join(missing), None,
                                            f"missing columns: {', '.join(missing)} / 缺少列", "error")]
    issues = [Issue(file, 1, h, h, "unknown item column / 未知监测项目列", "error")
              for h in keys if h and h not in SECTION_COLUMNS and h not in OPTIONAL_COLUMNS and h not in ITEM_IDS]
    pos = {k: i for i, k in enumerate(keys)}
    items = [(k, i) for k, i in pos.items() if k in ITEM_IDS]
    out = _empty_raw()
    start = 3 if body and body[0] and body[0][0].strip() in ("断面编码", "断面代码") else 2
    for n, row in enumerate(body[start - 2:], start=start):  # unpivot while reading
        if not any(row):
            continue
        cell = {k: (row[i] if i < len(row) else "") for k, i in pos.items()}
        for item, i in items:
            value = row[i] if i < len(row) else ""
            if value.strip() in MISSING_TOKENS:
                continue
            out["line"].append(n)
            for col in ("section", "name", "water_type", "region", "level", "basin", "river"):
                out[col].append(cell.get(col))
            out["date_raw"].append(cell.get("date"))
            out["item"].append(item)
            out["value_raw"].append(value)
            out["factor"].append("1")
    return _table(out), issues


def _cnemc(header: list[str], body: list[list[str]], file: str,
           year: int | None) -> tuple[pa.Table, list[Issue], dict[int, int]]:
    pos = {h: i for i, h in enumerate(header)}
    items = [(col, item, factor) for col, (item, factor) in CNEMC_COLUMNS.items() if col in pos]
    out = _empty_raw()
    published: dict[int, int] = {}
    for n, row in enumerate(body, start=2):
        if not any(row):
            continue
        if "水质类别" in pos and pos["水质类别"] < len(row):
            cls = gb3838.parse_class(row[pos["水质类别"]])
            if cls is not None:
                published[n] = cls
        name = row[pos["断面名称"]] if pos["断面名称"] < len(row) else ""
        when = row[pos["监测时间"]] if pos["监测时间"] < len(row) else ""
        if year is not None and len(when) <= 11 and when[:2].isdigit() and when[2:3] == "-":
            when = f"{year}-{when}"  # the release writes 'MM-DD HH:MM' without the year
        for col, item, factor in items:
            value = row[pos[col]] if pos[col] < len(row) else ""
            if value.strip() in MISSING_TOKENS:
                continue
            out["line"].append(n)
            out["section"].append(name)
            out["name"].append(name)
            out["water_type"].append(None)
            out["region"].append(None)
            out["level"].append(None)
            out["basin"].append(row[pos["流域"]] if "流域" in pos and pos["流域"] < len(row) else None)
            out["river"].append(None)
            out["date_raw"].append(when)
            out["item"].append(item)
            out["value_raw"].append(value)
            out["factor"].append(repr(factor))
    return _table(out), [], published


def _missing(col: str) -> str:
    tokens = ", ".join(f"'{t}'" for t in MISSING_TOKENS)
    return f"(trim(coalesce({col}, '')) IN ({tokens}))"


def _regions(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The region words of the file resolved to codes (a handful of distinct values)."""
    words = [r[0] for r in con.execute("SELECT DISTINCT trim(region) FROM water_raw WHERE trim(coalesce(region, '')) <> ''").fetchall()]
    return pa.table({"word": pa.array(words, pa.string()),
                     "code": pa.array([city_code(w) for w in words], pa.string())})


def check(con: duckdb.DuckDBPyConnection, raw: pa.Table, *, file: str) -> tuple[pa.Table, pa.Table, list[Issue]]:
    """Parse and check the raw relation: the clean samples, the sections described, the issues."""
    raw_in = raw  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("CREATE OR REPLACE TEMP TABLE water_raw AS SELECT * FROM raw_in")
    regions = _regions(con)  # noqa: F841 - replacement scan
    types = pa.table({"word": list(WATER_TYPE_WORDS), "wt": list(WATER_TYPE_WORDS.values())})  # noqa: F841
    levels = pa.table({"word": list(LEVEL_WORDS), "lv": list(LEVEL_WORDS.values())})  # noqa: F841
    items = pa.table({"item_id": list(ITEM_IDS)})  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE water_items AS SELECT * FROM items")
    not_detected = pa.table({"nd": list(NOT_DETECTED)})  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE water_not_detected AS SELECT * FROM not_detected")
    aliases = pa.table({"alias": list(ITEM_ALIASES), "item_id": list(ITEM_ALIASES.values())})  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE water_item_alias AS SELECT * FROM aliases")
    formats = ", ".join(f"'{f}'" for f in DATE_FORMATS)
    con.execute(  # sql: vetted (DATE_FORMATS, MISSING_TOKENS: constants)
        f"""
        CREATE OR REPLACE TEMP TABLE water_parsed AS
        WITH r0 AS (
            SELECT r.*, trim(coalesce(r.value_raw, '')) AS vt, trim(coalesce(r.date_raw, '')) AS dt FROM water_raw r),
        v AS (
            -- the regular expressions only run on the cells that are not plain numbers / dates
            SELECT r0.*, TRY_CAST(r0.vt AS DOUBLE) AS plain,
                   CASE WHEN TRY_CAST(r0.vt AS DOUBLE) IS NULL
                        THEN regexp_matches(r0.vt, '^[0-9.eE+-]+\\s*[Ll]$') ELSE FALSE END AS l_suffix,
                   CASE WHEN TRY_CAST(r0.vt AS DOUBLE) IS NULL
                        THEN regexp_matches(r0.vt, '^<\\s*[0-9.eE+-]+$') ELSE FALSE END AS lt_prefix,
                   CASE WHEN length(r0.dt) <= 7 THEN regexp_matches(r0.dt, '^[0-9]{{4}}-[0-9]{{1,2}}$')
                        ELSE FALSE END AS month_only
            FROM r0)
        SELECT v.line, trim(v.section) AS section, nullif(trim(v.name), '') AS name,
               v.water_type AS water_type_raw, t.wt AS water_type,
               nullif(trim(v.region), '') AS region_raw, g.code AS region_code,
               v.level AS level_raw, lv.lv AS level,
               nullif(trim(v.basin), '') AS basin, nullif(trim(v.river), '') AS river,
               v.date_raw, coalesce(ia.item_id, lower(trim(v.item))) AS item, v.value_raw,
               CASE WHEN v.month_only THEN TRY_CAST(v.dt || '-01' AS DATE)::TIMESTAMP
                    ELSE coalesce(try_strptime(v.dt, [{formats}]), TRY_CAST(v.dt AS TIMESTAMP)) END AS sampled_at,
               v.month_only,
               v.l_suffix OR v.lt_prefix AS below_dl,
               coalesce(v.plain, CASE WHEN v.l_suffix OR v.lt_prefix
                                      THEN TRY_CAST(regexp_replace(v.vt, '^<\\s*|\\s*[Ll]$', '', 'g') AS DOUBLE) END)
                   * TRY_CAST(v.factor AS DOUBLE) AS number,
               {_missing('v.value_raw')} AS empty
        FROM v
        LEFT JOIN types t ON t.word = lower(trim(coalesce(v.water_type, '')))
        LEFT JOIN levels lv ON lv.word = lower(trim(coalesce(v.level, '')))
        LEFT JOIN regions g ON g.word = trim(v.region)
        LEFT JOIN water_item_alias ia ON ia.alias = lower(replace(replace(trim(coalesce(v.item, '')), '（', '('), '）', ')'))
    """)
    issues = _issues(con, file)
    samples = con.sql("""
        SELECT section, sampled_at, month_only, item,
               CASE WHEN below_dl THEN number / 2 ELSE number END AS value, below_dl, value_raw AS raw,
               CAST(line AS INTEGER) AS line
        FROM (SELECT *, row_number() OVER (PARTITION BY section, sampled_at, item ORDER BY line) AS k
              FROM water_parsed
              WHERE NOT empty AND number IS NOT NULL AND sampled_at IS NOT NULL AND section <> ''
                AND item IN (SELECT item_id FROM water_items))
        WHERE k = 1 ORDER BY section, sampled_at, item""").to_arrow_table()
    sections = con.sql("""
        SELECT section, arg_min(name, line) AS name, arg_min(water_type, line) AS water_type,
               arg_min(region_code, line) AS region_code, arg_min(level, line) AS level,
               arg_min(basin, line) AS basin, arg_min(river, line) AS river, min(line) AS line
        FROM water_parsed WHERE coalesce(section, '') <> '' GROUP BY section ORDER BY section""").to_arrow_table()
    return samples, sections, issues


def _issues(con: duckdb.DuckDBPyConnection, file: str) -> list[Issue]:
    parts = [
        "SELECT line, 'section', section, 'missing section code / 缺少断面编码', 'error' FROM water_parsed"
        " WHERE coalesce(section, '') = ''",
        "SELECT line, 'item', item, 'unknown item (see docs/water_data.md for the ids) / 未知监测项目', 'error'"
        " FROM water_parsed WHERE item NOT IN (SELECT item_id FROM water_items)",
        "SELECT line, 'date', date_raw, 'malformed date: YYYY-MM or YYYY-MM-DD / 日期格式错误', 'error'"
        " FROM water_parsed WHERE sampled_at IS NULL",
        "SELECT line, 'value', value_raw, CASE WHEN trim(value_raw) IN (SELECT nd FROM water_not_detected)"
        " THEN 'below the detection limit without the limit: write the limit followed by L, e.g. 0.01L"
        " / 未检出须写检出限加L' ELSE 'not a number / 非数值' END, 'error' FROM water_parsed"
        " WHERE NOT empty AND number IS NULL",
        "SELECT line, 'value', value_raw, 'negative value / 数值为负', 'error' FROM water_parsed WHERE number < 0",
        "SELECT line, 'value', value_raw, 'pH outside 0-14 / pH超出0～14', 'error' FROM water_parsed"
        " WHERE item = 'ph' AND (number > 14 OR (below_dl AND item = 'ph'))",
        "SELECT line, 'water_type', water_type_raw, 'water_type must be river or lake (河流/湖库) / 水体类型错误', 'error'"
        " FROM water_parsed WHERE trim(coalesce(water_type_raw, '')) <> '' AND water_type IS NULL",
        "SELECT line, 'level', level_raw, 'level must be national, provincial or municipal / 断面级别错误', 'error'"
        " FROM water_parsed WHERE trim(coalesce(level_raw, '')) <> '' AND level IS NULL",
        "SELECT line, 'region', region_raw, 'unknown region (a city name or GB/T 2260 code) / 未知地区', 'error'"
        " FROM water_parsed WHERE region_raw IS NOT NULL AND region_code IS NULL",
        # a section with two water types in one file
        "SELECT min(line), 'water_type', section || ': ' || string_agg(DISTINCT water_type, ','),"
        " 'the section is given two water types / 同一断面水体类型不一致', 'error' FROM water_parsed"
        " WHERE water_type IS NOT NULL GROUP BY section HAVING count(DISTINCT water_type) > 1",
        # the same section, time and item twice
        "SELECT b.line, 'section,date,item', b.section || ' ' || b.date_raw || ' ' || b.item,"
        " CASE WHEN a.number IS NOT DISTINCT FROM b.number THEN 'duplicate, identical value: kept line ' || a.line"
        " || ' / 重复记录（数值相同）' ELSE 'duplicate with a different value (line ' || a.line || ') / 重复记录且数值不同' END,"
        " CASE WHEN a.number IS NOT DISTINCT FROM b.number THEN 'warning' ELSE 'error' END"
        " FROM water_parsed a JOIN water_parsed b ON a.section = b.section AND a.sampled_at = b.sampled_at"
        " AND a.item = b.item AND a.line < b.line AND NOT a.empty AND NOT b.empty",
    ]
    rows = con.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2").fetchall()  # sql: vetted (constant parts)
    return [Issue(file, None if line is None else int(line), col, None if val is None else str(val), reason, sev)
            for line, col, val, reason, sev in rows]


def write_template(out: Path, sections: list[dict[str, Any]] | None = None, year: int | None = None) -> Path:
    """The wide Excel template: one row per section and month, one column per item.

    Row 1 holds the machine ids the reader uses, row 2 the Chinese labels and units; the
    ``说明`` sheet lists every item with its unit.  ``sections`` pre-fills one row per section
    and month of ``year``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    head = ["section", "name", "water_type", "region", "level", "date", *ITEM_IDS]
    labels = ["断面编码", "断面名称", "水体类型(river/lake)", "所属城市", "级别(national/provincial/municipal)",
              "日期(YYYY-MM)", *(f"{gb3838.ITEMS[i].name_zh}（{gb3838.ITEMS[i].unit}）" for i in ITEM_IDS)]
    ws.append(head)
    ws.append(labels)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for s in sections or []:
        for m in range(1, 13) if year else []:
            ws.append([s["code"], s["name_zh"], s["water_type"], s.get("region_code") or "", s.get("level") or "",
                       f"{year}-{m:02d}"])
    dv = DataValidation(type="list", formula1='"river,lake"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("C3:C5000")
    lv = DataValidation(type="list", formula1='"national,provincial,municipal"', allow_blank=True)
    ws.add_data_validation(lv)
    lv.add("E3:E5000")
    ws.freeze_panes = "G3"
    ws.auto_filter.ref = f"A2:{ws.cell(row=2, column=len(head)).column_letter}2"
    notes = wb.create_sheet("说明")
    notes.append(["item", "名称", "name", "单位 / unit", "GB 3838-2002 表1序号"])
    for i in ITEM_IDS:
        it = gb3838.ITEMS[i]
        notes.append([i, it.name_zh, it.name_en, it.unit, it.table1_row])
    notes.append([])
    notes.append(["低于检出限写作 0.01L（检出限加L），按检出限的一半参与统计 / below the detection limit: write "
                  "the limit followed by L (0.01L); half the limit enters the statistics"])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
