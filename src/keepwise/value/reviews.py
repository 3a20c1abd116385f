"""The no-value review's other answer: *keep* the customer. A manager who rejects the proposal
to let a no-value customer go records a decision (an audit entry ``value.keep`` with the
criteria the customer met then); the review list then shows the customer as reviewed and kept
instead of proposing them again, until they meet a criterion they did not meet when kept (their
situation changed: they are proposed again). Nothing about the customer's status changes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from keepwise.store import audit, schema

#: The audit action of a decision to keep a no-value customer.
KEEP = "value.keep"


def record_keep(
    conn: sa.Connection, customer_id: str, *, criteria: list[str], as_of: dt.date, actor: str,
    note: str | None, at: dt.datetime,
) -> None:  # fmt: skip
    audit.write(conn, action=KEEP, actor=actor, at=at, entity="customer", entity_id=customer_id,
                detail={"criteria": sorted(criteria), "as_of": as_of.isoformat(),
                        "note": note})  # fmt: skip


def latest_keeps(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """Each customer's latest decision to keep: criteria, as_of, note, actor, at."""
    log = schema.audit_log
    rows = conn.execute(
        sa.select(log.c.entity_id, log.c.actor, log.c.occurred_at, log.c.detail)
        .where(log.c.action == KEEP).order_by(log.c.id)
    ).all()  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for customer_id, actor, at, detail in rows:
        out[str(customer_id)] = {**json.loads(detail or "{}"), "actor": actor, "at": at}
    return out


def still_kept(kept: dict[str, Any] | None, criteria: list[str]) -> bool:
    """Whether a keep decision still stands: the customer meets no criterion it did not meet
    when kept."""
    return kept is not None and set(criteria) <= set(kept.get("criteria") or [])
