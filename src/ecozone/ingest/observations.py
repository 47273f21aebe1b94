"""Observations from outside: the bundled official figures and user imports (CSV or Excel).

* :func:`load_bundled` writes ``data/observations/observations.csv`` (official figures
  transcribed from bulletins and press releases, with their URLs) as ``bulletin``
  observations, through ``data/observations/mapping.yaml``.
* :func:`import_file` reads a user's CSV or Excel file, validates every row against the region
  and indicator dictionaries and writes nothing unless the whole file is valid.
* :func:`write_template` writes the Excel template: the observation sheet with data
  validation, and the indicator and region lists it validates against.

Every write goes through :func:`ecozone.store.observations.write_observations` (append-only).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from ecozone.catalogue.loader import expected_unit
from ecozone.catalogue.models import Comparison, Indicator, Measure, Polarity
from ecozone.store.db import meta_value, set_meta, transaction
from ecozone.store.observations import WriteResult, write_observations

BULLETIN_SOURCE = "bulletin"
IMPORT_SOURCE = "import"
BUNDLED_DIGEST_KEY = "bundled_observations_digest"
PARTIAL_FLAG = "partial_year"
BUNDLED_KEY = ("region_code", "indicator_id", "period", "measure", "base_year", "source_type",
               "source_id", "quote")
IMPORT_KEY = ("region_code", "indicator_id", "period", "measure", "base_year", "source_type",
              "source_id")
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:\.\.(0[1-9]|1[0-2]))?)?$")


def bundled_dir() -> Path:
    return Path(str(resources.files("ecozone") / "data" / "observations"))


# --------------------------------------------------------------------------- dictionaries


@dataclass
class Dictionaries:
    """Region and indicator look-ups read once from the store."""

    regions: dict[str, str] = field(default_factory=dict)  # code, names and aliases -> code
    indicators: dict[str, Indicator] = field(default_factory=dict)  # id, names, aliases -> record

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Dictionaries:
        d = cls()
        for code, zh, en, aliases in con.execute(
            "SELECT code, name_zh, name_en, aliases FROM region ORDER BY code"
        ).fetchall():
            for name in (*aliases, en, zh, code):  # codes and Chinese names win over aliases
                d.regions[str(name)] = code
        for iid, dom, zh, en, unit, pol, aliases in con.execute(
            "SELECT id, domain, name_zh, name_en, unit, polarity, aliases FROM indicator ORDER BY id"
        ).fetchall():
            ind = Indicator(id=iid, domain=dom, name_zh=zh, name_en=en, unit=unit,
                            polarity=Polarity(pol))
            for name in (*aliases, en, zh, iid):
                d.indicators[str(name)] = ind
        return d


# --------------------------------------------------------------------------- bundled data


@dataclass(frozen=True)
class BundledResult:
    rows: int
    written: WriteResult
    skipped: list[str]
    partial: int

    @property
    def loaded(self) -> int:
        return self.rows - len(self.skipped)


def bundled_digest() -> str:
    h = hashlib.sha256()
    for name in ("observations.csv", "mapping.yaml"):
        h.update((bundled_dir() / name).read_bytes())
    return h.hexdigest()


def _flags(note: str, extra: str | None) -> list[str]:
    flags = [extra] if extra else []
    low = note.lower()
    if "academic paper" in low or "research book" in low or "not an official" in low:
        flags.append("secondary_source")
    if "differs from" in low or "conflict" in low:
        flags.append("conflict")
    return flags


def bundled_rows(dic: Dictionaries) -> tuple[list[dict[str, Any]], list[str]]:
    """The bundled file as observation rows, and the reasons of the rows that were skipped."""
    folder = bundled_dir()
    mapping = yaml.safe_load((folder / "mapping.yaml").read_text(encoding="utf-8"))
    region_names: dict[str, str] = mapping.get("regions", {})
    ind_map: dict[str, dict[str, Any]] = mapping["indicators"]
    rows, skipped = [], []
    text = (folder / "observations.csv").read_text(encoding="utf-8")
    for n, rec in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        m = ind_map.get(rec["indicator"])
        if m is None:
            skipped.append(f"row {n}: indicator {rec['indicator']!r} is not in mapping.yaml")
            continue
        region_name = m.get("region") or region_names.get(rec["region"], rec["region"])
        region = dic.regions.get(str(region_name))
        if region is None:
            skipped.append(f"row {n}: region {region_name!r} is not in the region dictionary")
            continue
        ind = dic.indicators.get(m["indicator"])
        if ind is None or ind.id != m["indicator"]:
            skipped.append(f"row {n}: indicator {m['indicator']!r} is not in the indicator dictionary")
            continue
        year = int(rec["year"])
        measure = Measure(m.get("measure", "level"))
        base_year = m.get("base_year")
        if m.get("base") == "previous_year":
            base_year = year - 1
        unit = m.get("unit", rec["unit"])
        want = expected_unit(measure, ind)
        if unit != want:
            skipped.append(f"row {n}: unit {unit!r} does not match {ind.id} ({measure.value}): {want!r}")
            continue
        partial = bool(m.get("partial"))
        flags = _flags(rec["note"], m.get("quality_flag"))
        if partial:
            flags.insert(0, PARTIAL_FLAG)
        notes = [f"source indicator: {rec['indicator']}"]
        if m.get("region"):
            notes.append(f"source region: {rec['region']}")
        if rec["note"]:
            notes.append(rec["note"])
        rows.append({
            "region_code": region, "indicator_id": ind.id,
            "period": f"{year}-01..11" if partial else str(year), "year": year,
            "measure": measure.value, "base_year": base_year, "value": float(rec["value"]),
            "unit": unit, "source_type": BULLETIN_SOURCE, "source_id": rec["source_url"],
            "source_detail": f"observations.csv row {n}", "quote": rec["source_quote"] or None,
            "quality_flag": ",".join(flags) or "ok", "note": "；".join(notes),
        })
    return rows, skipped


def load_bundled(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> BundledResult | None:
    """Write the bundled official figures (None when this version is already loaded)."""
    digest = bundled_digest()
    if meta_value(con, BUNDLED_DIGEST_KEY) == digest and not force:
        return None
    rows, skipped = bundled_rows(Dictionaries.read(con))
    schema = pa.schema([
        ("region_code", pa.string()), ("indicator_id", pa.string()), ("period", pa.string()),
        ("year", pa.int32()), ("measure", pa.string()), ("base_year", pa.int32()),
        ("value", pa.float64()), ("unit", pa.string()), ("source_type", pa.string()),
        ("source_id", pa.string()), ("source_detail", pa.string()), ("quote", pa.string()),
        ("quality_flag", pa.string()), ("note", pa.string()),
    ])
    with transaction(con):
        result = write_observations(
            con, pa.Table.from_pylist(rows, schema=schema), key=BUNDLED_KEY,
            recorded_by="ecozone bundled data", reason="bundled data revised / 内置数据修订",
        )
        set_meta(con, BUNDLED_DIGEST_KEY, digest)
    partial = sum(1 for r in rows if r["quality_flag"].startswith(PARTIAL_FLAG))
    return BundledResult(len(rows) + len(skipped), result, skipped, partial)


def ensure_bundled(con: duckdb.DuckDBPyConnection) -> BundledResult | None:
    """Load the bundled figures if the store does not hold this version yet."""
    if not con.execute("SELECT count(*) FROM region").fetchone()[0]:  # type: ignore[index]
        return None  # no dictionaries loaded yet
    return load_bundled(con)


# --------------------------------------------------------------------------- user import

COLUMNS = ("region", "indicator", "period", "value", "unit", "measure", "base_year", "source",
           "method", "quality_flag", "note")
REQUIRED_COLUMNS = ("region", "indicator", "period", "value")
HEADER_ALIASES = {
    "地区": "region", "地区代码": "region", "指标": "indicator", "指标id": "indicator",
    "时期": "period", "年份": "period", "数值": "value", "单位": "unit", "口径": "measure",
    "基准年": "base_year", "来源": "source", "方法": "method", "质量标记": "quality_flag",
    "备注": "note", "region_code": "region", "indicator_id": "indicator", "year": "period",
}
COLUMN_HELP = {
    "region": ("地区代码或名称（见 regions 表）", "region code or name (see sheet regions)"),
    "indicator": ("指标 id（见 indicators 表）", "indicator id (see sheet indicators)"),
    "period": ("时期：2024 为全年；2024-05 为月；2024-01..11 为1-11月累计",
               "period: 2024 = the year; 2024-05 = a month; 2024-01..11 = January to November"),
    "value": ("数值（只填数字）", "the number only"),
    "unit": ("单位，须与指标单位一致（变化量用 % 或 百分点）；可留空",
             "unit, must match the indicator (changes use % or 百分点); may be left empty"),
    "measure": ("口径：level（水平值，默认）或相对基准年的变化 reduce_by_pct 等",
                "level (default) or a change against base_year: reduce_by_pct …"),
    "base_year": ("变化量的基准年", "base year of a change"),
    "source": ("出处：公报名称、网址", "source: bulletin, URL"),
    "method": ("计算方法", "method"),
    "quality_flag": ("质量标记（默认 ok）", "quality flag (default ok)"),
    "note": ("备注", "note"),
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line of the file (the header is row 1)
    column: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"row {self.row} [{self.column}]: {self.en} / {self.zh}"


class ImportFailed(ValueError):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing imported\n" + "\n".join(map(str, errors[:50])))


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    rows: int
    written: WriteResult


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM) or Excel file, keyed by column name."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb["observations"] if "observations" in wb.sheetnames else wb.worksheets[0]
        raw = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        text = path.read_text(encoding="utf-8-sig")
        raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not raw:
        return []
    out: list[dict[str, str]] = []
    header = [HEADER_ALIASES.get(h.strip().lower(), HEADER_ALIASES.get(h.strip(), h.strip().lower()))
              for h in raw[0]]
    for values in raw[1:]:
        if not any(values):
            out.append({})  # keep the row numbering; empty rows are skipped later
            continue
        out.append({h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h})
    return [{"__header__": "|".join(header)}, *out]


def validate_rows(
    table: list[dict[str, str]], dic: Dictionaries, source_id: str
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Turn the file's rows into observation rows; every problem is reported with its row."""
    errors: list[RowError] = []
    header = table[0]["__header__"].split("|") if table else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, ",".join(missing), f"缺少必需列：{', '.join(missing)}",
                             f"missing required column(s): {', '.join(missing)}")]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        errors.append(RowError(1, ",".join(unknown), f"未知列：{', '.join(unknown)}",
                               f"unknown column(s): {', '.join(unknown)}"))
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for n, rec in enumerate(table[1:], start=2):
        if not rec:
            continue

        def bad(col: str, zh: str, en: str, n: int = n) -> None:
            errors.append(RowError(n, col, zh, en))

        region = dic.regions.get(rec.get("region", ""))
        if region is None:
            bad("region", f"未知地区 {rec.get('region')!r}", f"unknown region {rec.get('region')!r}")
        ind = dic.indicators.get(rec.get("indicator", ""))
        if ind is None:
            bad("indicator", f"未知指标 {rec.get('indicator')!r}", f"unknown indicator {rec.get('indicator')!r}")
        period = rec.get("period", "")
        pm = PERIOD.match(period)
        if pm is None:
            bad("period", f"时期格式错误 {period!r}（应为 2024、2024-05 或 2024-01..11）",
                f"bad period {period!r} (use 2024, 2024-05 or 2024-01..11)")
        value: float | None = None
        try:
            value = float(rec.get("value", "").replace(",", ""))
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        except ValueError:
            bad("value", f"数值无效 {rec.get('value')!r}", f"bad number {rec.get('value')!r}")
        try:
            measure = Measure(rec.get("measure") or "level")
        except ValueError:
            measure = Measure.LEVEL
            bad("measure", f"未知口径 {rec.get('measure')!r}", f"unknown measure {rec.get('measure')!r}")
        base_year: int | None = None
        if rec.get("base_year"):
            try:
                base_year = int(rec["base_year"])
            except ValueError:
                bad("base_year", f"基准年无效 {rec['base_year']!r}", f"bad base year {rec['base_year']!r}")
        if measure is not Measure.LEVEL and base_year is None:
            bad("base_year", "变化量需要基准年", "a change needs base_year")
        if measure is Measure.LEVEL and base_year is not None:
            bad("base_year", "水平值不能有基准年", "a level value takes no base_year")
        unit = rec.get("unit", "")
        if ind is not None:
            want = expected_unit(measure, ind)
            if not unit:
                unit = want
            elif unit != want:
                bad("unit", f"单位 {unit!r} 与指标 {ind.id} 不符，应为 {want!r}",
                    f"unit {unit!r} does not match {ind.id}: expected {want!r}")
        if None in (region, ind, pm, value):
            continue
        assert ind is not None and pm is not None
        key = (region, ind.id, period, measure.value, base_year)
        if key in seen:
            bad("period", f"与第 {seen[key]} 行重复（同一地区、指标、时期）",
                f"duplicate period: same region, indicator and period as row {seen[key]}")
            continue
        seen[key] = n
        flag = rec.get("quality_flag") or "ok"
        if pm.group(2) and PARTIAL_FLAG not in flag:
            flag = PARTIAL_FLAG if flag == "ok" else f"{PARTIAL_FLAG},{flag}"
        rows.append({
            "region_code": region, "indicator_id": ind.id, "period": period,
            "year": int(pm.group(1)), "measure": measure.value, "base_year": base_year,
            "value": value, "unit": unit, "source_type": IMPORT_SOURCE, "source_id": source_id,
            "source_detail": rec.get("source") or None, "method": rec.get("method") or None,
            "quality_flag": flag, "note": rec.get("note") or None,
        })
    return rows, errors


