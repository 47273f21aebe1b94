"""The ecozone web service: the REST API under ``/api/v1`` and the dashboard, in one FastAPI app.

``create_app(Settings(db=...))`` opens the store (loading the packaged catalogue and bulletin
figures if they changed), checks that the vendored ECharts files are there, and wires the
guards (rate limits, body-size limit, time limit), the read cache with ETags, the error body
and the routes.  ``ecozone serve`` runs it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ecozone.api import errors
from ecozone.api.energy import router as energy_router
from ecozone.api.middleware import Guard, ReadCache
from ecozone.api.routes import router as api_router
from ecozone.api.state import AppState, Settings
from ecozone.api.water import router as water_router
from ecozone.web.render import check_vendor
from ecozone.web.routes import router as web_router

DESCRIPTION = """
Targets of Hebei's eco-environment plans, each traced to its plan sentence; observations with
their sources; tracking verdicts; HJ 633 / HJ 663 air results.  Reads are public unless the
service runs with private reads; writes need an editor's token (`Authorization: Bearer ecz_…`,
created with `ecozone users create`).  Lists are JSON `{items, count, total, next_cursor}` or
CSV (`format=csv` or `Accept: text/csv`); every error is `{code, message_zh, message_en, detail}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    check_vendor()
    st = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        st.close()

    app = FastAPI(title="ecozone API", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:  # Swagger UI served from the vendored files, not a CDN
        return get_swagger_ui_html(openapi_url="/openapi.json", title="ecozone API",
                                   swagger_js_url="/static/vendor/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.state.ecozone = st
    errors.install(app)
    app.include_router(api_router)
    app.include_router(energy_router)
    app.include_router(water_router)
    app.include_router(web_router)
    static = Path(str(resources.files("ecozone.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    # outermost first: refuse abusive requests before anything else runs, then the cache
    app.add_middleware(ReadCache, state=st)
    app.add_middleware(Guard, state=st)
    return app
