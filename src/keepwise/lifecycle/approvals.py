"""Voids that wait for a manager (``[lifecycle] void_needs_approval = true``): a request is
pending until a manager approves it — the void event is recorded then, dated at the approval,
with the requester as its actor — or rejects it with a note. Requests are never deleted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.lifecycle.actions import StatusChange, check_void, void
from keepwise.lifecycle.records import audit
from keepwise.store import schema

register(
    {
        "lifecycle.request_pending": {
            "zh": "客户 {customer_id} 已有待审批的作废申请 #{request_id}",
            "en": "Customer {customer_id} already has a void request #{request_id} waiting "
            "for approval",
        },
        "lifecycle.unknown_request": {
            "zh": "作废申请 #{request_id} 不存在",
            "en": "There is no void request #{request_id}",
        },
        "lifecycle.request_decided": {
            "zh": "作废申请 #{request_id} 已经{state_zh}，不能再审批",
            "en": "The void request #{request_id} is already {state}",
        },
        "lifecycle.reject_note": {
            "zh": "驳回作废申请需要填写说明（--note）",
            "en": "Rejecting a void request needs a note (--note)",
        },
    }
)

_STATE_ZH = {"approved": "批准", "rejected": "驳回"}


@dataclass(frozen=True)
class StatusRequest:
    """A void waiting for a manager, or decided (``event_id``: the void, once approved)."""

    id: int
    customer_id: str
    to_status: str
    requested_by: str
    requested_at: dt.datetime
    reason: str | None
    note: str | None
    destination: str | None
    state: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    event_id: int | None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("requested_at", "decided_at"):
            out[key] = out[key].isoformat() if out[key] is not None else None
        return out


def request_void(
    conn: sa.Connection, customer_id: str, *, reason: str | None, at: dt.datetime, actor: str,
    note: str | None = None, destination: str | None = None,
) -> StatusRequest:  # fmt: skip
    """A void request, checked as a void is (reason, not voided) and one per customer."""
    code = check_void(conn, customer_id, reason, at)
    q = schema.status_requests
    waiting = conn.execute(
        sa.select(q.c.id).where(q.c.customer_id == customer_id, q.c.state == "pending")
    ).scalar_one_or_none()
    if waiting is not None:
        raise InputError("lifecycle.request_pending", customer_id=customer_id,
                         request_id=waiting)  # fmt: skip
    request_id = conn.execute(
        sa.insert(q).values(
            customer_id=customer_id, to_status="voided", requested_by=actor, requested_at=at,
            reason=code, note=note, destination=destination, state="pending",
        ).returning(q.c.id)
    ).scalar_one()  # fmt: skip
    audit(conn, at=at, actor=actor, action="customer.void_requested", entity="customer",
          entity_id=customer_id, request_id=int(request_id), reason=code, note=note,
          destination=destination)  # fmt: skip
    return get(conn, int(request_id))


def get(conn: sa.Connection, request_id: int) -> StatusRequest:
    q = schema.status_requests
    row = conn.execute(sa.select(q).where(q.c.id == request_id)).mappings().first()
    if row is None:
        raise NotFoundError("lifecycle.unknown_request", request_id=request_id)
    return _request(row)


def find(
    conn: sa.Connection, *, state: str | None = "pending", customer_id: str | None = None
) -> list[StatusRequest]:
    """Requests, oldest first: the pending ones by default."""
    q = schema.status_requests
    query = sa.select(q).order_by(q.c.requested_at, q.c.id)
    if state is not None:
        query = query.where(q.c.state == state)
    if customer_id is not None:
        query = query.where(q.c.customer_id == customer_id)
    return [_request(r) for r in conn.execute(query).mappings()]


def approve(
    conn: sa.Connection, request_id: int, *, actor: str, at: dt.datetime, note: str | None = None
) -> tuple[StatusRequest, StatusChange]:
    """Approve a pending void: the void is recorded now (dated ``at``), its actor the
    requester; checked again (the customer may have been voided meanwhile)."""
    request = _pending(conn, request_id)
    change = void(
        conn, request.customer_id, reason=request.reason, at=at, actor=request.requested_by,
        note=request.note, destination=request.destination, request_id=request_id,
        approved_by=actor,
    )  # fmt: skip
    _decide(conn, request, "approved", actor=actor, at=at, note=note, event_id=change.event_id)
    return get(conn, request_id), change


def reject(
    conn: sa.Connection, request_id: int, *, actor: str, at: dt.datetime, note: str | None
) -> StatusRequest:
    """Reject a pending void with a note saying why; the customer is not changed."""
    if not (note or "").strip():
        raise InputError("lifecycle.reject_note")
    request = _pending(conn, request_id)
    _decide(conn, request, "rejected", actor=actor, at=at, note=note, event_id=None)
    return get(conn, request_id)


def _pending(conn: sa.Connection, request_id: int) -> StatusRequest:
    request = get(conn, request_id)
    if request.state != "pending":
        raise InputError("lifecycle.request_decided", request_id=request_id, state=request.state,
                         state_zh=_STATE_ZH.get(request.state, request.state))  # fmt: skip
    return request


def _decide(
    conn: sa.Connection, request: StatusRequest, state: str, *, actor: str, at: dt.datetime,
    note: str | None, event_id: int | None,
) -> None:  # fmt: skip
    q = schema.status_requests
    conn.execute(
        sa.update(q)
        .where(q.c.id == request.id)
        .values(state=state, decided_by=actor, decided_at=at, decision_note=note, event_id=event_id)
    )
    audit(conn, at=at, actor=actor, action=f"customer.void_{state}", entity="customer",
          entity_id=request.customer_id, request_id=request.id, requested_by=request.requested_by,
          note=note, event_id=event_id)  # fmt: skip


def _request(r: Any) -> StatusRequest:
    return StatusRequest(**{f.name: r[f.name] for f in dataclasses.fields(StatusRequest)})
