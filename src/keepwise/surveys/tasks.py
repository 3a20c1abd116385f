"""Survey links of survey tasks: a playbook's ``survey`` action makes a task for the owner, and
the task gets one link for its customer (the owner sends it; the digest shows it). A task keeps
the link it was given: asking again returns the same link, signed again from its row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from keepwise._core.i18n import Lang
from keepwise.store import schema
from keepwise.surveys.links import L, Link
from keepwise.surveys.tokens import new_token_id, sign

K = schema.tasks


def task_links(
    conn: sa.Connection, key: str, *, run_ids: Sequence[int] | None = None,
    task_ids: Sequence[int] | None = None, create: bool = False, lang: Lang = "zh",
    days: int = 14, at: dt.datetime | None = None, created_by: str = "playbook",
) -> dict[int, Link]:  # fmt: skip
    """The links of the survey tasks of ``run_ids`` (or of ``task_ids``), by task id. With
    ``create``, each *open* survey task without a link gets one, valid ``days`` from ``at``
    (written in one statement: a run can make thousands)."""
    query = sa.select(K.c.id, K.c.customer_id, K.c.status).where(K.c.type == "survey")
    if run_ids is not None:
        query = query.where(K.c.run_id.in_(list(run_ids)))
    if task_ids is not None:
        query = query.where(K.c.id.in_(list(task_ids)))
    tasks = conn.execute(query).all()
    if not tasks:
        return {}
    ids = sa.select(query.subquery().c.id).scalar_subquery()
    out: dict[int, Link] = {}
    for row in conn.execute(sa.select(L).where(L.c.task_id.in_(ids))).mappings():
        out[int(row["task_id"])] = Link(sign(key, row["token_id"], row["expires_at"]),
                                        row["token_id"], row["customer_id"], row["lang"],
                                        row["expires_at"])  # fmt: skip
    if not create:
        return out
    assert at is not None, "a new link needs the time it is made"
    expires = (at + dt.timedelta(days=days)).replace(microsecond=0)
    new = [(int(tid), str(cid), new_token_id()) for tid, cid, status in tasks
           if status == "open" and int(tid) not in out]  # fmt: skip
    if new:
        conn.execute(sa.insert(L), [
            {"token_id": token_id, "customer_id": cid, "lang": lang, "task_id": tid,
             "created_at": at, "expires_at": expires, "created_by": created_by}
            for tid, cid, token_id in new])  # fmt: skip
    for tid, cid, token_id in new:
        out[tid] = Link(sign(key, token_id, expires), token_id, cid, lang, expires)
    return out
