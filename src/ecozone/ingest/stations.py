"""The station registry: code, name, city, coordinates, national-control and background flags.

The registry lives in the store (``air_station``, migration 0002).  It is filled from

* the packaged registry files (``ingest/stations/*.yaml``: Beijing's 12 national-control
  stations with their CNEMC codes, so the PRSA files and the CNEMC feed meet);
* an editable CSV/YAML file (``ecozone air stations import FILE``);
* explicitly, from the station metadata of a CNEMC file (``--register-stations``).

An unknown station code is never guessed: the import stops with the file, row and code.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from ecozone.errors import InputError, clip
from ecozone.store.sqlsafe import registered

STATION_COLUMNS = ("code", "name_zh", "name_en", "city_code", "longitude", "latitude",
                   "national_control", "background", "source", "note")


@dataclass(frozen=True)
class Station:
    code: str
    name_zh: str
    city_code: str
    name_en: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    national_control: bool = True
    background: bool = False
    source: str | None = None
    note: str | None = None


@cache
def region_records() -> tuple[dict[str, Any], ...]:
    """Every record of the packaged region files (``data/regions/*.yaml``, in file-name order),
    parsed once per process (libyaml's C loader where available: the national file is large)."""
    folder = resources.files("ecozone") / "data" / "regions"
    out: list[dict[str, Any]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out += _yaml(entry.read_text(encoding="utf-8")) or []
    return tuple(out)


def _yaml(text: str) -> Any:
    """A packaged YAML file's content: the safe loader, libyaml's C version where available."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader (no arbitrary objects)


@cache
def city_names() -> dict[str, str]:
    """Region name, English name, alias or code -> GB/T 2260 code, from the packaged regions."""
    names: dict[str, str] = {}
    for rec in region_records():
        code = str(rec["code"])
        for name in (code, rec.get("name_zh"), rec.get("name_en"), *(rec.get("aliases") or [])):
            if name:
                names.setdefault(str(name), code)
    return names


@cache
def region_names() -> dict[str, str]:
    """GB/T 2260 code -> Chinese name, from the packaged regions."""
    out: dict[str, str] = {}
    for rec in region_records():
        out.setdefault(str(rec["code"]), str(rec.get("name_zh") or rec["code"]))
    return out


@cache
def region_members() -> dict[str, tuple[str, ...]]:
    """Group code -> member region codes (city groups such as group.cn_jjj_2_26), from the packaged regions."""
    out: dict[str, tuple[str, ...]] = {}
    for rec in region_records():
        if rec.get("members"):
            out.setdefault(str(rec["code"]), tuple(str(m) for m in rec["members"]))
    return out


def city_code(name: str) -> str | None:
    """The region code of a city name as data files write it (北京市, 北京, Beijing, 110000)."""
    return city_names().get(name.strip())


@cache
def packaged_stations() -> tuple[Station, ...]:
    folder = resources.files("ecozone.ingest") / "stations"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            for rec in _yaml(entry.read_text(encoding="utf-8")) or []:
                out.append(Station(**{k: rec.get(k) for k in Station.__dataclass_fields__ if k in rec},
                                   source=f"ecozone/ingest/stations/{entry.name}"))
    return tuple(out)


#: the header of the national network's published station list (站点列表-*.csv, the CNEMC
#: release's companion file) -> Station fields; ``对照点`` is Y/N
CNEMC_LIST_COLUMNS = {"监测点编码": "code", "监测点名称": "name_zh", "城市": "city", "经度": "longitude",
                      "纬度": "latitude", "对照点": "background"}
#: marks in a listed station's name that it has stopped reporting (停运150702: stopped 2015-07-02)
STOPPED_MARKS = ("停运", "停用", "撤销")


def background_name(name: str) -> tuple[str, bool]:
    """(the station's name without its 对照点 mark, whether it had one): the national release
    writes a background station as 定陵(对照点)."""
    return name.replace("(对照点)", "").replace("（对照点）", "").strip(), "对照点" in name


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (the national list circulates in GBK too)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError("不是 UTF-8 或 GBK 文本", "neither UTF-8 nor GBK text", file=name,
                             code="bad_encoding") from None


def _listed_city(name: str) -> str | None:
    """The prefecture of a city as the national list writes it: the name, or the name with 市
    (吉林: the city, not the province), a 地区 renamed 市 either way (铜仁地区; 那曲市, still
    那曲地区 in the 2020 codes), or an autonomous prefecture written 哈萨克州."""
    stem = name.removesuffix("市").removesuffix("地区")
    for candidate in (name, f"{name}市", f"{stem}市", f"{stem}地区", name.replace("哈萨克州", "哈萨克自治州")):
        code = city_code(candidate)
        if code:
            return code
    return None


def _refuse_unknown_listed_cities(records: list[dict[str, Any]], name: str) -> None:
    """Every city of the list the region dictionary cannot place, with its rows, in one error.

    The list also names county-level cities (寿光, 昆山 …) and new areas (兰州新区 …), which have
    no prefecture-level code: the national city assessment is by prefecture, so their stations
    are not registered under one by guess.  A list with a ``地级行政区`` column (some copies
    carry it) places them by that column.
    """
    unknown: dict[str, list[int]] = {}
    for i, rec in enumerate(records, start=2):
        city = str(rec.get("city") or "")
        if city and _listed_city(city) is None:
            unknown.setdefault(city, []).append(i)
    if unknown:
        shown = "; ".join(f"{clip(c)} (rows {', '.join(map(str, rows[:3]))}{' …' if len(rows) > 3 else ''})"
                          for c, rows in list(unknown.items())[:20])
        raise InputError(f"{len(unknown)} 个城市不在行政区划表中（县级市、新区没有地级代码）：{shown}",
                         f"{len(unknown)} cities are not in the region dictionary (county-level cities and new "
                         f"areas have no prefecture code; add a 地级行政区 column or leave those rows out): {shown}",
                         file=name, code="bad_station", detail={c: rows for c, rows in unknown.items()})


def _from_cnemc_list(rec: dict[str, Any]) -> dict[str, Any]:
    """A row of the national station list as Station fields.

    The list's ``对照点`` flag is Y both for background stations and for stations that have
    stopped (their names say 停运…): background is a Y flag on a station still running, or
    对照点 in the name.  ``-`` coordinates are missing.
    """
    out = {field: rec.get(column) for column, field in CNEMC_LIST_COLUMNS.items()}
    if rec.get("地级行政区"):  # a normalised prefecture name, where the copy carries one
        out["city"] = rec["地级行政区"]
    listed = str(out.get("name_zh") or "")
    stopped = any(mark in listed for mark in STOPPED_MARKS)
    name, named_background = background_name(listed)
    out["background"] = named_background or (_bool(out.get("background"), False) and not stopped)
    out["name_zh"] = name or out.get("code")
    out["note"] = "stopped (name in the national list) / 已停运" if stopped else None
    return out


def read_station_file(path: Path) -> list[Station]:
    """Stations from a CSV (header with the Station field names, or the national network's
    published list, :data:`CNEMC_LIST_COLUMNS`) or a YAML list.

    Anything unreadable or malformed is an :class:`InputError` naming the file and row.
    """
    name = str(path)
    try:
        text = _decode(path.read_bytes(), name)
    except FileNotFoundError:
        raise InputError("文件不存在", "no such file", file=name, code="no_such_file") from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹，不是文件", "this is a directory, not a file", file=name,
                         code="is_directory") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", file=name,
                         code="unreadable_file") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            records = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError("YAML 语法错误", f"YAML syntax error: {clip(getattr(exc, 'problem', exc), 120)}",
                             file=name, row=None if mark is None else mark.line + 1, code="bad_yaml") from None
    else:
        try:
            records = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise InputError(f"CSV 格式错误：{exc}", f"malformed CSV: {exc}", file=name, code="bad_csv") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError("应为站点列表（每项含 code、city 等字段）", "expected a list of stations (code, city, …)",
                         file=name, code="bad_station_file")
    listed = bool(records) and "监测点编码" in records[0]
    if listed:
        records = [_from_cnemc_list(rec) for rec in records]
        _refuse_unknown_listed_cities(records, name)
    stations = []
    for i, rec in enumerate(records, start=2):
        city = str(rec.get("city_code") or rec.get("city") or "")
        code = (_listed_city(city) if listed else city_code(city)) if city else None
        if not rec.get("code") or not code:
            raise InputError(f"站点须有编码和已知城市（得到 {clip(city)!r}）",
                             f"a station needs a code and a known city (got {clip(city)!r})", file=name, row=i,
                             code="bad_station")
        try:
            lon, lat = _float(rec.get("longitude")), _float(rec.get("latitude"))
        except ValueError:
            raise InputError("经纬度须为数字", "longitude and latitude must be numbers", file=name, row=i,
                             code="bad_station") from None
        if (lon is not None and not -180 <= lon <= 180) or (lat is not None and not -90 <= lat <= 90):
            raise InputError("经纬度超出范围", "longitude or latitude out of range", file=name, row=i,
                             value=f"{lon}, {lat}", code="bad_station")
        stations.append(Station(
            code=str(rec["code"]).strip(), name_zh=str(rec.get("name_zh") or rec.get("name") or rec["code"]),
            city_code=code, name_en=rec.get("name_en") or None, longitude=lon, latitude=lat,
            national_control=_bool(rec.get("national_control"), True),
            background=_bool(rec.get("background"), False), source=name, note=rec.get("note")))
    return stations


def _float(v: object) -> float | None:
    if v is None or str(v).strip() in ("", "-", "—"):
        return None
    x = float(str(v))
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(v)
    return x


def _bool(v: object, default: bool) -> bool:
    if v in (None, ""):
        return default
    return str(v).strip().lower() in ("1", "true", "yes", "y", "是")


def upsert_stations(con: duckdb.DuckDBPyConnection, stations: list[Station]) -> int:
    """Insert new stations and update changed ones (the registry is editable); returns changes."""
    if not stations:
        return 0
    table = pa.Table.from_pylist([{k: getattr(s, k) for k in STATION_COLUMNS} for s in stations])
    with registered(con, incoming=table):
        return _upsert(con)


def _upsert(con: duckdb.DuckDBPyConnection) -> int:
    """:func:`upsert_stations` of the registered table ``incoming``."""
    before = con.execute("SELECT count(*) FROM air_station").fetchall()[0]
    changed = con.execute(
        "SELECT count(*) FROM incoming i LEFT JOIN air_station s USING (code) "
        "WHERE s.code IS NULL OR s.city_code IS DISTINCT FROM i.city_code "
        "OR s.name_zh IS DISTINCT FROM i.name_zh OR s.background IS DISTINCT FROM i.background "
        "OR s.longitude IS DISTINCT FROM i.longitude OR s.latitude IS DISTINCT FROM i.latitude "
        "OR s.national_control IS DISTINCT FROM i.national_control "
        "OR s.name_en IS DISTINCT FROM coalesce(i.name_en, s.name_en)"
    ).fetchall()[0]
    cols = ", ".join(STATION_COLUMNS)
    updates = ", ".join(f"{c} = coalesce(excluded.{c}, air_station.{c})" for c in STATION_COLUMNS
                        if c != "code")
    con.execute(  # sql: vetted (cols, updates from STATION_COLUMNS)
        f"INSERT INTO air_station (station_id, {cols}) "
        f"SELECT nextval('air_station_id_seq'), {cols} FROM incoming "
        f"ON CONFLICT (code) DO UPDATE SET {updates}"
    )
    del before
    return int(changed[0]) if changed else 0


def ensure_packaged_stations(con: duckdb.DuckDBPyConnection) -> None:
    """Register the packaged stations that the store does not know yet (never overwrites edits)."""
    known = {r[0] for r in con.execute("SELECT code FROM air_station").fetchall()}
    new = [s for s in packaged_stations() if s.code not in known]
    upsert_stations(con, new)


def list_stations(con: duckdb.DuckDBPyConnection, city: str | None = None) -> list[dict[str, object]]:
    sql = ("SELECT s.station_id, s.code, s.name_zh, s.name_en, s.city_code, "
           "s.longitude, s.latitude, s.national_control, s.background, s.source FROM air_station s")
    params: list[object] = []
    if city:
        sql += " WHERE s.city_code = ?"
        params.append(city)
    cur = con.execute(sql + " ORDER BY s.city_code, s.code", params)  # sql: vetted (constant parts)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        row["city"] = region_names().get(str(row["city_code"]), row["city_code"])
    return rows
