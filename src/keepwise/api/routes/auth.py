"""Logging in and out, the caller's own account and API tokens, and the health check."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel

from keepwise import __version__
from keepwise.api.deps import (
    SESSION_COOKIE,
    CurrentSession,
    ViewerWs,
    client_ip,
    current_session,
    root_workspace,
)
from keepwise.api.params import Id, Text

public = APIRouter(tags=["auth"])
router = APIRouter(tags=["auth"], dependencies=[Depends(current_session)])


class Login(BaseModel):
    username: Text
    password: Text


class NewPassword(BaseModel):
    password: Text


class NewLang(BaseModel):
    lang: Literal["zh", "en"]


class NewToken(BaseModel):
    label: Text | None = None


@public.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Whether the server is up (no login needed)."""
    ws = root_workspace(request)
    return {"status": "ok", "version": __version__, "backend": ws.backend}


@public.post("/login")
def login(request: Request, response: Response, body: Login) -> dict[str, Any]:
    """Check the user name and password and open a web session: an HttpOnly, Secure,
    SameSite=Lax cookie, and the CSRF token every change made with it must carry (header
    ``X-CSRF-Token`` or form field ``csrf_token``). Failed tries are limited per user name and
    address (429 past the limit)."""
    ws = root_workspace(request)
    token, session = ws.users.login(body.username, body.password, ip=client_ip(request))
    secure = bool(ws.settings.thresholds()["server"]["secure_cookies"])
    max_age = int((session.expires_at - _now()).total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=max(max_age, 0), httponly=True,
                        secure=secure, samesite="lax", path="/")  # fmt: skip
    return {"user": ws.users.get(session.viewer.username).to_dict(),
            "csrf_token": session.csrf_token, "expires_at": session.expires_at}  # fmt: skip


def _now() -> Any:
    from keepwise._core import clock

    return clock.now()


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, auth: CurrentSession) -> Response:
    """End the web session (its cookie no longer opens anything)."""
    if auth.session_token:
        root_workspace(request).users.logout(auth.session_token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
def me(ws: ViewerWs, auth: CurrentSession) -> dict[str, Any]:
    """The caller: user, role, owner, language; with a session, its CSRF token."""
    return {"user": ws.users.get(auth.viewer.username).to_dict(), "via": auth.via,
            "csrf_token": auth.csrf_token}  # fmt: skip


@router.put("/me/password", status_code=204)
def change_password(ws: ViewerWs, auth: CurrentSession, body: NewPassword) -> Response:
    """Change one's own password (every session of the user ends)."""
    ws.users.set_password(auth.viewer.username, body.password, actor=auth.viewer.username)
    return Response(status_code=204)


@router.put("/me/lang")
def change_lang(ws: ViewerWs, auth: CurrentSession, body: NewLang) -> dict[str, Any]:
    """Choose one's language (zh or en) for the pages and messages."""
    return ws.users.set_lang(auth.viewer.username, body.lang, actor=auth.viewer.username).to_dict()


@router.get("/me/tokens")
def my_tokens(ws: ViewerWs, auth: CurrentSession) -> list[dict[str, Any]]:
    return ws.users.tokens(auth.viewer.username)


@router.post("/me/tokens", status_code=201)
def new_token(
    ws: ViewerWs, auth: CurrentSession, body: Annotated[NewToken, Body()] = NewToken()
) -> dict[str, Any]:
    """A new API token for oneself, shown this once (only its hash is kept): send it as
    ``Authorization: Bearer <token>``."""
    token = ws.users.create_token(auth.viewer.username, label=body.label,
                                  actor=auth.viewer.username)  # fmt: skip
    return {"token": token}


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(ws: ViewerWs, auth: CurrentSession, token_id: Id) -> Response:
    ws.users.revoke_token(auth.viewer.username, token_id, actor=auth.viewer.username)
    return Response(status_code=204)
