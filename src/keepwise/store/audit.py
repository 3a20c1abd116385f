"""The audit log: who changed what, when (every change a user makes is written here)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from keepwise.store import schema

#: Entities whose changes move no report (the data version ignores them).
NOT_DATA = ("alert", "user", "token", "job")


def write(
    conn: sa.Connection, *, action: str, actor: str, at: dt.datetime, entity: str,
    entity_id: str | None = None, detail: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    conn.execute(
        sa.insert(schema.audit_log).values(
            occurred_at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        )
    )  # fmt: skip


def entries(
    conn: sa.Connection, *, entity: str | None = None, entity_id: str | None = None,
    actor: str | None = None, limit: int = 100, offset: int = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    """Newest first."""
    log = schema.audit_log
    query = sa.select(log).order_by(log.c.id.desc())
    if entity is not None:
        query = query.where(log.c.entity == entity)
    if entity_id is not None:
        query = query.where(log.c.entity_id == entity_id)
    if actor is not None:
        query = query.where(log.c.actor == actor)
    query = query.limit(sa.literal(int(limit), literal_execute=True))
    query = query.offset(sa.literal(int(offset), literal_execute=True))
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        item["detail"] = json.loads(item["detail"]) if item["detail"] else {}
        out.append(item)
    return out
