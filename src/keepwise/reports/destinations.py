"""Where lost customers went (seed 000 asks to watch where voided customers go): the customers
lost in a range by the status of their first loss (churned or voided, from the churn
definition) and the destination recorded with that loss's status event."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables, losses

COLUMNS = ["status", "destination", "customers"]


def destinations(t: Tables, churn: ChurnConfig, start: dt.date, end: dt.date) -> pd.DataFrame:
    """``status, destination, customers`` of the first losses in ``[start, end)``; the
    destination is null when none was recorded (an inferred churn never has one)."""
    lost = losses(t, churn, start, end)
    ev = t.status_events
    ev = ev.filter(ev.destination.notnull()).select(
        kw_cid=ev.customer_id, kw_at=ev.occurred_at, kw_to=ev.to_status, destination=ev.destination
    )
    j = lost.left_join(ev, (lost.customer_id == ev.kw_cid) & (lost.lost_at == ev.kw_at)
                       & (lost.lost_to == ev.kw_to))  # fmt: skip
    grouped = j.group_by(status=j.lost_to, destination=j.destination).aggregate(
        customers=j.customer_id.nunique()
    )
    df = grouped.execute()
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    df = df.sort_values(["status", "customers"], ascending=[True, False], kind="stable")
    return df[COLUMNS].reset_index(drop=True)
