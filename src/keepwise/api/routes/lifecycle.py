"""A customer's lifecycle (docs/lifecycle.md): void with a reason (or a request for a manager's
approval), churn, reactivate, revert, reassign, the history, and the approvals of void
requests. Each change is a status event or an owner change, audited with the user; the stored
results read the data version, which every change moves (a void: the KPIs are recomputed).

A rep acts only on the customers they own (another's is not found); reassignments and
approvals are for managers and admins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import Id, LongText, Moment, Text

router = APIRouter(prefix="/customers", tags=["lifecycle"],
                   dependencies=[Depends(current_session)])  # fmt: skip
approvals_router = APIRouter(prefix="/approvals", tags=["lifecycle"],
                             dependencies=[Depends(current_session)])  # fmt: skip

RequestId = Annotated[int, Path(ge=1, le=2**62)]
#: A reason of the taxonomy or of the workspace's own reasons: its code or either label.
Reason = Annotated[Text, Field(min_length=1)]
AtField = Annotated[Moment | None, Field(description="When it happened (default: now; never "
                                         "in the future); without a zone: the workspace's")]  # fmt: skip


class Void(BaseModel):
    reason: Reason
    note: LongText | None = None
    destination: Text | None = None
    at: AtField = None


class Churn(BaseModel):
    reason: Reason | None = None
    note: LongText | None = None
    destination: Text | None = None
    at: AtField = None


class Note(BaseModel):
    note: LongText | None = None
    at: AtField = None


class Reassign(BaseModel):
    to_owner: Id
    note: LongText | None = None
    as_manager: bool = Field(False, description="Reassign a customer in the pool (recorded as "
                             "a manager's reassignment)")  # fmt: skip
    at: AtField = None


#: The kinds of follow-up (keepwise.lifecycle.followups.FOLLOW_UP_KINDS; a test checks they match).
FollowUpKind = Literal["call", "visit", "meeting", "email", "message", "other"]


class FollowUp(BaseModel):
    kind: FollowUpKind
    note: LongText | None = None
    at: AtField = None


class Decision(BaseModel):
    note: LongText | None = None


class Rejection(BaseModel):
    note: LongText


@router.post("/{customer_id}/void")
def void(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Void) -> dict[str, Any]:
    """Void a customer with a reason (``kind: change``), or, when ``[lifecycle]
    void_needs_approval``, ask a manager (``kind: request``, pending)."""
    done = ws.customers.void(customer_id, reason=body.reason, actor=auth.viewer.username,
                             note=body.note, destination=body.destination,
                             at=body.at)  # fmt: skip
    kind = "request" if hasattr(done, "state") else "change"
    return {"kind": kind, **done.to_dict()}


@router.post("/{customer_id}/churn")
def churn(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Churn) -> dict[str, Any]:
    """Record that a customer churned (one already lost under the churn definition: 400)."""
    return ws.customers.churn(customer_id, actor=auth.viewer.username, reason=body.reason,
                              note=body.note, destination=body.destination,
                              at=body.at).to_dict()  # fmt: skip


@router.post("/{customer_id}/reactivate")
def reactivate(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Note) -> dict[str, Any]:
    """Win a churned or voided customer back (status won_back)."""
    return ws.customers.reactivate(customer_id, actor=auth.viewer.username, note=body.note,
                                   at=body.at).to_dict()  # fmt: skip


@router.post("/{customer_id}/revert")
def revert(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Note) -> dict[str, Any]:
    """Undo the customer's last status change: every figure is then as if it had never been
    recorded; both events stay in the history."""
    return ws.customers.revert(customer_id, actor=auth.viewer.username, note=body.note,
                               at=body.at).to_dict()  # fmt: skip


@router.post("/{customer_id}/reassign")
def reassign(ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: Reassign) -> dict[str, Any]:
    """Give the customer to another active owner (managers and admins)."""
    return ws.customers.reassign(customer_id, body.to_owner, actor=auth.viewer.username,
                                 note=body.note, as_manager=body.as_manager,
                                 at=body.at).to_dict()  # fmt: skip


@router.post("/{customer_id}/follow-ups", status_code=201)
def follow_up(
    ws: ViewerWs, auth: CurrentSession, customer_id: Id, body: FollowUp
) -> dict[str, Any]:
    """Record a follow-up of the customer (a call, a visit …): an interaction that is not
    imported data (it does not move where the data ends), audited with the user."""
    return ws.customers.follow_up(customer_id, body.kind, body.note, auth.viewer.username,
                                  at=body.at)  # fmt: skip


@router.get("/{customer_id}/history")
def history(ws: ViewerWs, customer_id: Id) -> list[dict[str, Any]]:
    """Status events (reverted ones marked), owner changes and void requests, oldest first."""
    return ws.customers.history(customer_id)


@approvals_router.get("")
def approvals(
    ws: ViewerWs,
    state: Annotated[Literal["pending", "approved", "rejected", "all"], Query()] = "pending",
) -> list[dict[str, Any]]:
    """Void requests, oldest first (managers and admins)."""
    found = ws.customers.approvals(state=None if state == "all" else state)
    return [r.to_dict() for r in found]


@approvals_router.post("/{request_id}/approve")
def approve(
    ws: ViewerWs, auth: CurrentSession, request_id: RequestId, body: Decision
) -> dict[str, Any]:
    """Approve a pending void: the void is recorded now, the requester its actor."""
    request, change = ws.customers.approve(request_id, actor=auth.viewer.username,
                                           note=body.note)  # fmt: skip
    return {"request": request.to_dict(), "change": change.to_dict()}


@approvals_router.post("/{request_id}/reject")
def reject(
    ws: ViewerWs, auth: CurrentSession, request_id: RequestId, body: Rejection
) -> dict[str, Any]:
    """Reject a pending void with a note; the customer is not changed."""
    return ws.customers.reject(request_id, actor=auth.viewer.username, note=body.note).to_dict()
