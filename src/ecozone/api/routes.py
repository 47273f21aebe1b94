"""The REST API under ``/api/v1``: thin routes over the catalogue, tracking and air services."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ecozone.access.audit import entries as audit_entries
from ecozone.access.audit import record as audit
from ecozone.access.users import Principal, Role
from ecozone.api.common import (
    Caller,
    CursorQ,
    FormatQ,
    LimitQ,
    State,
    listing,
    one,
    plain,
    reader,
    require,
    saved_upload,
    upload_name,
)
from ecozone.api.errors import api_error
from ecozone.catalogue.service import (
    ObservationFilter,
    TargetFilter,
    get_target,
    list_observations,
    list_targets,
    plan_summary,
)
from ecozone.errors import InputError, clip
from ecozone.ingest.observations import ImportFailed, import_file
from ecozone.store.observations import correct_observation, history
from ecozone.tracking.evaluate import TrackFilter, evaluate
from ecozone.tracking.judgement import record_judgement
from ecozone.tracking.rollup import DIMENSIONS, league_table, rollup
from ecozone.web.views import statements

router = APIRouter(prefix="/api/v1", dependencies=[Depends(reader)])

RegionQ = Annotated[str | None, Query(max_length=100, description="region code or name, e.g. 131000 or 廊坊市")]
ChildrenQ = Annotated[bool, Query(description="include the regions below `region`")]
DomainQ = Annotated[str | None, Query(max_length=50, description="domain id: air, water, climate …")]
YearQ = Annotated[int | None, Query(ge=1900, le=2100)]
KindQ = Annotated[str | None, Query(max_length=20, description="binding, expected, strive, unstated")]
DocQ = Annotated[str | None, Query(max_length=20, description="document id, e.g. 002 or 003-4.7")]
IndicatorQ = Annotated[str | None, Query(max_length=100, description="indicator id, e.g. air.pm25_annual_mean")]
AsOfQ = Annotated[int | None, Query(ge=1900, le=2100, description="evaluation year (default: the service's)")]
TargetId = Annotated[str, PathParam(max_length=40, description="target id, e.g. T003-4.7-0006")]


def _bad(exc: ValueError, column: str) -> InputError:
    return InputError(f"参数无效：{clip(exc)}", f"invalid parameter: {clip(exc)}", column=column)


# ------------------------------------------------------------------------------ catalogue


@router.get("/health", tags=["meta"], summary="service health and data generation")
def health(st: State) -> dict[str, Any]:
    return {"status": "ok", "generation": st.generation, "as_of": st.snapshot().as_of}


@router.get("/plans", tags=["catalogue"], summary="plan documents with their target counts")
def plans(request: Request, st: State, fmt: FormatQ = None, cursor: CursorQ = None, limit: LimitQ = None) -> Response:
    return listing(request, plan_summary(st.cursor()), key="document", fmt=fmt, cursor=cursor, limit=limit,
                   name="plans")


@router.get("/targets", tags=["catalogue"], summary="targets, with every catalogue filter")
def targets(
    request: Request, st: State, region: RegionQ = None, with_children: ChildrenQ = False, domain: DomainQ = None,
    year: YearQ = None, kind: KindQ = None, document: DocQ = None, indicator: IndicatorQ = None,
    fmt: FormatQ = None, cursor: CursorQ = None, limit: LimitQ = None,
) -> Response:
    try:
        rows = list_targets(st.cursor(), TargetFilter(region, with_children, domain, year, kind, document, indicator))
    except ValueError as exc:
        raise _bad(exc, "kind") from exc
    return listing(request, rows, key="id", fmt=fmt, cursor=cursor, limit=limit, name="targets")


@router.get("/targets/{target_id}", tags=["catalogue"], summary="one target with its evaluation and statements")
def target(request: Request, st: State, target_id: TargetId, fmt: FormatQ = None) -> Response:
    row = get_target(st.cursor(), target_id)
    if row is None:
        raise InputError(f"没有目标 {clip(target_id)}", f"no target {clip(target_id)}", code="not_found")
    ev = st.snapshot().by_id.get(row["id"], {})
    keys = ("status", "status_zh", "status_en", "reason_zh", "reason_en", "latest_year", "latest_value",
            "required_level", "gap", "progress", "projected_value", "projected_low", "projected_high", "rate_ratio",
            "p_meet", "reason_key",
            "as_of")
    obj = {**row, "evaluation": {k: ev.get(k) for k in keys}}
    if fmt == "csv":
        obj.pop("statements", None)
        return one(request, {**obj, **obj.pop("evaluation")}, fmt, name=target_id)
    obj["statements"] = statements(st.cursor(), row["id"])
    return one(request, obj, fmt)


@router.get("/targets/{target_id}/statements", tags=["catalogue"],
            summary="the plan sentences behind a target, each in its paragraph")
def target_statements(request: Request, st: State, target_id: TargetId, fmt: FormatQ = None) -> Response:
    row = get_target(st.cursor(), target_id)
    if row is None:
        raise InputError(f"没有目标 {clip(target_id)}", f"no target {clip(target_id)}", code="not_found")
    return listing(request, statements(st.cursor(), row["id"]), key="quote", fmt=fmt, cursor=None, limit=None,
                   name=f"{target_id}-statements")


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@router.get("/regions", tags=["catalogue"], summary="regions (GB/T 2260 codes and stable ids)")
def regions(
    request: Request, st: State, type: Annotated[str | None, Query(max_length=40)] = None,
    parent: Annotated[str | None, Query(max_length=40)] = None,
    fmt: FormatQ = None, cursor: CursorQ = None, limit: LimitQ = None,
) -> Response:
    rows = _query(st.cursor(), "SELECT code, name_zh, name_en, type, parent_code, aliases, members, note FROM region "
                  "WHERE ($t IS NULL OR type = $t) AND ($p IS NULL OR parent_code = $p) ORDER BY code",
                  {"t": type, "p": parent})
    return listing(request, rows, key="code", fmt=fmt, cursor=cursor, limit=limit, name="regions")


@router.get("/regions/{code}", tags=["catalogue"], summary="one region")
def region(request: Request, st: State, code: Annotated[str, PathParam(max_length=60)], fmt: FormatQ = None) -> Response:
    rows = _query(st.cursor(), "SELECT code, name_zh, name_en, type, parent_code, aliases, members, note FROM region "
                  "WHERE code = $c", {"c": code})
    if not rows:
        raise InputError(f"没有地区 {clip(code)}", f"no region {clip(code)}", code="not_found")
    return one(request, rows[0], fmt, name=code)


@router.get("/indicators", tags=["catalogue"], summary="indicators with unit, polarity and method")
def indicators(request: Request, st: State, domain: DomainQ = None, fmt: FormatQ = None, cursor: CursorQ = None,
               limit: LimitQ = None) -> Response:
    rows = _query(st.cursor(), "SELECT id, domain, name_zh, name_en, unit, polarity, aliases, method, note "
                  "FROM indicator WHERE ($d IS NULL OR domain = $d) ORDER BY id", {"d": domain})
    return listing(request, rows, key="id", fmt=fmt, cursor=cursor, limit=limit, name="indicators")


# --------------------------------------------------------------------------- observations


@router.get("/observations", tags=["observations"], summary="observations (current versions, or every version)")
def observations(
    request: Request, st: State, region: RegionQ = None, with_children: ChildrenQ = False, domain: DomainQ = None,
    year: YearQ = None, indicator: IndicatorQ = None,
    source_type: Annotated[str | None, Query(max_length=20, description="plan, bulletin, import, computed, judgement")] = None,
    document: DocQ = None, include_superseded: Annotated[bool, Query(description="every version")] = False,
    fmt: FormatQ = None, cursor: CursorQ = None, limit: LimitQ = None,
) -> Response:
    rows = list_observations(st.cursor(), ObservationFilter(region, with_children, domain, year, indicator,
                                                            source_type, document, include_superseded))
    return listing(request, rows, key="obs_id", fmt=fmt, cursor=cursor, limit=limit, name="observations")


@router.get("/observations/{obs_id}/history", tags=["observations"], summary="every version of an observation")
def observation_history(request: Request, st: State, obs_id: Annotated[int, PathParam(ge=1, le=2**62)],
                        fmt: FormatQ = None) -> Response:
    rows = history(st.cursor(), obs_id)
    if not rows:
        raise InputError(f"没有观测值 {obs_id}", f"no observation {obs_id}", code="not_found")
    return listing(request, rows, key="obs_id", fmt=fmt, cursor=None, limit=None, name=f"observation-{obs_id}")


# ------------------------------------------------------------------------------- tracking


@router.get("/tracking", tags=["tracking"], summary="verdict, reason and projection of every target")
def tracking(
    request: Request, st: State, region: RegionQ = None, with_children: ChildrenQ = False, domain: DomainQ = None,
    document: DocQ = None, kind: KindQ = None, indicator: IndicatorQ = None, year: YearQ = None,
    status: Annotated[str | None, Query(max_length=30)] = None, as_of: AsOfQ = None,
    fmt: FormatQ = None, cursor: CursorQ = None, limit: LimitQ = None,
) -> Response:
    flt = TrackFilter(region, with_children, domain, document, kind, indicator, year, status)
    snap = st.snapshot()
    try:
        if as_of is None or as_of == snap.as_of:
            # the generation's evaluation of every target (done once per data generation)
            rows = snap.select(st.cursor(), flt)
        else:
            rows = evaluate(st.cursor(), flt, as_of=as_of)
    except ValueError as exc:
        raise _bad(exc, "status/kind") from exc
    return listing(request, rows, key="target_id", fmt=fmt, cursor=cursor, limit=limit, name="tracking")


@router.get("/tracking/summary", tags=["tracking"], summary="counts per status by kind, region, domain or plan")
def tracking_summary(
    request: Request, st: State, by: Annotated[str, Query(pattern="^(kind|region|domain|document)$")] = "kind",
    region: RegionQ = None, with_children: Annotated[bool, Query()] = True, domain: DomainQ = None,
    document: DocQ = None, kind: KindQ = None, as_of: AsOfQ = None, fmt: FormatQ = None,
) -> Response:
    assert by in DIMENSIONS
    flt = TrackFilter(region, with_children, domain, document, kind)
    snap = st.snapshot()
    try:
        rows = snap.select(st.cursor(), flt) if as_of in (None, snap.as_of) else evaluate(st.cursor(), flt, as_of=as_of)
    except ValueError as exc:
        raise _bad(exc, "kind") from exc
    return listing(request, rollup(rows, by), key="key", fmt=fmt, cursor=None, limit=None, name=f"summary-{by}")


@router.get("/tracking/league", tags=["tracking"], summary="cities ranked on each comparable indicator")
def tracking_league(request: Request, st: State, as_of: AsOfQ = None, fmt: FormatQ = None, cursor: CursorQ = None,
                    limit: LimitQ = None) -> Response:
    rows = league_table(st.cursor(), as_of=as_of or st.snapshot().as_of)
    for i, r in enumerate(rows):
        r["row_key"] = f"{r['indicator_id']}:{r['region_code']}:{i}"
    return listing(request, rows, key="row_key", fmt=fmt, cursor=cursor, limit=limit, name="league")


# ------------------------------------------------------------------------- data needs loop

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(write: Any, name: str) -> Response:
    """A workbook written by ``write(path)`` to a temporary file, returned as a download."""
    with tempfile.TemporaryDirectory(prefix="ecozone-xlsx-") as tmp:
        path = write(Path(tmp) / "template.xlsx")
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/needs", tags=["observations"], summary="the observations that would unlock a verdict (obs needs)")
def data_needs(request: Request, st: State, region: RegionQ = None, with_children: ChildrenQ = False,
               domain: DomainQ = None, kind: KindQ = None, fmt: FormatQ = None, cursor: CursorQ = None,
               limit: LimitQ = None) -> Response:
    from ecozone.tracking.needs import needs

    try:
        rows = needs(st.cursor(), TrackFilter(region, with_children, domain, None, kind), as_of=st.snapshot().as_of)
    except ValueError as exc:
        raise _bad(exc, "kind") from exc
    for r in rows:
        r["key"] = f"{r['region_code']}|{r['indicator_id']}|{r['year']}"
    return listing(request, rows, key="key", fmt=fmt, cursor=cursor, limit=limit, name="needs")


@router.get("/needs/template.xlsx", tags=["observations"], response_class=Response,
            summary="the import template pre-filled with the needed observations (Excel)")
def data_needs_template(st: State, region: RegionQ = None, with_children: ChildrenQ = False,
                        domain: DomainQ = None, kind: KindQ = None) -> Response:
    from ecozone.tracking.needs import needs, write_needs_template

    con = st.cursor()
    try:
        rows = needs(con, TrackFilter(region, with_children, domain, None, kind), as_of=st.snapshot().as_of)
    except ValueError as exc:
        raise _bad(exc, "kind") from exc
    return _xlsx(lambda p: write_needs_template(con, rows, p), "ecozone-needs.xlsx")


@router.get("/observations/template.xlsx", tags=["observations"], response_class=Response,
            summary="the empty observation import template (Excel, with the indicator and region lists)")
def observations_template(st: State) -> Response:
    from ecozone.ingest.observations import write_template

    con = st.cursor()
    return _xlsx(lambda p: write_template(con, p), "ecozone-observations.xlsx")


# -------------------------------------------------------------------------------- engines


@router.get("/engines", tags=["engines"], summary="each engine's computed results in the store (method, version, coverage)")
def engines(request: Request, st: State, fmt: FormatQ = None) -> Response:
    """Every engine writes its results as observations (source_type ``computed``) with its
    method and version: this lists what each has computed, so a new engine's results appear
    here (and under ``/observations?source_type=computed``) as soon as it records them."""
    rows = _query(st.cursor(), """
        SELECT source_id AS engine, method, method_version, count(*) AS observations,
               count(DISTINCT region_code) AS regions, list(DISTINCT indicator_id ORDER BY indicator_id) AS indicators,
               min(year) AS first_year, max(year) AS last_year, max(recorded_at) AS last_recorded
        FROM observation_current WHERE source_type = 'computed'
        GROUP BY ALL ORDER BY engine, method, method_version""", {})
    for r in rows:
        r["key"] = f"{r['engine']}|{r['method']}|{r['method_version']}"
    return listing(request, rows, key="key", fmt=fmt, cursor=None, limit=None, name="engines")


# ------------------------------------------------------------------------------------ air


def _air_cities(city: str | None) -> list[str] | None:
    from ecozone.air.service import resolve_cities

    try:
        return resolve_cities([city]) if city else None
    except LookupError as exc:
        raise InputError(f"未知城市 {clip(city)}", f"unknown city {clip(city)}", column="city", code="not_found") from exc


@router.get("/air/years", tags=["air"], summary="years with station data in the store")
def air_years(request: Request, st: State, fmt: FormatQ = None) -> Response:
    rows = _query(st.cursor(), "SELECT year(TIMESTAMP '1970-01-01' + to_hours(hour)) AS year, count(*) AS station_hours, "
                  "count(DISTINCT station_id) AS stations FROM air_station_hour GROUP BY 1 ORDER BY 1", {})
    return listing(request, rows, key="year", fmt=fmt, cursor=None, limit=None, name="air-years")


@router.get("/air/daily", tags=["air"], summary="city-day concentrations and AQI (HJ 633-2012)")
def air_daily(
    request: Request, st: State, start: Annotated[date, Query()], end: Annotated[date, Query()],
    city: Annotated[str | None, Query(max_length=40)] = None, fmt: FormatQ = None, cursor: CursorQ = None,
    limit: LimitQ = None,
) -> Response:
    from ecozone.air.engine import daily_rows
    from ecozone.air.service import compute_days

    if end < start or (end - start).days > 366:
        raise InputError("日期范围须为 1–366 天", "the date range must span 1-366 days", column="start/end")
    table = daily_rows(compute_days(st.cursor(), start, end, _air_cities(city)))
    rows = table.to_pylist()
    for r in rows:
        r["key"] = f"{r['city']}:{r['date']}"
    return listing(request, rows, key="key", fmt=fmt, cursor=cursor, limit=limit, name="air-daily")


@router.get("/air/annual", tags=["air"], summary="annual assessment per city (HJ 663-2013)")
def air_annual(
    request: Request, st: State, year: Annotated[int, Query(ge=1970, le=2100)],
    city: Annotated[str | None, Query(max_length=40)] = None, fmt: FormatQ = None,
) -> Response:
    from ecozone.air.service import compute_annual

    rows = compute_annual(st.cursor(), year, _air_cities(city)).to_pylist()
    return listing(request, rows, key="city", fmt=fmt, cursor=None, limit=None, name=f"air-annual-{year}")


@router.get("/air/ranking", tags=["air"], summary="composite-index ranking of the cities with station data")
def air_ranking(
    request: Request, st: State, year: Annotated[int, Query(ge=1970, le=2100)],
    worst_first: Annotated[bool, Query()] = False, fmt: FormatQ = None,
) -> Response:
    from ecozone.air.service import compute_annual, ranking

    rows = ranking(compute_annual(st.cursor(), year), worst_first=worst_first).to_pylist()
    return listing(request, rows, key="city", fmt=fmt, cursor=None, limit=None, name=f"air-ranking-{year}")


# ---------------------------------------------------------------------------------- writes


class Correction(BaseModel):
    value: float | None = Field(None, description="corrected value", allow_inf_nan=False)
    value_text: str | None = Field(None, max_length=500)
    reason: str = Field(..., min_length=1, max_length=1000)
    quality_flag: str | None = Field(None, max_length=40)


class Judgement(BaseModel):
    status: str = Field(..., max_length=40, description="achieved, on_track, moderately_off_track, off_track")
    reason: str = Field(..., min_length=1, max_length=2000)
    year: int = Field(..., ge=1900, le=2100)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def import_upload(st: Any, who: Principal, upload: UploadFile, client: str | None) -> dict[str, Any]:
    """Validate and write an uploaded observation file (the CLI's checks, all or nothing), audited."""
    name = upload_name(upload, "upload")
    with saved_upload(upload, "upload") as path:
        try:
            with st.writing() as con:
                res = import_file(con, path, recorded_by=who.name, source_id=name)
                report = {"batch_id": res.batch_id, "file": name, "rows": res.rows, "added": res.written.added,
                          "superseded": res.written.superseded, "unchanged": res.written.unchanged}
                audit(con, actor=who.name, action="observations.import", obj=f"batch {res.batch_id}",
                      before=None, after=report, role=who.role.value, token_id=who.token_id, client=client)
        except ImportFailed as exc:
            errors = [{"row": e.row, "column": e.column, "message_zh": e.zh, "message_en": e.en}
                      for e in exc.errors[:200]]
            raise InputError(f"{len(exc.errors)} 处错误，未导入任何数据", f"{len(exc.errors)} error(s); nothing imported",
                             file=name, detail={"errors": errors, "error_count": len(exc.errors)},
                             code="import_failed") from exc
        except (ValueError, KeyError, OSError) as exc:  # unreadable file (bad CSV/Excel bytes)
            raise InputError(f"无法读取文件：{clip(exc)}", f"cannot read the file: {clip(exc)}", file=name) from exc
    return report


@router.post("/observations/import", tags=["write"], status_code=201,
             summary="import an observation file (CSV or Excel; all or nothing) — editor")
def observations_import(request: Request, st: State, file: Annotated[UploadFile, File()],
                        who: Principal = require(Role.EDITOR)) -> JSONResponse:
    return JSONResponse(import_upload(st, who, file, _client(request)), status_code=201)


@router.post("/observations/{obs_id}/corrections", tags=["write"], status_code=201,
             summary="correct an observation (a new version supersedes it) — editor")
def observation_correct(request: Request, st: State, obs_id: Annotated[int, PathParam(ge=1, le=2**62)],
                        body: Correction, who: Principal = require(Role.EDITOR)) -> JSONResponse:
    if body.value is None and body.value_text is None:
        raise InputError("请给出更正后的数值或文字", "give a corrected value or value_text", column="value")
    try:
        with st.writing() as con:
            before = history(con, obs_id)
            new_id = correct_observation(con, obs_id, value=body.value, value_text=body.value_text,
                                         recorded_by=who.name, reason=body.reason, quality_flag=body.quality_flag)
            after = next(r for r in history(con, new_id) if r["obs_id"] == new_id)
            audit(con, actor=who.name, action="observation.correct", obj=str(obs_id),
                  before=next((r for r in before if r["obs_id"] == obs_id), None), after=after,
                  role=who.role.value, token_id=who.token_id, client=_client(request))
    except LookupError as exc:
        raise InputError(f"观测值 {obs_id} 不存在或已被取代", f"observation {obs_id} does not exist or is superseded",
                         code="not_found") from exc
    except ValueError as exc:
        raise _bad(exc, "reason") from exc
    return JSONResponse({"obs_id": new_id, "supersedes": obs_id, "observation": plain(after)}, status_code=201)


@router.post("/targets/{target_id}/judgements", tags=["write"], status_code=201,
             summary="record a person's judgement of a (qualitative) target — editor")
def target_judge(request: Request, st: State, target_id: TargetId, body: Judgement,
                 who: Principal = require(Role.EDITOR)) -> JSONResponse:
    try:
        with st.writing() as con:
            prev = con.execute("SELECT obs_id, value_text, note, year, recorded_by FROM observation_current "
                               "WHERE source_type = 'judgement' AND source_id = ? AND period = ?",
                               [target_id, str(body.year)]).fetchone()
            obs_id = record_judgement(con, target_id, body.status, reason=body.reason, by=who.name, year=body.year)
            after = {"obs_id": obs_id, "status": body.status, "reason": body.reason, "year": body.year}
            audit(con, actor=who.name, action="target.judge", obj=target_id,
                  before=None if prev is None else dict(zip(("obs_id", "status", "reason", "year", "by"), prev, strict=True)),
                  after=after, role=who.role.value, token_id=who.token_id, client=_client(request))
    except LookupError as exc:
        raise InputError(f"没有目标 {clip(target_id)}", f"no target {clip(target_id)}", code="not_found") from exc
    except ValueError as exc:
        raise _bad(exc, "status") from exc
    return JSONResponse(after, status_code=201)


# ---------------------------------------------------------------------------------- admin


@router.get("/me", tags=["access"], summary="who the token belongs to")
def me(who: Caller) -> dict[str, Any]:
    if who is None:
        raise api_error("unauthorized")
    return {"name": who.name, "role": who.role.value, "token_id": who.token_id}


@router.get("/audit", tags=["access"], summary="the audit log, newest first — admin")
def audit_log(
    request: Request, st: State, action: Annotated[str | None, Query(max_length=40)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None, fmt: FormatQ = None, cursor: CursorQ = None,
    limit: LimitQ = None, who: Principal = require(Role.ADMIN),
) -> Response:
    rows = audit_entries(st.cursor(), action=action, actor=actor, limit=100_000)
    return listing(request, rows, key="audit_id", fmt=fmt, cursor=cursor, limit=limit, name="audit")
