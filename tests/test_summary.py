"""Headline figures on a hand-built workspace (both backends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from keepwise import Workspace

AS_OF = dt.date(2025, 1, 1)


def test_headline_by_hand(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(
        "customer_id,acquired_at\nA,2023-01-01\nB,2023-06-01\nC,2024-03-01\nD,2024-12-31\n"
        "E,2025-02-01\n"  # acquired after as_of: not counted
    )
    (tmp_path / "o.csv").write_text(
        "order_id,customer_id,ordered_at,amount,cancelled\n"
        "1,A,2023-12-31,100,false\n"  # before the 12-month window
        "2,A,2024-01-01,10,false\n3,B,2024-05-01,20,false\n4,B,2024-05-02,999,true\n"
        "5,C,2024-12-31 23:00,30,false\n6,C,2025-01-01,40,false\n"  # the last is after as_of
    )
    (tmp_path / "e.csv").write_text(
        "customer_id,occurred_at,to_status,reason\n"
        "A,2023-10-01,churned,price\nA,2023-11-01,won_back,\n"  # lost, then won back
        "B,2024-06-01,churned,service\n"
        "C,2024-07-01,voided,duplicate\nC,2024-08-01,active,\nC,2024-09-01,voided,invalid\n"
        "D,2025-01-01,churned,price\n"  # at as_of: not yet
    )
    for kind, name in (("customers", "c"), ("orders", "o"), ("status-events", "e")):
        workspace.import_file(kind, tmp_path / f"{name}.csv", today=dt.date(2026, 1, 1))
    h = workspace.headline(AS_OF)
    # Acquired before 2025-01-01: A, B, C, D. Status then: A won_back, B churned, C voided, D active.
    assert h.customers == 4 and h.kept == 2
    assert h.statuses == {"active": 1, "at_risk": 0, "won_back": 1, "churned": 1, "voided": 1}
    # Orders in [2024-01-01, 2025-01-01), not cancelled: 2, 3, 5 → 10 + 20 + 30.
    assert (h.orders_12m, h.revenue_12m) == (3, 60.0)
    # Customers at 2024-01-01 not lost: A (won back in 2023) and B → 2; of those only B was lost
    # in the window, by churning (C, voided in it, was acquired after the window began).
    assert (h.churned_12m, h.voided_12m, h.customers_12m_ago, h.lost_of_those_12m) == (1, 0, 2, 1)
    assert h.churn_rate_12m == 0.5
