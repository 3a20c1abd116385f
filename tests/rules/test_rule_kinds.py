"""Every built-in rule kind on a hand-built world: who fires, with exactly which evidence.

The world is dated around AS_OF = 2026-06-01; ``at(d)`` is midnight d days before it. Each
customer id says what it tests. Every rule reads only rows strictly before AS_OF, which the last
tests check by adding rows at and after AS_OF and evaluating again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rules_support import (
    AS_OF,
    at,
    batched,
    contracts,
    customer,
    day,
    import_batch,
    insert,
    interactions,
    orders,
    rule,
    scores,
    status,
    surveys,
    tickets,
    usage,
)

from keepwise import Workspace
from keepwise.rules import Rule, evaluate

# --- the world -------------------------------------------------------------------------------


def _purchase(ws: Workspace) -> None:
    # Window [AS_OF-90, AS_OF), baseline [AS_OF-450, AS_OF-90) (rule below: baseline_days=360).
    baseline = [95 + 20 * i for i in range(18)]  # 18 orders between 95 and 435 days before
    customer(ws, "P_drop")  # norm = 18 / 360 * 90 = 4.5; 1 order < 50 % of 4.5
    orders(ws, "P_drop", [*baseline, 10])
    customer(ws, "P_steady")  # 3 orders >= 2.25: no alert
    orders(ws, "P_steady", [*baseline, 10, 40, 70])
    customer(ws, "P_new", acquired=120)  # observed 30 days < the 90-day window: not judged
    orders(ws, "P_new", [100, 95])
    customer(ws, "P_young", acquired=270)  # observed 180 days: norm = 6 / 180 * 90 = 3.0
    orders(ws, "P_young", [100, 120, 140, 160, 180, 200, 5])
    customer(ws, "P_cancel")  # 3 cancelled + 1 real order in the window: 1 counts
    orders(ws, "P_cancel", [*baseline, 10])
    orders(ws, "P_cancel", [20, 30, 40], cancelled=True)
    customer(ws, "P_churned")  # would fire, but churned before AS_OF
    orders(ws, "P_churned", baseline)
    status(ws, "P_churned", "churned", 30)
    customer(ws, "P_wonback")  # churned, then won back: active again, fires
    orders(ws, "P_wonback", baseline)
    status(ws, "P_wonback", "churned", 60)
    status(ws, "P_wonback", "won_back", 20)
    customer(ws, "P_small")  # 2 baseline orders: norm 0.5 below min_norm 1
    orders(ws, "P_small", [100, 200])


def _usage(ws: Workspace) -> None:
    # Window [AS_OF-30, AS_OF), baseline [AS_OF-210, AS_OF-30): rows every 10 days.
    base = {d: 10 for d in range(40, 211, 10)}  # 18 rows x 10 visits = 180 over 180 days
    customer(ws, "U_drop")  # norm = 180 / 180 * 30 = 30; window 3 x 3 = 9 < 15
    usage(ws, "U_drop", {**base, 10: 3, 20: 3, 30: 3})
    customer(ws, "U_steady")  # window 30 = norm: no alert
    usage(ws, "U_steady", {**base, 10: 10, 20: 10, 30: 10})
    customer(ws, "U_stopped")  # no use at all in the window: 0, drop 100 %
    usage(ws, "U_stopped", base)
    customer(ws, "U_recent")  # first use 50 days before: 20 days observed < 30
    usage(ws, "U_recent", {50: 40, 40: 40})


def _complaints(ws: Workspace) -> None:
    customer(ws, "K_new3")  # 3 complaints in the window, none before: norm 0
    tickets(ws, "K_new3", [10, 20, 30])
    customer(ws, "K_double")  # 4 in the baseline: norm 4 / 365 * 90 = 0.986; 2 >= 1.97
    tickets(ws, "K_double", [100, 200, 300, 400, 5, 15])
    customer(ws, "K_usual")  # 8 in the baseline: norm 1.97; 2 < 3.95
    tickets(ws, "K_usual", [100, 130, 160, 190, 220, 250, 280, 310, 5, 15])
    customer(ws, "K_one")  # 1 complaint: below min_complaints
    tickets(ws, "K_one", [5])
    customer(ws, "K_plain")  # 3 tickets that are not complaints
    tickets(ws, "K_plain", [5, 6, 7], complaint=False)


def _satisfaction(ws: Workspace) -> None:
    customer(ws, "S_fall")  # baseline 5, 5 -> window 3: drop 2
    surveys(ws, "S_fall", {300: 5, 400: 5, 30: 3})
    customer(ws, "S_slight")  # baseline 4 -> window (4 + 3) / 2 = 3.5: drop 0.5
    surveys(ws, "S_slight", {300: 4, 30: 4, 40: 3})
    customer(ws, "S_low")  # no baseline; window 2 <= low_csat
    surveys(ws, "S_low", {30: 2})
    customer(ws, "S_old")  # nothing in the window
    surveys(ws, "S_old", {300: 5, 250: 1})


def _followup(ws: Workspace) -> None:
    customer(ws, "N_stale")  # last follow-up 150 days before (> 120)
    interactions(ws, "N_stale", [400, 150])
    customer(ws, "N_fresh")
    interactions(ws, "N_fresh", [150, 30])
    customer(ws, "N_never", acquired=200)  # never followed up: 200 days since acquisition
    customer(ws, "N_never_new", acquired=100)


def _owners(ws: Workspace) -> None:
    insert(ws, "owners", [
        {"owner_id": "E_left", "name": "李明", "active": False, "left_at": at(10, 18)},
        {"owner_id": "E_here", "name": "王芳", "active": True, "left_at": None},
        {"owner_id": "E_later", "name": "赵强", "active": False, "left_at": at(-5)},
    ])  # fmt: skip
    customer(ws, "W_orphan", owner_id="E_left")
    customer(ws, "W_kept", owner_id="E_here")
    customer(ws, "W_later", owner_id="E_later")  # the owner leaves after AS_OF


def _contracts(ws: Workspace) -> None:
    year = [(335, -30)]  # a yearly contract that ends 30 days after AS_OF
    customer(ws, "T_silent")  # ends in 30 days, no renewal activity
    contracts(ws, "T_silent", year)
    customer(ws, "T_retained")
    contracts(ws, "T_retained", year)
    interactions(ws, "T_retained", [10], type="retention")
    customer(ws, "T_routine")  # a routine call is not renewal activity
    contracts(ws, "T_routine", year)
    interactions(ws, "T_routine", [10], type="routine")
    customer(ws, "T_far")
    contracts(ws, "T_far", [(275, -90)])
    customer(ws, "T_past")  # lapsed 5 days before AS_OF, not renewed
    contracts(ws, "T_past", [(370, 5)])
    customer(ws, "T_ordered")  # an order: counts only with count_orders
    contracts(ws, "T_ordered", [(320, -45)])
    orders(ws, "T_ordered", [10])
    # Renewed after AS_OF: the CRM's current end is a year away, the contract known at AS_OF
    # (the renewal starts after it and was not imported before it) ends in 20 days.
    customer(ws, "T_renews_later", contract_end=day(-385))
    contracts(ws, "T_renews_later", [(710, 345), (345, -20), (-20, -385)],
              batch=import_batch(ws, 9001, -3))  # fmt: skip
    # The same, but the renewal was signed and imported before AS_OF: nothing to warn about.
    customer(ws, "T_signed", contract_end=day(-385))
    contracts(ws, "T_signed", [(345, -20), (-20, -385)], batch=import_batch(ws, 9002, 10))
    # History wins over a stale CRM field.
    customer(ws, "T_stale_crm", contract_end=day(-30), import_batch_id=import_batch(ws, 9003, 50))
    contracts(ws, "T_stale_crm", [(400, 35), (35, -330)])
    # No history: the CRM's end counts from the day the customers row was imported.
    customer(ws, "T_crm", contract_end=day(-40), import_batch_id=import_batch(ws, 9004, 0))
    customer(ws, "T_crm_later", contract_end=day(-40), import_batch_id=import_batch(ws, 9005, -1))
    customer(ws, "T_crm_direct", contract_end=day(-40))  # not written by an import: unknown


def _risk(ws: Workspace) -> None:
    customer(ws, "R_up")
    scores(ws, "R_up", {60: ("low", 0.1), 30: ("medium", 0.35)})
    customer(ws, "R_same")
    scores(ws, "R_same", {60: ("medium", 0.3), 30: ("medium", 0.32)})
    customer(ws, "R_down")
    scores(ws, "R_down", {60: ("high", 0.7), 30: ("medium", 0.4)})
    customer(ws, "R_today")  # the high score is dated AS_OF: not before it
    scores(ws, "R_today", {90: ("low", 0.1), 30: ("low", 0.12), 0: ("high", 0.8)})
    customer(ws, "R_once")
    scores(ws, "R_once", {30: ("high", 0.9)})
    customer(ws, "R_old_up")  # rose long ago, then stayed: the two latest are both high
    scores(ws, "R_old_up", {90: ("low", 0.1), 60: ("high", 0.7), 30: ("high", 0.75)})


def build_world(ws: Workspace) -> None:
    with batched(ws):
        _build_world(ws)


def _build_world(ws: Workspace) -> None:
    for part in (_purchase, _usage, _complaints, _satisfaction, _followup, _owners, _contracts,
                 _risk):  # fmt: skip
        part(ws)


# --- the expected hits (rule, {customer: evidence}) ------------------------------------------

CASES: list[tuple[Rule, dict[str, dict[str, Any]]]] = [
    (rule("purchase_drop", baseline_days=360), {
        "P_drop": {"orders_90d": 1, "norm_90d": 4.5, "drop_pct": 78},  # (1 - 1/4.5) = 77.8 %
        "P_young": {"orders_90d": 1, "norm_90d": 3.0, "drop_pct": 67},  # (1 - 1/3) = 66.7 %
        "P_cancel": {"orders_90d": 1, "norm_90d": 4.5, "drop_pct": 78},
        "P_wonback": {"orders_90d": 0, "norm_90d": 4.5, "drop_pct": 100},
        # Baseline of the other kinds' customers is empty: norm 0, not judged.
        "T_ordered": None,
    }),
    (rule("usage_drop"), {
        "U_drop": {"visits_30d": 9, "norm_30d": 30.0, "drop_pct": 70},  # 1 - 9/30
        "U_stopped": {"visits_30d": 0, "norm_30d": 30.0, "drop_pct": 100},
    }),
    (rule("usage_drop", "usage_minutes", metric="minutes"), {  # minutes = 10 x visits
        "U_drop": {"minutes_30d": 90.0, "norm_30d": 300.0, "drop_pct": 70},
        "U_stopped": {"minutes_30d": 0.0, "norm_30d": 300.0, "drop_pct": 100},
    }),
    (rule("complaints_rising"), {
        "K_new3": {"complaints_90d": 3, "norm_90d": 0.0, "rise_pct": None},
        # 4 / 365 * 90 = 0.986 -> 1.0; 2 / 0.986 - 1 = 102.8 %
        "K_double": {"complaints_90d": 2, "norm_90d": 1.0, "rise_pct": 103.0},
    }),
    (rule("satisfaction_falling"), {
        "S_fall": {"csat_180d": 3.0, "responses_180d": 1, "csat_norm": 5.0, "drop": 2.0},
        "S_low": {"csat_180d": 2.0, "responses_180d": 1, "csat_norm": None, "drop": None},
    }),
    (rule("owner_left"), {
        "W_orphan": {"owner_id": "E_left", "owner_name": "李明", "left_at": day(10).isoformat(),
                     "days_since_left": 9},  # left at 18:00 ten days before: 9.25 days
    }),
    (rule("owner_left", "owner_left_5d", within_days=5), {}),
    (rule("contract_ending"), {
        "T_silent": {"contract_end": day(-30).isoformat(), "days_left": 30,
                     "renewal_activities_90d": 0},
        "T_renews_later": {"contract_end": day(-20).isoformat(), "days_left": 20,
                           "renewal_activities_90d": 0},
        "T_crm": {"contract_end": day(-40).isoformat(), "days_left": 40,
                  "renewal_activities_90d": 0},
        "T_routine": {"contract_end": day(-30).isoformat(), "days_left": 30,
                      "renewal_activities_90d": 0},
        "T_ordered": {"contract_end": day(-45).isoformat(), "days_left": 45,
                      "renewal_activities_90d": 0},
    }),
    (rule("contract_ending", "contract_orders", count_orders=True), {
        "T_silent": {"contract_end": day(-30).isoformat(), "days_left": 30,
                     "renewal_activities_90d": 0},
        "T_renews_later": {"contract_end": day(-20).isoformat(), "days_left": 20,
                           "renewal_activities_90d": 0},
        "T_crm": {"contract_end": day(-40).isoformat(), "days_left": 40,
                  "renewal_activities_90d": 0},
        "T_routine": {"contract_end": day(-30).isoformat(), "days_left": 30,
                      "renewal_activities_90d": 0},
    }),
    (rule("risk_band_rising"), {
        "R_up": {"band_before": "low", "band_now": "medium", "scored_before": day(60).isoformat(),
                 "scored_now": day(30).isoformat(), "probability_before": 0.1,
                 "probability_now": 0.35},
    }),
    (rule("risk_band_rising", "risk_to_high", min_band="high"), {}),
]  # fmt: skip


def _no_followup_expected() -> dict[str, dict[str, Any]]:
    """Every customer of the world whose last follow-up (or acquisition) is > 120 days old:
    N_stale (150 days), N_never (200) and all the long-ago customers without interactions."""
    return {"N_stale": {"days_since_followup": 150, "last_followup": day(150).isoformat()},
            "N_never": {"days_since_followup": 200, "last_followup": None}}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path_factory.mktemp("rules") / "ws", lang="en")
    build_world(ws)
    yield ws
    ws.close()


def hits_of(ws: Workspace, r: Rule) -> dict[str, dict[str, Any]]:
    return {
        h.customer_id: h.evidence for h in evaluate(ws.store, [r], AS_OF, churn=ws.config.churn)
    }


@pytest.mark.parametrize(("r", "expected"), CASES, ids=[r.id for r, _ in CASES])
def test_rule_fires_for_exactly_these_customers(
    world: Workspace, r: Rule, expected: dict[str, Any]
) -> None:
    expected = {k: v for k, v in expected.items() if v is not None}
    assert hits_of(world, r) == expected


def test_no_followup(world: Workspace) -> None:
    found = hits_of(world, rule("no_followup"))
    for cid, evidence in _no_followup_expected().items():
        assert found[cid] == evidence
    assert "N_fresh" not in found and "N_never_new" not in found
    # Customers of the other kinds were acquired 800 days before and never followed up.
    assert found["K_one"] == {"days_since_followup": 800, "last_followup": None}
    assert "P_churned" not in found  # churned customers are never judged


def test_disabled_rules_do_not_run(world: Workspace) -> None:
    r = rule("usage_drop")
    off = Rule(r.id, r.kind, r.severity, r.playbook, r.params, enabled=False)
    assert evaluate(world.store, [off], AS_OF, churn=world.config.churn) == []


# --- no look-ahead ---------------------------------------------------------------------------


def _future_rows(ws: Workspace, cids: list[str]) -> None:
    """Rows at and after AS_OF that would change every rule's answer if they were read."""
    tables = ("orders", "usage", "tickets", "surveys", "interactions", "scores",
              "status_events", "contracts")  # fmt: skip
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in tables}
    for n, cid in enumerate(cids):
        for k, d in enumerate([0, -0.5, -3] * 3):
            rows["orders"].append({"order_id": f"F{n}_{k}", "customer_id": cid,
                                   "ordered_at": at(d), "amount": 1.0})  # fmt: skip
        for d in (0, -1):
            rows["usage"].append({"customer_id": cid, "day": day(d), "feature": "", "visits": 500})
            rows["interactions"].append({"interaction_id": f"F{n}_{d}", "customer_id": cid,
                                         "occurred_at": at(d), "type": "retention"})  # fmt: skip
        for d in (0, -1, -2, -3):
            rows["tickets"].append({"ticket_id": f"F{n}_{d}", "customer_id": cid,
                                    "opened_at": at(d), "is_complaint": True})  # fmt: skip
        for d, csat in ((0, 1), (-2, 5)):
            rows["surveys"].append({"survey_id": f"F{n}_{d}", "customer_id": cid,
                                    "answered_at": at(d), "csat": csat})  # fmt: skip
        for d, band in ((0, "high"), (-7, "low")):
            rows["scores"].append({"customer_id": cid, "model_version": "future",
                                   "as_of": day(d), "risk_band": band})  # fmt: skip
        rows["status_events"].append({"customer_id": cid, "occurred_at": at(0),
                                      "to_status": "churned" if n % 2 else "won_back"})  # fmt: skip
        # A contract starting at AS_OF would make everyone's contract end in 10 days.
        rows["contracts"].append({"contract_id": f"F{n}", "customer_id": cid,
                                  "start_date": day(0), "end_date": day(-10)})  # fmt: skip
    for table, batch in rows.items():
        insert(ws, table, batch)
    # A customers file imported the day after AS_OF with a contract end 10 days after it.
    insert(ws, "customers", [{"customer_id": "F_crm", "acquired_at": at(500),
                              "contract_end": day(-10),
                              "import_batch_id": import_batch(ws, 9100, -1)}])  # fmt: skip
    insert(ws, "owners", [{"owner_id": "E_future", "name": "x", "left_at": at(0)}])
    insert(ws, "customers", [{"customer_id": "F_new", "acquired_at": at(0), "owner_id": "E_left"}])
    insert(ws, "customers", [{"customer_id": "F_owner", "acquired_at": at(500),
                              "owner_id": "E_future"}])  # fmt: skip


def test_rows_at_or_after_as_of_change_nothing(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    build_world(ws)
    _future_rows(ws, list(ws.store.table("customers").customer_id.execute()))
    for r, expected in CASES:  # the very answers of the world without those rows
        assert hits_of(ws, r) == {k: v for k, v in expected.items() if v is not None}, r.id
    found = hits_of(ws, rule("no_followup"))
    assert {k: found[k] for k in _no_followup_expected()} == _no_followup_expected()
    # The same rows are read once they are in the past: the answers then change.
    later = {
        h.customer_id
        for h in evaluate(ws.store, [rule("complaints_rising")], day(-10), churn=ws.config.churn)
    }
    assert "K_plain" in later  # its four complaints dated AS_OF to AS_OF+3 now count
