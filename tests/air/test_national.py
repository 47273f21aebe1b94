"""The national network as data: every province and prefecture, city groups, registration of
stations of any province from the CNEMC files' own ``area`` and ``positionname`` columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ecozone.air import service
from ecozone.cli import app
from ecozone.ingest.common import ImportRejected
from ecozone.ingest.stations import city_code, region_members, region_names
from ecozone.store.db import connect

runner = CliRunner()
REGIONS = Path(service.__file__).resolve().parents[1] / "data" / "regions"
HEADER = ("timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,"
          "pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h")
#: stations as the national release writes them (codes, names and places of the real network)
STATIONS = [("2803A", "87.6", "43.8", "乌鲁木齐市", "收费所"), ("2834A", "91.1", "29.6", "拉萨市", "市环保局"),
            ("1885A", "129.5", "42.9", "延边州", "延吉市监测站"), ("1489A", "110.3", "20.0", "海口市", "海南大学"),
            ("2879A", "86.1", "41.7", "巴州", "库尔勒市监测站"), ("1901A", "129.5", "42.9", "延边州", "敦化(对照点)")]


def _cnemc_day(folder: Path, stations: list[tuple[str, str, str, str, str]], level: int = 30) -> list[Path]:
    paths = []
    for h in range(24):
        ts = f"2022-01-04T{h:02d}:00:00" if h else "2022-01-05T00:00:00"
        rows = [f"{ts},{code},{lon},{lat},{area},{name},,50,{level + 20 + i},,{level + i},,{60 + h},,,,{20 + i},,"
                f"{5 + i},,0.{5 + i},"
                for i, (code, lon, lat, area, name) in enumerate(stations)]
        path = folder / f"2022-01-04T{h:02d}.csv"
        path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_every_province_and_prefecture_has_a_code() -> None:
    names = region_names()
    provinces = [c for c in names if len(c) == 6 and c.isdigit() and c.endswith("0000")]
    prefectures = [c for c in names if len(c) == 6 and c.isdigit() and c.endswith("00") and not c.endswith("0000")]
    assert len(provinces) == 34                      # 31 mainland + Hong Kong, Macao, Taiwan
    assert len(prefectures) >= 333                   # 293 cities, 7 prefectures, 30 autonomous prefectures, 3 leagues
    for name, code in [("乌鲁木齐市", "650100"), ("拉萨", "540100"), ("延边州", "222400"), ("巴州", "652800"),
                       ("克州", "653000"), ("海口市", "460100"), ("石家庄市", "130100"), ("北京市", "110000")]:
        assert city_code(name) == code, name
    assert city_code("吉林") is None or city_code("吉林") == "220000"   # ambiguous short name: never the city


def test_city_groups_have_their_members_and_source() -> None:
    groups = {g["code"]: g for g in yaml.safe_load((REGIONS / "china_city_groups.yaml").read_text(encoding="utf-8"))}
    sizes = {code: len(g["members"]) for code, g in groups.items()}
    assert sizes == {"group.cn_jjj_2_26": 28, "group.cn_fenwei_plain": 11, "group.cn_yangtze_river_delta": 41,
                     "group.cn_pearl_river_delta": 9}
    assert all("〔" in g["note"] for g in groups.values())          # the defining document is named
    names = region_names()
    assert all(m in names for g in groups.values() for m in g["members"])
    assert service.resolve_cities(["group.cn_fenwei_plain"]) == list(region_members()["group.cn_fenwei_plain"])


def test_cnemc_stations_of_any_province_register_and_rank(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    files = _cnemc_day(tmp_path, STATIONS)
    res = runner.invoke(app, ["air", "import", *map(str, files), "--register-stations", "--db", str(db)])
    assert res.exit_code == 0, res.output
    con = connect(db)
    reg = dict(con.execute("SELECT code, city_code FROM air_station WHERE code IN "
                           "('2803A','2834A','1885A','1489A','2879A','1901A')").fetchall())
    assert reg == {"2803A": "650100", "2834A": "540100", "1885A": "222400", "1489A": "460100",
                   "2879A": "652800", "1901A": "222400"}
    assert con.execute("SELECT background FROM air_station WHERE code = '1901A'").fetchall()[0][0] is True
    con.close()
    res = runner.invoke(app, ["air", "rank", "--year", "2022", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    ranked = [r for r in json.loads(res.stdout[res.stdout.index("["):]) if r["rank"]]  # cities with data
    assert {r["city_name"] for r in ranked} == {"乌鲁木齐市", "拉萨市", "延边朝鲜族自治州", "海口市", "巴音郭楞蒙古自治州"}
    assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked) and ranked[0]["rank"] == 1


def test_unknown_city_under_register_stations_names_the_city(tmp_path: Path) -> None:
    """Audit finding: a station of a city missing from the dictionary was reported as
    "use --register-stations" even with that option; now the error names the city."""
    files = _cnemc_day(tmp_path, [("9999A", "100.0", "30.0", "不存在市", "某站")])
    with pytest.raises(ImportRejected) as exc:
        service.import_files(connect(":memory:"), files, "cnemc", register_stations=True)
    assert len(exc.value.issues) == 24                                   # one per file, each naming the city
    for issue in exc.value.issues:
        assert issue.column == "area" and issue.value == "不存在市" and "--register-stations" not in issue.reason


#: rows in the layout of the national network's published station list (站点列表-*.csv), GBK as
#: the list circulates: a background station, a stopped one, a missing coordinate, names the list
#: writes its own way (吉林 the city, 铜仁地区 now 铜仁市, 伊犁哈萨克州)
NATIONAL_LIST = """监测点编码,监测点名称,城市,经度,纬度,对照点
1001A,万寿西宫,北京,116.3621,39.8784,N
1002A,定陵(对照点),北京,116.2202,40.2915,Y
1013A,市监测中心(停运150702),北京,116.3,39.9,Y
1045A,市政府,秦皇岛,-,-,N
1208A,哈达湾,吉林,126.5,43.9,N
2553A,铜仁市环保局,铜仁地区,109.2,27.7,N
2881A,伊宁市环保局,伊犁哈萨克州,81.3,43.9,N
"""


def test_the_national_station_list_registers(tmp_path: Path) -> None:
    from ecozone.ingest.stations import read_station_file

    path = tmp_path / "站点列表.csv"
    path.write_bytes(NATIONAL_LIST.encode("gb18030"))
    res = runner.invoke(app, ["air", "stations", "import", str(path), "--db", str(tmp_path / "s.duckdb")])
    assert res.exit_code == 0, res.output
    got = {s.code: s for s in read_station_file(path)}
    assert {c: s.city_code for c, s in got.items()} == {
        "1001A": "110000", "1002A": "110000", "1013A": "110000", "1045A": "130300", "1208A": "220200",
        "2553A": "520600", "2881A": "654000"}
    assert got["1002A"].background and got["1002A"].name_zh == "定陵"
    assert not got["1013A"].background and got["1013A"].note          # stopped, not a background station
    assert got["1045A"].longitude is None and got["1045A"].latitude is None


def test_the_national_station_list_names_every_city_it_cannot_place(tmp_path: Path) -> None:
    from ecozone.errors import InputError
    from ecozone.ingest.stations import read_station_file

    path = tmp_path / "list.csv"
    path.write_text(NATIONAL_LIST + "1995A,寿光监测站,寿光,118.7,36.9,N\n2990A,兰州新区站,兰州新区,103.6,36.5,N\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_station_file(path)
    assert "寿光 (rows 9)" in exc.value.en and "兰州新区 (rows 10)" in exc.value.en
