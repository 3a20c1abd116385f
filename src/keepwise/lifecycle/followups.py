"""Follow-ups a user records in Keepwise (a call, a visit, a message …): an interaction of the
customer with ``source = "user"`` — like the outcome of a task (``source = "task"``) it is not
imported data, so it never moves where the data ends — and an entry in the audit log."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.lifecycle.records import audit, customer
from keepwise.lifecycle.status import check_after_acquisition
from keepwise.store import schema

#: The kinds of follow-up a user records (stored as the interaction's ``type``).
FOLLOW_UP_KINDS: dict[str, tuple[str, str]] = {
    "call": ("电话", "call"),
    "visit": ("拜访", "visit"),
    "meeting": ("会议", "meeting"),
    "email": ("邮件", "email"),
    "message": ("消息", "message"),
    "other": ("其他", "other"),
}

register(
    {
        **{f"lifecycle.follow_up.{k}": {"zh": zh, "en": en}
           for k, (zh, en) in FOLLOW_UP_KINDS.items()},
        "lifecycle.follow_up.bad_kind": {
            "zh": "未知的跟进方式 {kind}；可用：{known}",
            "en": "Unknown kind of follow-up {kind}; known: {known}",
        },
    }
)  # fmt: skip


def follow_up(
    conn: sa.Connection, customer_id: str, *, kind: str, note: str | None, at: dt.datetime,
    actor: str, now: dt.datetime,
) -> dict[str, object]:  # fmt: skip
    """Record the follow-up at ``at`` by the customer's current owner's hand (``actor``); the
    interaction's id is ``user-…`` (unique, never an imported id)."""
    if kind not in FOLLOW_UP_KINDS:
        raise InputError(
            "lifecycle.follow_up.bad_kind", kind=kind, known=", ".join(FOLLOW_UP_KINDS)
        )
    row = customer(conn, customer_id)
    check_after_acquisition(customer_id, row["acquired_at"], at)
    interaction_id = f"user-{uuid.uuid4().hex[:20]}"
    conn.execute(
        sa.insert(schema.interactions).values(
            interaction_id=interaction_id, customer_id=customer_id, owner_id=row["owner_id"],
            occurred_at=at, channel="keepwise", type=kind, outcome=None, note=note,
            source="user",
        )
    )  # fmt: skip
    audit(conn, at=now, actor=actor, action="follow_up", entity="customer",
          entity_id=customer_id, interaction_id=interaction_id, kind=kind, note=note,
          occurred_at=at)  # fmt: skip
    return {"interaction_id": interaction_id, "customer_id": customer_id, "kind": kind,
            "note": note, "occurred_at": at, "owner_id": row["owner_id"], "actor": actor}  # fmt: skip
