"""Tasks (任务): what a playbook asked an owner to do, and what came of it.

A task is ``open`` until it is ``done`` (with an outcome), ``skipped``, or ``closed`` by a run
because the customer was churned or voided meanwhile; an open task past its due date is shown
as ``overdue`` (derived from the as-of date, never stored). Recording an outcome also records a
follow-up (an interaction of the task's type), so that the KPIs' follow-up coverage and
win-back rate see it; such follow-ups are marked ``source = 'task'`` and never move where the
workspace's data ends.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.playbooks.catalogue import OUTCOMES, TASK_STATUSES
from keepwise.store import schema

register(
    {
        "tasks.not_found": {"zh": "任务 {task_id} 不存在", "en": "No task {task_id}"},
        "tasks.not_open": {
            "zh": "任务 {task_id} 的状态是 {status}，只能处理待办任务",
            "en": "Task {task_id} is {status}; only open tasks can be done or skipped",
        },
        "tasks.bad_outcome": {
            "zh": "结果 {value} 无效，应为以下之一：{choices}",
            "en": "Invalid outcome {value}; use one of {choices}",
        },
        "tasks.reason_needed": {
            "zh": "结果 feedback 需要 --reason（原因代码，如 price、service）",
            "en": "The outcome feedback needs --reason (a reason code such as price, service)",
        },
        "tasks.bad_reason": {
            "zh": "未知的原因代码 {value}；可用：{choices}",
            "en": "Unknown reason code {value}; known: {choices}",
        },
        "tasks.bad_status": {
            "zh": "状态 {value} 无效，应为以下之一：{choices}",
            "en": "Invalid status {value}; use one of {choices}",
        },
        "tasks.before_created": {
            "zh": "完成日期 {on} 早于任务的日期 {as_of}",
            "en": "The date {on} is before the task's day {as_of}",
        },
    }
)


@dataclass(frozen=True)
class Task:
    id: int
    customer_id: str
    customer_name: str | None
    playbook_id: str | None
    type: str
    owner_id: str | None
    as_of: dt.date | None
    due: dt.date | None
    status: str  # as stored, or overdue
    outcome: str | None
    reason: str | None
    note: str | None
    cost: float | None
    message_zh: str | None
    message_en: str | None
    completed_at: dt.datetime | None
    closed_reason: str | None

    def message(self, lang: str) -> str | None:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("as_of", "due", "completed_at"):
            out[key] = out[key].isoformat() if out[key] is not None else None
        return out


def list_tasks(
    conn: sa.Connection, *, as_of: dt.date, owner: str | None = None, status: str | None = None,
    playbook: str | None = None, customer: str | None = None, task_id: int | None = None,
    limit: int | None = None, customer_owner: str | None = None,
) -> list[Task]:  # fmt: skip
    """Tasks, the earliest due first, filtered; ``overdue`` (open, due before ``as_of``) is a
    status to filter on, and ``open`` then means open and not overdue. ``customer_owner``:
    only tasks of the customers this owner owns now (a rep's view; ``owner`` is the owner the
    task was given to, who may have handed the customer on since)."""
    if status is not None and status not in TASK_STATUSES:
        raise InputError("tasks.bad_status", value=status, choices=" / ".join(TASK_STATUSES))
    k, c = schema.tasks, schema.customers
    query = sa.select(k, c.c.name.label("customer_name")).select_from(
        k.outerjoin(c, k.c.customer_id == c.c.customer_id)
    )
    for column, value in ((k.c.owner_id, owner), (k.c.playbook_id, playbook),
                          (k.c.customer_id, customer), (k.c.id, task_id),
                          (c.c.owner_id, customer_owner)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    late = (k.c.status == "open") & (k.c.due < as_of)
    if status == "overdue":
        query = query.where(late)
    elif status == "open":
        query = query.where((k.c.status == "open") & ~late)
    elif status is not None:
        query = query.where(k.c.status == status)
    query = query.order_by(k.c.due.nulls_last(), k.c.id)
    if limit:
        query = query.limit(sa.literal(int(limit), literal_execute=True))
    return [_task(r, as_of) for r in conn.execute(query).mappings()]


def complete(
    conn: sa.Connection, task_id: int, *, outcome: str | None, reason: str | None,
    note: str | None, on: dt.date, actor: str, at: dt.datetime, skip: bool = False,
) -> Task:  # fmt: skip
    """Mark an open task done with ``outcome`` (recording a follow-up on ``on``) or skipped."""
    found = list_tasks(conn, as_of=on, task_id=task_id)
    if not found:
        raise NotFoundError("tasks.not_found", task_id=task_id)
    task = found[0]
    if task.status not in ("open", "overdue"):
        raise InputError("tasks.not_open", task_id=task_id, status=task.status)
    if task.as_of is not None and on < task.as_of:
        raise InputError("tasks.before_created", on=on.isoformat(), as_of=task.as_of.isoformat())
    if not skip:
        _check_outcome(conn, outcome, reason)
    values: dict[str, Any] = {
        "status": "skipped" if skip else "done", "outcome": None if skip else outcome,
        "reason": reason, "note": note, "actor": actor, "completed_at": at,
    }  # fmt: skip
    k = schema.tasks
    conn.execute(sa.update(k).where(k.c.id == task_id).values(**values))
    if not skip:
        _record_followup(conn, task, outcome, reason, note, on)
    conn.execute(
        sa.insert(schema.audit_log).values(
            occurred_at=at, actor=actor, action="task.skipped" if skip else "task.done",
            entity="task", entity_id=str(task_id),
            detail=json.dumps({"outcome": outcome, "reason": reason, "note": note,
                               "on": on.isoformat()}, ensure_ascii=False),
        )
    )  # fmt: skip
    return list_tasks(conn, as_of=on, task_id=task_id)[0]


def _check_outcome(conn: sa.Connection, outcome: str | None, reason: str | None) -> None:
    if outcome not in OUTCOMES:
        raise InputError("tasks.bad_outcome", value=outcome, choices=" / ".join(OUTCOMES))
    if outcome == "feedback" and not reason:
        raise InputError("tasks.reason_needed")
    if reason is not None:
        codes = conn.execute(sa.select(schema.reasons.c.code)).scalars().all()
        if reason not in codes:
            raise InputError("tasks.bad_reason", value=reason, choices=", ".join(sorted(codes)))


def _record_followup(conn: sa.Connection, task: Task, outcome: str | None, reason: str | None,
                     note: str | None, on: dt.date) -> None:  # fmt: skip
    """The follow-up the task was: dated at noon of ``on`` (a day, as the user gives it)."""
    text = " · ".join(x for x in (reason, note) if x) or None
    conn.execute(
        sa.insert(schema.interactions).values(
            interaction_id=f"task-{task.id}", customer_id=task.customer_id,
            owner_id=task.owner_id, occurred_at=dt.datetime.combine(on, dt.time(12)),
            channel="keepwise", type=task.type, outcome=outcome, note=text, task_id=task.id,
            source="task",
        )
    )  # fmt: skip


def _task(r: Any, as_of: dt.date) -> Task:
    due, made = _day(r["due"]), _day(r["as_of"])
    status = r["status"]
    if status == "open" and due is not None and due < as_of:
        status = "overdue"
    return Task(
        id=int(r["id"]), customer_id=r["customer_id"], customer_name=r["customer_name"],
        playbook_id=r["playbook_id"], type=r["type"], owner_id=r["owner_id"], as_of=made,
        due=due, status=status, outcome=r["outcome"], reason=r["reason"], note=r["note"],
        cost=r["cost"], message_zh=r["message_zh"], message_en=r["message_en"],
        completed_at=r["completed_at"], closed_reason=r["closed_reason"],
    )  # fmt: skip


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
