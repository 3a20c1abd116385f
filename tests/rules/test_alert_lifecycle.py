"""Alerts: dedup across runs, acknowledge and close with a note, history kept, re-opened on a
later run when the rule still fires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from rules_support import AS_OF, customer, insert, interactions, tickets

from keepwise import Workspace
from keepwise._core.errors import InputError, NotFoundError

RULES = """\
rules:
  - id: complaints
    kind: complaints_rising
    severity: high
    playbook: care_call
  - id: silent
    kind: no_followup
    severity: low
    params: {days: 120}
"""
LATER = AS_OF + dt.timedelta(days=7)


@pytest.fixture
def ws(make_ws: Callable[..., Workspace]) -> Workspace:
    """K1 and K2 complain (3 complaints in the last 90 days, none before); N1 was acquired 200
    days before AS_OF and never followed up. K1 and N1 belong to E1, K2 to E2."""
    ws = make_ws()
    (ws.path / "rules.yaml").write_text(RULES, encoding="utf-8")
    insert(ws, "owners", [{"owner_id": "E1", "name": "甲"}, {"owner_id": "E2", "name": "乙"}])
    for cid, owner in (("K1", "E1"), ("K2", "E2")):
        customer(ws, cid, owner_id=owner)
        tickets(ws, cid, [10, 20, 30])
        interactions(ws, cid, [5])
    customer(ws, "N1", acquired=200, owner_id="E1")
    return ws


def _pairs(ws: Workspace, **filters: str) -> set[tuple[str, str, str]]:
    return {(a.customer_id, a.rule, a.status) for a in ws.alerts.find(**filters)}


def _matches(alert: object, filters: dict[str, str]) -> bool:
    names = {"owner": "owner_id"}
    return all(getattr(alert, names.get(k, k)) == v for k, v in filters.items())


def test_a_second_run_adds_nothing(ws: Workspace) -> None:
    first = ws.alerts.run(AS_OF)
    assert (first.opened, first.already_open) == (3, 0)
    assert first.fired == {"complaints": 2, "silent": 1}
    second = ws.alerts.run(AS_OF)
    assert (second.opened, second.already_open, second.opened_ids) == (0, 3, [])
    assert len(ws.alerts.find()) == 3
    k1 = ws.alerts.find(customer="K1")[0]
    assert (k1.severity, k1.suggested_playbook, k1.as_of, k1.status) == (
        "high", "care_call", AS_OF, "open")  # fmt: skip
    assert k1.evidence == {"complaints_90d": 3, "norm_90d": 0.0, "rise_pct": None}


def test_filters(ws: Workspace) -> None:
    ws.alerts.run(AS_OF)
    assert _pairs(ws, owner="E1") == {("K1", "complaints", "open"), ("N1", "silent", "open")}
    assert _pairs(ws, rule="complaints") == {("K1", "complaints", "open"),
                                             ("K2", "complaints", "open")}  # fmt: skip
    assert _pairs(ws, severity="low") == {("N1", "silent", "open")}
    assert _pairs(ws, status="closed") == set()
    # With a limit: the newest first, their customer's name and owner (the same rows whatever
    # the query's shape: with an owner the join comes before the limit).
    every = ws.alerts.find()
    for filters in ({}, {"rule": "complaints"}, {"owner": "E1"}, {"status": "open"}):
        unlimited = [a for a in every if _matches(a, filters)]
        assert ws.alerts.find(limit=1, **filters) == unlimited[:1], filters
        assert ws.alerts.find(limit=5, **filters) == unlimited, filters
    assert [a.customer_name for a in ws.alerts.find(customer="K2", limit=1)] == ["K2"]
    with pytest.raises(InputError) as info:
        ws.alerts.find(status="done")
    assert "open / acknowledged / closed" in info.value.message("en")


def test_acknowledge_close_and_history(ws: Workspace) -> None:
    ws.alerts.run(AS_OF)
    k1 = ws.alerts.find(customer="K1")[0]
    acked = ws.alerts.ack(k1.id, actor="lin", note="called, waiting for an answer")
    assert (acked.status, acked.actor, acked.closed_at) == ("acknowledged", "lin", None)
    assert ws.alerts.run(AS_OF).opened == 0  # acknowledged still counts as open
    closed = ws.alerts.close(k1.id, actor="wang", note="issue fixed")
    assert (closed.status, closed.actor, closed.note) == ("closed", "wang", "issue fixed")
    assert closed.closed_at is not None
    steps = ws.alerts.history(k1.id)
    assert [(s["to"], s["actor"], s["note"]) for s in steps] == [
        ("open", None, None),
        ("acknowledged", "lin", "called, waiting for an answer"),
        ("closed", "wang", "issue fixed"),
    ]
    assert [s["from"] for s in steps] == [None, "open", "acknowledged"]


def test_closing_straight_from_open_and_bad_moves(ws: Workspace) -> None:
    ws.alerts.run(AS_OF)
    n1 = ws.alerts.find(customer="N1")[0]
    with pytest.raises(InputError) as info:
        ws.alerts.close(n1.id, actor="x", note="  ")
    assert "needs a note" in info.value.message("en") and "说明" in info.value.message("zh")
    ws.alerts.close(n1.id, actor="x", note="customer on holiday")
    for move in (lambda: ws.alerts.ack(n1.id, actor="x"),
                 lambda: ws.alerts.close(n1.id, actor="x", note="again")):  # fmt: skip
        with pytest.raises(InputError) as info:
            move()
        assert f"Alert {n1.id} is closed" in info.value.message("en")
        assert f"预警 {n1.id} 的状态是 closed" in info.value.message("zh")
    with pytest.raises(NotFoundError):
        ws.alerts.ack(99_999, actor="x")
    with pytest.raises(NotFoundError):
        ws.alerts.history(99_999)


def test_reopened_on_a_later_run_only_while_the_rule_still_fires(ws: Workspace) -> None:
    ws.alerts.run(AS_OF)
    for alert in ws.alerts.find():
        ws.alerts.close(alert.id, actor="x", note="handled")
    interactions(ws, "N1", [-2])  # N1 is followed up two days after AS_OF
    later = ws.alerts.run(LATER)
    # Complaints of K1 and K2 are still in the 90-day window; N1 was followed up.
    assert later.fired == {"complaints": 2} and later.opened == 2
    assert _pairs(ws, status="open") == {("K1", "complaints", "open"),
                                         ("K2", "complaints", "open")}  # fmt: skip
    assert len(ws.alerts.find(status="closed")) == 3  # the history stays
    k1 = ws.alerts.find(customer="K1")
    assert [(a.status, a.as_of) for a in k1] == [("open", LATER), ("closed", AS_OF)]
