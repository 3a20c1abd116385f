"""Status events are the truth; ``customers.status`` and each event's ``from_status`` are derived
from them, so importing, voiding and reverting all go through :func:`refresh_statuses`."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.store import schema

register(
    {
        "status.unknown_customer": {
            "zh": "客户 {customer_id} 不存在",
            "en": "Unknown customer {customer_id}",
        },
        "status.reason_required": {
            "zh": "作废客户必须填写原因",
            "en": "Voiding a customer needs a reason",
        },
        "status.before_acquired": {
            "zh": "{at} 早于客户 {customer_id} 的获客日期 {acquired}：状态变更和跟进不能早于获客",
            "en": "{at} is before customer {customer_id} was acquired ({acquired}): a status "
            "change or follow-up cannot come before acquisition",
        },
        "status.bad_status": {
            "zh": "未知状态 {status}",
            "en": "Unknown status {status}",
        },
    }
)


def standing_events(customer_filter: str) -> str:
    """SQL of the status events of the customers selected by ``customer_filter`` that stand:
    neither a revert nor an event a revert undid (as :func:`keepwise.churn.recorded_events`)."""
    return (
        f"SELECT * FROM status_events WHERE customer_id IN ({customer_filter})"
        " AND reverts IS NULL AND id NOT IN (SELECT reverts FROM status_events"
        f"  WHERE reverts IS NOT NULL AND customer_id IN ({customer_filter}))"
    )


def refresh_statuses(conn: sa.Connection, customer_filter: str) -> None:
    """Recompute ``from_status`` of the standing events and the current status of the customers
    selected by the SQL ``customer_filter`` (a subquery returning customer ids). A customer
    whose events were all reverted is active again, with no status date. A revert and the event
    it undid keep the ``from_status`` they had."""
    standing = standing_events(customer_filter)
    conn.exec_driver_sql(
        "UPDATE status_events SET from_status = p.prev FROM ("
        " SELECT id, coalesce(lag(to_status) OVER (PARTITION BY customer_id"
        "  ORDER BY occurred_at, id), 'active') AS prev"
        f" FROM ({standing}) s) p"
        " WHERE status_events.id = p.id"
        " AND status_events.from_status IS DISTINCT FROM p.prev"
    )
    conn.exec_driver_sql(
        "UPDATE customers SET status = coalesce(l.to_status, 'active'),"
        " status_changed_at = l.occurred_at FROM ("
        " SELECT k.customer_id, s.to_status, s.occurred_at FROM"
        f"  (SELECT DISTINCT customer_id FROM status_events WHERE customer_id IN ({customer_filter}))"
        "  k LEFT JOIN (SELECT customer_id, to_status, occurred_at, row_number() OVER ("
        "   PARTITION BY customer_id ORDER BY occurred_at DESC, id DESC) AS n"
        f"   FROM ({standing}) s) s ON s.customer_id = k.customer_id AND s.n = 1) l"
        " WHERE customers.customer_id = l.customer_id"
    )


def check_after_acquisition(
    customer_id: str, acquired: dt.datetime | None, at: dt.datetime
) -> None:
    """A change a user records (a status change, a follow-up) is not dated before the day the
    customer was acquired."""
    if acquired is not None and at.date() < acquired.date():
        raise InputError("status.before_acquired", at=at.date().isoformat(),
                         customer_id=customer_id,
                         acquired=acquired.date().isoformat())  # fmt: skip


def change_status(
    conn: sa.Connection,
    customer_id: str,
    to_status: str,
    *,
    at: dt.datetime,
    actor: str,
    reason: str | None = None,
    note: str | None = None,
    destination: str | None = None,
    source: str = "user",
    reverts: int | None = None,
    from_status: str | None = None,
) -> int:
    """Record one status change (void, churn, win-back, or with ``reverts`` the revert of the
    event of that id) and return the event id."""
    if to_status not in schema.STATUSES:
        raise InputError("status.bad_status", status=to_status)
    # A revert back to voided restores a void whose reason the reverted event's history keeps.
    if to_status == "voided" and not reason and reverts is None:
        raise InputError("status.reason_required")
    c = schema.customers
    found = conn.execute(sa.select(c.c.acquired_at).where(c.c.customer_id == customer_id)).first()
    if found is None:
        raise NotFoundError("status.unknown_customer", customer_id=customer_id)
    check_after_acquisition(customer_id, found[0], at)
    event_id = conn.execute(
        sa.insert(schema.status_events)
        .values(
            customer_id=customer_id,
            occurred_at=at,
            to_status=to_status,
            reason=reason,
            actor=actor,
            note=note,
            destination=destination,
            source=source,
            reverts=reverts,
            from_status=from_status,
        )
        .returning(schema.status_events.c.id)
    ).scalar_one()
    quoted = customer_id.replace("'", "''")
    refresh_statuses(conn, f"SELECT '{quoted}'")
    return int(event_id)
