"""Tasks: outcomes (each also a follow-up the KPIs see, which never moves where the data
ends), skipping, overdue, and the errors a user can make."""

from __future__ import annotations

import datetime as dt

import pytest
from playbook_support import D, count, customers, days, owners, playbook_file, status

from keepwise import Workspace
from keepwise._core.errors import InputError, NotFoundError

PLAYBOOKS = """
playbooks:
  - id: survey_lost
    trigger: {status: [churned, voided]}
    actions: [{type: survey, due_days: 7}]
    holdout: 0
"""


@pytest.fixture
def ws(make_ws) -> Workspace:  # type: ignore[no-untyped-def]
    w: Workspace = make_ws()
    owners(w)
    customers(w, ["V1", "C1", "C2"])
    status(w, "V1", "voided", days(-5), "no_value")
    status(w, "C1", "churned", days(-3), "price")
    status(w, "C2", "churned", days(-3), "competitor")
    playbook_file(w, "mine.yaml", PLAYBOOKS)
    w.playbooks.run(D, actor="tester")
    return w


def _task(ws: Workspace, customer: str) -> int:
    return ws.tasks.find(as_of=D, customer=customer)[0].id


def _coverage(ws: Workspace) -> tuple[float, float]:
    """followup_coverage of February 2026 (the three losses) as of 10 March."""
    df = ws.metrics.compute(["followup_coverage"], as_of=days(8), grain="month",
                            start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 1))  # fmt: skip
    return float(df.numerator.iloc[0]), float(df.denominator.iloc[0])


def test_an_outcome_is_a_follow_up_that_the_kpis_see(ws: Workspace) -> None:
    end = ws.data_end()
    assert _coverage(ws) == (0.0, 3.0)
    done = ws.tasks.done(_task(ws, "V1"), outcome="feedback", reason="no_value",
                         note="moved to a rival", on=days(2), actor="ann")  # fmt: skip
    assert (done.status, done.outcome, done.reason) == ("done", "feedback", "no_value")
    assert _coverage(ws) == (1.0, 3.0)
    rows = ws.store.table("interactions").execute()
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row.customer_id, row.type, row.outcome, row.source, int(row.task_id)) == (
        "V1",
        "survey",
        "feedback",
        "task",
        done.id,
    )
    assert row.occurred_at.date() == days(2)
    assert ws.data_end() == end  # a user's action is not data


def test_skip_records_no_follow_up_and_overdue_is_derived(ws: Workspace) -> None:
    skipped = ws.tasks.skip(_task(ws, "C2"), note="not our customer", on=days(1), actor="ann")
    assert skipped.status == "skipped" and count(ws, "interactions") == 0
    assert {x.customer_id for x in ws.tasks.find(as_of=days(7), status="open")} == {"V1", "C1"}
    assert ws.tasks.find(as_of=days(7), status="overdue") == []
    late = ws.tasks.find(as_of=days(8), status="overdue")
    assert {x.customer_id for x in late} == {"V1", "C1"} and late[0].status == "overdue"
    assert [x.customer_id for x in ws.tasks.find(as_of=days(8), status="skipped")] == ["C2"]
    assert ws.tasks.find(as_of=days(8), owner="nobody") == []


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"outcome": "happy"}, "tasks.bad_outcome"),
        ({"outcome": "feedback"}, "tasks.reason_needed"),
        ({"outcome": "feedback", "reason": "nonsense"}, "tasks.bad_reason"),
        ({"outcome": "reached", "on": dt.date(2026, 3, 1)}, "tasks.before_created"),
        ({"outcome": "reached", "on": dt.date.today() + dt.timedelta(days=2)},
         "workspace.future_as_of"),
    ],
)  # fmt: skip
def test_wrong_outcomes_change_nothing(ws: Workspace, kwargs: dict, key: str) -> None:  # type: ignore[type-arg]
    kwargs = {"on": days(2)} | kwargs
    with pytest.raises(InputError) as err:
        ws.tasks.done(_task(ws, "C1"), actor="ann", **kwargs)
    assert err.value.key == key
    assert err.value.message("zh") != err.value.message("en")
    assert ws.tasks.find(as_of=D, customer="C1")[0].status == "open"
    assert count(ws, "interactions") == 0


def test_a_task_is_done_once_and_unknown_tasks_are_reported(ws: Workspace) -> None:
    task = _task(ws, "C1")
    ws.tasks.done(task, outcome="won_back", on=days(2), actor="ann")
    with pytest.raises(InputError) as err:
        ws.tasks.done(task, outcome="reached", on=days(3), actor="ann")
    assert err.value.key == "tasks.not_open"
    with pytest.raises(NotFoundError):
        ws.tasks.skip(9999, actor="ann")
    with pytest.raises(InputError) as bad:
        ws.tasks.find(as_of=D, status="someday")
    assert bad.value.key == "tasks.bad_status"
