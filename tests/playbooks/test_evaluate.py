"""The evaluation's arithmetic on targets placed by hand: who was retained or won back in the
window, the rates, the money, the test used, and the pending targets."""

from __future__ import annotations

import datetime as dt

import pytest
from playbook_support import customers, insert, moment, order, owners, status

from keepwise import Workspace

D0 = dt.date(2026, 1, 5)  # the day of targeting
AS_OF = dt.date(2026, 3, 1)
DAYS = 30


def at(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def _target(ws: Workspace, playbook: str, cid: str, holdout: bool, measure: str,
            day: dt.date = D0, cost: float = 0.0) -> None:  # fmt: skip
    insert(ws, "playbook_targets", [{"run_id": 1, "playbook_id": playbook, "customer_id": cid,
                                     "as_of": day, "measure": measure, "holdout": holdout,
                                     "draw": 0.05 if holdout else 0.5}])  # fmt: skip
    if cost:
        insert(ws, "tasks", [{"customer_id": cid, "playbook_id": playbook, "type": "survey",
                              "created_at": moment(day), "run_id": 1, "as_of": day,
                              "cost": cost}])  # fmt: skip


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    """Retention: of 10 treated, T1 and T2 churn inside the 30 days (T3 after them); of 5 held
    out, H1-H3 churn inside. Win-back: of 4 treated lost customers, W1 orders and W2 is won
    back inside the window (W4 orders after it); of 2 held out, W6 orders on day 29."""
    w = workspace  # on DuckDB and on PostgreSQL
    owners(w)
    treated = [f"T{i}" for i in range(1, 11)]
    held = [f"H{i}" for i in range(1, 6)]
    lost = [f"W{i}" for i in range(1, 7)]
    customers(w, [*treated, *held, *lost, "P1"])
    for c in treated:
        order(w, c, at(-30), 100.0)
        _target(w, "ret", c, False, "retention", cost=30.0)
    insert(w, "tasks", [{"customer_id": "T1", "playbook_id": "ret", "type": "care_call",
                         "created_at": moment(D0), "run_id": 1, "as_of": D0, "cost": 20.0}])  # fmt: skip
    for c in held:
        order(w, c, at(-60), 80.0)
        _target(w, "ret", c, True, "retention")
    order(w, "T4", at(3), 50.0)
    for c, n in (("T1", 10), ("T2", 20), ("T3", 40), ("H1", 5), ("H2", 15), ("H3", 29)):
        status(w, c, "churned", at(n), "price")
    _target(w, "ret", "P1", False, "retention", day=dt.date(2026, 2, 15))  # window not over
    for c in lost:
        status(w, c, "churned", at(-10), "price")
        _target(w, "wb", c, c in ("W5", "W6"), "winback")
    order(w, "W1", at(5))
    status(w, "W2", "won_back", at(12))
    order(w, "W4", at(35))
    order(w, "W6", at(29))
    return w


def test_retention_arithmetic(ws: Workspace) -> None:
    (e,) = ws.playbooks.evaluate(as_of=AS_OF, ids=["ret"], days=DAYS)
    assert (e.targets, e.pending, e.measure, e.first_targeted) == (16, 1, "retention", D0)
    assert (e.treated.targets, e.treated.successes, e.treated.rate) == (10, 8, 0.8)
    assert (e.holdout.targets, e.holdout.successes, e.holdout.rate) == (5, 2, 0.4)
    assert e.uplift.difference == pytest.approx(0.4)
    # revenue: 10 × 100 in the 12 months before; 50 inside the window (T4)
    assert (e.treated.revenue_12m, e.treated.revenue, e.holdout.revenue_12m) == (1000, 50, 400)
    assert e.cost == 10 * 30 + 20
    assert e.revenue_retained == pytest.approx(0.4 * 10 * 100.0)
    assert e.net == pytest.approx(400 - 320)
    # expected count 5 × 1/3 < 5: Fisher's exact test, p = 753/3003 (see test_uplift)
    assert e.uplift.test == "fisher_exact"
    assert e.uplift.p_value == pytest.approx(753 / 3003)
    assert e.uplift.verdict == "too_few" and not e.uplift.significant
    assert e.uplift.ci_low is not None and e.uplift.ci_low < 0 < e.uplift.ci_high  # type: ignore[operator]
    assert "Too few customers to tell" in e.verdict("en") and "客户太少" in e.verdict("zh")
    assert "80.0%" in e.verdict("en") and "40.0%" in e.verdict("en")


def test_winback_arithmetic(ws: Workspace) -> None:
    (e,) = ws.playbooks.evaluate(as_of=AS_OF, ids=["wb"], days=DAYS)
    assert (e.treated.targets, e.treated.successes) == (4, 2)
    assert (e.holdout.targets, e.holdout.successes) == (2, 1)
    assert e.uplift.difference == pytest.approx(0.0)
    assert "were won back" in e.verdict("en") and "挽回率" in e.verdict("zh")


def test_a_longer_window_waits_for_more_targets(ws: Workspace) -> None:
    """With 45 days T3 (day 40) is lost too and W4's order (day 35) counts; with 60 days no
    window has ended by AS_OF."""
    ret, wb = ws.playbooks.evaluate(as_of=AS_OF, ids=["ret", "wb"], days=45)
    assert (ret.treated.successes, ret.holdout.successes, ret.pending) == (7, 2, 1)
    assert wb.treated.successes == 3
    later = ws.playbooks.evaluate(as_of=AS_OF, ids=["ret"], days=60)[0]
    assert later.treated.targets == 0 and later.pending == 16
    assert later.uplift.verdict == "no_holdout"
