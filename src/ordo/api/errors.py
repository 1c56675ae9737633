"""Every error the API sends is JSON ``{"error": code, "message": ..., "details": {...}}``.

Ordo's own errors carry their code and HTTP status; framework errors (validation,
unknown routes, wrong methods) are mapped onto the same shape, and validation
errors name the field as a dotted path (``orders[3].lines[0].quantity``). The
catch-all handler is the last resort: a 500 here is a bug to fix, never a way to
answer bad input.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ordo.domain.errors import OrdoError

log = logging.getLogger("ordo.api")

#: Validation errors listed in one response; a 100k-line order must not echo 100k errors.
MAX_REPORTED = 20

#: Tags of the discriminated unions in request schemas: they are not part of the field path.
UNION_TAGS = frozenset({"single_order", "order_batch"})

_LOC_ROOTS = frozenset({"body", "query", "path", "header", "cookie"})


class MalformedBody(OrdoError):
    code = "malformed_json"
    http_status = 400


class UnsupportedMediaType(OrdoError):
    code = "unsupported_media_type"
    http_status = 415


class PayloadTooLarge(OrdoError):
    code = "payload_too_large"
    http_status = 413


def field_path(loc: Sequence[int | str]) -> str:
    """Pydantic's ``("body", "orders", 3, "quantity")`` as ``orders[3].quantity``."""
    parts = list(loc)
    if parts and parts[0] in _LOC_ROOTS:
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p not in UNION_TAGS:
            out += f".{p}" if out else str(p)
    return out or "body"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details or {}}


def _json(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _ordo_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrdoError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    retry = exc.details.get("retry_after_s")
    if exc.http_status in (429, 503) and isinstance(retry, int) and not isinstance(retry, bool):
        headers = {"Retry-After": str(max(retry, 1))}
    return _json(exc.http_status, exc.as_dict(), headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = errors[0].get("ctx") or {}
        return _json(
            400,
            error_body(
                MalformedBody.code,
                "request body is not valid JSON / 请求体不是合法的 JSON",
                {"reason": str(ctx.get("error", "")), "position": errors[0]["loc"][-1]},
            ),
        )
    fields = [
        {"field": field_path(e["loc"]), "type": e.get("type", ""), "message": e.get("msg", "")}
        for e in errors[:MAX_REPORTED]
    ]
    first = fields[0] if fields else {"field": "body", "message": "invalid"}
    return _json(
        422,
        error_body(
            "validation_failed",
            f"{first['field']}: {first['message']} / 字段「{first['field']}」无效",
            {"field": first["field"], "errors": fields, "error_count": len(errors)},
        ),
    )


_HTTP_CODES = {
    400: ("bad_request", "bad request / 请求无效"),
    404: ("not_found", "no such resource / 资源不存在"),
    405: ("method_not_allowed", "method not allowed / 不支持该请求方法"),
    413: (PayloadTooLarge.code, "request body too large / 请求体过大"),
}


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
    if exc.status_code == 400 and "parsing the body" in str(exc.detail):
        # FastAPI's answer to bodies its JSON parser chokes on (too deep, too many digits).
        code, message = MalformedBody.code, "request body could not be parsed as JSON / 请求体无法解析为 JSON"
    return _json(exc.status_code, error_body(code, message, {"detail": str(exc.detail)}), exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _json(500, error_body("internal_error", "internal error / 服务器内部错误"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(OrdoError, _ordo_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
