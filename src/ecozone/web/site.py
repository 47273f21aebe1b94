"""``ecozone site --out DIR``: the public pages as a static site (same templates, data baked in).

Pages are written as ``DIR/index.html``, ``DIR/cities/130100/index.html``, … with English
copies under ``DIR/en/``; links are relative, so the folder can be published under any path of
a plain web server (or opened from disk).  The editor page and the API are not exported.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from ecozone.web import views
from ecozone.web import water as water_views
from ecozone.web.render import Linker, check_vendor, render


@dataclass(frozen=True)
class SiteResult:
    out: Path
    pages: int


def _write(out: Path, path: str, lang: str, html: str) -> None:
    page = path.strip("/")
    target = out / ("en" if lang == "en" else "") / page / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def export_site(con: duckdb.DuckDBPyConnection, out: Path, *, as_of: int | None = None,
                cities: list[str] | None = None, targets: list[str] | None = None) -> SiteResult:
    """Render every public page in both languages into ``out``; return the page count.
    ``cities`` and ``targets`` restrict the city and target pages (default: all)."""
    from ecozone.web.routes import home_context

    check_vendor()
    snap = views.build_snapshot(con, as_of)
    out.mkdir(parents=True, exist_ok=True)
    static_src = Path(str(resources.files("ecozone.web") / "static"))
    shutil.copytree(static_src, out / "static", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("swagger-ui*", "README.md"))
    codes = cities if cities is not None else [views.PROVINCE] + [c["code"] for c in views.hebei_cities(con)]
    pages = 0
    for lang in ("zh", "en"):
        def emit(template: str, path: str, lang: str = lang, **ctx: object) -> None:
            nonlocal pages
            ctx.setdefault("as_of", snap.as_of)
            _write(out, path, lang, render(template, lang=lang, linker=Linker(lang, True, path), **ctx))
            pages += 1

        emit("home.html", "/", **home_context(con, snap, Linker(lang, True, "/")))
        for code in codes:
            c = views.city(con, snap, code, lang=lang)
            emit("city.html", f"/cities/{code}", city=c, legend=c["legend"])
        for tid in targets if targets is not None else [r["target_id"] for r in snap.rows]:
            emit("target.html", f"/targets/{tid}", tg=views.target(con, snap, tid, lang=lang))
        p = views.plans(con, snap)
        emit("plans.html", "/plans", plans=p, legend=p["legend"])
        emit("rankings.html", "/rankings", rk=views.rankings(con, snap, lang=lang))
        emit("data.html", "/data", d=views.data_page(con, snap))
        w = water_views.overview(con, lang=lang)
        emit("water.html", "/water", w=w)
        for r in w["sections"]:
            emit("water_section.html", f"/water/sections/{r['section']}",
                 ws=water_views.section(con, r["section"], w["year"], lang=lang))
    return SiteResult(out, pages)
