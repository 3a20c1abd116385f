"""Who owns a customer: reassignment, an owner's departure (员工离职交接) and its round robin.

Every change of owner is a row of ``owner_changes`` (from, to, when, who, how) and an entry of
the audit log; reassigning again reverses one. A customer in the customer pool (公海) is
reassigned only through a claim (keepwise.lifecycle.pool) or as a manager's reassignment,
recorded as such.

Round robin (the default on a departure): the leaving owner's customers, in customer-id order,
go in turn to the active owners who hold customers of the same region and segment; when nobody
does, of the same region; then of the same segment; then to every active owner. Each (region,
segment) group keeps its own turn, and owners take turns in owner-id order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.lifecycle.records import active_owner, audit, customer, is_gone, owner
from keepwise.rules import Hit, Rule, record
from keepwise.store import schema
from keepwise.store.bulk import STAGED, stage, unstage

register(
    {
        "lifecycle.same_owner": {
            "zh": "客户 {customer_id} 的负责人已经是 {owner_id}",
            "en": "Customer {customer_id} is already owned by {owner_id}",
        },
        "lifecycle.in_pool": {
            "zh": "客户 {customer_id} 在公海中：请由销售认领（keepwise pool claim），"
            "或以经理身份重新分配（--as-manager）",
            "en": "Customer {customer_id} is in the customer pool: a rep claims it (keepwise pool "
            "claim), or a manager reassigns it (--as-manager)",
        },
        "lifecycle.already_left": {
            "zh": "负责人 {owner_id} 已于 {left} 离职",
            "en": "Owner {owner_id} already left on {left}",
        },
        "lifecycle.nobody_to_take_over": {
            "zh": "没有在职的负责人可以接手 {owner_id} 的 {count} 个客户",
            "en": "No active owner is left to take over the {count} customers of {owner_id}",
        },
        "lifecycle.to_self": {
            "zh": "离职的负责人 {owner_id} 不能接手自己的客户",
            "en": "The leaving owner {owner_id} cannot take over their own customers",
        },
    }
)

OWNER_CHANGE_KINDS = ("reassign", "manager", "owner_left", "pool", "claim")


@dataclass(frozen=True)
class OwnerChange:
    id: int
    customer_id: str
    from_owner: str | None
    to_owner: str | None
    at: dt.datetime
    kind: str
    actor: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["at"] = self.at.isoformat()
        return out


@dataclass(frozen=True)
class Departure:
    """What an owner's departure did: the reassignments and the owner_left alerts opened."""

    owner_id: str
    left_at: dt.datetime
    rule: str
    changes: list[OwnerChange] = field(default_factory=list)
    alerts_opened: int = 0
    not_alerted: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"owner_id": self.owner_id, "left_at": self.left_at.isoformat(),
                "rule": self.rule, "alerts_opened": self.alerts_opened,
                "not_alerted": self.not_alerted,
                "changes": [c.to_dict() for c in self.changes]}  # fmt: skip


def change_owner(
    conn: sa.Connection, customer_id: str, from_owner: str | None, to_owner: str | None, *,
    at: dt.datetime, kind: str, actor: str, note: str | None = None, **detail: Any,
) -> OwnerChange:  # fmt: skip
    """Set the customer's owner (None: the pool) and record the change, audited."""
    c, oc = schema.customers, schema.owner_changes
    conn.execute(sa.update(c).where(c.c.customer_id == customer_id).values(owner_id=to_owner))
    change_id = conn.execute(
        sa.insert(oc).values(
            customer_id=customer_id, from_owner=from_owner, to_owner=to_owner, occurred_at=at,
            kind=kind, actor=actor, note=note,
        ).returning(oc.c.id)
    ).scalar_one()  # fmt: skip
    audit(conn, at=at, actor=actor, action=f"customer.owner.{kind}", entity="customer",
          entity_id=customer_id, change_id=int(change_id), from_owner=from_owner,
          to_owner=to_owner, note=note, **detail)  # fmt: skip
    return OwnerChange(int(change_id), customer_id, from_owner, to_owner, at, kind, actor, note)


