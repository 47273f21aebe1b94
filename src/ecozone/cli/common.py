"""Shared pieces of the command line: database option, language, and table/json/csv output."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect


# Rich falls back to 80 columns when output is not a terminal (pipes, CI logs): too narrow for
# Chinese tables, so use a wide page there.
def _page_width(stream: object) -> int | None:
    if getattr(stream, "isatty", lambda: False)():
        return None
    return int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 200


console = Console(width=_page_width(sys.stdout))
err_console = Console(stderr=True, width=_page_width(sys.stderr))


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB 数据库文件 / database file (default: $ECOZONE_DB or ~/.local/share/ecozone/ecozone.duckdb)"),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="输出格式 / output format")]
# filters shared by the catalogue and tracking commands
RegionOpt = Annotated[str | None, typer.Option("--region", "-r", help="地区代码或名称 / region code or name, e.g. 131000 or 廊坊市")]
ChildrenOpt = Annotated[bool, typer.Option("--with-children", help="包含下级地区 / include sub-regions")]
DomainOpt = Annotated[str | None, typer.Option("--domain", "-d", help="领域 / domain: air, water, climate …")]
KindOpt = Annotated[str | None, typer.Option("--kind", "-k", help="属性 / kind: binding 约束性, expected 预期性, strive 力争, unstated")]
DocOpt = Annotated[str | None, typer.Option("--document", "--plan", help="规划文件 / document id, e.g. 002 or 003-4.7")]


def lang() -> Lang:
    """Language of labels and messages: ``ECOZONE_LANG=en`` for English; Chinese by default."""
    return Lang.en if os.environ.get("ECOZONE_LANG", "zh").lower().startswith("en") else Lang.zh


def say(zh: str, en: str) -> str:
    return en if lang() is Lang.en else zh


@contextmanager
def store(db: Path | None, *, load: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store, bringing schema and (when ``load``) the packaged catalogue up to date."""
    con = connect(db)
    try:
        if load:
            ensure_loaded(con)
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    max_width: int | None = None

    @property
    def label(self) -> str:
        return say(self.zh, self.en)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: Format, title: str = "") -> None:
    """Print ``rows``: a Rich table (columns only), or every field as JSON or CSV."""
    if fmt is Format.json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows], ensure_ascii=False, indent=2))
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        keys = list(rows[0]) if rows else [c.key for c in columns]
        writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(r.get(k)) for k in keys} for r in rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    table = Table(title=title or None, show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(c.label, max_width=c.max_width, overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(c.key)) for c in columns))
    console.print(table)
    console.print(say(f"共 {len(rows)} 条", f"{len(rows)} rows"), style="dim")


def fail(zh: str, en: str, code: int = 2) -> typer.Exit:
    """Print an error in the user's language and return the exit to raise."""
    err_console.print(f"[red]{say('错误', 'error')}:[/red] {say(zh, en)}")
    return typer.Exit(code)
