"""The parts of seed 000's void-effect evaluation that the KPI engine does not give: where lost
customers went (the destination recorded with their status event), and what follow-up the
voided customers got from playbooks (surveyed, offered, interviewed, with what result).

The customers are those lost in ``[start, end)`` under the churn definition (their first loss
in the range); a loss that was inferred (inactivity) has no recorded destination.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables, day, live_orders, losses
from keepwise.churn.tables import shift_days


def lost_in(t: Tables, churn: ChurnConfig, start: dt.date, end: dt.date) -> ir.Table:
    """customer_id, lost_on, lost_at, lost_to: each customer's first loss in ``[start, end)``."""
    return losses(t, churn, start, end).select("customer_id", "lost_on", "lost_at", "lost_to")


def destinations(t: Tables, churn: ChurnConfig, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Lost customers by status and destination (null: not known), with their revenue in the
    12 months before the loss: status, destination, customers, revenue_12m."""
    lost = lost_in(t, churn, start, end)
    e = t.status_events.filter(t.status_events.destination.notnull())
    e = e.select(dcid="customer_id", dat="occurred_at", dto="to_status", destination="destination")
    j = lost.left_join(e, [lost.customer_id == e.dcid, lost.lost_at == e.dat,
                           lost.lost_to == e.dto])  # fmt: skip
    j = j.select("customer_id", "lost_on", "lost_to", "destination")
    o = live_orders(t, end)
    since = shift_days(j.lost_on, months=-12)
    r = j.join(o, [j.customer_id == o.customer_id, o.day < j.lost_on, o.day >= since])
    rev = r.group_by(rcid=r.customer_id).aggregate(revenue_12m=r.amount.sum())
    x = j.left_join(rev, j.customer_id == rev.rcid)
    out = x.group_by(status=x.lost_to, destination=x.destination).aggregate(
        customers=x.count(), revenue_12m=x.revenue_12m.fill_null(0.0).sum()
    )
    df = out.execute()
    # Ties broken by revenue, then destination (unknown last): the backend groups in any order,
    # and two computations of the same table (a report and the JSON) must list it alike.
    by = ["status", "customers", "revenue_12m", "destination"]
    df = df.sort_values(by, ascending=[True, False, False, True], kind="stable",
                        na_position="last")  # fmt: skip
    return df.reset_index(drop=True)


def followups(
    t: Tables, churn: ChurnConfig, targets: ir.Table, tasks: ir.Table, start: dt.date,
    end: dt.date, as_of: dt.date, status: str = "voided",
) -> tuple[int, int, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The customers whose first loss in ``[start, end)`` was to ``status``: how many; how many
    a playbook targeted after the loss (treated or held out); their tasks by type, status and
    outcome (type, status, outcome, tasks, customers); and the reasons of their feedback
    (reason, tasks). Only targets and tasks dated before ``as_of`` count."""
    lost = lost_in(t, churn, start, end)
    lost = lost.filter(lost.lost_to == status)
    tg = targets.filter(targets.as_of < day(as_of))
    reached = lost.join(tg, [lost.customer_id == tg.customer_id, tg.as_of > lost.lost_on])
    n_lost = int(lost.count().execute())
    n_targeted = int(reached.select("customer_id").distinct().count().execute())
    k = tasks.filter(tasks.as_of < day(as_of))
    j = lost.join(k, [lost.customer_id == k.customer_id, k.as_of > lost.lost_on])
    by_type = j.group_by("type", "status", outcome=j.outcome.fill_null("")).aggregate(
        tasks=j.count(), customers=j.customer_id.nunique()
    ).execute()  # fmt: skip
    by_type["outcome"] = by_type["outcome"].replace("", None)
    fb = j.filter(j.reason.notnull())
    reasons = fb.group_by("reason").aggregate(tasks=fb.count()).execute()
    return (
        n_lost, n_targeted,
        by_type.sort_values(["type", "status", "tasks"], ascending=[True, True, False])
        .reset_index(drop=True),
        reasons.sort_values("tasks", ascending=False).reset_index(drop=True),
    )  # fmt: skip