def change_owners(
    conn: sa.Connection, moves: Sequence[tuple[str, str | None, str | None]], *,
    at: dt.datetime, kind: str, actor: str, details: Sequence[dict[str, Any]] | None = None,
) -> list[OwnerChange]:  # fmt: skip
    """Many changes of :func:`change_owner` at once — (customer, from, to) each, with its audit
    detail — staged and written by one statement per table, in customer-id order."""
    if not moves:
        return []
    order = sorted(range(len(moves)), key=lambda i: moves[i][0])
    data = pa.table({name: pa.array([moves[i][n] for i in order], pa.string())
                     for n, name in enumerate(("customer_id", "from_owner", "to_owner"))})  # fmt: skip
    values = {"at": at, "kind": kind, "actor": actor}
    stage(conn, data, "owner_changes")
    try:
        written = conn.execute(sa.text(
            "INSERT INTO owner_changes (customer_id, from_owner, to_owner, occurred_at, kind, actor)"
            f" SELECT customer_id, from_owner, to_owner, :at, :kind, :actor FROM {STAGED}"
            " ORDER BY customer_id RETURNING id, customer_id"), values).all()  # fmt: skip
        conn.exec_driver_sql(f"UPDATE customers SET owner_id = s.to_owner FROM {STAGED} s"
                             " WHERE customers.customer_id = s.customer_id")  # fmt: skip
    finally:
        unstage(conn)
    ids = {cid: int(i) for i, cid in written}
    changes = [OwnerChange(ids[moves[i][0]], moves[i][0], moves[i][1], moves[i][2], at, kind,
                           actor, None) for i in order]  # fmt: skip
    extra = details or [{} for _ in moves]
    audit_rows = pa.table({
        "occurred_at": pa.array([at] * len(order), pa.timestamp("us")),
        "actor": pa.array([actor] * len(order), pa.string()),
        "action": pa.array([f"customer.owner.{kind}"] * len(order), pa.string()),
        "entity": pa.array(["customer"] * len(order), pa.string()),
        "entity_id": pa.array([c.customer_id for c in changes], pa.string()),
        "detail": pa.array([json.dumps({"change_id": c.id, "from_owner": c.from_owner,
                                        "to_owner": c.to_owner, "note": None, **extra[i]},
                                       ensure_ascii=False, default=str)
                            for c, i in zip(changes, order, strict=True)], pa.string()),
    })  # fmt: skip
    stage(conn, audit_rows, "audit_log")
    try:
        cols = ", ".join(audit_rows.column_names)
        conn.exec_driver_sql(f"INSERT INTO audit_log ({cols}) SELECT {cols} FROM {STAGED}")
    finally:
        unstage(conn)
    return changes


def in_pool(conn: sa.Connection, customer_id: str) -> bool:
    """Whether the customer is in the pool: no owner, and its last owner change a return."""
    oc = schema.owner_changes
    row = customer(conn, customer_id)
    if row["owner_id"] is not None:
        return False
    last = conn.execute(
        sa.select(oc.c.kind).where(oc.c.customer_id == customer_id)
        .order_by(oc.c.occurred_at.desc(), oc.c.id.desc()).limit(1)
    ).scalar_one_or_none()  # fmt: skip
    return last == "pool"


def reassign(
    conn: sa.Connection, customer_id: str, to_owner: str, *, at: dt.datetime, actor: str,
    note: str | None = None, as_manager: bool = False,
) -> OwnerChange:  # fmt: skip
    """Give a customer to another active owner. A customer in the pool only as a manager
    (``as_manager``: the caller has checked the role), recorded as a manager's reassignment."""
    row = customer(conn, customer_id)
    active_owner(conn, to_owner)
    if row["owner_id"] == to_owner:
        raise InputError("lifecycle.same_owner", customer_id=customer_id, owner_id=to_owner)
    if not as_manager and in_pool(conn, customer_id):
        raise InputError("lifecycle.in_pool", customer_id=customer_id)
    kind = "manager" if as_manager else "reassign"
    return change_owner(conn, customer_id, row["owner_id"], to_owner, at=at, kind=kind,
                        actor=actor, note=note)  # fmt: skip


