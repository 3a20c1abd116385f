"""The FastAPI application: the REST API under ``/api`` (docs/api.md).

:func:`create_app` builds it around one open :class:`Workspace` (the server holds the
embedded DuckDB file for its lifetime; on PostgreSQL any number of server processes may run).
The web pages are added as more routers by ``keepwise.web`` (``install(app)``), sharing the
dependencies of :mod:`keepwise.api.deps`; ``keepwise serve`` puts the two together.

The interactive docs (``/api/docs``) are Swagger UI served from the files the
``fastapi-offline`` package ships: nothing is loaded from a CDN.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from keepwise import __version__
from keepwise.api import errors
from keepwise.api.common import KeepwiseJSON
from keepwise.api.routes import (
    alerts,
    auth,
    customers,
    imports,
    jobs,
    kpis,
    lifecycle,
    owners,
    playbooks,
    risk,
    settings,
    survey_page,
    tasks,
    users,
    value,
)
from keepwise.workspace import Workspace

log = logging.getLogger("keepwise.api")

API = "/api"
OPENAPI_URL = f"{API}/openapi.json"
DOCS_URL = f"{API}/docs"
DOCS_STATIC = f"{API}/docs/static"
#: How long (s) a data version read may serve the next requests again.
REUSE_READS_S = 1.0
#: Paths any caller may open without logging in (the authorization test checks that no
#: other route answers without a session or token): the survey page's signed link is its
#: own capability.
PUBLIC_PATHS = (f"{API}/health", f"{API}/login", OPENAPI_URL, DOCS_URL, "/s/{token}")
PUBLIC_PREFIXES = (f"{DOCS_STATIC}/", "/static/")

DESCRIPTION = """Keepwise's REST API: customers, KPIs, reasons, value, risk, alerts, lifecycle
actions, playbooks and tasks, settings and users. Log in (`POST /api/login`: a session cookie
and a CSRF token) or send an API token (`Authorization: Bearer kw_…`). Errors:
`{"error": {"code": "...", "message": "..."}}`. Figures of reports come from stored results
with `computed_at`. A rep sees only the customers they own. See docs/api.md."""


def _docs_assets() -> Path:
    return Path(str(resources.files("fastapi_offline") / "static"))


def create_app(workspace: Workspace | Path | str, *, recover_jobs: bool = True) -> FastAPI:
    """The API on ``workspace`` (an open workspace, or its folder, opened here and closed
    when the app shuts down)."""
    owns = not isinstance(workspace, Workspace)
    ws = Workspace.open(Path(workspace)) if owns else workspace  # type: ignore[arg-type]
    assert isinstance(ws, Workspace)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            from starlette.concurrency import run_in_threadpool

            from keepwise.workspace.jobs import join_all

            still = await run_in_threadpool(join_all, 30.0)
            if still:
                log.warning("%s background jobs still ran at shutdown", still)
            if owns:
                ws.close()

    app = FastAPI(
        title="Keepwise", version=__version__, description=DESCRIPTION,
        openapi_url=OPENAPI_URL, docs_url=None, redoc_url=None, lifespan=lifespan,
        default_response_class=KeepwiseJSON,
    )  # fmt: skip
    app.state.workspace = ws
    # Every request reads the data version: for a second it serves again, unless this server
    # wrote meanwhile (Workspace.reuse_reads).
    ws.reuse_reads(REUSE_READS_S)
    if recover_jobs:
        interrupted = ws.jobs.recover()
        if interrupted:
            log.warning("%s background jobs were interrupted by the last shutdown", interrupted)
    errors.install(app)
    app.middleware("http")(_security_headers)
    app.include_router(auth.public, prefix=API)
    app.include_router(survey_page.router)  # /s/{token}: where [surveys] base_url links point
    for router in (auth.router, customers.router, lifecycle.router, lifecycle.approvals_router,
                   owners.router, kpis.router, value.router, risk.router, alerts.router,
                   playbooks.router, tasks.router, imports.router, jobs.router,
                   settings.router, users.router):  # fmt: skip
        app.include_router(router, prefix=API)
    _install_docs(app)
    return app


def _install_docs(app: FastAPI) -> None:
    app.mount(DOCS_STATIC, StaticFiles(directory=_docs_assets()), name="api-docs-static")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL, title="Keepwise API",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_STATIC}/favicon.png",
        )  # fmt: skip


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.url.path.startswith(API) and not request.url.path.startswith(DOCS_URL):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def routes_of(app: FastAPI) -> list[dict[str, Any]]:
    """Every route of the app with its methods (for tests and docs)."""
    return [{"path": getattr(r, "path", ""), "methods": sorted(getattr(r, "methods", []) or [])}
            for r in app.routes]  # fmt: skip