def import_file(
    con: duckdb.DuckDBPyConnection, path: Path, *, recorded_by: str = "ecozone",
    source_id: str | None = None,
) -> ImportResult:
    """Validate and write a user file; raises :class:`ImportFailed` (nothing written) on errors."""
    data = path.read_bytes()
    table = read_table(path)
    rows, errors = validate_rows(table, Dictionaries.read(con), source_id or path.name)
    if not rows and not errors:
        errors.append(RowError(1, "-", "文件没有数据行", "the file has no data rows"))
    if errors:
        raise ImportFailed(errors)
    schema = pa.schema([
        ("region_code", pa.string()), ("indicator_id", pa.string()), ("period", pa.string()),
        ("year", pa.int32()), ("measure", pa.string()), ("base_year", pa.int32()),
        ("value", pa.float64()), ("unit", pa.string()), ("source_type", pa.string()),
        ("source_id", pa.string()), ("source_detail", pa.string()), ("method", pa.string()),
        ("quality_flag", pa.string()), ("note", pa.string()),
    ])
    with transaction(con):
        written = write_observations(con, pa.Table.from_pylist(rows, schema=schema), key=IMPORT_KEY,
                                     recorded_by=recorded_by, reason=f"re-imported {path.name} / 重新导入")
        row = con.execute(
            "INSERT INTO import_batch (file_name, sha256, rows, added, superseded, unchanged, "
            "imported_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING batch_id",
            [path.name, hashlib.sha256(data).hexdigest(), len(rows), written.added,
             written.superseded, written.unchanged, recorded_by],
        ).fetchone()
    assert row is not None
    return ImportResult(int(row[0]), len(rows), written)


