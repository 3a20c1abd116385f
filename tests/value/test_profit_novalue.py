"""Profit contribution, no-value criteria (the "N consecutive periods" rule), decisions and
reverts, on a small hand-made workspace; every expected number is worked out in the comments.

as_of = 2026-07-01; quarters, N = 2, so the last four complete quarters are looked at:
Q2-26 [04-01, 07-01), Q1-26, Q4-25, Q3-25 (latest first). The trailing 12-month window is
[2025-07-01, 2026-07-01). Unit costs: ticket 50, follow-up 20; default margin 30 %.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError, NotFoundError
from keepwise.store import schema
from keepwise.value import ValueTables, no_value_candidates, parse_value_settings
from keepwise.value.profit import profit_contribution
from keepwise.value.service import standing

AS_OF = dt.date(2026, 7, 1)
SETTINGS = parse_value_settings(
    {
        "ticket_cost": 50,
        "followup_cost": 20,
        "margin": 0.3,
        "no_value": {"grain": "quarter", "periods": 2, "orders_below": 1,
                     "spend_below": 1000, "profit_below": 0, "p_alive_below": 0.2},
    }
)  # fmt: skip
OLD = dt.datetime(2025, 1, 1)
CUSTOMERS = {"A": OLD, "B": OLD, "C": dt.datetime(2026, 2, 1), "D": OLD, "E": OLD, "F": OLD}


def kept(ws: Workspace) -> pd.DataFrame:
    """The customers kept at AS_OF (explicit status events only)."""
    s = standing(ws.store, ChurnConfig(), AS_OF)
    return s[s["kept"]]


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


ORDERS = [  # customer, time, amount, cost, cancelled
    ("A", "2025-06-01 10:00", 700.0, None, False),  # before the window
    ("A", "2025-08-01 10:00", 5000.0, 3000.0, False),  # Q3-25
    ("A", "2025-11-01 10:00", 5000.0, None, False),  # Q4-25
    ("A", "2026-05-01 10:00", 9999.0, None, True),  # cancelled
    *[("D", f"{d} 09:00", 2000.0, None, False)
      for d in ("2025-08-10", "2025-11-10", "2026-02-10", "2026-05-10")],
    ("F", "2025-11-05 09:00", 2000.0, None, False),  # Q4-25
    ("F", "2026-02-05 09:00", 500.0, None, False),  # Q1-26
    ("F", "2026-05-05 09:00", 500.0, None, False),  # Q2-26
    ("E", "2025-08-05 09:00", 100.0, None, False),
]  # fmt: skip
TICKETS = [("A", "2026-05-02 10:00")]
FOLLOWUPS = [("B", f"{d} 10:00") for d in ("2025-08-01", "2025-11-01", "2026-02-01", "2026-05-01")]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.init(tmp_path / "ws", lang="en")
    with w.store.begin() as conn:
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": c, "name": f"Customer {c}", "acquired_at": a}
            for c, a in CUSTOMERS.items()
        ])  # fmt: skip
        conn.execute(sa.insert(schema.orders), [
            {"order_id": f"o{i}", "customer_id": c, "ordered_at": ts(t), "amount": amt,
             "cost": cost, "cancelled": canc}
            for i, (c, t, amt, cost, canc) in enumerate(ORDERS)
        ])  # fmt: skip
        conn.execute(sa.insert(schema.tickets), [
            {"ticket_id": f"t{i}", "customer_id": c, "opened_at": ts(t)}
            for i, (c, t) in enumerate(TICKETS)
        ])  # fmt: skip
        conn.execute(sa.insert(schema.interactions), [
            {"interaction_id": f"i{i}", "customer_id": c, "occurred_at": ts(t)}
            for i, (c, t) in enumerate(FOLLOWUPS)
        ])  # fmt: skip
        conn.execute(sa.insert(schema.status_events).values(
            customer_id="E", occurred_at=ts("2026-03-01 12:00"), to_status="voided",
            reason="duplicate", actor="x", source="user"))  # fmt: skip
        conn.execute(sa.update(schema.customers).where(schema.customers.c.customer_id == "E")
                     .values(status="voided"))  # fmt: skip
    yield w
    w.close()


def test_profit_contribution_by_hand(ws: Workspace) -> None:
    p = profit_contribution(ValueTables.from_backend(ws.store.ibis()), AS_OF, SETTINGS)
    # A: revenue 5000 + 5000 (the June order is before the window, the cancelled one ignored);
    # margin (5000 - 3000) + 5000 * 0.3 = 3500; one ticket: 50 -> 3450.
    assert p.loc["A", "revenue"] == 10000.0
    assert p.loc["A", "gross_margin"] == pytest.approx(3500.0)
    assert p.loc["A", "cost_to_serve"] == pytest.approx(50.0)
    assert p.loc["A", "profit_contribution"] == pytest.approx(3450.0)
    # B: no orders, four follow-ups: -80.
    assert p.loc["B", "profit_contribution"] == pytest.approx(-80.0)
    assert p.loc["B", "followups"] == 4
    # D: four orders of 2000 without cost: 4 * 600 = 2400.
    assert p.loc["D", "profit_contribution"] == pytest.approx(2400.0)
    assert "C" not in p.index


def test_no_value_criteria_by_hand(ws: Workspace) -> None:
    t = ValueTables.from_backend(ws.store.ibis())
    out = no_value_candidates(t, AS_OF, SETTINGS, kept(ws),
                              p_alive=pd.Series({"D": 0.1, "A": 0.9}))  # fmt: skip
    rows = out.set_index("customer_id")
    # A: no order in Q2-26 and Q1-26, one in Q4-25 -> frequency streak 2 (met, N = 2);
    # spend 0, 0, 5000 -> streak 2 (met); profit Q2-26 = -50 (ticket), Q1-26 = 0 -> streak 1.
    # Level 2 (two criteria, none for 2N = 4 periods) -> stop discounts.
    a = rows.loc["A"]
    assert a["criteria"] == ["low_frequency", "low_spend"]
    assert (a["low_frequency_periods"], a["low_spend_periods"], a["low_profit_periods"]) == (
        2,
        2,
        1,
    )
    assert a["treatment"] == "stop_discounts"
    assert a["revenue_last_periods"] == 0.0
    assert a["profit_contribution_last_periods"] == pytest.approx(-50.0)
    # B: nothing bought, a follow-up (-20) every quarter: three criteria for 4 periods -> level
    # 3 + 1 -> end the relationship.
    b = rows.loc["B"]
    assert b["criteria"] == ["low_frequency", "low_spend", "low_profit"]
    assert b["low_profit_periods"] == 4 and b["level"] == 4
    assert b["treatment"] == "end_relationship"
    # F: spend 500, 500, 2000 -> low spend for 2 periods only -> level 1 -> reduce service.
    f = rows.loc["F"]
    assert f["criteria"] == ["low_spend"] and f["treatment"] == "reduce_service"
    # D: P(alive) 0.1 < 0.2 only.
    assert rows.loc["D", "criteria"] == ["low_p_alive"]
    assert rows.loc["D", "treatment"] == "reduce_service"
    # C was acquired in Q1-26: only Q2-26 counts (streak 1 < N); E is voided: neither listed.
    assert "C" not in rows.index and "E" not in rows.index
    assert list(out["customer_id"][:1]) == ["B"]  # the strongest case first


def test_switching_a_criterion_off(ws: Workspace) -> None:
    s = parse_value_settings({"no_value": {"spend_below": False, "orders_below": False,
                                           "p_alive_below": False}})  # fmt: skip
    out = no_value_candidates(ValueTables.from_backend(ws.store.ibis()), AS_OF, s, kept(ws))
    # Only low profit (< 0) is left, and costs are 0 by default: nobody.
    assert out.empty


def _events(ws: Workspace, customer: str) -> list[dict[str, object]]:
    e = schema.status_events
    with ws.store.begin() as conn:
        rows = conn.execute(sa.select(e).where(e.c.customer_id == customer)
                            .order_by(e.c.occurred_at)).mappings()  # fmt: skip
        return [dict(r) for r in rows]


def _status(ws: Workspace, customer: str) -> str:
    c = schema.customers
    with ws.store.begin() as conn:
        return str(conn.execute(sa.select(c.c.status).where(c.c.customer_id == customer))
                   .scalar_one())  # fmt: skip


def test_decide_and_revert(ws: Workspace) -> None:
    ws.value.decide("B", as_of=AS_OF, actor="li.lei", note="no orders for a year",
                    at=dt.datetime(2026, 7, 2, 9))  # fmt: skip
    assert _status(ws, "B") == "voided"
    (void,) = _events(ws, "B")
    assert (void["from_status"], void["to_status"], void["reason"]) == ("active", "voided",
                                                                         "no_value")  # fmt: skip
    assert void["actor"] == "li.lei"
    assert void["note"] == "[end_relationship] no orders for a year"
    ws.value.revert("B", actor="wang.fang", note="new contract signed",
                    at=dt.datetime(2026, 7, 9, 9))  # fmt: skip
    assert _status(ws, "B") == "active"
    back = _events(ws, "B")[-1]
    assert (back["from_status"], back["to_status"], back["note"], back["actor"]) == (
        "voided", "active", "new contract signed", "wang.fang")  # fmt: skip


def test_decide_and_revert_errors(ws: Workspace) -> None:
    with pytest.raises(NotFoundError) as exc:
        ws.value.decide("nobody", as_of=AS_OF, actor="x", note="n")
    assert "nobody" in exc.value.message("en") and "nobody" in exc.value.message("zh")
    with pytest.raises(NotFoundError):
        ws.value.revert("nobody", actor="x", note="n")
    with pytest.raises(InputError) as bad:
        ws.value.decide("A", as_of=AS_OF, actor="x", note="n", treatment="shout")
    assert "shout" in bad.value.message("zh")
    with pytest.raises(InputError) as twice:
        ws.value.decide("E", as_of=AS_OF, actor="x", note="n")
    assert "already voided" in twice.value.message("en")
    # E was voided as a duplicate, not as no-value: not ours to revert.
    with pytest.raises(InputError) as not_ours:
        ws.value.revert("E", actor="x", note="n")
    assert "E" in not_ours.value.message("zh")


def test_revenue_tiers_and_pareto_share(ws: Workspace) -> None:
    """tier_by = "revenue", absolute cut-offs: trailing 12-month revenue A 10000, D 8000,
    F 3000, E 100 (the Aug-25 order), B and C 0."""
    from keepwise.value import compute_scores, pareto_share

    s = parse_value_settings({"tier_by": "revenue", "tier_cutoffs": "absolute",
                              "tier_high": 9000, "tier_mid": 2500})  # fmt: skip
    r = compute_scores(ValueTables.from_backend(ws.store.ibis()), AS_OF, s,
                       standing(ws.store, ChurnConfig(), AS_OF))  # fmt: skip
    tiers = r.frame["value_tier"].to_dict()
    # E is voided: a lost customer gets no tier; C was acquired 150 days before as_of, more
    # than the 90 days of a new customer.
    assert tiers == {"A": "high", "B": "no_value", "C": "no_value", "D": "mid", "E": None,
                     "F": "mid"}  # fmt: skip
    assert r.tier_by == "revenue"
    # 6 customers: the top ceil(1.2) = 2 bring (10000 + 8000) / 21100.
    assert pareto_share(r.frame["window_revenue"]) == pytest.approx(18000 / 21100)


def test_decide_refuses_customers_off_the_list(ws: Workspace) -> None:
    """D orders 2,000 every quarter: no criterion holds (no P(alive) scores are stored), so a
    void needs --force and a note, and the note records that it was forced."""
    with pytest.raises(InputError) as refused:
        ws.value.decide("D", as_of=AS_OF, actor="x", note="looks small")
    assert "no-value criteria" in refused.value.message("en")
    assert "--force" in refused.value.message("zh")
    assert _status(ws, "D") == "active" and _events(ws, "D") == []
    with pytest.raises(InputError) as bare:
        ws.value.decide("D", as_of=AS_OF, actor="x", force=True)
    assert "--note" in bare.value.message("en") and _events(ws, "D") == []
    ws.value.decide("D", as_of=AS_OF, actor="x", note="moved abroad", force=True,
                    at=dt.datetime(2026, 7, 2, 9))  # fmt: skip
    (void,) = _events(ws, "D")
    assert (void["to_status"], void["reason"]) == ("voided", "no_value")
    assert void["note"] == "[end_relationship; forced] moved abroad"


def test_keep_from_the_command_line(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``value keep``: the other answer to a proposal (the dashboard's "Reject: keep"): the
    review shows the customer as kept; a customer off the list is refused in both languages."""
    from cli_support import run

    monkeypatch.setenv("COLUMNS", "200")  # no cell wraps
    day = AS_OF.isoformat()
    code, out, err = run(ws, capsys, "value", "keep", "B", "--note", "key account",
                         "--as-of", day, "--json")  # fmt: skip
    assert code == 0, err
    kept = json.loads(out)
    assert (kept["customer_id"], kept["review"], kept["note"]) == ("B", "kept", "key account")
    assert kept["criteria"]
    with Workspace.open(ws.path) as again:
        listed = again.value.no_value(AS_OF).set_index("customer_id")
    assert listed.loc["B", "review"] == "kept" and listed.loc["B", "review_note"] == "key account"
    code, out, _ = run(ws, capsys, "value", "keep", "B", "--as-of", day, "--actor", "li",
                       lang="zh")  # fmt: skip
    assert code == 0 and "已记录：保留客户 B（符合的标准：" in out and "low_" not in out
    code, out, _ = run(ws, capsys, "value", "no-value", "--as-of", day, lang="zh")
    assert code == 0 and "已保留（li）" in out
    code, _, err = run(ws, capsys, "value", "keep", "D", "--as-of", day, lang="zh")
    assert code == 2 and "客户 D 当前不在无价值客户审核名单上" in err


def test_the_list_reads_the_same_on_every_run(ws: Workspace) -> None:
    """Most criteria first, ties by customer id (the rows come from the database in no set
    order: two runs listed the customers of one level differently)."""
    import numpy as np

    from keepwise.value.novalue import _finish

    listed = ws.value.no_value(AS_OF)
    keys = list(zip(-listed["level"], -listed["criteria_met"], listed["customer_id"], strict=True))
    assert len(keys) > 1 and keys == sorted(keys)
    # The same customers arriving in two other orders give the same list.
    ids = ["K", "C", "Q", "A", "M"]
    met = {"low_frequency": np.array([True, True, False, True, True]),
           "low_spend": np.array([False, True, True, False, False])}  # fmt: skip
    lists = []
    for order in ([0, 1, 2, 3, 4], [4, 3, 2, 1, 0]):
        frame = pd.DataFrame({"name": [ids[i] for i in order]}, index=[ids[i] for i in order])
        picked = {k: v[order] for k, v in met.items()}
        lists.append(list(_finish(frame, picked, np.zeros(5, bool))["customer_id"]))
    assert lists[0] == lists[1] == ["C", "A", "K", "M", "Q"]
