"""The lifecycle actions on one customer (客户生命周期操作): void (作废), churn, reactivate (won
back) and revert, each a status event with time, actor, reason, note and destination, and an
entry in the audit log. Nothing is deleted: a revert is itself an event that names the event it
undoes, and the churn definition leaves both out (docs/lifecycle.md).

Whether a customer is lost is read from the churn definition (:func:`defined_status`), which the
caller computes before its transaction; a void is refused when the customer's recorded status is
voided, read inside the transaction (a void wins over inferred events, so the two agree)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError
from keepwise._core.i18n import Text, register
from keepwise.churn import LOST, Tables, statuses
from keepwise.lifecycle.records import audit, customer, reason_code
from keepwise.lifecycle.status import change_status
from keepwise.store import schema

register(
    {
        "lifecycle.already_voided": {
            "zh": "客户 {customer_id} 已经是作废状态",
            "en": "Customer {customer_id} is already voided",
        },
        "lifecycle.already_lost": {
            "zh": "客户 {customer_id} 已经是{status}状态（按流失定义），不能再标记为流失",
            "en": "Customer {customer_id} is already {status} (under the churn definition); "
            "it cannot churn again",
        },
        "lifecycle.not_lost": {
            "zh": "客户 {customer_id} 当前为{status}状态（按流失定义），没有可挽回的流失",
            "en": "Customer {customer_id} is {status} (under the churn definition): there is "
            "nothing to win back",
        },
        "lifecycle.nothing_to_revert": {
            "zh": "客户 {customer_id} 没有可撤销的状态变更",
            "en": "Customer {customer_id} has no status change to revert",
        },
        "lifecycle.same_moment": {
            "zh": "客户 {customer_id} 在 {at} 已有一条变为{status}的记录",
            "en": "Customer {customer_id} already has a change to {status} at {at}",
        },
        "lifecycle.status.active": {"zh": "活跃", "en": "active"},
        "lifecycle.status.at_risk": {"zh": "有风险", "en": "at risk"},
        "lifecycle.status.churned": {"zh": "流失", "en": "churned"},
        "lifecycle.status.voided": {"zh": "作废", "en": "voided"},
        "lifecycle.status.won_back": {"zh": "已挽回", "en": "won back"},
    }
)


@dataclass(frozen=True)
class StatusChange:
    """One recorded status event (``reverts``: the id of the event a revert undoes)."""

    event_id: int
    customer_id: str
    at: dt.datetime
    from_status: str | None
    to_status: str
    reason: str | None
    note: str | None
    destination: str | None
    actor: str | None
    source: str
    reverts: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["at"] = self.at.isoformat()
        return out


def one_customer(t: Tables, customer_id: str) -> Tables:
    """The tables the churn definition reads, cut down to one customer (a quick status)."""
    return dataclasses.replace(
        t,
        customers=t.customers.filter(t.customers.customer_id == customer_id),
        orders=t.orders.filter(t.orders.customer_id == customer_id),
        status_events=t.status_events.filter(t.status_events.customer_id == customer_id),
        scores=t.scores.filter(t.scores.customer_id == customer_id),
        keep=False,
    )


def defined_status(t: Tables, churn: ChurnConfig, customer_id: str, at: dt.datetime) -> str | None:
    """The customer's status under the churn definition once the day of ``at`` is over (every
    event of that day counted), or None when the customer is not in the customer base then
    (no acquisition date and no order)."""
    s = statuses(one_customer(t, customer_id), churn, at.date() + dt.timedelta(days=1))
    found = s.select("status").to_pyarrow().column("status").to_pylist()
    return str(found[0]) if found else None


def void(
    conn: sa.Connection, customer_id: str, *, reason: str | None, at: dt.datetime, actor: str,
    note: str | None = None, destination: str | None = None, action: str = "customer.void",
    now: dt.datetime | None = None, **audit_detail: Any,
) -> StatusChange:  # fmt: skip
    """Void a customer: a reason from the taxonomy is required; a voided one is refused."""
    code = check_void(conn, customer_id, reason, at)
    return _record(conn, customer_id, "voided", at=at, actor=actor, reason=code, note=note,
                   destination=destination, action=action, now=now, **audit_detail)  # fmt: skip


def check_void(conn: sa.Connection, customer_id: str, reason: str | None, at: dt.datetime) -> str:
    """The reason code of a void that may go ahead (else an InputError, nothing changed)."""
    customer(conn, customer_id)
    if not (reason or "").strip():
        raise InputError("status.reason_required")
    code = reason_code(conn, reason or "")
    if recorded_status(conn, customer_id, at) == "voided":
        raise InputError("lifecycle.already_voided", customer_id=customer_id)
    return code


def churn(
    conn: sa.Connection, customer_id: str, *, status_then: str | None, at: dt.datetime,
    actor: str, reason: str | None = None, note: str | None = None,
    destination: str | None = None, now: dt.datetime | None = None,
) -> StatusChange:  # fmt: skip
    """Record that a customer churned; ``status_then`` is :func:`defined_status` at ``at``:
    a customer already lost under the churn definition is refused."""
    row = customer(conn, customer_id)
    code = reason_code(conn, reason) if reason and reason.strip() else None
    status = status_then or row["status"]
    if status in LOST:
        raise InputError("lifecycle.already_lost", customer_id=customer_id,
                         status=_status_word(status))  # fmt: skip
    return _record(conn, customer_id, "churned", at=at, actor=actor, reason=code, note=note,
                   destination=destination, action="customer.churn", now=now)  # fmt: skip


def reactivate(
    conn: sa.Connection, customer_id: str, *, status_then: str | None, at: dt.datetime,
    actor: str, note: str | None = None, now: dt.datetime | None = None,
) -> StatusChange:  # fmt: skip
    """Win a lost customer back (to ``won_back``); a customer kept under the churn definition
    (``status_then``, :func:`defined_status`) is refused."""
    row = customer(conn, customer_id)
    status = status_then or row["status"]
    if status not in LOST:
        raise InputError("lifecycle.not_lost", customer_id=customer_id,
                         status=_status_word(status))  # fmt: skip
    return _record(conn, customer_id, "won_back", at=at, actor=actor, note=note,
                   action="customer.reactivate", now=now)  # fmt: skip


def revert(
    conn: sa.Connection, customer_id: str, *, at: dt.datetime, actor: str, note: str | None = None
) -> StatusChange:
    """Undo the customer's status change recorded last that still stands: a new event that
    names it (``reverts``), back to the status before it. Both stay in the history; the churn
    definition and the current status leave both out."""
    customer(conn, customer_id)
    e = schema.status_events
    undone = e.alias("undone")
    standing = sa.and_(
        e.c.customer_id == customer_id, e.c.reverts.is_(None),
        ~sa.exists().where(undone.c.reverts == e.c.id),
    )  # fmt: skip
    last = conn.execute(
        sa.select(e.c.id, e.c.from_status, e.c.to_status).where(standing).order_by(e.c.id.desc())
    ).first()
    if last is None:
        raise InputError("lifecycle.nothing_to_revert", customer_id=customer_id)
    back_to = last.from_status or "active"
    return _record(conn, customer_id, back_to, at=at, actor=actor, note=note,
                   reverts=int(last.id), from_status=last.to_status,
                   action="customer.revert")  # fmt: skip


def recorded_status(conn: sa.Connection, customer_id: str, at: dt.datetime) -> str:
    """The status of the latest standing event at or before ``at`` ('active' when none)."""
    e = schema.status_events
    undone = e.alias("undone")
    found = conn.execute(
        sa.select(e.c.to_status)
        .where(e.c.customer_id == customer_id, e.c.reverts.is_(None), e.c.occurred_at <= at,
               ~sa.exists().where(undone.c.reverts == e.c.id))
        .order_by(e.c.occurred_at.desc(), e.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()  # fmt: skip
    return str(found) if found else "active"


def _record(
    conn: sa.Connection, customer_id: str, to_status: str, *, at: dt.datetime, actor: str,
    action: str, reason: str | None = None, note: str | None = None,
    destination: str | None = None, reverts: int | None = None,
    from_status: str | None = None, now: dt.datetime | None = None, **audit_detail: Any,
) -> StatusChange:  # fmt: skip
    """Record the event and audit it (``now``: when it was recorded, if not at ``at``)."""
    at = _free_moment(conn, customer_id, to_status, at)
    event_id = change_status(
        conn, customer_id, to_status, at=at, actor=actor, reason=reason, note=note,
        destination=destination, source="user", reverts=reverts, from_status=from_status,
    )  # fmt: skip
    e = schema.status_events
    row = conn.execute(sa.select(e).where(e.c.id == event_id)).mappings().one()
    change = StatusChange(
        event_id=event_id, customer_id=customer_id, at=row["occurred_at"],
        from_status=row["from_status"], to_status=to_status, reason=reason, note=note,
        destination=destination, actor=actor, source="user", reverts=reverts,
    )  # fmt: skip
    audit(conn, at=now or at, actor=actor, action=action, entity="customer", entity_id=customer_id,
          event_id=event_id, from_status=change.from_status, to_status=to_status, reason=reason,
          note=note, destination=destination, reverts=reverts, **audit_detail)  # fmt: skip
    return change


def _free_moment(
    conn: sa.Connection, customer_id: str, to_status: str, at: dt.datetime
) -> dt.datetime:
    """``at``, or a microsecond later while a reverted event (or a revert) holds the same
    customer, moment and status (the table keeps one event per customer, moment and status,
    the key of imports); a standing event there is an error."""
    e = schema.status_events
    undone = e.alias("undone")
    taken = conn.execute(
        sa.select(e.c.occurred_at, e.c.reverts.is_(None) & ~sa.exists().where(
            undone.c.reverts == e.c.id)).where(
            e.c.customer_id == customer_id, e.c.to_status == to_status,
            e.c.occurred_at >= at, e.c.occurred_at < at + dt.timedelta(seconds=1))
    ).all()  # fmt: skip
    standing = {moment for moment, stands in taken if stands}
    if at in standing:
        raise InputError("lifecycle.same_moment", customer_id=customer_id, at=at.isoformat(),
                         status=_status_word(to_status))  # fmt: skip
    used = {moment for moment, _ in taken}
    while at in used:
        at += dt.timedelta(microseconds=1)
    return at


def _status_word(status: str) -> Text:
    return Text(f"lifecycle.status.{status}")