# --------------------------------------------------------------------------- template


def write_template(con: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """Write the import template (xlsx; a ``.csv`` name gives the bare header and an example)."""
    inds = con.execute(
        "SELECT id, name_zh, name_en, unit, domain FROM indicator ORDER BY domain, id").fetchall()
    regs = con.execute("SELECT code, name_zh, name_en, type FROM region ORDER BY code").fetchall()
    example = ["130000", "air.pm25_annual_mean", "2024", "37.7", "µg/m³", "level", "",
               "2024年河北省生态环境状况公报", "", "ok", ""]
    if out.suffix.lower() == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(COLUMNS)
        w.writerow(example)
        out.write_text(buf.getvalue(), encoding="utf-8-sig")
        return out
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "observations"
    ws.append(list(COLUMNS))
    ws.append(example)
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        zh, en = COLUMN_HELP[col]
        cell.comment = Comment(f"{zh}\n{en}", "ecozone")
        ws.column_dimensions[cell.column_letter].width = 18 if col not in ("source", "note") else 36
    ws.freeze_panes = "A2"
    last = 2000
    dv_region = DataValidation(type="list", formula1=f"=regions!$A$2:$A${len(regs) + 1}", allow_blank=False)
    dv_region.error, dv_region.errorTitle = "地区代码不在 regions 表中 / unknown region code", "region"
    dv_ind = DataValidation(type="list", formula1=f"=indicators!$A$2:$A${len(inds) + 1}", allow_blank=False)
    dv_ind.error, dv_ind.errorTitle = "指标不在 indicators 表中 / unknown indicator", "indicator"
    dv_value = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15")
    dv_value.error = "只填数字 / numbers only"
    measures = ",".join(m.value for m in Measure)
    dv_measure = DataValidation(type="list", formula1=f'"{measures}"', allow_blank=True)
    for dv, letter in ((dv_region, "A"), (dv_ind, "B"), (dv_value, "D"), (dv_measure, "F")):
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{last}")
    wi = wb.create_sheet("indicators")
    wi.append(["id", "name_zh", "name_en", "unit", "domain"])
    for r in inds:
        wi.append(list(r))
    wr = wb.create_sheet("regions")
    wr.append(["code", "name_zh", "name_en", "type"])
    for r in regs:
        wr.append(list(r))
    for sheet in (wi, wr):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 36
        sheet.column_dimensions["C"].width = 36
    readme = wb.create_sheet("说明 README")
    readme.append(["列 / column", "说明", "description"])
    for col in COLUMNS:
        readme.append([col, *COLUMN_HELP[col]])
    readme.append([])
    readme.append(["", "变化量单位：比基准年下降/增长 x% 用 %，x 个百分点用 百分点",
                   f"changes: {Comparison.REDUCE_BY_PCT.value} etc. use %; points use 百分点"])
    readme.append(["", "整份文件全部有效才会写入；错误按行报告", "nothing is written unless every row is valid"])
    readme.column_dimensions["B"].width = 60
    readme.column_dimensions["C"].width = 60
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
