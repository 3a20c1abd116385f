"""What every lifecycle action shares: finding the customer and the owner it names, reading the
reason taxonomy, and writing the audit log (every change goes there too; nothing is deleted)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.store import schema

register(
    {
        "lifecycle.unknown_owner": {
            "zh": "负责人 {owner_id} 不存在",
            "en": "Unknown owner {owner_id}",
        },
        "lifecycle.owner_gone": {
            "zh": "负责人 {owner_id} 已于 {left} 离职，不能再接手客户",
            "en": "Owner {owner_id} left on {left} and can no longer take customers",
        },
        "lifecycle.unknown_reason": {
            "zh": "未知原因 {reason}；可用的原因代码：{codes}",
            "en": "Unknown reason {reason}; the reason codes are: {codes}",
        },
    }
)

#: The seam where the API layer checks the manager role (users and roles come later): called
#: with the actor before a manager's action (approve, reject, reassign as a manager, an owner's
#: departure) changes anything; it raises ``PermissionDenied`` to refuse. The CLI passes none.
ManagerCheck = Callable[[str], None]


def check_manager(check: ManagerCheck | None, actor: str) -> None:
    if check is not None:
        check(actor)


def customer(conn: sa.Connection, customer_id: str) -> sa.RowMapping:
    """The customer's row, or a NotFoundError."""
    c = schema.customers
    row = conn.execute(sa.select(c).where(c.c.customer_id == customer_id)).mappings().first()
    if row is None:
        raise NotFoundError("status.unknown_customer", customer_id=customer_id)
    return row


def owner(conn: sa.Connection, owner_id: str) -> sa.RowMapping:
    """The owner's row, or a NotFoundError."""
    o = schema.owners
    row = conn.execute(sa.select(o).where(o.c.owner_id == owner_id)).mappings().first()
    if row is None:
        raise NotFoundError("lifecycle.unknown_owner", owner_id=owner_id)
    return row


def is_gone(row: sa.RowMapping) -> bool:
    """Whether an owner has left (inactive, or a departure date)."""
    return not row["active"] or row["left_at"] is not None


def active_owner(conn: sa.Connection, owner_id: str) -> sa.RowMapping:
    """An owner who can take customers: known and still with the company."""
    row = owner(conn, owner_id)
    if is_gone(row):
        left = row["left_at"].date().isoformat() if row["left_at"] is not None else "?"
        raise InputError("lifecycle.owner_gone", owner_id=owner_id, left=left)
    return row


def reason_code(conn: sa.Connection, text: str) -> str:
    """The code of a reason given as its code or either label, any case: the built-in taxonomy
    and the workspace's own reasons (the ``reasons`` table); an unknown one is an InputError
    listing the codes."""
    r = schema.reasons
    rows = conn.execute(sa.select(r.c.code, r.c.label_zh, r.c.label_en).order_by(r.c.code)).all()
    lookup = {str(s).strip().lower(): code for code, *labels in rows
              for s in (code, *labels) if s}  # fmt: skip
    found = lookup.get(text.strip().lower())
    if found is None:
        raise InputError("lifecycle.unknown_reason", reason=text,
                         codes=", ".join(code for code, *_ in rows))  # fmt: skip
    return found


def reason_labels(conn: sa.Connection) -> dict[str, tuple[str, str]]:
    """Every reason code with its labels (Chinese, English)."""
    r = schema.reasons
    rows = conn.execute(sa.select(r.c.code, r.c.label_zh, r.c.label_en)).all()
    return {code: (zh, en) for code, zh, en in rows}


def audit(
    conn: sa.Connection, *, at: dt.datetime, actor: str, action: str, entity: str,
    entity_id: str, **detail: Any,
) -> None:  # fmt: skip
    conn.execute(
        sa.insert(schema.audit_log).values(
            occurred_at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )  # fmt: skip
