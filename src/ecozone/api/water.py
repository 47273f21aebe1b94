"""The surface-water routes of the REST API (``/api/v1/water/...``): thin, over the water service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from ecozone.api.common import CursorQ, FormatQ, LimitQ, State, listing, one, reader
from ecozone.errors import InputError
from ecozone.water import service as water

router = APIRouter(prefix="/api/v1/water", tags=["water"], dependencies=[Depends(reader)])

YearQ = Annotated[int, Query(ge=1970, le=2100, description="assessment year")]
MonthsQ = Annotated[str | None, Query(max_length=5, pattern=r"^\d{1,2}(-\d{1,2})?$",
                                      description="months of the period, e.g. 1-3 or 7 (default: the year)")]
Code = Annotated[str, PathParam(max_length=80, description="section code or Chinese name, e.g. HB-BYD-NANLIUZHUANG")]


def months(text: str | None) -> tuple[int, int]:
    if not text:
        return (1, 12)
    a, _, b = text.partition("-")
    lo, hi = int(a), int(b or a)
    if not 1 <= lo <= hi <= 12:
        raise InputError("月份须在 1-12 之间且起不大于止", "months must lie within 1-12, first ≤ last",
                         column="months", value=text)
    return lo, hi


@router.get("/sections", summary="the section registry (code, name, river or lake, basin, city, level, targets)")
def sections(request: Request, st: State, fmt: FormatQ = None) -> Response:
    return listing(request, water.list_sections(st.cursor()), key="code", fmt=fmt, cursor=None, limit=None,
                   name="water-sections")


@router.get("/assessment", summary="section classes, exceeding items, targets (GB 3838-2002, 环办〔2011〕22号)")
def assessment(request: Request, st: State, year: YearQ, period: MonthsQ = None, fmt: FormatQ = None,
               cursor: CursorQ = None, limit: LimitQ = None) -> Response:
    rows = water.assess(st.cursor(), year, months(period))
    return listing(request, rows, key="section", fmt=fmt, cursor=cursor, limit=limit, name=f"water-assessment-{year}")


@router.get("/sections/{code}", summary="one section: the year's class and its class month by month")
def section(request: Request, st: State, code: Code, year: YearQ, fmt: FormatQ = None) -> Response:
    con = st.cursor()
    try:
        sec = water.find_section(con, code)
    except InputError as exc:
        exc.code = "not_found"
        raise
    rows = water.assess(con, year, sections=[sec["code"]])
    return one(request, {"section": sec, "year": year, "assessment": rows[0] if rows else None,
                         "months": water.monthly_classes(con, sec["code"], year)}, fmt, name=f"water-{sec['code']}-{year}")


@router.get("/summary", summary="shares of sections at I-III and worse than V, description, main pollutants")
def summary(request: Request, st: State, year: YearQ,
            by: Annotated[str, Query(pattern="^(all|region|basin|level|group)$")] = "all",
            level: Annotated[str | None, Query(pattern="^(national|provincial|municipal)$")] = None,
            period: MonthsQ = None, fmt: FormatQ = None) -> Response:
    rows = water.summary(st.cursor(), year, by, months(period), [level] if level else None)
    return listing(request, rows, key="group", fmt=fmt, cursor=None, limit=None, name=f"water-summary-{year}")


@router.get("/cwqi", summary="city water quality index (CWQI), ranking and change against a base year")
def cwqi(request: Request, st: State, year: YearQ,
         base_year: Annotated[int | None, Query(ge=1970, le=2100)] = None, period: MonthsQ = None,
         fmt: FormatQ = None) -> Response:
    rows = water.cwqi_cities(st.cursor(), year, base_year, months(period))
    return listing(request, rows, key="city", fmt=fmt, cursor=None, limit=None, name=f"water-cwqi-{year}")
