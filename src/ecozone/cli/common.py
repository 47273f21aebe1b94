"""Shared pieces of the command line: database option, language, table/json/csv output, and
the one error path.

Every command runs inside :class:`EcozoneGroup`: an :class:`~ecozone.errors.EcozoneError` becomes
a bilingual message on stderr and its exit code (2 bad input, 1 environment); any other
exception becomes one line naming a log file that holds the traceback (exit 1).  The same
handling applies under ``typer.testing.CliRunner`` because it lives in the command group, not
in the console-script wrapper.  All text from files and users is escaped before Rich renders it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import tempfile
import traceback
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
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from ecozone.errors import EcozoneError, StoreError, clip
from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect, store_io_error
from ecozone.store.observations import WriteResult


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
# files to compute from without the store (air, water): `--input A --input B` or `--input A B C`
InputOpt = Annotated[list[Path] | None, typer.Option("--input", "-i", help="直接读取文件，不用数据库 / compute straight from these files (in-memory store)")]
MoreInputs = Annotated[list[Path] | None, typer.Argument(help="更多输入文件（跟在 --input 后）/ more input files (after --input PATH)", show_default=False)]


def lang() -> Lang:
    """Language of labels and messages: ``ECOZONE_LANG=en`` for English; Chinese by default."""
    return Lang.en if os.environ.get("ECOZONE_LANG", "zh").lower().startswith("en") else Lang.zh


def say(zh: str, en: str) -> str:
    return en if lang() is Lang.en else zh


def store_busy(holder: str) -> None:
    """The message shown once while waiting for a store another process holds."""
    err_console.print(escape(say(f"数据库正被其他进程使用（{holder}），等待中……",
                                 f"store busy, waiting for {holder} …")), style="yellow")


@contextmanager
def store(db: Path | None, *, load: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store, bringing schema and (when ``load``) the packaged catalogue up to date.

    A store locked by another process is waited for (bounded, with a message); a path that is
    not a DuckDB file, a directory or an unwritable place is refused (:class:`StoreError`).
    """
    con = connect(db, on_wait=store_busy)
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
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(Text(c.label), max_width=c.max_width, overflow="fold")
    for r in rows:  # Text, not str: a cell is data, never Rich markup
        table.add_row(*(Text(clip(_cell(r.get(c.key)), MAX_CELL)) for c in columns))
    console.print(table)
    console.print(say(f"共 {len(rows)} 条", f"{len(rows)} rows"), style="dim")


#: longest cell shown in a table (the JSON and CSV outputs keep every character)
MAX_CELL = 500


def fail(zh: str, en: str, code: int = 2) -> typer.Exit:
    """Print an error in the user's language and return the exit to raise."""
    err_console.print(f"[red]{say('错误', 'error')}:[/red] {escape(say(zh, en))}")
    return typer.Exit(code)


def print_warnings(warnings: Sequence[Any], most: int | None = 10) -> None:
    """The first ``most`` warnings (None: all), one line each, then how many more there are."""
    for w in warnings[:most]:
        err_console.print(f"[yellow]{say('提示', 'warning')}[/yellow] {escape(str(w))}")
    if most is not None and len(warnings) > most:
        err_console.print(say(f"…另有 {len(warnings) - most} 条提示", f"… {len(warnings) - most} more warnings"))


def print_observations(result: WriteResult, zh_lead: str = "观测值", en_lead: str = "observations") -> None:
    """One line on stderr: how many observations a ``--record`` added, superseded and left unchanged."""
    err_console.print(say(f"{zh_lead}：新增 {result.added}，更新 {result.superseded}，未变 {result.unchanged}",
                          f"{en_lead}: {result.added} added, {result.superseded} superseded, "
                          f"{result.unchanged} unchanged"))


def require_store(from_files: bool) -> None:
    """``--record`` writes to the store: refuse it when the data came from ``--input`` files."""
    if from_files:
        raise fail("--record 需要数据库（不能与 --input 同用）", "--record needs the store, not --input")


def print_error(exc: EcozoneError) -> None:
    """An anticipated error: its row-level details (at most 50), then one bilingual line."""
    detail = exc.detail if isinstance(exc.detail, list) else []
    for item in detail[:50]:
        text = item.message(lang().value) if hasattr(item, "message") else str(item)
        err_console.print("  " + escape(clip(text, 1000)), highlight=False)
    if len(detail) > 50:
        err_console.print(escape(say(f"  …另有 {len(detail) - 50} 条", f"  … {len(detail) - 50} more")))
    err_console.print(f"[red]{say('错误', 'error')}:[/red] {escape(exc.message(lang().value))}", highlight=False)


def log_dir() -> Path:
    """Where tracebacks of unexpected errors go: ``$XDG_STATE_HOME/ecozone/logs`` (~/.local/state)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "ecozone" / "logs"


def write_crash_log(exc: BaseException) -> Path:
    """Write the traceback of ``exc`` with the command line to a new log file; return its path."""
    text = (f"ecozone {datetime.now().isoformat(timespec='seconds')}\nargv: {sys.argv!r}\n\n"
            + "".join(traceback.format_exception(exc)))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "ecozone-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"error-{stamp}-", suffix=".log", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return Path(os.devnull)


def handle_unexpected(exc: BaseException) -> int:
    """One line and the log file's path (never the traceback itself); exit code 1."""
    log = write_crash_log(exc)
    what = clip(" ".join(f"{type(exc).__name__}: {exc}".split()), 200)  # one line
    err_console.print(
        f"[red]{say('内部错误', 'internal error')}:[/red] "
        + escape(say(f"{what}；详细信息已写入 {log}，报告问题时请附上该文件",
                     f"{what}; details in {log} (attach it when reporting the problem)")), highlight=False)
    return 1


class EcozoneGroup(TyperGroup):
    """The root command group: the one place where errors become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except EcozoneError as exc:
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # writing an output (template, report) or a vanished file: environment
            err = StoreError(f"无法读写文件：{exc.strerror or exc}", f"cannot read or write a file: {exc.strerror or exc}",
                             file=None if exc.filename is None else str(exc.filename), code="os_error")
            print_error(err)
            raise typer.Exit(err.exit_code) from None
        except duckdb.IOException as exc:  # the store vanished or filled up mid-command
            err = store_io_error(exc)
            print_error(err)
            raise typer.Exit(err.exit_code) from None
        except Exception as exc:
            raise typer.Exit(handle_unexpected(exc)) from None
