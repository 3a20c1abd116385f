"""End to end on the demo company: alerts → playbooks → tasks → outcomes → evaluation.

The demo company ran the built-in playbooks from ``playbooks_start`` on, and two of them
worked on the customers they treated (demo/effects.py): ``contract_renewal`` kept contract
customers, ``lost_remarketing`` won lost ones back. ``void_survey`` and ``purchase_loyalty``
changed nothing. Replaying the history month by month, the evaluation must find the positive,
significant uplift where the generator put one, and nothing significant where it did not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from keepwise import Workspace
from keepwise.demo.timeline import scenario

DEMO_END = dt.date(2026, 11, 1)
LAST_RUN = dt.date(2026, 8, 1)  # 90 days of outcome before the data ends
PLAYBOOKS = ["contract_renewal", "lost_remarketing", "void_survey", "purchase_loyalty"]
RULES = """version: 1
rules:
  - {id: contract_ending, kind: contract_ending}
  - {id: purchase_drop, kind: purchase_drop}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path_factory.mktemp("e2e") / "ws", lang="en")
    ws.imports.load_demo(customers=8000, seed=0, as_of=DEMO_END)
    (ws.path / "rules.yaml").write_text(RULES, encoding="utf-8")
    start = scenario(DEMO_END, 3).playbooks_start
    ws.playbooks.replay(since=start, until=LAST_RUN, every=30, actor="e2e", ids=PLAYBOOKS,
                        alerts=True)  # fmt: skip
    _record_outcomes(ws)
    yield ws
    ws.close()


def _record_outcomes(ws: Workspace) -> None:
    """What the reps report, on each task's due date: every voided customer surveyed gives
    feedback, offers are accepted by some, executive visits reach the customer."""
    outcome = {"void_survey": "feedback", "lost_remarketing": "offer_accepted",
               "contract_renewal": "reached"}  # fmt: skip
    for playbook, result in outcome.items():
        tasks = ws.tasks.find(as_of=DEMO_END, playbook=playbook)
        for n, task in enumerate(x for x in tasks if x.status in ("open", "overdue")):
            if playbook == "contract_renewal" and n >= 100:
                break
            reason = "other" if result == "feedback" else None
            ws.tasks.done(task.id, outcome=result, reason=reason, on=task.due, actor="rep")


def test_alerts_lead_to_targets_and_tasks(demo: Workspace) -> None:
    targets = demo.store.table("playbook_targets").execute()
    alerts = demo.store.table("alerts").execute()
    renewal = targets[targets.playbook_id == "contract_renewal"]
    assert len(renewal) > 500
    ending = alerts[alerts.rule == "contract_ending"].groupby("customer_id").as_of.max()
    # every target had a contract_ending alert in the 30 days up to its run
    for row in renewal.itertuples():
        alerted = alerts[(alerts.customer_id == row.customer_id)
                         & (alerts.rule == "contract_ending")].as_of  # fmt: skip
        gap = (row.as_of - alerted).dt.days
        assert ((gap >= 0) & (gap < 30)).any(), row.customer_id
    assert ending.index.isin(renewal.customer_id).mean() > 0.8
    share = targets.groupby("playbook_id").holdout.mean()
    assert ((share > 0.05) & (share < 0.16)).all(), share
    tasks = demo.store.table("tasks").execute()
    held = targets[targets.holdout]
    merged = held.merge(tasks, on=["run_id", "customer_id"])
    assert merged.empty  # the hold-out gets no task
    assert tasks.owner_id.notna().mean() > 0.95


def test_outcomes_are_follow_ups(demo: Workspace) -> None:
    done = [x for x in demo.tasks.find(as_of=DEMO_END, status="done")]
    followups = demo.store.table("interactions").execute()
    mine = followups[followups.source == "task"]
    assert len(mine) == len(done) > 100
    assert demo.data_end() == DEMO_END - dt.timedelta(days=1)  # outcomes are not data


def test_the_evaluation_finds_the_effects_the_generator_put(demo: Workspace) -> None:
    found = {e.playbook_id: e for e in demo.playbooks.evaluate(as_of=DEMO_END, ids=PLAYBOOKS)}
    for pid in ("contract_renewal", "lost_remarketing"):
        e = found[pid]
        print(pid, e.verdict("en"))
        assert e.uplift.verdict == "worked" and e.uplift.significant, e.verdict("en")
        assert e.uplift.difference > 0.05  # type: ignore[operator]
        assert e.revenue_retained and e.revenue_retained > e.cost > 0
        assert e.pending == 0
    for pid in ("void_survey", "purchase_loyalty"):
        e = found[pid]
        print(pid, e.verdict("en"))
        assert not e.uplift.significant, e.verdict("en")
        assert e.uplift.verdict in ("too_few", "no_effect"), e.verdict("en")
    assert found["lost_remarketing"].measure == "winback"
    assert found["contract_renewal"].measure == "retention"


def test_the_void_evaluation_sees_the_follow_up_and_the_measures(demo: Workspace) -> None:
    report = demo.playbooks.void_effect(as_of=DEMO_END, start=dt.date(2025, 8, 1))
    follow = report["followup"]
    assert follow["voided"] > 20 and 0.5 < follow["targeted_share"] <= 1
    assert follow["feedback"][0]["reason"] == "other"
    surveyed = {(x["type"], x["outcome"]) for x in follow["tasks"]}
    assert ("survey", "feedback") in surveyed
    measures = {m["playbook_id"]: m for m in report["measures"]}
    assert set(measures) == set(PLAYBOOKS)
    assert measures["contract_renewal"]["verdict"] == "worked"
    assert measures["contract_renewal"]["first_run"] == scenario(DEMO_END, 3).playbooks_start
