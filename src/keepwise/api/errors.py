"""One error shape for every API answer that is not a success:

``{"error": {"code": "<stable code>", "message": "<in the caller's language>"}}``

The code of an error a user can cause is its message key (``customers.not_found``); its HTTP
status comes from the error's class (``http_status``). Invalid requests (a bad date, a missing
field) answer 422 with ``request.invalid`` and the fields at fault; unknown routes 404,
methods 405. Anything else is logged with its traceback and answered with a plain 500 that
tells nothing of the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from keepwise._core.errors import KeepwiseError
from keepwise._core.i18n import Lang, register, t
from keepwise.api.deps import lang_of

log = logging.getLogger("keepwise.api")

register(
    {
        "request.invalid": {
            "zh": "请求无效：{fields}",
            "en": "Invalid request: {fields}",
        },
        "http.404": {"zh": "没有这个地址", "en": "Not found"},
        "http.405": {"zh": "此地址不支持该方法", "en": "Method not allowed"},
        "http.error": {
            "zh": "请求无法处理（HTTP {status}）",
            "en": "Request failed (HTTP {status})",
        },
        "internal": {
            "zh": "服务器内部错误；已记录在服务器日志中",
            "en": "Internal server error; it has been written to the server's log",
        },
    }
)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _lang(request: Request) -> Lang:
    try:
        return lang_of(request)
    except Exception:  # before the app's state exists, say
        return "en"


def keepwise_error(request: Request, exc: KeepwiseError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(error_body(exc.key, exc.message(_lang(request))),
                        status_code=exc.http_status, headers=headers)  # fmt: skip


def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [{"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
               for e in exc.errors()]  # fmt: skip
    fields = ", ".join(d["field"] for d in details) or "?"
    message = t("request.invalid", _lang(request), fields=fields)
    return JSONResponse(error_body("request.invalid", message, details=details), status_code=422)


def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = f"http.{exc.status_code}" if exc.status_code in (404, 405) else "http.error"
    message = t(code, _lang(request), status=exc.status_code)
    return JSONResponse(error_body(code, message), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))  # fmt: skip


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body("internal", t("internal", _lang(request))), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(KeepwiseError, keepwise_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected_error)
