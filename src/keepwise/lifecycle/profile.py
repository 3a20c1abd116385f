"""One customer at a glance (客户档案): the profile, the whole history (status events, with the
reverted ones marked; owner changes; void requests), the latest scores, open alerts and open
tasks. Read only."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from keepwise.lifecycle.owners import in_pool
from keepwise.lifecycle.records import customer
from keepwise.rules import list_alerts
from keepwise.store import schema

#: Task states that still ask for work (the tasks table; keepwise.playbooks writes it).
OPEN_TASKS = ("open", "overdue")
PROFILE_COLUMNS = ("customer_id", "name", "segment", "industry", "region", "channel", "owner_id",
                   "acquired_at", "contract_end", "birthday", "acquisition_cost", "status",
                   "status_changed_at")  # fmt: skip


def profile(conn: sa.Connection, customer_id: str) -> dict[str, Any]:
    """The customer's own facts, its owner (name, still with the company) and whether it is in
    the customer pool; ``status`` is the recorded one (the churn definition may infer more)."""
    row = customer(conn, customer_id)
    out = {k: row[k] for k in PROFILE_COLUMNS}
    o = schema.owners
    owner = None
    if row["owner_id"] is not None:
        owner = conn.execute(
            sa.select(o.c.name, o.c.active, o.c.left_at).where(o.c.owner_id == row["owner_id"])
        ).first()
    out["owner_name"] = owner.name if owner else None
    out["owner_left_at"] = owner.left_at if owner else None
    out["in_pool"] = in_pool(conn, customer_id)
    return out


def history(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    """Everything recorded about the customer's status and owner, oldest first. Each item has
    ``kind`` (status / owner / request), ``id``, ``at``, ``actor`` and ``note``."""
    customer(conn, customer_id)
    items = _status_items(conn, customer_id) + _owner_items(conn, customer_id)
    items += _request_items(conn, customer_id)
    order = {"request": 0, "status": 1, "owner": 2}
    return sorted(items, key=lambda i: (i["at"], order[i["kind"]], i["id"]))


def _status_items(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    e, q = schema.status_events, schema.status_requests
    undo = e.alias("undo")
    rows = conn.execute(
        sa.select(e, undo.c.id.label("reverted_by"), q.c.decided_by.label("approved_by"))
        .select_from(e.outerjoin(undo, undo.c.reverts == e.c.id)
                     .outerjoin(q, (q.c.event_id == e.c.id) & (q.c.state == "approved")))
        .where(e.c.customer_id == customer_id)
    ).mappings()  # fmt: skip
    keys = ("id", "from_status", "to_status", "reason", "destination", "actor", "note", "source",
            "reverts", "reverted_by", "approved_by")  # fmt: skip
    return [{"kind": "status", "at": r["occurred_at"], **{k: r[k] for k in keys}} for r in rows]


def _owner_items(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    oc = schema.owner_changes
    rows = conn.execute(sa.select(oc).where(oc.c.customer_id == customer_id)).mappings()
    return [{"kind": "owner", "id": r["id"], "at": r["occurred_at"], "how": r["kind"],
             "from_owner": r["from_owner"], "to_owner": r["to_owner"], "actor": r["actor"],
             "note": r["note"]} for r in rows]  # fmt: skip


def _request_items(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    q = schema.status_requests
    rows = conn.execute(sa.select(q).where(q.c.customer_id == customer_id)).mappings()
    return [{"kind": "request", "id": r["id"], "at": r["requested_at"], "to_status": r["to_status"],
             "state": r["state"], "reason": r["reason"], "destination": r["destination"],
             "actor": r["requested_by"], "note": r["note"], "decided_by": r["decided_by"],
             "decided_at": r["decided_at"], "decision_note": r["decision_note"],
             "event_id": r["event_id"]} for r in rows]  # fmt: skip


def latest_scores(conn: sa.Connection, customer_id: str) -> dict[str, Any]:
    """The latest churn score (probability, band, drivers) and value score (tier, CLV)."""
    s = schema.scores
    order = (s.c.as_of.desc(), s.c.created_at.desc().nulls_last(), s.c.id.desc())

    def latest(column: sa.Column[Any]) -> Any:
        return conn.execute(
            sa.select(s).where(s.c.customer_id == customer_id, column.isnot(None))
            .order_by(*order).limit(1)
        ).mappings().first()  # fmt: skip

    churn = latest(s.c.churn_probability)
    value = latest(s.c.value_tier) or latest(s.c.predicted_clv)
    return {
        "churn": None if churn is None else {
            "as_of": churn["as_of"], "model_version": churn["model_version"],
            "churn_probability": churn["churn_probability"], "risk_band": churn["risk_band"],
            "drivers": json.loads(churn["drivers"]) if churn["drivers"] else [],
        },
        "value": None if value is None else {
            "as_of": value["as_of"], "model_version": value["model_version"],
            "value_tier": value["value_tier"], "predicted_clv": value["predicted_clv"],
            "p_alive": value["p_alive"], "rfm_segment": value["rfm_segment"],
        },
    }  # fmt: skip


def open_alerts(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    return [a.to_dict() for a in list_alerts(conn, customer=customer_id)
            if a.status in ("open", "acknowledged")]  # fmt: skip


def open_tasks(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    k = schema.tasks
    rows = conn.execute(
        sa.select(k.c.id, k.c.type, k.c.playbook_id, k.c.owner_id, k.c.due, k.c.status,
                  k.c.created_at, k.c.note)
        .where(k.c.customer_id == customer_id, k.c.status.in_(OPEN_TASKS), ~k.c.holdout)
        .order_by(k.c.due.nulls_last(), k.c.id)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]
