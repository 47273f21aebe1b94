"""The energy and carbon engine in the REST API: thin routes over :mod:`ecozone.energy.service`
and :mod:`ecozone.carbon.service` (the same functions the CLI calls).

* ``POST /api/v1/energy/account`` and ``POST /api/v1/energy/intensity`` compute from uploaded
  files (CSV or Excel, the CLI's ``--input`` / ``--gdp``) and write nothing;
* ``GET /api/v1/carbon/facilities``, ``/carbon/ledger``, ``/carbon/reductions`` read the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from ecozone.access.audit import record as audit
from ecozone.access.users import Principal, Role
from ecozone.api.common import FormatQ, State, listing, plain, reader, require, saved_upload
from ecozone.carbon import service as carbon
from ecozone.energy import service
from ecozone.ingest import energy as ingest
from ecozone.standards.carbon import ipcc2006
from ecozone.standards.energy import gb2589

router = APIRouter(prefix="/api/v1", dependencies=[Depends(reader)])

ElecQ = Annotated[str, Query(description="purchased electricity: equivalent (0.1229 kgce/kWh) or coal_consumption",
                             pattern="^(equivalent|coal_consumption)$")]
PrimaryQ = Annotated[str, Query(description="hydro, wind, solar, nuclear: coal_consumption (default) or equivalent",
                                pattern="^(equivalent|coal_consumption)$")]
ScopeQ = Annotated[str, Query(max_length=40, description="grid factor scope: country.cn, grid.north_china, 130000")]
KindQ = Annotated[str, Query(max_length=40, description="grid factor kind: " + ", ".join(ipcc2006.GRID_KINDS))]
YearsQ = Annotated[list[int] | None, Query(description="only these years")]


def _options(electricity_method: str, primary_method: str, grid_scope: str, grid_kind: str) -> service.Options:
    return service.Options(electricity_method, primary_method, grid_scope, grid_kind)


@router.post("/energy/account", tags=["energy"],
             summary="total energy (tce), by fuel, coal and non-fossil shares, CO2 per region and year (GB/T 2589-2020)")
def energy_account(
    file: Annotated[UploadFile, File(description="energy use: region,year,fuel,quantity,unit (CSV or Excel)")],
    year: YearsQ = None, electricity_method: ElecQ = "equivalent", primary_method: PrimaryQ = "coal_consumption",
    grid_scope: ScopeQ = ipcc2006.DEFAULT_GRID_SCOPE, grid_kind: KindQ = "average",
) -> JSONResponse:
    opts = _options(electricity_method, primary_method, grid_scope, grid_kind)
    with saved_upload(file, "energy") as path:
        acc = service.account(ingest.read_energy(path), opts, years=year)
    return JSONResponse(plain({"items": acc.rows, "count": len(acc.rows), "editions": acc.editions,
                               "warnings": acc.warnings}))


@router.post("/energy/intensity", tags=["energy"],
             summary="energy and CO2 intensity per 10,000 yuan (constant prices) and their change against a base year")
def energy_intensity(
    file: Annotated[UploadFile, File(description="energy use: region,year,fuel,quantity,unit")],
    gdp: Annotated[UploadFile, File(description="GDP: region,year,gdp_constant (or gdp_index)")],
    base_year: Annotated[int, Query(ge=1949, le=2100)],
    year: YearsQ = None, electricity_method: ElecQ = "equivalent", primary_method: PrimaryQ = "coal_consumption",
    grid_scope: ScopeQ = ipcc2006.DEFAULT_GRID_SCOPE, grid_kind: KindQ = "average",
) -> JSONResponse:
    opts = _options(electricity_method, primary_method, grid_scope, grid_kind)
    with saved_upload(file, "energy") as epath, saved_upload(gdp, "gdp") as gpath:
        energy = ingest.read_energy(epath)
        years = sorted({*year, base_year}) if year else None
        acc = service.account(energy, opts, years=years)
        rows = service.intensity(acc, ingest.read_gdp(gpath), base_year)
    if year:
        rows = [r for r in rows if r["year"] in year]
    return JSONResponse(plain({"items": rows, "count": len(rows), "editions": acc.editions,
                               "warnings": acc.warnings}))


@router.get("/energy/fuels", tags=["energy"], summary="fuels and their GB/T 2589-2020 Table A.1 coefficients")
def energy_fuels(request: Request, fmt: FormatQ = None) -> Response:
    rows = [{"fuel": f.id, "name_zh": f.name_zh, "name_en": f.name_en, "group": f.group, "unit": f.unit,
             "kgce": f.kgce, "kgce_min": f.kgce_min, "kgce_max": f.kgce_max, "choice": f.choice}
            for f in gb2589.REFERENCE_COEFFICIENTS.values()]
    return listing(request, rows, key="fuel", fmt=fmt, cursor=None, limit=None, name="fuels")


def _registry(st: Any) -> None:
    """Load the packaged facility list once (a write, serialised like every other)."""
    if not carbon.registry_loaded(st.cursor()):
        with st.writing() as con:
            carbon.ensure_registry(con)


CityQ = Annotated[str | None, Query(max_length=40, description="city name or code, e.g. 唐山市 or 130200")]


@router.get("/carbon/facilities", tags=["carbon"],
            summary="the Hebei power companies of the national carbon market listed in 2022 (seed 003, 4.19)")
def carbon_facilities(request: Request, st: State, city: CityQ = None, fmt: FormatQ = None) -> Response:
    _registry(st)
    return listing(request, carbon.list_facilities(st.cursor(), city), key="facility_id", fmt=fmt, cursor=None,
                   limit=None, name="facilities")


@router.get("/carbon/facilities/registry", tags=["carbon"], summary="the list: source, stated and listed counts")
def carbon_registry(st: State) -> dict[str, Any]:
    _registry(st)
    return plain(carbon.registry_info(st.cursor()))


@router.get("/carbon/ledger", tags=["carbon"],
            summary="each listed facility's allowances − verified emissions, compliance status, and the total")
def carbon_ledger(request: Request, st: State, year: Annotated[int, Query(ge=2013, le=2100)], city: CityQ = None,
                  fmt: FormatQ = None) -> Response:
    _registry(st)
    led = carbon.ledger(st.cursor(), year, city)
    if fmt == "csv" or "text/csv" in request.headers.get("accept", ""):
        return listing(request, led.rows, key="facility_id", fmt="csv", cursor=None, limit=None,
                       name=f"carbon-ledger-{year}")
    return JSONResponse(plain({"year": year, "items": led.rows, "count": len(led.rows), "total": led.total}))


@router.get("/carbon/reductions", tags=["carbon"],
            summary="stored key-project reductions (COD, NH3-N, NOx, VOCs) against the plans' quotas")
def carbon_reductions(request: Request, st: State, fmt: FormatQ = None) -> Response:
    con = st.cursor()
    rows = carbon.reduction_progress(con, carbon.stored_reductions(con))
    for r in rows:
        r["key"] = f"{r['region_code']}:{r['pollutant']}:{r['target_id']}"
    return listing(request, rows, key="key", fmt=fmt, cursor=None, limit=None, name="reductions")


@router.post("/carbon/ledger/import", tags=["write"], status_code=201,
             summary="import verified emissions and allowances per facility and year (all or nothing) — editor")
def carbon_ledger_import(request: Request, st: State, file: Annotated[UploadFile, File()],
                         who: Principal = require(Role.EDITOR)) -> JSONResponse:
    _registry(st)
    name = Path(file.filename or "ledger.csv").name[:120]
    with saved_upload(file, "ledger") as path, st.writing() as con:
        n = carbon.import_ledger(con, path, transactional=False)
        report = {"file": name, "facility_years": n}
        audit(con, actor=who.name, action="carbon.ledger.import", obj=name, before=None, after=report,
              role=who.role.value, token_id=who.token_id, client=request.client.host if request.client else None)
    return JSONResponse(report, status_code=201)
