"""Settings: the churn definition, the rules, the reason taxonomy (the workspace's own reasons
changed by admins), the thresholds, and the audit log (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import Id, Text, TextQuery

router = APIRouter(prefix="/settings", tags=["settings"], dependencies=[Depends(current_session)])


class Reason(BaseModel):
    label_zh: Text
    label_en: Text
    avoidable: bool


@router.get("")
def settings(ws: ViewerWs) -> dict[str, Any]:
    """Everything at once: churn definition, rules, reasons, thresholds."""
    return {"churn": ws.settings.churn(), "rules": ws.settings.rules(),
            "reasons": ws.settings.reasons(), "thresholds": ws.settings.thresholds()}  # fmt: skip


@router.get("/churn")
def churn(ws: ViewerWs) -> dict[str, Any]:
    """The churn definition (keepwise.toml [churn]); changed in the file, read at start-up."""
    return ws.settings.churn()


@router.get("/rules")
def rules(ws: ViewerWs) -> list[dict[str, Any]]:
    return ws.settings.rules()


@router.get("/reasons")
def reasons(ws: ViewerWs) -> list[dict[str, Any]]:
    """The reason taxonomy: built-in reasons and the workspace's own."""
    return ws.settings.reasons()


@router.put("/reasons/{code}")
def set_reason(
    ws: ViewerWs, auth: CurrentSession, code: Annotated[str, Path(max_length=40)], body: Reason
) -> dict[str, Any]:
    """Add or change one of the workspace's own reasons (admins; built-in ones are fixed)."""
    return ws.settings.set_reason(code, label_zh=body.label_zh, label_en=body.label_en,
                                  avoidable=body.avoidable, actor=auth.viewer.username)  # fmt: skip


@router.get("/thresholds")
def thresholds(ws: ViewerWs) -> dict[str, Any]:
    """[value], [risk] and [server] settings."""
    return ws.settings.thresholds()


@router.get("/audit")
def audit(
    ws: ViewerWs, entity: TextQuery = None, entity_id: Annotated[Id | None, Query()] = None,
    actor: TextQuery = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    """Who changed what, newest first (admins)."""
    return ws.settings.audit_log(entity=entity, entity_id=entity_id, actor=actor, limit=limit,
                                 offset=offset)  # fmt: skip
