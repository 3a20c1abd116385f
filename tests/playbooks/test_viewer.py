"""The playbooks and tasks services for the workspace's viewer (docs/api.md, "Roles"): a rep
sees and acts only on the tasks of the customers they own now (another's task is not found,
as one that does not exist); running, writing and judging playbooks is for managers and
admins, and a run or the writing of the files is audited with who did it."""

from __future__ import annotations

import pytest
from playbook_support import D, customers, days, owners, playbook_file, status

from keepwise import Workspace
from keepwise._core.errors import NotFoundError, PermissionDenied
from keepwise.workspace import Viewer

PLAYBOOKS = """
playbooks:
  - id: survey_lost
    trigger: {status: [churned, voided]}
    actions: [{type: survey, due_days: 7}]
    holdout: 0
"""
ANN = Viewer("ann", "rep", owner_id="E1")
MEI = Viewer("mei", "manager")


@pytest.fixture
def ws(make_ws) -> Workspace:  # type: ignore[no-untyped-def]
    """Ann (E1) owns A1 and A2, M1 owns B1; each lost, each with a task given to E1 (the run
    assigns lost customers of inactive owners to active ones)."""
    w: Workspace = make_ws()
    owners(w)
    customers(w, ["A1", "A2"], owner="E1")
    customers(w, ["B1"], owner="M1")
    for cid in ("A1", "A2", "B1"):
        status(w, cid, "churned", days(-3), "price")
    playbook_file(w, "mine.yaml", PLAYBOOKS)
    w.playbooks.run(D, actor="tester")
    return w


def _task(ws: Workspace, customer: str) -> int:
    return ws.tasks.find(as_of=D, customer=customer)[0].id


def test_a_rep_lists_and_acts_on_the_tasks_of_their_own_customers_only(ws: Workspace) -> None:
    assert {x.customer_id for x in ws.tasks.find(as_of=D)} == {"A1", "A2", "B1"}
    ann = ws.as_user(ANN)
    assert {x.customer_id for x in ann.tasks.find(as_of=D)} == {"A1", "A2"}
    assert ann.tasks.find(as_of=D, customer="B1") == []
    other = _task(ws, "B1")
    for act in (lambda: ann.tasks.done(other, outcome="reached", on=days(1), actor="ann"),
                lambda: ann.tasks.skip(other, on=days(1), actor="ann"),
                lambda: ann.tasks.get(other, as_of=D)):  # fmt: skip
        with pytest.raises(NotFoundError) as err:
            act()
        assert err.value.key == "tasks.not_found"
    assert ws.tasks.get(other, as_of=D).status == "open"  # nothing changed
    done = ann.tasks.done(_task(ws, "A1"), outcome="reached", on=days(1), actor="ann")
    assert done.status == "done"
    # The customer handed to another owner: the task goes with the customer, not the owner.
    ws.customers.reassign("A2", "M1", actor="mei")
    assert {x.customer_id for x in ann.tasks.find(as_of=D)} == {"A1"}
    assert {x.customer_id for x in ws.as_user(MEI).tasks.find(as_of=D)} == {"A1", "A2", "B1"}


def test_a_rep_with_no_owner_sees_no_task(ws: Workspace) -> None:
    assert ws.as_user(Viewer("nobody", "rep")).tasks.find(as_of=D) == []


def test_playbooks_are_run_written_and_judged_by_managers(ws: Workspace) -> None:
    ann, mei = ws.as_user(ANN), ws.as_user(MEI)
    assert [p.id for p in ann.playbooks.find()] == ["survey_lost"]  # reading: anyone
    for act in (lambda: ann.playbooks.run(D, actor="ann"),
                lambda: ann.playbooks.init(force=True),
                lambda: ann.playbooks.evaluate(as_of=days(30)),
                lambda: ann.playbooks.runs(),
                lambda: ann.playbooks.void_effect(as_of=days(30))):  # fmt: skip
        with pytest.raises(PermissionDenied):
            act()
    version = ws.data_version()
    result = mei.playbooks.run(days(2), actor="mei")
    assert sum(r.tasks for r in result.runs) == 0  # every loss is within the cooldown
    assert ws.data_version() != version  # the run is audited: stored evaluations recompute
    assert [e.playbook_id for e in mei.playbooks.evaluate(as_of=days(30))] == ["survey_lost"]
    log = ws.settings.audit_log(entity="playbook")
    assert [(e["action"], e["actor"]) for e in log][:1] == [("playbooks.run", "mei")]


def test_reps_do_not_reassign(ws: Workspace) -> None:
    ann = ws.as_user(ANN)
    with pytest.raises(PermissionDenied):
        ann.customers.reassign("A1", "M1", actor="ann")
    assert ws.customers.show("A1")["customer"]["owner_id"] == "E1"
