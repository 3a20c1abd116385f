"""Errors on pages: the API's handlers answer JSON under ``/api``; a page gets an error page
in the user's language instead (or, without a session, the login page), never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from keepwise._core.errors import KeepwiseError, Unauthenticated
from keepwise._core.i18n import t
from keepwise.api.deps import _authenticate
from keepwise.api.errors import _lang
from keepwise.web.render import render

log = logging.getLogger("keepwise.web")

Handler = Callable[[Request, Any], Any]


def is_page(request: Request) -> bool:
    """A request for a page (not the API, not a static file)."""
    path = request.url.path
    return not (path.startswith("/api") or path.startswith("/static/"))


def _auth(request: Request) -> Any:
    """Who is logged in, for the error page's navigation (None when unknown or invalid)."""
    if hasattr(request.state, "auth"):
        return request.state.auth
    try:
        return _authenticate(request)
    except Exception:  # a bad token or an unreachable database: the page without a user
        return None


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", lang=_lang(request), auth=_auth(request),
                  status_code=status, status=status, message=message)  # fmt: skip


def to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def page_error(request: Request, exc: Exception) -> Response:
    lang = _lang(request)
    if isinstance(exc, Unauthenticated):
        return to_login(request)
    if isinstance(exc, KeepwiseError):
        return error_page(request, exc.http_status, exc.message(lang))
    if isinstance(exc, RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "?"
                           for e in exc.errors())  # fmt: skip
        return error_page(request, 422, t("web.error.invalid", lang, fields=fields))
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return error_page(request, 404, t("web.error.404", lang))
        return error_page(request, exc.status_code,
                          t("http.error", lang, status=exc.status_code))  # fmt: skip
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, t("internal", lang))


def _dispatch(api_handler: Handler) -> Handler:
    def handle(request: Request, exc: Any) -> Any:
        if is_page(request):
            return page_error(request, exc)
        return api_handler(request, exc)

    return handle


def install(app: FastAPI) -> None:
    """Wrap the API's exception handlers so that pages get error pages."""
    for kind in (KeepwiseError, RequestValidationError, StarletteHTTPException, Exception):
        api_handler = app.exception_handlers.get(kind)
        if api_handler is None:  # an app without the API's handlers: pages only
            api_handler = page_error
        app.add_exception_handler(kind, _dispatch(api_handler))
