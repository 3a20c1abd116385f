"""Running playbooks on a hand-built world: who is targeted, held out, given which tasks by
whom; no duplicates on a second run; tasks of customers lost meanwhile closed."""

from __future__ import annotations

import datetime as dt

import pytest
from playbook_support import (
    D,
    alert,
    count,
    customers,
    days,
    owners,
    playbook_file,
    status,
)

from keepwise import Workspace
from keepwise._core.errors import InputError
from keepwise.playbooks.holdout import draws

PLAYBOOKS = """
playbooks:
  - id: survey_voided
    trigger: {status: voided}
    actions:
      - {type: survey, cost: 30, message_en: "Survey {customer} ({detail})",
         message_zh: "调查 {customer}（{detail}）"}
    holdout: 0
  - id: offer_price
    trigger: {status: [churned, voided], reason: [price, product_fit]}
    actions: [{type: winback_offer, cost: 300}]
    holdout: 0
  - id: renewal
    trigger: {alert: contract_ending}
    actions:
      - {type: exec_visit, owner: "role:manager", due_days: 14, cost: 800}
      - {type: care_call, cost: 20}
    holdout: 0
    cooldown_days: 180
"""


def _world(ws: Workspace) -> None:
    owners(ws)
    customers(ws, ["V1", "V2", "C2", "K1", "K2", "K3"])
    customers(ws, ["C1"], owner="E2")  # an owner who left
    status(ws, "V1", "voided", days(-5), "no_value")
    status(ws, "V2", "voided", days(-40), "duplicate")  # longer ago than within_days (30)
    status(ws, "C1", "churned", days(-3), "price")
    status(ws, "C2", "churned", days(-3), "competitor")
    alert(ws, "K1", "contract_ending", days(-1))
    alert(ws, "K2", "contract_ending", days(-45))  # too old
    alert(ws, "K3", "purchase_drop", days(-1))  # another rule


def _targets(ws: Workspace) -> dict[str, set[str]]:
    frame = ws.store.table("playbook_targets").execute()
    return {p: set(g.customer_id) for p, g in frame.groupby("playbook_id")}


def test_targets_tasks_owners_and_no_duplicates(workspace: Workspace) -> None:
    ws = workspace
    _world(ws)
    playbook_file(ws, "mine.yaml", PLAYBOOKS)
    result = ws.playbooks.run(D, actor="tester")
    assert _targets(ws) == {"survey_voided": {"V1"}, "offer_price": {"C1"}, "renewal": {"K1"}}
    assert [(r.playbook_id, r.targets, r.held_out, r.tasks) for r in result.runs] == [
        ("survey_voided", 1, 0, 1), ("offer_price", 1, 0, 1), ("renewal", 1, 0, 2),
    ]  # fmt: skip
    tasks = {(x.playbook_id, x.type): x for x in ws.tasks.find(as_of=D)}
    assert tasks["survey_voided", "survey"].owner_id == "E1"
    assert tasks["offer_price", "winback_offer"].owner_id == "M1"  # E2 left: a manager
    assert tasks["renewal", "exec_visit"].owner_id == "M1"  # role:manager
    assert tasks["renewal", "exec_visit"].due == days(14)
    assert tasks["renewal", "care_call"].due == days(7)
    survey = tasks["survey_voided", "survey"]
    assert survey.message_en == "Survey Name V1 (No-value customer let go)"
    assert survey.message_zh == "调查 Name V1（无价值客户淘汰）"
    assert survey.cost == 30 and survey.status == "open" and survey.as_of == D
    # The same day again: nothing new, everything counted as already targeted.
    again = ws.playbooks.run(D, actor="tester")
    assert [(r.targets, r.tasks, r.already_targeted) for r in again.runs] == [
        (0, 0, 1),
        (0, 0, 1),
        (0, 0, 1),
    ]
    assert count(ws, "tasks") == 4 and count(ws, "playbook_targets") == 3
    # A fresh alert within the cool-down does not target K1 again.
    alert(ws, "K1", "contract_ending", days(20))
    later = ws.playbooks.run(days(21), actor="tester", ids=["renewal"])
    assert later.runs[0].targets == 0 and later.runs[0].already_targeted == 1


def test_tasks_of_customers_lost_meanwhile_are_closed(workspace: Workspace) -> None:
    ws = workspace
    _world(ws)
    playbook_file(ws, "mine.yaml", PLAYBOOKS)
    ws.playbooks.run(D, actor="tester")
    status(ws, "K1", "churned", days(5), "competitor")
    result = ws.playbooks.run(days(10), actor="tester")
    assert result.closed_tasks == {"churned": 2}
    k1 = ws.tasks.find(as_of=days(10), customer="K1")
    assert {(x.status, x.closed_reason) for x in k1} == {("closed", "churned")}
    # win-back tasks of customers already lost when targeted stay open
    assert {x.status for x in ws.tasks.find(as_of=days(10), customer="C1")} == {"overdue"}


def test_a_future_day_is_refused(workspace: Workspace) -> None:
    import datetime as _dt

    tomorrow = workspace.today() + _dt.timedelta(days=1)
    with pytest.raises(InputError) as err:
        workspace.playbooks.run(tomorrow, actor="tester")
    assert err.value.key == "workspace.future_as_of"


