"""What every route shares: the state, the caller's role, JSON/CSV lists with cursor pagination."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from ecozone.access.users import Principal, Role, authenticate
from ecozone.api.errors import api_error
from ecozone.api.state import AppState
from ecozone.errors import InputError

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def state(request: Request) -> AppState:
    st: AppState = request.app.state.ecozone
    return st


State = Annotated[AppState, Depends(state)]


def principal(request: Request, st: State) -> Principal | None:
    """The user behind ``Authorization: Bearer <token>``; an invalid or revoked token is refused."""
    auth = request.headers.get("authorization")
    if not auth:
        return None
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise api_error("unauthorized", {"reason": "use: Authorization: Bearer <token>"})
    who = authenticate(st.cursor(), token.strip())
    if who is None:
        raise api_error("unauthorized", {"reason": "unknown or revoked token"})
    return who


Caller = Annotated[Principal | None, Depends(principal)]


def require(role: Role) -> Any:
    def check(who: Caller) -> Principal:
        if who is None:
            raise api_error("unauthorized")
        if not who.role.allows(role):
            raise api_error("forbidden", {"role": who.role.value, "needs": role.value})
        return who

    return Depends(check)


def reader(who: Caller, st: State) -> Principal | None:
    """Reads are public unless the service was started with private reads (then: viewer+)."""
    if not st.settings.public_reads and who is None:
        raise api_error("unauthorized")
    return who


def plain(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    keys = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(keys)
    for r in rows:
        w.writerow([_cell(r.get(k)) for k in keys])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def wants_csv(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _encode_cursor(key: Any, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key, "o": offset}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(raw["o"])
        if offset < 0:
            raise ValueError
        return raw.get("k"), offset
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError("分页游标无效", "invalid cursor", value=cursor, column="cursor") from exc


FormatQ = Annotated[str | None, Query(alias="format", pattern="^(json|csv)$", description="json (default) or csv")]
CursorQ = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")]
LimitQ = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description=f"page size (default {DEFAULT_LIMIT}; csv: all)")]


def listing(
    request: Request, rows: list[dict[str, Any]], *, key: str, fmt: str | None, cursor: str | None,
    limit: int | None, columns: Sequence[str] | None = None, name: str = "data",
) -> Response:
    """A page of ``rows`` (ordered by the service) as JSON ``{items, count, total, next_cursor}``
    or CSV (``Link: <…>; rel="next"`` when more follow).  The cursor names the last row's key,
    so a page boundary stays put when rows are added elsewhere in the list."""
    start = 0
    if cursor:
        last_key, offset = _decode_cursor(cursor)
        start = offset
        index = {r.get(key): i for i, r in enumerate(rows)}
        if last_key in index:
            start = index[last_key] + 1
    as_csv = wants_csv(request, fmt)
    size = limit or (len(rows) if as_csv else DEFAULT_LIMIT)
    page = rows[start : start + size]
    nxt = _encode_cursor(plain(page[-1].get(key)), start + len(page)) if page and start + size < len(rows) else None
    headers = {}
    if nxt:
        url = request.url.include_query_params(cursor=nxt)
        headers["Link"] = f'<{url}>; rel="next"'
    if as_csv:
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(csv_bytes(page, columns), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse({"items": [plain(r) for r in page], "count": len(page), "total": len(rows),
                         "next_cursor": nxt}, headers=headers)


def one(request: Request, obj: dict[str, Any], fmt: str | None = None, name: str = "data") -> Response:
    if wants_csv(request, fmt):
        return Response(csv_bytes([obj]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return JSONResponse(plain(obj))


def upload_name(upload: UploadFile, what: str) -> str:
    """The uploaded file's own name (no folders, at most 120 characters); ``<what>.csv`` if none."""
    return Path(upload.filename or f"{what}.csv").name[:120]


@contextmanager
def saved_upload(upload: UploadFile, what: str) -> Iterator[Path]:
    """An uploaded CSV or Excel file as a temporary file (removed afterwards)."""
    name = upload_name(upload, what)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise InputError("只接受 .csv 或 .xlsx 文件", "only .csv or .xlsx files are accepted", file=name,
                         code="unsupported_media_type")
    with tempfile.TemporaryDirectory(prefix="ecozone-upload-") as tmp:
        path = Path(tmp) / f"{what}{suffix}"
        with path.open("wb") as fh:
            while chunk := upload.file.read(1 << 20):
                fh.write(chunk)
        yield path
