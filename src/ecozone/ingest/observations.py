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
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import yaml

from ecozone.catalogue.loader import expected_unit
from ecozone.catalogue.models import Comparison, Indicator, Measure, Polarity
from ecozone.errors import InputError, clip
from ecozone.ingest.plausible import SOFT_FLAG, check_values
from ecozone.sheets import no_formulas
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
        if m.get("series_break") == year and not m.get("region"):
            flags.append("series_break")  # the monitoring network changed this year: a new series starts
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
        return f"row {self.row} [{clip(self.column, 40)}]: {clip(self.en, 300)} / {clip(self.zh, 300)}"

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"row {self.row} [{clip(self.column, 40)}]: {clip(self.en, 300)}"
        return f"第 {self.row} 行 [{clip(self.column, 40)}]：{clip(self.zh, 300)}"


class ImportFailed(InputError):
    """The file has errors; nothing was written (exit 2).  ``errors`` say row, column and why."""

    def __init__(self, errors: list[RowError], file: str | None = None):
        self.errors = errors
        super().__init__(zh=f"{len(errors)} 处错误，未导入任何数据", en=f"{len(errors)} error(s); nothing imported",
                         file=file, detail=list(errors[:1000]), code="import_failed")

    def __str__(self) -> str:
        return f"{len(self.errors)} error(s); nothing imported\n" + "\n".join(map(str, self.errors[:50]))


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    rows: int
    written: WriteResult
    #: values outside their soft plausible range: kept, flagged, reported
    warnings: list[RowError] = field(default_factory=list)
    #: the earlier batch holding exactly this file's content (then nothing new was recorded)
    already: int | None = None


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


#: the note of the rows `ecozone obs needs` pre-fills: left without a value, they are skipped
NEEDS_NOTE = "obs needs"
#: the sheet the template's data go on; its example lives on another sheet and is never read
DATA_SHEET = "observations"
EXAMPLE_SHEET = "示例 example"
#: a row whose first cell starts with this is a comment (the CSV template's example row)
COMMENT = "#"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("文件不存在", "no such file", file=str(path), code="no_such_file") from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹，不是文件", "this is a directory, not a file", file=str(path),
                         code="is_directory") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", file=str(path),
                         code="unreadable_file") from None


def _workbook_rows(path: Path, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
            return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, IndexError, OSError, EOFError) as exc:
        raise InputError("不是有效的 Excel 工作簿（文件损坏或格式不对）",
                         f"not a valid Excel workbook (corrupt or another format): {clip(exc, 120)}",
                         file=str(path), code="bad_workbook") from None


