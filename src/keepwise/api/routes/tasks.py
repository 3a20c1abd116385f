"""Tasks (docs/playbooks.md): the follow-ups playbooks asked owners to make — the list, one
task, recording what came of it (also a follow-up of the customer, which the KPIs' follow-up
coverage and win-back rate count), skipping it. A rep sees and acts on the tasks of the
customers they own; another's task is not found. Each change is audited with the user."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from keepwise.api.common import as_of_day, paged
from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import AsOfQuery, Day, Id, Limit, LongText, Offset, Text, TextQuery

router = APIRouter(prefix="/tasks", tags=["tasks"], dependencies=[Depends(current_session)])

TaskId = Annotated[int, Path(ge=1, le=2**62)]
#: The task statuses and outcomes of keepwise.playbooks.catalogue (a test checks they match).
Status = Literal["open", "overdue", "done", "skipped", "closed"]
Outcome = Literal["reached", "not_reached", "offer_accepted", "feedback", "won_back", "lost"]
OnField = Annotated[Day | None, Field(description="The day it was done (default: today; "
                                      "never later)")]  # fmt: skip


class Done(BaseModel):
    outcome: Outcome
    reason: Text | None = Field(None, description="A reason code (needed with feedback)")
    note: LongText | None = None
    on: OnField = None


class Skip(BaseModel):
    note: LongText | None = None
    on: OnField = None


@router.get("")
def tasks(
    ws: ViewerWs, as_of: AsOfQuery = None, owner_id: TextQuery = None,
    status: Annotated[Status | None, Query()] = None, playbook: TextQuery = None,
    customer_id: Annotated[Id | None, Query()] = None, limit: Limit = 100, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Tasks, the earliest due first, filtered by owner (the task's), status (``overdue``:
    open and due before ``as_of``), playbook and customer; a rep: of their own customers."""
    found = ws.tasks.find(as_of=as_of_day(ws, as_of), owner=owner_id, status=status,
                          playbook=playbook, customer=customer_id)  # fmt: skip
    return paged([x.to_dict() for x in found], limit, offset)


@router.get("/{task_id}")
def task(ws: ViewerWs, task_id: TaskId, as_of: AsOfQuery = None) -> dict[str, Any]:
    return ws.tasks.get(task_id, as_of=as_of_day(ws, as_of)).to_dict()


@router.post("/{task_id}/done")
def done(ws: ViewerWs, auth: CurrentSession, task_id: TaskId, body: Done) -> dict[str, Any]:
    """Record what came of an open task; a follow-up of the customer is recorded too."""
    return ws.tasks.done(task_id, outcome=body.outcome, actor=auth.viewer.username,
                         reason=body.reason, note=body.note, on=body.on).to_dict()  # fmt: skip


@router.post("/{task_id}/skip")
def skip(ws: ViewerWs, auth: CurrentSession, task_id: TaskId, body: Skip) -> dict[str, Any]:
    """Skip an open task (no follow-up is recorded)."""
    return ws.tasks.skip(task_id, actor=auth.viewer.username, note=body.note,
                         on=body.on).to_dict()  # fmt: skip
