"""Customer value: RFM, tiers, CLV, the no-value review with its decisions, and value scoring
(a background job)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from keepwise.api.common import as_of_day, stored
from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import AsOfQuery, Day, Id, Limit, LongText, Offset
from keepwise.api.routes.jobs import start_job

router = APIRouter(prefix="/value", tags=["value"], dependencies=[Depends(current_session)])

Treatment = Literal["end_relationship", "reduce_service", "stop_discounts"]


class Decision(BaseModel):
    as_of: Day | None = None
    note: LongText | None = None
    treatment: Treatment = "end_relationship"
    force: bool = False


class Keep(BaseModel):
    as_of: Day | None = None
    note: LongText | None = None


class Revert(BaseModel):
    note: LongText | None = None


class ScoreRun(BaseModel):
    as_of: Day | None = None


def _with_page(answer: dict[str, Any], key: str, limit: int, offset: int) -> dict[str, Any]:
    """The answer with its (long) list of customers cut to one page."""
    data = answer["data"]
    rows = data.get(key) or []
    data[key] = rows[offset : offset + limit]
    data[f"{key}_total"] = len(rows)
    return answer


@router.get("/rfm")
def rfm(
    ws: ViewerWs, as_of: AsOfQuery = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """RFM segments (summary) and a page of customers' scores."""
    answer = stored(ws, "value_rfm", {"as_of": as_of_day(ws, as_of)})
    return _with_page(answer, "customers", limit, offset)


@router.get("/tiers")
def tiers(
    ws: ViewerWs, as_of: AsOfQuery = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Value tiers: cutoffs, customers, revenue and profit per tier, the Pareto share."""
    answer = stored(ws, "value_tiers", {"as_of": as_of_day(ws, as_of)})
    return _with_page(answer, "customers", limit, offset)


@router.get("/clv")
def clv(
    ws: ViewerWs, as_of: AsOfQuery = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Predicted CLV (BG/NBD + Gamma-Gamma): parameters, total, a page of customers."""
    answer = stored(ws, "value_clv", {"as_of": as_of_day(ws, as_of)})
    return _with_page(answer, "customers", limit, offset)


@router.get("/no-value")
def no_value(ws: ViewerWs, as_of: AsOfQuery = None) -> dict[str, Any]:
    """The no-value candidates: the criteria met and the recommended treatment."""
    return stored(ws, "value_no_value", {"as_of": as_of_day(ws, as_of)})


@router.post("/no-value/{customer_id}/decide")
def decide(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Decision) -> dict[str, Any]:
    """Let a no-value customer go (a void with reason no_value; managers and admins)."""
    event = ws.value.decide(customer_id, as_of=as_of_day(ws, body.as_of, writing=True),
                            actor=auth.viewer.username, note=body.note,
                            treatment=body.treatment, force=body.force)  # fmt: skip
    return {"customer_id": customer_id, "event_id": event}


@router.post("/no-value/{customer_id}/keep")
def keep(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Keep) -> dict[str, Any]:
    """Reject the proposal: keep the customer (a recorded, audited decision; the review shows
    them as kept until they meet a new criterion; managers and admins)."""
    day = ws.check_writable(as_of_day(ws, body.as_of, writing=True))
    return ws.value.keep(customer_id, as_of=day, actor=auth.viewer.username, note=body.note)


@router.post("/no-value/{customer_id}/revert")
def revert(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Revert) -> dict[str, Any]:
    """Undo a no-value decision (an event back to active; managers and admins)."""
    event = ws.value.revert(customer_id, actor=auth.viewer.username, note=body.note)
    return {"customer_id": customer_id, "event_id": event}


@router.post("/score", status_code=202)
def score(ws: ViewerWs, body: ScoreRun) -> dict[str, Any]:
    """Compute and store every value score (a background job; managers and admins)."""
    ws.viewer.require("admin", "manager")
    day = as_of_day(ws, body.as_of, writing=True)
    ws.check_writable(day)

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        _scores, stored_rows = job_ws.value.score(day)
        return {"stored": stored_rows}

    return start_job(ws, "value.score", {"as_of": day}, work)
