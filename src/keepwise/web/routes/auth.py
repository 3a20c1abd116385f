"""Logging in and out on the pages (the same sessions as ``POST /api/login``) and the choice
of language, stored with the user."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from keepwise._core import clock
from keepwise._core.errors import KeepwiseError, PermissionDenied
from keepwise.api.deps import (
    SESSION_COOKIE,
    CurrentSession,
    LangDep,
    OptionalAuth,
    client_ip,
    root_workspace,
)
from keepwise.web.render import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """A login posted from another site's page is refused (login CSRF): browsers send
    ``Origin`` with form posts."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.url.netloc


@router.get("/login")
def login_page(
    request: Request, auth: OptionalAuth, lang: LangDep, next: str | None = None
) -> Response:
    if auth is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", lang=lang, next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request, lang: LangDep,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=500)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:  # fmt: skip
    ws = root_workspace(request)
    try:
        if not _same_origin(request):
            raise PermissionDenied("web.login.origin")
        token, session = ws.users.login(username, password, ip=client_ip(request))
    except KeepwiseError as exc:
        return render(request, "login.html", lang=lang, next=safe_next(next),
                      error=exc.message(lang), username=username,
                      status_code=exc.http_status)  # fmt: skip
    secure = bool(ws.settings.thresholds()["server"]["secure_cookies"])
    max_age = int((session.expires_at - clock.now()).total_seconds())
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=max(max_age, 0), httponly=True,
                        secure=secure, samesite="lax", path="/")  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request, auth: CurrentSession) -> Response:
    if auth.session_token:
        root_workspace(request).users.logout(auth.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def change_lang(
    request: Request, auth: CurrentSession, lang: Annotated[Literal["zh", "en"], Form()],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:  # fmt: skip
    """Store the user's language (the same setting as ``PUT /api/me/lang``)."""
    ws = root_workspace(request).as_user(auth.viewer)
    ws.users.set_lang(auth.viewer.username, lang, actor=auth.viewer.username)
    return RedirectResponse(safe_next(next), status_code=303)
