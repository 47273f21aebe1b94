"""One error body for every failure: ``code``, ``message_zh``, ``message_en``, ``detail``."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecozone.catalogue.service import UnknownRegion
from ecozone.errors import EcozoneError, InputError, clip
from ecozone.web.views import NotFound

log = logging.getLogger("ecozone.api")

#: error code -> HTTP status
STATUS = {
    "bad_input": 400, "invalid_request": 422, "unauthorized": 401, "forbidden": 403, "not_found": 404,
    "method_not_allowed": 405, "conflict": 409, "too_large": 413, "unsupported_media_type": 415,
    "import_failed": 422, "rate_limited": 429, "store_unavailable": 503, "timeout": 503, "internal_error": 500,
}
HTTP_CODES = {400: "bad_input", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              406: "bad_input", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited"}
MESSAGES = {
    "not_found": ("未找到", "not found"),
    "method_not_allowed": ("不支持该请求方法", "method not allowed"),
    "unauthorized": ("需要有效的令牌", "a valid token is required"),
    "forbidden": ("令牌权限不足", "the token's role does not allow this"),
    "too_large": ("请求体过大", "request body too large"),
    "rate_limited": ("请求过于频繁，请稍后再试", "too many requests; retry later"),
    "timeout": ("请求处理超时", "the request took too long"),
    "internal_error": ("服务器内部错误", "internal server error"),
    "bad_input": ("请求无效", "bad request"),
    "unsupported_media_type": ("不支持的内容类型", "unsupported content type"),
}


class ApiError(EcozoneError):
    """An error raised by the API layer itself (auth, limits)."""


def api_error(code: str, detail: Any = None) -> ApiError:
    zh, en = MESSAGES.get(code, MESSAGES["bad_input"])
    return ApiError(zh, en, detail=detail, code=code)


def body(code: str, zh: str, en: str, detail: Any = None) -> dict[str, Any]:
    return {"code": code, "message_zh": zh, "message_en": en, "detail": jsonable_encoder(detail)}


def error_response(exc: EcozoneError, headers: dict[str, str] | None = None) -> JSONResponse:
    status = STATUS.get(exc.code, 400 if exc.exit_code == 2 else 500)
    detail = exc.detail
    where = {k: v for k, v in (("file", exc.file), ("row", exc.row), ("column", exc.column)) if v is not None}
    if exc.value is not None:
        where["value"] = clip(exc.value)
    if where:
        detail = {**where, **(detail if isinstance(detail, dict) else {} if detail is None else {"items": detail})}
    return JSONResponse(body(exc.code, exc.message("zh"), exc.message("en"), detail), status_code=status,
                        headers=headers)


def raw_error(status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """An error as ASGI pieces, for the middlewares that answer before the app."""
    zh, en = MESSAGES.get(code, MESSAGES["bad_input"])
    payload = json.dumps(body(code, zh, en, detail), ensure_ascii=False).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return status, hdrs, payload


def install(app: FastAPI) -> None:
    @app.exception_handler(EcozoneError)
    async def _ecozone(request: Request, exc: EcozoneError) -> JSONResponse:
        headers = {"Retry-After": "1"} if exc.code == "rate_limited" else (
            {"WWW-Authenticate": "Bearer"} if exc.code == "unauthorized" else None)
        return error_response(exc, headers)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return error_response(InputError(f"未找到 {clip(exc)}", f"not found: {clip(exc)}", code="not_found"))

    @app.exception_handler(UnknownRegion)
    async def _region(request: Request, exc: UnknownRegion) -> JSONResponse:
        return error_response(InputError(f"未知地区 {clip(exc)}", f"unknown region {clip(exc)}", code="not_found",
                                         value=str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        return JSONResponse(body("invalid_request", "请求参数无效", "invalid request parameters", errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "bad_input")
        zh, en = MESSAGES.get(code, MESSAGES["bad_input"])
        return JSONResponse(body(code, zh, en, None if exc.detail is None or str(exc.detail).lower() == en.lower() else exc.detail),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(body("internal_error", *MESSAGES["internal_error"]), status_code=500)
