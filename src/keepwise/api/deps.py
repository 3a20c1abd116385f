"""The dependencies every route (API and pages) shares: the workspace as the caller sees it,
who the caller is (session cookie or bearer token), CSRF for cookie-authenticated changes, and
the caller's language.

- :data:`ViewerWs` — the workspace seen by the authenticated user (``ws.as_user``): every
  service then applies the user's role and customer scope. Routes call only its services.
- :data:`CurrentSession` — the :class:`Auth` of the request (viewer, how they authenticated,
  the session's CSRF token); 401 without a valid session or token.
- :data:`OptionalAuth` — the same or None (public pages: the login page).
- :data:`LangDep` — ``zh`` or ``en``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from keepwise._core.errors import KeepwiseError, Unauthenticated
from keepwise._core.i18n import Lang, normalise, register
from keepwise.workspace import Viewer, Workspace

SESSION_COOKIE = "kw_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

register(
    {
        "auth.csrf": {
            "zh": "缺少或无效的 CSRF 令牌（表单字段 csrf_token 或请求头 X-CSRF-Token）",
            "en": "Missing or invalid CSRF token (form field csrf_token or header X-CSRF-Token)",
        },
    }
)


class CsrfError(KeepwiseError):
    http_status = 403


@dataclass(frozen=True)
class Auth:
    """Who is calling and how: ``via`` is ``session`` (the cookie; changes need the CSRF
    token) or ``token`` (a bearer API token)."""

    viewer: Viewer
    via: str
    csrf_token: str | None = None
    session_token: str | None = None


def root_workspace(request: Request) -> Workspace:
    ws = request.app.state.workspace
    assert isinstance(ws, Workspace)
    return ws


def request_lang(request: Request, viewer: Viewer | None = None) -> Lang:
    """``?lang=`` first, then the user's own setting, then ``Accept-Language``, then the
    workspace's language."""
    explicit = request.query_params.get("lang")
    if explicit:
        return normalise(explicit)
    if viewer is not None:
        return viewer.lang
    header = request.headers.get("accept-language")
    if header:
        return normalise(header.split(",")[0].strip())
    return normalise(root_workspace(request).config.language)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def _authenticate(request: Request) -> Auth | None:
    if hasattr(request.state, "auth"):
        return request.state.auth  # type: ignore[no-any-return]
    ws = root_workspace(request)
    auth: Auth | None = None
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        auth = Auth(ws.users.viewer_for_token(credentials.strip()), "token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            try:
                session = ws.users.session(cookie)
            except Unauthenticated:
                session = None
            if session is not None:
                auth = Auth(session.viewer, "session", session.csrf_token, cookie)
    request.state.auth = auth
    if auth is not None:
        request.state.lang = request_lang(request, auth.viewer)
    return auth


async def optional_auth(request: Request) -> Auth | None:
    """The caller, when logged in; None otherwise (a wrong bearer token is still an error)."""
    from starlette.concurrency import run_in_threadpool

    auth = await run_in_threadpool(_authenticate, request)
    if auth is not None and auth.via == "session" and request.method in UNSAFE:
        await _check_csrf(request, auth)
    return auth


async def current_session(request: Request) -> Auth:
    """The caller; 401 without a valid session cookie or bearer token. A change (POST, PUT,
    PATCH, DELETE) made with the session cookie must carry the session's CSRF token."""
    auth = await optional_auth(request)
    if auth is None:
        raise Unauthenticated("auth.required")
    return auth


async def _check_csrf(request: Request, auth: Auth) -> None:
    """The synchronizer-token pattern: the token stored with the session, presented in a
    header (scripts, htmx) or a form field (pages), compared in constant time."""
    presented = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if presented is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not auth.csrf_token or not presented:
        raise CsrfError("auth.csrf")
    if not hmac.compare_digest(auth.csrf_token.encode(), presented.encode()):
        raise CsrfError("auth.csrf")


def viewer_workspace(
    request: Request, auth: Annotated[Auth, Depends(current_session)]
) -> Workspace:
    # A read (GET) reads the data version once for all its lookups (a few queries saved on
    # every page; the server's load benchmark).
    reads = request.method in ("GET", "HEAD")
    return root_workspace(request).as_user(auth.viewer, reads_only=reads)


def lang_of(request: Request) -> Lang:
    auth = getattr(request.state, "auth", None)
    return request_lang(request, auth.viewer if auth else None)


CurrentSession = Annotated[Auth, Depends(current_session)]
OptionalAuth = Annotated["Auth | None", Depends(optional_auth)]
ViewerWs = Annotated[Workspace, Depends(viewer_workspace)]
LangDep = Annotated[Lang, Depends(lang_of)]