def test_the_hold_out_is_recorded_per_target_and_gets_no_task(make_ws) -> None:  # type: ignore[no-untyped-def]
    ws = make_ws()
    owners(ws)
    ids = [f"X{i:03d}" for i in range(400)]
    customers(ws, ids)
    for c in ids:
        status(ws, c, "voided", days(-2), "invalid")
    playbook_file(ws, "half.yaml", "id: half\ntrigger: {status: voided}\n"
                                   "actions: [{type: survey}]\nholdout: 0.5\n")  # fmt: skip
    ws.playbooks.run(D, actor="tester")
    frame = ws.store.table("playbook_targets").execute().sort_values("customer_id")
    expected = draws("half", frame.customer_id.tolist()) < 0.5
    assert (frame.holdout.to_numpy() == expected).all()
    assert 140 < frame.holdout.sum() < 260  # Binomial(400, 0.5) within 6 sd
    tasked = {x.customer_id for x in ws.tasks.find(as_of=D)}
    assert tasked == set(frame.customer_id[~frame.holdout])


def test_care_calendar_birthdays_anniversaries_and_holidays(make_ws) -> None:  # type: ignore[no-untyped-def]
    """中秋 2026 is 25 September. On 20 September (7 days ahead): B1's birthday (23rd) comes
    first, A1's first contract started on 21 September two years ago, the other high- and
    mid-tier customers get the holiday; B3 is low tier, A2's contract lapsed. On the 23rd
    B1's and A1's holiday is still to come; nobody else gets it twice."""
    ws = make_ws()
    care_day = dt.date(2026, 9, 20)
    owners(ws)
    customers(ws, ["B1"], birthday=dt.date(1980, 9, 23))
    customers(ws, ["B2"], birthday=dt.date(1980, 10, 5))
    customers(ws, ["B3"], birthday=dt.date(1980, 9, 22))
    customers(ws, ["A1", "A2", "P1"])
    from playbook_support import insert

    tiers = {"B1": "high", "B2": "mid", "B3": "low", "A1": "mid", "A2": "high", "P1": "mid"}
    insert(ws, "scores", [{"customer_id": c, "model_version": "v", "as_of": dt.date(2026, 9, 1),
                           "value_tier": tier} for c, tier in tiers.items()])  # fmt: skip
    insert(ws, "contracts", [
        {"contract_id": "K1", "customer_id": "A1", "start_date": dt.date(2024, 9, 21),
         "end_date": dt.date(2025, 9, 21)},
        {"contract_id": "K2", "customer_id": "A1", "start_date": dt.date(2025, 9, 21),
         "end_date": dt.date(2026, 9, 21), "renewed_from": "K1"},
        {"contract_id": "K3", "customer_id": "A2", "start_date": dt.date(2024, 9, 22),
         "end_date": dt.date(2025, 9, 22)},
    ])  # fmt: skip
    playbook_file(ws, "care.yaml", """
id: care
trigger: {care_calendar: [birthday, contract_anniversary, holiday], holidays: [mid_autumn]}
filter: {tier: [high, mid]}
actions: [{type: care_call, message_en: "{occasion}", message_zh: "{occasion}"}]
holdout: 0
cooldown_days: 0
""")  # fmt: skip
    ws.playbooks.run(care_day, actor="tester")
    first = {x.customer_id: x.message_en for x in ws.tasks.find(as_of=care_day)}
    assert first == {
        "B1": "birthday 2026-09-23", "A1": "contract anniversary 2026-09-21",
        "B2": "Mid-Autumn Festival 2026-09-25", "A2": "Mid-Autumn Festival 2026-09-25",
        "P1": "Mid-Autumn Festival 2026-09-25",
    }  # fmt: skip
    ws.playbooks.run(care_day + dt.timedelta(days=3), actor="tester")
    tasks = ws.tasks.find(as_of=care_day)
    second = {x.customer_id: x.message_en for x in tasks if x.as_of != care_day}
    assert second == {"B1": "Mid-Autumn Festival 2026-09-25",
                      "A1": "Mid-Autumn Festival 2026-09-25"}  # fmt: skip
    zh = {x.customer_id: x.message_zh for x in tasks if x.as_of == care_day}
    assert zh["B1"] == "生日 2026-09-23" and zh["P1"] == "中秋节 2026-09-25"


def test_an_alert_trigger_names_a_rule_or_its_kind(make_ws) -> None:  # type: ignore[no-untyped-def]
    """rules.yaml calls a purchase_drop rule "big_drop": a playbook on purchase_drop reads its
    alerts too, one on big_drop only those."""
    ws = make_ws()
    owners(ws)
    customers(ws, ["A", "B"])
    (ws.path / "rules.yaml").write_text(
        "rules:\n  - {id: big_drop, kind: purchase_drop, params: {threshold_pct: 30}}\n",
        encoding="utf-8",
    )  # fmt: skip
    alert(ws, "A", "big_drop", days(-1))
    alert(ws, "B", "purchase_drop", days(-1))
    playbook_file(ws, "p.yaml", """
playbooks:
  - {id: by_kind, trigger: {alert: purchase_drop}, actions: [{type: loyalty_offer}], holdout: 0}
  - {id: by_rule, trigger: {alert: big_drop}, actions: [{type: loyalty_offer}], holdout: 0}
""")  # fmt: skip
    ws.playbooks.run(D, actor="tester")
    assert _targets(ws) == {"by_kind": {"A", "B"}, "by_rule": {"A"}}
