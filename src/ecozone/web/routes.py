"""The dashboard's pages: thin routes that call :mod:`ecozone.web.views` and render a template."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.access.users import Role, authenticate
from ecozone.api.common import State, reader
from ecozone.api.errors import body as error_body
from ecozone.errors import EcozoneError
from ecozone.web import views
from ecozone.web import water as water_views
from ecozone.web.render import Linker, hebei_geojson, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(reader)])
LangQ = Annotated[str | None, Query(max_length=5)]


def _lang(value: str | None) -> str:
    return "en" if (value or "").lower().startswith("en") else "zh"


def page(template: str, path: str, lang: str, *, static: bool = False, status: int = 200, **ctx: Any) -> HTMLResponse:
    html = render(template, lang=lang, linker=Linker(lang, static, path), **ctx)
    return HTMLResponse(html, status_code=status)


def home_context(con: Any, snap: views.Snapshot, linker: Linker) -> dict[str, Any]:
    h = views.home(con, snap)
    return {"home": h, "hrefs": {c["code"]: linker.href(f"/cities/{c['code']}") for c in h["map"]["cities"]},
            "geo": hebei_geojson(), "as_of": snap.as_of}


@router.get("/", response_class=HTMLResponse)
def home(st: State, lang: LangQ = None) -> HTMLResponse:
    lg = _lang(lang)
    return page("home.html", "/", lg, **home_context(st.cursor(), st.snapshot(), Linker(lg)))


@router.get("/cities/{code}", response_class=HTMLResponse)
def city(st: State, code: Annotated[str, Path(max_length=60)], lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    try:
        c = views.city(st.cursor(), snap, code, lang=lg)
    except views.NotFound:
        return page("error.html", f"/cities/{code}", lg, status=404, message=code, as_of=snap.as_of)
    return page("city.html", f"/cities/{code}", lg, city=c, legend=c["legend"], as_of=snap.as_of)


@router.get("/targets/{target_id}", response_class=HTMLResponse)
def target(st: State, target_id: Annotated[str, Path(max_length=40)], lang: LangQ = None) -> Response:
    lg, snap = _lang(lang), st.snapshot()
    try:
        tg = views.target(st.cursor(), snap, target_id, lang=lg)
    except views.NotFound:
        return page("error.html", f"/targets/{target_id}", lg, status=404, message=target_id, as_of=snap.as_of)
    canonical = tg["row"]["target_id"]
    if canonical != target_id:  # a record merged into another target: its id moves permanently
        return RedirectResponse(Linker(lg).href(f"/targets/{canonical}"), status_code=301)
    return page("target.html", f"/targets/{target_id}", lg, tg=tg, as_of=snap.as_of)


@router.get("/plans", response_class=HTMLResponse)
def plans(st: State, lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    p = views.plans(st.cursor(), snap)
    return page("plans.html", "/plans", lg, plans=p, legend=p["legend"], as_of=snap.as_of)


@router.get("/rankings", response_class=HTMLResponse)
def rankings(st: State, lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    return page("rankings.html", "/rankings", lg, rk=views.rankings(st.cursor(), snap, lang=lg), as_of=snap.as_of)


YearQ = Annotated[int | None, Query(ge=1970, le=2100)]


@router.get("/water", response_class=HTMLResponse)
def water(st: State, year: YearQ = None, lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    return page("water.html", "/water", lg, w=water_views.overview(st.cursor(), year, lang=lg), as_of=snap.as_of)


@router.get("/water/sections/{code}", response_class=HTMLResponse)
def water_section(st: State, code: Annotated[str, Path(max_length=80)], year: YearQ = None,
                  lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    try:
        ws = water_views.section(st.cursor(), code, year, lang=lg)
    except water_views.NotFound:
        return page("error.html", f"/water/sections/{code}", lg, status=404, message=code, as_of=snap.as_of)
    return page("water_section.html", f"/water/sections/{code}", lg, ws=ws, as_of=snap.as_of)


@router.get("/data", response_class=HTMLResponse)
def data(st: State, lang: LangQ = None) -> HTMLResponse:
    lg, snap = _lang(lang), st.snapshot()
    return page("data.html", "/data", lg, d=views.data_page(st.cursor(), snap), as_of=snap.as_of)


@router.get("/facilities", response_class=HTMLResponse)
def facilities(st: State, year: Annotated[int | None, Query(ge=2013, le=2100)] = None,
               lang: LangQ = None) -> HTMLResponse:
    """The power emitters of the national carbon market: registry and allowance ledger."""
    from ecozone.api.energy import _registry

    lg, snap = _lang(lang), st.snapshot()
    _registry(st)
    return page("facilities.html", "/facilities", lg, fc=views.facilities(st.cursor(), year, lang=lg), as_of=snap.as_of)


@router.get("/editor", response_class=HTMLResponse)
def editor(st: State, lang: LangQ = None) -> HTMLResponse:
    return page("editor.html", "/editor", _lang(lang), as_of=st.snapshot().as_of)


@router.post("/editor", response_class=HTMLResponse)
def editor_upload(request: Request, st: State, token: Annotated[str, Form(max_length=200)],
                  file: Annotated[UploadFile, File()], lang: LangQ = None) -> HTMLResponse:
    """The editor's upload form: the same import, checks and audit as the API's."""
    from ecozone.api.routes import import_upload

    lg = _lang(lang)
    who = authenticate(st.cursor(), token.strip())
    report, error, status = None, None, 200
    if who is None or not who.role.allows(Role.EDITOR):
        code = "unauthorized" if who is None else "forbidden"
        error = error_body(code, "令牌无效、已撤销或权限不足（需要编辑者）", "the token is unknown, revoked or not an editor's")
        status = 401 if who is None else 403
    else:
        try:
            report = import_upload(st, who, file, request.client.host if request.client else None)
        except EcozoneError as exc:
            error, status = error_body(exc.code, exc.message("zh"), exc.message("en"), exc.detail), 422
    return page("editor.html", "/editor", lg, status=status, report=report, error=error, as_of=st.snapshot().as_of)
