"""``ws.tasks``: the tasks playbooks create (docs/playbooks.md) — listing them by owner and
status, recording what came of them (each outcome also a follow-up), skipping them.

For the workspace's viewer (docs/api.md, "Roles"): a rep sees and acts on the tasks of the
customers they own now; another's task is not found, exactly as one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from keepwise._core import clock
from keepwise._core.errors import NotFoundError
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.playbooks.tasks import Task


class TasksService(Service):
    def find(
        self, *, as_of: dt.date, owner: str | None = None, status: str | None = None,
        playbook: str | None = None, customer: str | None = None, limit: int | None = None,
    ) -> list[Task]:  # fmt: skip
        """Tasks, the earliest due first; ``overdue`` = open and due before ``as_of``."""
        from keepwise.playbooks.tasks import list_tasks

        with self.store.begin() as conn:
            return list_tasks(conn, as_of=as_of, owner=owner, status=status, playbook=playbook,
                              customer=customer, limit=limit,
                              customer_owner=self.viewer.owner_scope)  # fmt: skip

    def get(self, task_id: int, *, as_of: dt.date) -> Task:
        """One task; not found when the viewer may not see its customer."""
        from keepwise.playbooks.tasks import list_tasks

        with self.store.begin() as conn:
            found = list_tasks(conn, as_of=as_of, task_id=task_id,
                               customer_owner=self.viewer.owner_scope)  # fmt: skip
        if not found:
            raise NotFoundError("tasks.not_found", task_id=task_id)
        return found[0]

    def done(
        self, task_id: int, *, outcome: str, actor: str, reason: str | None = None,
        note: str | None = None, on: dt.date | None = None,
    ) -> Task:  # fmt: skip
        """Record the outcome of an open task on ``on`` (today by default, never later): the
        task is done and a follow-up is recorded for its customer."""
        from keepwise.playbooks.tasks import complete

        day = self.ws.check_writable(on or self.ws.today())
        self.get(task_id, as_of=day)
        with self.store.begin() as conn:
            return complete(conn, task_id, outcome=outcome, reason=reason, note=note, on=day,
                            actor=actor, at=clock.now())  # fmt: skip

    def skip(
        self, task_id: int, *, actor: str, note: str | None = None, on: dt.date | None = None
    ) -> Task:
        """Skip an open task (no follow-up is recorded)."""
        from keepwise.playbooks.tasks import complete

        day = self.ws.check_writable(on or self.ws.today())
        self.get(task_id, as_of=day)
        with self.store.begin() as conn:
            return complete(conn, task_id, outcome=None, reason=None, note=note, on=day,
                            actor=actor, at=clock.now(), skip=True)  # fmt: skip