def leave(
    conn: sa.Connection, owner_id: str, *, at: dt.datetime, actor: str, to: str | None,
    kept: set[str], rule: Rule | None, now: dt.datetime,
) -> Departure:  # fmt: skip
    """Mark ``owner_id`` as left at ``at``, hand their customers to ``to`` (or by round robin)
    and open the owner_left alert (``rule``; none when it is switched off) for those of them
    who are ``kept`` under the churn definition; the others are reassigned without an alert."""
    gone = owner(conn, owner_id)
    if is_gone(gone):
        left = gone["left_at"].date().isoformat() if gone["left_at"] is not None else "?"
        raise InputError("lifecycle.already_left", owner_id=owner_id, left=left)
    if to == owner_id:
        raise InputError("lifecycle.to_self", owner_id=owner_id)
    if to is not None:
        active_owner(conn, to)
    c, o = schema.customers, schema.owners
    mine = conn.execute(
        sa.select(c.c.customer_id, c.c.region, c.c.segment).where(c.c.owner_id == owner_id)
        .order_by(c.c.customer_id)
    ).all()  # fmt: skip
    targets = {r.customer_id: to for r in mine} if to else _round_robin(conn, owner_id, mine)
    conn.execute(sa.update(o).where(o.c.owner_id == owner_id).values(active=False, left_at=at))
    audit(conn, at=now, actor=actor, action="owner.left", entity="owner", entity_id=owner_id,
          left_at=at, customers=len(mine), to=to)  # fmt: skip
    changes = change_owners(conn, [(cid, owner_id, new) for cid, new in targets.items()], at=at,
                            kind="owner_left", actor=actor)  # fmt: skip
    opened = 0
    if rule is not None and changes:
        hits = [Hit(rule.id, ch.customer_id, {"owner_id": owner_id, "owner_name": gone["name"],
                                               "left_at": at.date().isoformat(),
                                               "new_owner_id": ch.to_owner})
                for ch in changes if ch.customer_id in kept]  # fmt: skip
        opened = record(conn, [rule], hits, at.date(), at=now).opened
    return Departure(
        owner_id,
        at,
        "to" if to else "round_robin",
        changes,
        opened,
        sorted(ch.customer_id for ch in changes if ch.customer_id not in kept),
    )


def _round_robin(conn: sa.Connection, leaving: str, mine: Sequence[Any]) -> dict[str, str]:
    """The new owner of each customer of ``leaving`` (see the module's docstring)."""
    c, o = schema.customers, schema.owners
    active = sorted(conn.execute(
        sa.select(o.c.owner_id).where(o.c.active, o.c.left_at.is_(None), o.c.owner_id != leaving)
    ).scalars())  # fmt: skip
    if mine and not active:
        raise InputError("lifecycle.nobody_to_take_over", owner_id=leaving, count=len(mine))
    held = conn.execute(
        sa.select(c.c.owner_id, c.c.region, c.c.segment).distinct()
        .where(c.c.owner_id.in_(active))
    ).all() if active else []  # fmt: skip
    turns: dict[tuple[Any, Any], int] = {}
    out: dict[str, str] = {}
    for row in mine:
        key = (row.region, row.segment)
        candidates = _candidates(held, row.region, row.segment) or active
        turn = turns.get(key, 0)
        out[row.customer_id] = candidates[turn % len(candidates)]
        turns[key] = turn + 1
    return out


def _candidates(held: Sequence[Any], region: Any, segment: Any) -> list[str]:
    """Active owners holding customers of the same region and segment, else region, else
    segment (empty: nobody)."""
    tests: list[Mapping[str, Any]] = [{"region": region, "segment": segment},
                                      {"region": region}, {"segment": segment}]  # fmt: skip
    for test in tests:
        found = sorted({h.owner_id for h in held
                        if all(getattr(h, k) == v for k, v in test.items())})  # fmt: skip
        if found:
            return found
    return []
