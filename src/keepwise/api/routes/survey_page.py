"""The public survey page (``/s/{token}``, no login): the signed, expiring, single-use link is
the capability, so there is no session and no CSRF token. The form is shown in the link's
language; an answer is stored once (docs/reports.md, "Surveys"; docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from keepwise.api.deps import root_workspace

router = APIRouter(tags=["surveys"])

#: The HTTP status of each state of a link or outcome of an answer.
STATUS = {"open": 200, "thanks": 200, "bad": 422, "invalid": 404, "used": 409, "expired": 410}
#: The page loads nothing and posts only to itself.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}
_PAGES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"text/html": {}}}
    for status, text in ((404, "The link is forged, altered or unknown: nothing stored"),
                         (409, "The link was answered already: nothing stored"),
                         (410, "The link has expired: nothing stored"))
}  # fmt: skip

FormText = Annotated[str | None, Form()]


def _page(state: str, html: str) -> HTMLResponse:
    return HTMLResponse(html, status_code=STATUS[state], headers=HEADERS)


@router.get("/s/{token}", response_class=HTMLResponse, responses=_PAGES)
def survey_form(request: Request, token: str) -> HTMLResponse:
    """The survey form of an open link (no login), in the customer's language."""
    return _page(*root_workspace(request).surveys.page(token))


@router.post("/s/{token}", response_class=HTMLResponse,
             responses={**_PAGES, 422: {"description": "A value out of range: the form again "
                                        "with the error, nothing stored",
                                        "content": {"text/html": {}}}})  # fmt: skip
def survey_answer(
    request: Request, token: str, csat: FormText = None, recommend: FormText = None,
    reason: FormText = None, leaving: FormText = None, comment: FormText = None,
) -> HTMLResponse:  # fmt: skip
    """Store the answer of an open link once (CSAT 1-5, would-recommend 0-10, a reason code of
    the taxonomy, whether the customer thinks of leaving, a comment): a thank-you page."""
    form = {"csat": csat, "recommend": recommend, "reason": reason, "leaving": leaving,
            "comment": comment}  # fmt: skip
    return _page(*root_workspace(request).surveys.submit(token, form))
