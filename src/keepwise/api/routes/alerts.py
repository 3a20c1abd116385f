"""Early-warning alerts: list, one alert with its history, acknowledge, close, and a rule run
(a background job)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from keepwise.api.common import as_of_day
from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import Day, Id, LongText, TextQuery
from keepwise.api.routes.jobs import start_job

router = APIRouter(prefix="/alerts", tags=["alerts"], dependencies=[Depends(current_session)])

AlertId = Annotated[int, Path(ge=1, le=2**62)]


class Ack(BaseModel):
    note: LongText | None = None


class Close(BaseModel):
    note: LongText


class RuleRun(BaseModel):
    as_of: Day | None = None


@router.get("")
def alerts(
    ws: ViewerWs,
    status: Literal["open", "acknowledged", "closed"] | None = None,
    rule: TextQuery = None,
    severity: Literal["low", "medium", "high"] | None = None,
    owner_id: TextQuery = None,
    customer_id: Annotated[Id | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    """Alerts, newest first (a rep: of their own customers)."""
    found = ws.alerts.find(status=status, rule=rule, severity=severity, owner=owner_id,
                           customer=customer_id, limit=limit)  # fmt: skip
    return [a.to_dict() for a in found]


@router.get("/rules")
def rules(ws: ViewerWs) -> list[dict[str, Any]]:
    """The workspace's rules (rules.yaml, else the built-in ones)."""
    return ws.settings.rules()


@router.get("/{alert_id}")
def alert(ws: ViewerWs, alert_id: AlertId) -> dict[str, Any]:
    return {**ws.alerts.get(alert_id).to_dict(), "history": ws.alerts.history(alert_id)}


@router.post("/{alert_id}/ack")
def ack(ws: ViewerWs, auth: CurrentSession, alert_id: AlertId, body: Ack) -> dict[str, Any]:
    """Acknowledge an open alert (someone is on it)."""
    return ws.alerts.ack(alert_id, actor=auth.viewer.username, note=body.note).to_dict()


@router.post("/{alert_id}/close")
def close(ws: ViewerWs, auth: CurrentSession, alert_id: AlertId, body: Close) -> dict[str, Any]:
    """Close an alert with a note on what was done."""
    return ws.alerts.close(alert_id, actor=auth.viewer.username, note=body.note).to_dict()


@router.post("/run", status_code=202)
def run(ws: ViewerWs, body: RuleRun) -> dict[str, Any]:
    """Evaluate the rules and open new alerts (a background job; managers and admins)."""
    ws.viewer.require("admin", "manager")
    day = ws.check_writable(as_of_day(ws, body.as_of, writing=True))

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        return job_ws.alerts.run(day)

    return start_job(ws, "alerts.run", {"as_of": day}, work)
