"""Rendering pages: the Jinja2 environment (autoescape on: text from the data is never
markup), the :class:`Page` every route receives (the viewer's workspace, who is logged in,
their language), and the number formats the pages share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from keepwise import __version__
from keepwise._core.i18n import Lang, t
from keepwise.api.deps import Auth, CurrentSession, LangDep, ViewerWs
from keepwise.web import strings
from keepwise.workspace import Workspace

PACKAGE = Path(str(resources.files("keepwise.web")))
STATIC_DIR = PACKAGE / "static"
TEMPLATES = PACKAGE / "templates"

#: Ratio-kind KPIs that are shares (shown as percentages); the other ratios are plain numbers.
PERCENT_RATIOS = frozenset({"net_customer_change_rate", "retention_rate",
                            "net_revenue_retention", "complaint_rate"})  # fmt: skip


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters.update(num=fmt_number, pct=fmt_percent, money=fmt_money, day=fmt_day,
                       when=fmt_when, metric=fmt_metric, signed=fmt_signed)  # fmt: skip
    env.globals.update(version=__version__, query=query)
    return env


# --- formats ------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_number(value: Any, digits: int = 0) -> str:
    """``1,234`` (or with ``digits`` decimals); an empty figure is ``—``."""
    if _missing(value):
        return "—"
    return f"{float(value):,.{digits}f}"


def fmt_percent(value: Any, digits: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def fmt_money(value: Any) -> str:
    return fmt_number(value, 0)


def fmt_day(value: Any) -> str:
    if _missing(value):
        return "—"
    text = str(value)
    return text[:10]


def fmt_when(value: Any) -> str:
    """A computed-at time to the second, without its microseconds."""
    if _missing(value):
        return "—"
    return str(value).replace("T", " ")[:19]


def is_percent(metric: str, kind: str) -> bool:
    return kind == "proportion" or metric in PERCENT_RATIOS


def fmt_metric(value: Any, metric: str, kind: str) -> str:
    """A KPI value in its own unit: shares as percentages, counts and amounts whole."""
    if is_percent(metric, kind):
        return fmt_percent(value)
    if kind in ("count", "amount"):
        return fmt_number(value)
    return fmt_number(value, 2)


def fmt_signed(value: Any, metric: str, kind: str) -> str:
    """A change between two values: percentage points for shares, with its sign."""
    if _missing(value):
        return "—"
    sign = "+" if float(value) > 0 else ("±" if float(value) == 0 else "−")
    size = abs(float(value))
    if is_percent(metric, kind):
        return f"{sign}{size * 100:.1f} pp"
    if kind in ("count", "amount"):
        return f"{sign}{size:,.0f}"
    return f"{sign}{size:,.2f}"


def query(**params: Any) -> str:
    """A query string of the parameters that have a value (for links)."""
    kept = {k: v for k, v in params.items() if v is not None and v != ""}
    return ("?" + urlencode(kept)) if kept else ""


ENV = _env()


# --- the page ----------------------------------------------------------------------------------


@dataclass
class Page:
    """What a page route works with: the request, the workspace as the logged-in user sees it
    (call only its services), the authentication (CSRF token for forms) and the language."""

    request: Request
    ws: Workspace
    auth: Auth
    lang: Lang

    @property
    def role(self) -> str:
        return self.auth.viewer.role

    @property
    def manages(self) -> bool:
        """Managers and admins: imports, training, decisions, approvals."""
        return self.role in ("admin", "manager")

    def text(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, template, lang=self.lang, auth=self.auth,
                      status_code=status_code, **context)  # fmt: skip

    def back(self, path: str, **params: Any) -> RedirectResponse:
        """After a change: back to ``path`` with a GET (the 303 keeps a reload from posting
        again)."""
        return RedirectResponse(path + query(**params), status_code=303)


def render(
    request: Request, template: str, *, lang: Lang, auth: Auth | None = None,
    status_code: int = 200, **context: Any,
) -> HTMLResponse:  # fmt: skip
    def _(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    body = ENV.get_template(template).render(
        request=request, lang=lang, auth=auth, user=auth.viewer if auth else None,
        _=_, nav=strings.NAV, path=request.url.path, **context,
    )  # fmt: skip
    return HTMLResponse(body, status_code=status_code)


def page(request: Request, ws: ViewerWs, auth: CurrentSession, lang: LangDep) -> Page:
    return Page(request, ws, auth, lang)


PageDep = Annotated[Page, Depends(page)]