def _csv_rows(path: Path, data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise InputError("这是二进制文件，不是 CSV 文本", "this is a binary file, not CSV text", file=str(path),
                         code="binary_file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("不是 UTF-8 编码（GBK 等编码请另存为 UTF-8 CSV）",
                         "not UTF-8 text (save GBK and other encodings as UTF-8 CSV)", file=str(path), row=line,
                         code="bad_encoding") from None
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", f"malformed CSV: {exc}", file=str(path), code="bad_csv") from None


def read_table(path: Path, data: bytes | None = None) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM) or Excel file, keyed by column name.

    ``data`` are the file's bytes when already read (so the hash and the rows are of the same
    content).  Rows whose first cell starts with ``#`` are comments (kept as empty rows so
    that row numbers stay those of the file).  Unreadable files are an :class:`InputError`.
    """
    data = _read_bytes(path) if data is None else data
    raw = _workbook_rows(path, data) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path, data)
    raw = [[] if row and row[0].startswith(COMMENT) else row for row in raw]
    while raw and not any(raw[0]):  # leading blank or comment lines before the header
        raw = raw[1:]
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
        names = ", ".join(clip(u, 40) for u in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        errors.append(RowError(1, clip(",".join(unknown), 40), f"未知列：{names}", f"unknown column(s): {names}"))
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for n, rec in enumerate(table[1:], start=2):
        if not rec:
            continue
        if not rec.get("value", "").strip() and rec.get("note", "").startswith(NEEDS_NOTE):
            continue  # a row of the `obs needs` template not filled in (yet)

        def bad(col: str, zh: str, en: str, n: int = n) -> None:
            errors.append(RowError(n, col, zh, en))

        region = dic.regions.get(rec.get("region", ""))
        if region is None:
            bad("region", f"未知地区 {clip(repr(rec.get('region')))}", f"unknown region {clip(repr(rec.get('region')))}")
        ind = dic.indicators.get(rec.get("indicator", ""))
        if ind is None:
            bad("indicator", f"未知指标 {clip(repr(rec.get('indicator')))}", f"unknown indicator {clip(repr(rec.get('indicator')))}")
        period = rec.get("period", "")
        pm = PERIOD.match(period)
        if pm is None:
            bad("period", f"时期格式错误 {clip(repr(period))}（应为 2024、2024-05 或 2024-01..11）",
                f"bad period {clip(repr(period))} (use 2024, 2024-05 or 2024-01..11)")
        value: float | None = None
        try:
            value = float(rec.get("value", "").replace(",", ""))
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        except ValueError:
            bad("value", f"数值无效 {clip(repr(rec.get('value')))}", f"bad number {clip(repr(rec.get('value')))}")
        try:
            measure = Measure(rec.get("measure") or "level")
        except ValueError:
            measure = Measure.LEVEL
            bad("measure", f"未知口径 {clip(repr(rec.get('measure')))}", f"unknown measure {clip(repr(rec.get('measure')))}")
        base_year: int | None = None
        if rec.get("base_year"):
            try:
                base_year = int(rec["base_year"])
            except ValueError:
                bad("base_year", f"基准年无效 {clip(repr(rec['base_year']))}", f"bad base year {clip(repr(rec['base_year']))}")
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
                bad("unit", f"单位 {clip(repr(unit))} 与指标 {ind.id} 不符，应为 {clip(repr(want))}",
                    f"unit {clip(repr(unit))} does not match {ind.id}: expected {clip(repr(want))}")
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
            "quality_flag": flag, "note": rec.get("note") or None, "_row": n,
        })
    return rows, errors


def check_plausible(rows: list[dict[str, Any]]) -> tuple[list[RowError], list[RowError]]:
    """Hard errors and soft warnings of the rows' values against ``data/plausible.yaml``.

    A warned row keeps its value and gets the quality flag ``outside_soft_range``.
    """
    if not rows:
        return [], []
    values = np.array([r["value"] for r in rows], dtype=float)
    levels = np.array([r["measure"] == Measure.LEVEL.value for r in rows], dtype=bool)
    hard, soft, rngs = check_values([r["indicator_id"] for r in rows], [r["unit"] for r in rows], values, levels)
    errors, warnings = [], []
    for i in np.flatnonzero(hard):
        r, rng = rows[i], rngs[i]
        errors.append(RowError(r["_row"], "value",
                               f"数值 {clip(r['value'])} 超出 {r['indicator_id']} 的合理范围 {rng.describe()} {r['unit']}",
                               f"value {clip(r['value'])} outside the plausible range {rng.describe()} {r['unit']} "
                               f"of {r['indicator_id']}"))
    for i in np.flatnonzero(soft):
        r, rng = rows[i], rngs[i]
        r["quality_flag"] = SOFT_FLAG if r["quality_flag"] == "ok" else f"{r['quality_flag']},{SOFT_FLAG}"
        warnings.append(RowError(r["_row"], "value",
                                 f"数值 {clip(r['value'])} 不在通常范围 {rng.describe('soft')} 内，已保留并标记",
                                 f"value {clip(r['value'])} outside the usual range {rng.describe('soft')} "
                                 f"{r['unit']}: kept and flagged {SOFT_FLAG}"))
    return errors, warnings


def import_file(
    con: duckdb.DuckDBPyConnection, path: Path, *, recorded_by: str = "ecozone",
    source_id: str | None = None,
) -> ImportResult:
    """Validate and write a user file; raises :class:`ImportFailed` (nothing written) on errors.

    The same bytes imported again are recognised by their sha256 and record nothing new
    (``ImportResult.already`` names the earlier batch).
    """
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    earlier = con.execute("SELECT min(batch_id), any_value(rows) FROM import_batch WHERE sha256 = ?",
                          [digest]).fetchone()
    if earlier is not None and earlier[0] is not None:
        return ImportResult(int(earlier[0]), int(earlier[1]), WriteResult(0, 0, int(earlier[1])), [], int(earlier[0]))
    table = read_table(path, data)
    rows, errors = validate_rows(table, Dictionaries.read(con), source_id or path.name)
    if not rows and not errors:
        errors.append(RowError(1, "-", "文件没有数据行", "the file has no data rows"))
    hard, warnings = check_plausible(rows)
    errors = sorted(errors + hard, key=lambda e: e.row)
    if errors:
        raise ImportFailed(errors, str(path))
    for r in rows:
        del r["_row"]
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
            [path.name, digest, len(rows), written.added,
             written.superseded, written.unchanged, recorded_by],
        ).fetchone()
    assert row is not None
    return ImportResult(int(row[0]), len(rows), written, warnings)


# --------------------------------------------------------------------------- template


@dataclass(frozen=True)
class ListSheet:
    """A reference list on its own sheet (first column = the allowed values of a data column)."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    column: str | None = None  # the data column whose cells must be one of this list's first column


