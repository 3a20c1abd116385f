"""The web dashboard (docs/dashboard.md): server-rendered pages on the same FastAPI app as the
REST API, sharing its sessions, CSRF tokens, roles and stored results.

Every page reads what its JSON twin in the API answers — most pages call the API's own route
functions with the same parameters — so a page's numbers are the API's numbers. Pages call
only the workspace's services (through the viewer's workspace: a rep sees only their own
customers, everywhere), never the store. Charts are drawn by Apache ECharts, shipped inside
this package (``static/echarts``): nothing is loaded from a CDN.

:func:`install` adds the pages to an app made by :func:`keepwise.api.create_app`;
``keepwise serve`` does so.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from keepwise.web import errors
from keepwise.web.render import STATIC_DIR
from keepwise.web.routes import (
    analysis,
    auth,
    customers,
    imports,
    jobs,
    overview,
    playbooks,
    risk,
    settings,
    tasks,
    value,
)

#: Page routes anyone may open without logging in (the authorization tests check the rest).
PUBLIC_PAGES = ("/login",)
#: The modules of the pages, each with its ``router`` (the tests list every page from these).
PAGE_MODULES = (auth, overview, analysis, risk, customers, value, playbooks, tasks, imports,
                settings, jobs)  # fmt: skip


def install(app: FastAPI) -> None:
    """Add the dashboard's pages and static files (``/static/``) to the API's app."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)
    errors.install(app)


__all__ = ["PAGE_MODULES", "PUBLIC_PAGES", "install"]
