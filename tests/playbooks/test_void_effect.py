"""Seed 000's void-effect evaluation on a world small enough to count by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playbook_support import customers, insert, moment, order, owners, playbook_file

from keepwise import Workspace

FEB = dt.date(2026, 2, 10)
RUN = dt.date(2026, 3, 2)
AS_OF = dt.date(2026, 5, 1)


def _lost(ws: Workspace, cid: str, to: str, reason: str, on: dt.date,
          destination: str | None = None) -> None:  # fmt: skip
    insert(ws, "status_events", [{"customer_id": cid, "occurred_at": moment(on, 10),
                                  "to_status": to, "reason": reason,
                                  "destination": destination}])  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """20 customers since 2025-01-01, each with one order of 1,000 on 2025-12-01. On 10 February
    2026 V1 and V2 are voided (no value), V3 (duplicate); C1 and C2 churn to RivalCo, C3 over
    price; C4 churns on 10 April. A survey playbook (no hold-out) first runs on 2 March; V1's
    survey comes back with the reason price."""
    ws = Workspace.init(tmp_path_factory.mktemp("voids") / "ws", lang="en")
    owners(ws)
    ids = ["V1", "V2", "V3", "C1", "C2", "C3", "C4"] + [f"K{i}" for i in range(13)]
    customers(ws, ids, acquired=-425)  # 2025-01-02
    with ws.store.begin() as conn:
        import sqlalchemy as sa

        from keepwise.store import schema

        c = schema.customers
        conn.execute(sa.update(c).where(c.c.customer_id == "V1").values(acquisition_cost=1500.0))
    for cid in ids:
        order(ws, cid, dt.date(2025, 12, 1), 1000.0)
    order(ws, "K0", dt.date(2026, 4, 30))  # the data runs to the end of April
    _lost(ws, "V1", "voided", "no_value", FEB)
    _lost(ws, "V2", "voided", "no_value", FEB)
    _lost(ws, "V3", "voided", "duplicate", FEB)
    _lost(ws, "C1", "churned", "competitor", FEB, "RivalCo")
    _lost(ws, "C2", "churned", "competitor", FEB, "RivalCo")
    _lost(ws, "C3", "churned", "price", FEB)
    _lost(ws, "C4", "churned", "service", dt.date(2026, 4, 10))
    playbook_file(ws, "survey.yaml", "id: survey\ntrigger: {status: voided}\n"
                                     "actions: [{type: survey}]\nholdout: 0\n")  # fmt: skip
    ws.playbooks.run(RUN, actor="tester")
    task = ws.tasks.find(as_of=RUN, customer="V1")[0]
    ws.tasks.done(task.id, outcome="feedback", reason="price", on=dt.date(2026, 3, 5), actor="a")
    yield ws.playbooks.void_effect(as_of=AS_OF, start=dt.date(2026, 1, 1),
                                   end=dt.date(2026, 5, 1))  # fmt: skip
    ws.close()


def test_part_1_ratio_and_trend(report: dict[str, Any]) -> None:
    by_month = {r["period_start"]: r for r in report["ratio"]}
    assert list(by_month) == [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
    feb = by_month[dt.date(2026, 2, 1)]
    assert (feb["voided"], feb["customers"], feb["void_ratio"]) == (3, 20, 0.15)
    assert (feb["voided_in_period"], feb["void_rate"]) == (3, 0.15)
    assert feb["churn_rate"] == 6 / 20
    assert by_month[dt.date(2026, 4, 1)]["churn_rate"] == 1 / 14
    assert report["trend"]["first"] == 0 and report["trend"]["last"] == 0.15
    assert report["trend"]["direction"] == "rising"


def test_part_2_reasons_and_destinations(report: dict[str, Any]) -> None:
    reasons = {r["reason"]: (r["customers"], r["share"], r["revenue_lost"])
               for r in report["reasons"]}  # fmt: skip
    assert reasons == {"no_value": (2, 2 / 3, 2000.0), "duplicate": (1, 1 / 3, 1000.0)}
    places = {(d["status"], d["destination"]): (d["customers"], d["revenue_12m"])
              for d in report["destinations"]}  # fmt: skip
    assert places == {("churned", "RivalCo"): (2, 2000.0), ("churned", None): (2, 2000.0),
                      ("voided", None): (3, 3000.0)}  # fmt: skip
    # A tie (2 customers, 2000 each) is ordered the same by every computation: by revenue,
    # then destination, an unknown one last (a report and the JSON list the rows alike).
    assert list(places) == [("churned", "RivalCo"), ("churned", None), ("voided", None)]


def test_part_3_impact_of_voids_beside_every_loss(report: dict[str, Any]) -> None:
    voided, every = report["impact"]["voided"], report["impact"]["all_lost"]
    assert voided == {"lost_customers": 3, "revenue_lost": 3000.0, "clv_lost": 0.0,
                      "acquisition_cost_unrecovered": 500.0}  # fmt: skip
    assert (every["lost_customers"], every["revenue_lost"]) == (7, 7000.0)


def test_part_4_follow_up(report: dict[str, Any]) -> None:
    f = report["followup"]
    assert (f["voided"], f["targeted"], f["targeted_share"]) == (3, 3, 1.0)
    tasks = {(x["type"], x["status"], x["outcome"]): x["tasks"] for x in f["tasks"]}
    assert tasks == {("survey", "done", "feedback"): 1, ("survey", "open", None): 2}
    assert f["feedback"] == [{"reason": "price", "tasks": 1}]
    # followup_coverage (KPI): of the 7 customers lost Jan-Apr, V1 was followed up
    assert f["followup_coverage"] == pytest.approx(1 / 7)


def test_part_5_before_and_after_the_first_run(report: dict[str, Any]) -> None:
    """Up to 12 whole months before 2 March 2026 (April 2025 - February 2026: 20 customers at
    the start of each, 6 lost in February, 3 of them voided) against the whole months after
    (April 2026: 14 at the start, 1 churned)."""
    (m,) = report["measures"]
    assert (m["playbook_id"], m["first_run"], m["months_before"], m["months_after"]) == (
        "survey", RUN, 11, 1,
    )  # fmt: skip
    assert m["churn_rate_before"] == pytest.approx(6 / 220)
    assert m["void_rate_before"] == pytest.approx(3 / 220)
    assert m["churn_rate_after"] == pytest.approx(1 / 14) and m["void_rate_after"] == 0
    assert m["verdict"] == "no_holdout"  # no hold-out: nothing to compare with
