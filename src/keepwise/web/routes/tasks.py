"""Tasks: the follow-ups the playbooks asked owners to make (twin: ``GET /api/tasks``), filtered
by owner, state and playbook, overdue ones marked; recording what came of one (``POST
/api/tasks/{id}/done``: also a follow-up of the customer) or skipping it (``.../skip``). A rep
sees and acts on the tasks of their own customers only (the workspace's scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form

from keepwise._core.i18n import register
from keepwise.api.params import LongText, Offset, Text, TextQuery
from keepwise.api.routes import tasks as api
from keepwise.playbooks.catalogue import OUTCOMES, TASK_STATUSES
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

#: Tasks per page.
TASK_PAGE = 50

register(
    {
        "web.tasks.title": {"zh": "跟进任务", "en": "Tasks"},
        "web.tasks.due": {"zh": "截止", "en": "Due"},
        "web.tasks.type": {"zh": "任务", "en": "Task"},
        "web.tasks.outcome": {"zh": "结果", "en": "Outcome"},
        "web.tasks.reason": {"zh": "原因（记录反馈时必填）", "en": "Reason (needed with feedback)"},
        "web.tasks.done": {"zh": "记录结果", "en": "Record the outcome"},
        "web.tasks.skip": {"zh": "跳过", "en": "Skip"},
        "web.tasks.overdue": {"zh": "已逾期", "en": "overdue"},
        "web.tasks.done_notice.done": {"zh": "已记录任务结果", "en": "The outcome is recorded"},
        "web.tasks.done_notice.skip": {"zh": "已跳过任务", "en": "The task is skipped"},
        "web.tasks.none": {"zh": "没有符合条件的任务", "en": "No task matches"},
    }
)


@router.get("/tasks")
def tasks_page(
    page: PageDep, owner_id: TextQuery = None, status: api.Status | None = None,
    playbook: TextQuery = None, offset: Offset = 0, done: Text | None = None,
) -> Any:  # fmt: skip
    answer = api.tasks(page.ws, as_of=None, owner_id=owner_id, status=status,
                       playbook=playbook, customer_id=None, limit=TASK_PAGE,
                       offset=offset)  # fmt: skip
    labels = page.ws.customers.reason_labels()
    reasons = sorted(((code, pair[0] if page.lang == "zh" else pair[1])
                      for code, pair in labels.items()), key=lambda r: r[1])  # fmt: skip
    return page.render("tasks.html", answer=answer, owner_id=owner_id, status=status,
                       playbook=playbook, offset=offset, page_size=TASK_PAGE, done=done,
                       statuses=list(TASK_STATUSES), outcomes=list(OUTCOMES),
                       reasons=reasons)  # fmt: skip


@router.post("/tasks/{task_id}/done")
def done(
    page: PageDep, task_id: api.TaskId, outcome: Annotated[api.Outcome, Form()],
    reason: Annotated[Text | None, Form()] = None, note: Annotated[LongText | None, Form()] = None,
) -> Any:  # fmt: skip
    api.done(page.ws, page.auth, task_id,
             api.Done(outcome=outcome, reason=reason or None, note=note or None))  # fmt: skip
    return page.back("/tasks", done="done")


@router.post("/tasks/{task_id}/skip")
def skip(
    page: PageDep, task_id: api.TaskId, note: Annotated[LongText | None, Form()] = None
) -> Any:
    api.skip(page.ws, page.auth, task_id, api.Skip(note=note or None))
    return page.back("/tasks", done="skip")
