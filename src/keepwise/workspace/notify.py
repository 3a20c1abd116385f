"""``ws.notify``: digests of new alerts and open tasks to the people and groups of ``[notify]``
(docs/reports.md, "Notifications"), a test message per channel, and the log of what was sent."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keepwise._core import clock
from keepwise._core.config import table
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.notify import NotifySettings, Sent, TaskItem


class NotifyService(Service):
    def settings(self) -> NotifySettings:
        from keepwise.notify import parse_notify_settings

        return parse_notify_settings(table(self.ws.config.sections, "notify", "notify"))

    def send(self, as_of: dt.date, *, sleep: Callable[[float], None] = time.sleep) -> list[Sent]:
        """Queue a digest for each recipient with new alerts or tasks, then send everything
        pending or failed (retried with back-off; every attempt logged)."""
        from keepwise import notify

        settings = self.settings()
        if settings.channels:
            tasks = self.open_tasks(as_of) if any(
                "tasks" in c.send for c in settings.channels) else []  # fmt: skip
            with self.store.begin() as conn:
                notify.queue_digests(conn, settings, as_of=as_of, at=clock.now(),
                                     default_lang=self.ws.config.language,
                                     rule_labels=self.ws.alerts.rule_labels(), tasks=tasks)  # fmt: skip
        return notify.deliver(self.store, settings, now=clock.now, sleep=sleep)

    def open_tasks(self, as_of: dt.date) -> list[TaskItem]:
        """The open tasks as ``ws.tasks`` lists them (overdue ones marked), the soonest due
        first, a survey task with its customer's link."""
        from keepwise.notify import TaskItem

        found = [*self.ws.tasks.find(as_of=as_of, status="overdue"),
                 *self.ws.tasks.find(as_of=as_of, status="open")]  # fmt: skip
        surveys = [k.id for k in found if k.type == "survey"]
        links = self.ws.surveys.for_tasks(task_ids=surveys) if surveys else {}
        return [TaskItem(k.id, k.customer_id, k.customer_name, k.type, k.due, k.owner_id,
                         overdue=k.status == "overdue",
                         url=self.ws.surveys.url(links[k.id].token) if k.id in links else None)
                for k in found]  # fmt: skip

    def test(self, channel: str, *, sleep: Callable[[float], None] = time.sleep) -> list[Sent]:
        """Send a test message through ``channel`` to each of its recipients."""
        from keepwise import notify

        settings = self.settings()
        with self.store.begin() as conn:
            ids = notify.queue_probe(conn, settings, channel, at=clock.now(),
                                     default_lang=self.ws.config.language)  # fmt: skip
        return notify.deliver(self.store, settings, now=clock.now, sleep=sleep, ids=ids)

    def log(self, *, limit: int = 50, status: str | None = None) -> list[dict[str, Any]]:
        from keepwise import notify

        with self.store.begin() as conn:
            return notify.log(conn, limit=limit, status=status)
