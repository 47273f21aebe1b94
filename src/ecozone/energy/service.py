"""The energy account: total energy, shares, CO2 and intensities per region and year.

One function per user-visible verb, shared by the CLI, the API and the notebook API:

* :func:`account` — energy use rows (from :func:`ecozone.ingest.energy.read_energy`) to total
  energy (tce), energy by fuel, coal and non-fossil shares, CO2 (t), with the factor editions;
* :func:`intensity` — an account and GDP rows to energy and CO2 intensity per 10,000 yuan at
  constant prices and their change against a base year;
* :func:`record` — the results as ``computed`` observations of the catalogue's indicators, so
  that tracking judges the energy and carbon targets.

The rules live in :mod:`ecozone.standards.energy.gb2589` and :mod:`ecozone.standards.carbon.
ipcc2006`; this module only joins, aggregates (in DuckDB) and records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from ecozone.errors import InputError
from ecozone.standards.carbon import ipcc2006
from ecozone.standards.energy import gb2589
from ecozone.standards.factors import FactorTable, factor_table, parse_factor_text
from ecozone.store.observations import WriteResult, write_observations

METHOD_ID = "ecozone-energy"
METHOD_VERSION = "ecozone-energy 1.0"
#: indicators the account and the intensities write (ids of data/indicators/core.yaml, 000.yaml)
IND_TOTAL = "energy.total_energy_consumption"  # 万吨标准煤
IND_COAL_SHARE = "energy.coal_share"  # %
IND_COAL = "energy.coal_consumption"  # 万吨
IND_NON_FOSSIL = "energy.non_fossil_share"  # %
IND_CO2 = "climate.co2_emissions"  # 万吨
IND_ENERGY_INTENSITY = "energy.energy_intensity"  # 吨标准煤/万元
IND_CO2_INTENSITY = "climate.co2_intensity"  # 吨/万元


@dataclass(frozen=True)
class Options:
    """The choices a result depends on; each is recorded with it.

    ``coal_rate_file`` and ``grid_factor_file`` replace the packaged factor tables with a user's
    own (same columns, a ``# edition:`` line): changing an edition is a parameter, and the
    edition is recorded with every result.
    """

    electricity_method: str = "equivalent"
    primary_method: str = "coal_consumption"
    grid_scope: str = ipcc2006.DEFAULT_GRID_SCOPE
    grid_kind: str = "average"
    coal_rate_file: Path | None = None
    grid_factor_file: Path | None = None

    def coal_rates(self) -> FactorTable:
        if self.coal_rate_file is None:
            return factor_table("power_coal_rate")
        return _user_table(self.coal_rate_file, gb2589.COAL_RATE_COLUMNS)

    def grid(self) -> tuple[ipcc2006.GridFactor, ...]:
        if self.grid_factor_file is None:
            return ipcc2006.GRID_FACTORS
        return ipcc2006.grid_factors(_user_table(self.grid_factor_file, ipcc2006.GRID_COLUMNS))

    def grid_edition(self) -> str:
        if self.grid_factor_file is None:
            return ipcc2006.GRID_EDITION
        return _user_table(self.grid_factor_file, ipcc2006.GRID_COLUMNS).edition

    def check(self) -> None:
        for name, value in (("--electricity-method", self.electricity_method), ("--primary-method", self.primary_method)):
            if value not in gb2589.ELECTRICITY_METHODS:
                raise InputError(f"{name} 只能是 {', '.join(gb2589.ELECTRICITY_METHODS)}",
                                 f"{name} must be one of {', '.join(gb2589.ELECTRICITY_METHODS)}", value=value)
        if self.grid_kind not in ipcc2006.GRID_KINDS:
            raise InputError(f"--grid-kind 只能是 {', '.join(ipcc2006.GRID_KINDS)}",
                             f"--grid-kind must be one of {', '.join(ipcc2006.GRID_KINDS)}", value=self.grid_kind)
        grid = self.grid()
        self.coal_rates()
        if not any(g.scope == self.grid_scope and g.kind == self.grid_kind for g in grid):
            scopes = sorted({g.scope for g in grid if g.kind == self.grid_kind})
            raise InputError(f"没有该范围的电力排放因子（可选：{', '.join(scopes)}）",
                             f"no electricity CO2 factor for this scope (available: {', '.join(scopes)})",
                             value=self.grid_scope)


@dataclass
class Account:
    """The account of every region-year plus what it used."""

    rows: list[dict[str, Any]]
    editions: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def _names_en() -> dict[str, str]:
    """English region names (the catalogue's ``name_en``) by code."""
    from ecozone.catalogue.loader import packaged_catalogue

    return {code: r.name_en for code, r in packaged_catalogue().regions.items()}


def _user_table(path: Path, columns: tuple[str, ...]) -> FactorTable:
    """A user's factor table, checked: its columns, an edition line, numbers where numbers go."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError("无法读取因子文件", f"cannot read the factor file: {exc.strerror}", file=str(path)) from exc
    try:
        table = parse_factor_text(path.stem, text, columns)
        value = "factor" if "factor" in columns else columns[1]
        for n, r in enumerate(table.rows, start=1):
            try:
                int(r["year"])
                float(r[value])
            except (ValueError, TypeError) as exc:
                raise ValueError(f"data row {n}: year {r.get('year')!r}, {value} {r.get(value)!r} are not numbers") from exc
    except (ValueError, TypeError) as exc:
        raise InputError(f"因子文件格式错误：{exc}（应有列 {', '.join(columns)} 与 '# edition:' 行）",
                         f"bad factor file: {exc} (needs columns {', '.join(columns)} and an '# edition:' line)",
                         file=str(path)) from exc
    return table


def _grid_factors(years: Sequence[int], opts: Options) -> tuple[dict[int, ipcc2006.GridFactor], list[str]]:
    found, warnings = {}, []
    factors = opts.grid()
    for y in sorted(set(years)):
        g = ipcc2006.grid_factor(y, scope=opts.grid_scope, kind=opts.grid_kind, factors=factors)
        if g is None:
            continue
        found[y] = g
        if g.year != y:
            warnings.append(f"{y}: no published electricity CO2 factor; the {g.year} factor {g.factor} tCO2/MWh "
                            f"({g.scope}, {g.kind}) is used / {y}年无电力排放因子，采用{g.year}年因子")
    return found, warnings


def account(energy: pa.Table, opts: Options | None = None, *, years: Sequence[int] | None = None) -> Account:
    """Total energy, energy by fuel, coal and non-fossil shares and CO2 per region and year.

    ``energy`` has region_code, region_name, year, fuel, quantity_base (the fuel's base unit).
    Shares are per cent of total energy; CO2 is combustion CO2 of fossil fuels plus purchased
    electricity (grid factor of the year) and heat.
    """
    opts = opts or Options()
    opts.check()
    if years:
        mask = np.isin(np.asarray(energy.column("year")), list(years))
        energy = energy.filter(pa.array(mask))
    fuel = np.asarray(energy.column("fuel").to_pylist(), dtype=object)
    year = np.asarray(energy.column("year"), dtype=np.int64)
    qty = np.asarray(energy.column("quantity_base"), dtype=np.float64)
    rates = opts.coal_rates()
    tce = gb2589.standard_coal(qty, fuel, year, electricity_method=opts.electricity_method,
                               primary_method=opts.primary_method, coal_rates=rates)
    grid, warnings = _grid_factors(year.tolist(), opts)
    uniq_years, inv = np.unique(year, return_inverse=True) if len(year) else (np.array([], np.int64), np.array([], np.int64))
    ef = np.array([grid[int(y)].factor if int(y) in grid else np.nan for y in uniq_years])[inv] if len(year) else np.array([])
    fuels, fuel_inv = np.unique(fuel, return_inverse=True)
    group = np.array([gb2589.REFERENCE_COEFFICIENTS[f].group for f in fuels], dtype=object)[fuel_inv]
    co2 = ipcc2006.combustion_co2(qty, fuel)
    co2 = np.where(group == "electricity", ipcc2006.electricity_co2(qty, ef), co2)
    co2 = np.where(group == "heat", ipcc2006.heat_co2(qty), co2)
    missing_rate = np.unique(year[np.isnan(tce)]).tolist()
    if missing_rate:
        raise InputError(
            f"缺少 {', '.join(map(str, missing_rate))} 年的火电供电煤耗（发电煤耗法需要）；可改用 --primary-method equivalent 或用 --coal-rate-file 提供",
            f"no thermal-power coal rate for {', '.join(map(str, missing_rate))} (the coal-consumption method needs it); "
            "use --primary-method equivalent / --electricity-method equivalent, or give --coal-rate-file",
            column="year")
    rows_in = energy.select(["region_code", "region_name", "year", "fuel", "quantity_base"]).append_column(
        "group", pa.array(group.tolist(), pa.string())).append_column("tce", pa.array(tce)).append_column(
        "co2", pa.array(co2))
    con = duckdb.connect()
    con.register("rows_in", rows_in)
    try:
        rows = con.sql(
            "SELECT region_code, any_value(region_name) AS region_name, year, sum(tce) AS tce_total,"
            " map_from_entries(list((fuel, tce) ORDER BY fuel)) AS tce_by_fuel,"
            " 100 * coalesce(sum(tce) FILTER (WHERE \"group\" = 'coal'), 0) / nullif(sum(tce), 0) AS coal_share,"
            " 100 * coalesce(sum(tce) FILTER (WHERE \"group\" = 'primary_electricity'), 0) / nullif(sum(tce), 0)"
            "   AS non_fossil_share,"
            " coalesce(sum(quantity_base) FILTER (WHERE fuel IN (SELECT unnest(?::VARCHAR[]))), 0) / 1000"
            "   AS coal_t,"
            " sum(co2) AS co2_t, sum(co2) FILTER (WHERE \"group\" IN ('coal', 'oil', 'gas')) AS co2_combustion_t,"
            " coalesce(sum(co2) FILTER (WHERE \"group\" IN ('electricity', 'heat')), 0) AS co2_purchased_t"
            " FROM rows_in GROUP BY region_code, year ORDER BY region_code, year",
            params=[list(gb2589.COAL_CONSUMPTION_FUELS)]).to_arrow_table().to_pylist()
    finally:
        con.close()
    names_en = _names_en()
    for r in rows:
        r["region_name_en"] = names_en.get(r["region_code"], r["region_code"])
        r["tce_by_fuel"] = dict(r["tce_by_fuel"]) if not isinstance(r["tce_by_fuel"], dict) else r["tce_by_fuel"]
        g = grid.get(r["year"])
        r["grid_factor"] = None if g is None else g.factor
        r["grid_factor_year"] = None if g is None else g.year
        r["energy_edition"] = gb2589.method_label(opts.electricity_method, opts.primary_method)
        r["coal_rate_edition"] = rates.edition
        r["co2_edition"] = ipcc2006.EDITION
        r["grid_edition"] = None if g is None else f"{g.year} {g.scope} {g.kind}: {g.source}"
    editions = {"energy": gb2589.method_label(opts.electricity_method, opts.primary_method),
                "co2": ipcc2006.EDITION, "grid": opts.grid_edition(), "coal_rate": rates.edition}
    for r in rows:
        r["editions"] = editions
    return Account(rows, editions, warnings)


def intensity(acc: Account, gdp: pa.Table, base_year: int) -> list[dict[str, Any]]:
    """Energy and CO2 intensity [t / 10^4 yuan at constant prices] and their change [%] against
    ``base_year``, per region and year, as the plans state them (单位地区生产总值能源消耗 比
    基准年下降 x%).

    Intensity = energy (tce) / GDP at constant prices (10^4 yuan).  With a GDP volume index only
    (``gdp_index``), the level is unknown but the change is exact: ``(E_t/I_t) / (E_b/I_b) − 1``.
    A change is negative when intensity fell.  A region-year with energy use but no GDP row is
    kept, with empty intensities (``gdp_missing``), never dropped silently.
    """
    acct = pa.Table.from_pylist([{k: r[k] for k in ("region_code", "region_name", "year", "tce_total", "co2_t")}
                                 for r in acc.rows],
                                schema=pa.schema([("region_code", pa.string()), ("region_name", pa.string()),
                                                  ("year", pa.int64()), ("tce_total", pa.float64()),
                                                  ("co2_t", pa.float64())]))
    con = duckdb.connect()
    con.register("acct", acct)
    con.register("g", gdp)
    try:
        mixed = con.sql("SELECT region_code, count(DISTINCT price_year) FROM g GROUP BY 1 HAVING count(DISTINCT price_year) > 1"
                        ).fetchall()
        if mixed:
            regions = ", ".join(str(m[0]) for m in mixed)
            raise InputError(f"同一地区的不变价 GDP 使用了不同的价格基准年：{regions}",
                             f"the constant-price GDP of one region mixes price years: {regions}", column="price_year")
        rows = con.execute("""
            WITH j AS (
                SELECT a.region_code, a.region_name, a.year, a.tce_total, a.co2_t, g.gdp_constant, g.gdp_index,
                       g.price_year,
                       coalesce(g.gdp_constant, g.gdp_index) AS volume,
                       g.gdp_constant IS NULL AS index_only
                FROM acct a LEFT JOIN g ON g.region_code = a.region_code AND g.year = a.year),
            b AS (SELECT region_code, tce_total / volume AS e_base, co2_t / volume AS c_base, index_only AS b_index
                  FROM j WHERE year = ?)
            SELECT j.region_code, j.region_name, j.year, ? AS base_year, j.tce_total, j.co2_t, j.gdp_constant,
                   j.gdp_index, j.price_year,
                   CASE WHEN NOT j.index_only THEN j.tce_total / j.gdp_constant END AS energy_intensity,
                   CASE WHEN NOT j.index_only THEN j.co2_t / j.gdp_constant END AS co2_intensity,
                   CASE WHEN b.e_base > 0 AND j.index_only = b.b_index
                        THEN 100 * ((j.tce_total / j.volume) / b.e_base - 1) END AS energy_intensity_change_pct,
                   CASE WHEN b.c_base > 0 AND j.index_only = b.b_index
                        THEN 100 * ((j.co2_t / j.volume) / b.c_base - 1) END AS co2_intensity_change_pct
            FROM j LEFT JOIN b ON b.region_code = j.region_code
            ORDER BY j.region_code, j.year""", [base_year, base_year]).fetchall()
        names = ["region_code", "region_name", "year", "base_year", "tce_total", "co2_t", "gdp_constant", "gdp_index",
                 "price_year", "energy_intensity", "co2_intensity", "energy_intensity_change_pct",
                 "co2_intensity_change_pct"]
        out = [dict(zip(names, r, strict=True)) for r in rows]
    finally:
        con.close()
    for r in out:
        r["gdp_missing"] = r["gdp_constant"] is None and r["gdp_index"] is None
    have_base = {r["region_code"] for r in out if r["year"] == base_year and not r["gdp_missing"]}
    missing = sorted({r["region_code"] for r in acc.rows} - have_base)
    if missing:
        raise InputError(f"基准年 {base_year} 缺少能源或 GDP 数据的地区：{', '.join(missing)}",
                         f"no energy or GDP data in the base year {base_year} for: {', '.join(missing)}",
                         column="year")
    names_en = _names_en()
    for r in out:
        r["region_name_en"] = names_en.get(r["region_code"], r["region_code"])
        r["editions"] = acc.editions
    return out


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def observation_rows(acc: Account, intens: list[dict[str, Any]] | None, inputs: Sequence[Path],
                     opts: Options) -> pa.Table:
    """The account (and intensities) as observation rows for tracking."""
    src = ", ".join(p.name for p in inputs) + f" (sha256 {_digest(inputs)})"
    version = (f"{METHOD_VERSION}; {acc.editions['energy']}; coal rate {acc.editions['coal_rate']}; "
               f"{acc.editions['co2']}; grid {opts.grid_scope} {opts.grid_kind}: {acc.editions['grid']}")
    out: list[dict[str, Any]] = []

    def add(region: str, year: int, ind: str, value: float | None, unit: str, method: str,
            measure: str = "level", base_year: int | None = None) -> None:
        if value is None or value != value:
            return
        out.append({"region_code": region, "indicator_id": ind, "period": str(year), "year": year,
                    "measure": measure, "base_year": base_year, "value": float(value), "unit": unit,
                    "source_type": "computed", "source_id": METHOD_ID, "source_detail": src,
                    "method": method, "method_version": version})

    for r in acc.rows:
        add(r["region_code"], r["year"], IND_TOTAL, r["tce_total"] / 1e4, "万吨标准煤", gb2589.EDITION)
        add(r["region_code"], r["year"], IND_COAL_SHARE, r["coal_share"], "%", gb2589.EDITION)
        add(r["region_code"], r["year"], IND_COAL, r["coal_t"] / 1e4, "万吨", "physical tonnes of raw and washed coal")
        add(r["region_code"], r["year"], IND_NON_FOSSIL, r["non_fossil_share"], "%", gb2589.EDITION)
        add(r["region_code"], r["year"], IND_CO2, r["co2_t"] / 1e4, "万吨", ipcc2006.EDITION)
    for r in intens or []:
        add(r["region_code"], r["year"], IND_ENERGY_INTENSITY, r["energy_intensity"], "吨标准煤/万元", gb2589.EDITION)
        add(r["region_code"], r["year"], IND_CO2_INTENSITY, r["co2_intensity"], "吨/万元", ipcc2006.EDITION)
        if r["year"] > r["base_year"]:
            for ind, key in ((IND_ENERGY_INTENSITY, "energy_intensity_change_pct"),
                             (IND_CO2_INTENSITY, "co2_intensity_change_pct")):
                v = r[key]
                add(r["region_code"], r["year"], ind, None if v is None else -v, "%",
                    gb2589.EDITION if ind == IND_ENERGY_INTENSITY else ipcc2006.EDITION,
                    "reduce_by_pct", r["base_year"])
    schema = pa.schema([("region_code", pa.string()), ("indicator_id", pa.string()), ("period", pa.string()),
                        ("year", pa.int32()), ("measure", pa.string()), ("base_year", pa.int32()),
                        ("value", pa.float64()), ("unit", pa.string()), ("source_type", pa.string()),
                        ("source_id", pa.string()), ("source_detail", pa.string()), ("method", pa.string()),
                        ("method_version", pa.string())])
    return pa.Table.from_pylist(out, schema=schema)


RECORD_KEY = ("region_code", "indicator_id", "period", "measure", "base_year", "source_type", "source_id")


def record(con: duckdb.DuckDBPyConnection, acc: Account, intens: list[dict[str, Any]] | None,
           inputs: Sequence[Path], opts: Options) -> WriteResult:
    """Write the results as observations (append-only; a changed value supersedes).  The caller
    owns the transaction."""
    return write_observations(con, observation_rows(acc, intens, inputs, opts), key=RECORD_KEY,
                              recorded_by=METHOD_ID, reason="recomputed / 重新计算")