def write_workbook_template(
    out: Path, *, columns: Sequence[str], column_help: dict[str, tuple[str, str]],
    rows: Sequence[Sequence[Any]] = (), example: Sequence[Sequence[Any]] = (),
    lists: Sequence[ListSheet] = (), numeric: Sequence[str] = (), choices: dict[str, Sequence[str]] | None = None,
    notes: Sequence[tuple[str, str]] = (), sheet: str = DATA_SHEET, last_row: int = 2000,
) -> Path:
    """A data-entry workbook: sheet ``sheet`` with ``columns`` (help as cell comments) and ``rows``
    pre-filled, data validation from ``lists`` / ``numeric`` / ``choices``, the ``example`` rows
    on a separate sheet (never read as data), the lists, and a README sheet.

    A ``.csv`` name writes the header, ``rows``, and the example as ``#`` comment rows (skipped
    by the readers).  Reused by every template ecozone writes (observations, ``obs needs``).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        w.writerows(rows)
        for ex in example:
            w.writerow([f"{COMMENT} 示例 example: {ex[0]}", *ex[1:]])
        out.write_text(buf.getvalue(), encoding="utf-8-sig")
        return out
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(columns))
    for r in rows:
        ws.append(list(r))
    letter = {}
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        letter[col] = cell.column_letter
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        zh, en = column_help.get(col, ("", ""))
        if zh or en:
            cell.comment = Comment(f"{zh}\n{en}", "ecozone")
        ws.column_dimensions[cell.column_letter].width = 18 if col not in ("source", "note") else 36
    ws.freeze_panes = "A2"
    last = max(last_row, len(rows) + 1)
    validations: list[tuple[DataValidation, str]] = []
    for ls in lists:
        if ls.column in letter:
            dv = DataValidation(type="list", formula1=f"={ls.name}!$A$2:$A${len(ls.rows) + 1}", allow_blank=False)
            dv.error, dv.errorTitle = f"不在 {ls.name} 表中 / not in sheet {ls.name}", str(ls.column)
            validations.append((dv, letter[ls.column]))
    for col in numeric:
        dv = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15")
        dv.error = "只填数字 / numbers only"
        validations.append((dv, letter[col]))
    for col, allowed in (choices or {}).items():
        validations.append((DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True),
                            letter[col]))
    for dv, col_letter in validations:
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{col_letter}2:{col_letter}{last}")
    for ls in lists:
        sh = wb.create_sheet(ls.name)
        sh.append(list(ls.header))
        for r in ls.rows:
            sh.append(list(r))
        for cell in sh[1]:
            cell.font = Font(bold=True)
        for c in ("A", "B", "C"):
            sh.column_dimensions[c].width = 36
    if example:
        ex = wb.create_sheet(EXAMPLE_SHEET)
        ex.append(["示例，不会导入；请在第一个工作表填写 / example only, never imported: fill in the first sheet"])
        ex.append(list(columns))
        for r in example:
            ex.append(list(r))
        ex["A1"].font = Font(bold=True, color="C00000")
    readme = wb.create_sheet("说明 README")
    readme.append(["列 / column", "说明", "description"])
    for col in columns:
        readme.append([col, *column_help.get(col, ("", ""))])
    readme.append([])
    for zh, en in notes:
        readme.append(["", zh, en])
    readme.column_dimensions["B"].width = 60
    readme.column_dimensions["C"].width = 60
    for sheet in (ws, readme, *(wb[ls.name] for ls in lists)):
        no_formulas(sheet)
    if example:
        no_formulas(wb[EXAMPLE_SHEET])
    wb.save(out)
    return out


def write_template(con: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """Write the observation import template (xlsx, or a ``.csv`` with the header).

    The example row is on its own sheet (``.csv``: a ``#`` comment row): it can never be
    imported as data.
    """
    inds = con.execute(
        "SELECT id, name_zh, name_en, unit, domain FROM indicator ORDER BY domain, id").fetchall()
    regs = con.execute("SELECT code, name_zh, name_en, type FROM region ORDER BY code").fetchall()
    example = ["130000", "air.pm25_annual_mean", "2024", "37.7", "µg/m³", "level", "",
               "2024年河北省生态环境状况公报", "", "ok", ""]
    return write_workbook_template(
        out, columns=COLUMNS, column_help=COLUMN_HELP, example=[example],
        lists=[ListSheet("indicators", ["id", "name_zh", "name_en", "unit", "domain"], inds, "indicator"),
               ListSheet("regions", ["code", "name_zh", "name_en", "type"], regs, "region")],
        numeric=["value"], choices={"measure": [m.value for m in Measure]},
        notes=[("变化量单位：比基准年下降/增长 x% 用 %，x 个百分点用 百分点",
                f"changes: {Comparison.REDUCE_BY_PCT.value} etc. use %; points use 百分点"),
               ("整份文件全部有效才会写入；错误按行报告", "nothing is written unless every row is valid"),
               ("示例见“示例 example”工作表，它不会被导入", "the example is on sheet 示例 example and is never imported")])
