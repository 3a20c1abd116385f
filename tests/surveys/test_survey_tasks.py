"""A playbook's survey action closes the loop: its survey task gets one link for the customer
(running again adds none), the answer is a survey row the csat and nps KPIs count, a detractor
gets an alert for the owner, and the task is done with the customer's reason as its feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core import clock
from keepwise.store import schema

NOW = dt.datetime(2026, 3, 10, 8, 0)
AS_OF = NOW.date()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """C1 voided a week ago (void_survey's target), C2 active; both owned by O1."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    workspace = Workspace.init(tmp_path / "ws", lang="en")
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.owners).values(owner_id="O1", name="Wang", active=True))
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": c, "name": n, "owner_id": "O1", "acquired_at": dt.datetime(2025, 1, 1)}
            for c, n in (("C1", "Acme"), ("C2", "Beta"))])  # fmt: skip
        conn.execute(sa.insert(schema.status_events).values(
            customer_id="C1", occurred_at=dt.datetime(2026, 3, 3, 10), from_status="active",
            to_status="voided", reason="price", actor="ops"))  # fmt: skip
        conn.execute(sa.insert(schema.surveys).values(
            survey_id="U0", customer_id="C2", answered_at=dt.datetime(2026, 3, 2), csat=5,
            recommend=10))  # fmt: skip
    yield workspace
    workspace.close()


def _rows(ws: Workspace, table: sa.Table) -> list[dict[str, object]]:
    with ws.store.begin() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_a_survey_task_gets_a_link_and_the_answer_closes_it(ws: Workspace) -> None:
    result = ws.playbooks.run(AS_OF, actor="ops", ids=["void_survey"])
    (run,) = result.runs
    assert (run.targets, run.tasks) == (1, 1)  # C1 only; a 0 % hold-out of one target
    (task,) = ws.tasks.find(as_of=AS_OF, playbook="void_survey")
    assert (task.customer_id, task.type, task.status) == ("C1", "survey", "open")
    links = ws.surveys.for_tasks(run_ids=[run.run_id])
    link = links[task.id]
    assert (link.customer_id, link.lang) == ("C1", "en")
    assert link.expires_at == dt.datetime(2026, 3, 24, 8, 0)  # [surveys] days: 14
    (row,) = _rows(ws, schema.survey_links)
    assert row["task_id"] == task.id and row["created_by"] == "playbook"
    # Running again the same day: no new target, task or link; the same link is given back.
    again = ws.playbooks.run(AS_OF, actor="ops", ids=["void_survey"])
    assert again.runs[0].tasks == 0 and len(_rows(ws, schema.survey_links)) == 1
    assert ws.surveys.for_tasks(task_ids=[task.id], create=True)[task.id].token == link.token

    where, alerts = ws.surveys.answer(link.token, {"csat": "2", "recommend": "4",
                                                   "reason": "price", "comment": "too dear"})  # fmt: skip
    assert where == "open" and len(alerts) == 1
    survey = next(r for r in _rows(ws, schema.surveys) if r["customer_id"] == "C1")
    assert (survey["csat"], survey["recommend"], survey["reason"]) == (2, 4, "price")
    (alert,) = _rows(ws, schema.alerts)
    assert (alert["customer_id"], alert["rule"], alert["status"]) == ("C1", "survey_detractor",
                                                                      "open")  # fmt: skip
    # March's csat is (5 + 2) / 2; its nps (1 promoter − 1 detractor) / 2 × 100.
    kpis = ws.metrics.compute(["csat", "nps"], as_of=dt.date(2026, 4, 1), grain="month",
                              start=dt.date(2026, 3, 1))  # fmt: skip
    assert dict(zip(kpis["metric"], kpis["value"], strict=True)) == {"csat": 3.5, "nps": 0.0}
    # The task is done with the customer's reason, and counts as a follow-up.
    (done,) = ws.tasks.find(as_of=AS_OF, playbook="void_survey")
    assert (done.status, done.outcome, done.reason, done.note) == ("done", "feedback", "price",
                                                                   "too dear")  # fmt: skip
    followups = [r for r in _rows(ws, schema.interactions) if r["task_id"] == task.id]
    assert [(f["customer_id"], f["type"]) for f in followups] == [("C1", "survey")]
    # The link is used: a second answer stores nothing and leaves the task as it is.
    assert ws.surveys.answer(link.token, {"csat": "5"}) == ("used", [])
    assert len(_rows(ws, schema.surveys)) == 2


def test_an_answer_without_a_reason_marks_the_task_reached(ws: Workspace) -> None:
    ws.playbooks.run(AS_OF, actor="ops", ids=["void_survey"])
    (task,) = ws.tasks.find(as_of=AS_OF)
    link = ws.surveys.for_tasks(task_ids=[task.id])[task.id]
    assert ws.surveys.answer(link.token, {"csat": "4", "recommend": "9"}) == ("open", [])
    (done,) = ws.tasks.find(as_of=AS_OF)
    assert (done.status, done.outcome, done.reason) == ("done", "reached", None)
