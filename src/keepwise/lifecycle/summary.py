"""Headline figures of a workspace as of a date: what the demo and the quick start print first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from keepwise.store import Store


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    customers: int
    active: int
    churned: int
    voided: int
    orders_12m: int
    revenue_12m: float
    churned_12m: int
    voided_12m: int
    customers_12m_ago: int
    lost_of_those_12m: int

    @property
    def churn_rate_12m(self) -> float | None:
        """The catalogue's churn_rate over the last 12 months: customers at the start of the
        window with a churn or void event in it ÷ customers at the start."""
        if not self.customers_12m_ago:
            return None
        return self.lost_of_those_12m / self.customers_12m_ago


def headline(store: Store, as_of: dt.date) -> Headline:
    start = as_of.replace(year=as_of.year - 1) if not (as_of.month == 2 and as_of.day == 29) \
        else as_of - dt.timedelta(days=365)  # fmt: skip
    t_end, t_start = _ts(as_of), _ts(start)
    customers = store.table("customers").filter(lambda c: c.acquired_at < t_end)
    events = store.table("status_events").filter(lambda e: e.occurred_at < t_end)
    status = _status_at(events, t_end)
    status_then = _status_at(events.filter(lambda e: e.occurred_at < t_start), t_start)
    now = customers.left_join(status, "customer_id").mutate(
        s=lambda c: c.to_status.fill_null("active")
    )
    counts = dict(now.group_by("s").aggregate(n=now.count()).execute().itertuples(index=False))
    then = customers.filter(lambda c: c.acquired_at < t_start).left_join(status_then, "customer_id")
    alive_then = then.filter(~then.to_status.fill_null("active").isin(["churned", "voided"]))
    window = events.filter(lambda e: e.occurred_at >= t_start)
    lost_ids = window.filter(window.to_status.isin(["churned", "voided"])).select("customer_id")
    lost_of_those = alive_then.semi_join(lost_ids.distinct(), "customer_id").count().execute()
    lost = dict(
        window.group_by("to_status").aggregate(n=window.customer_id.nunique()).execute()
        .itertuples(index=False)
    )  # fmt: skip
    orders = store.table("orders").filter(
        lambda o: (o.ordered_at >= t_start) & (o.ordered_at < t_end) & ~o.cancelled
    )
    agg = orders.aggregate(n=orders.count(), revenue=orders.amount.sum()).execute().iloc[0]
    return Headline(
        as_of=as_of,
        customers=sum(counts.values()),
        active=sum(v for k, v in counts.items() if k not in ("churned", "voided")),
        churned=counts.get("churned", 0),
        voided=counts.get("voided", 0),
        orders_12m=int(agg["n"]),
        revenue_12m=float(agg["revenue"] or 0.0),
        churned_12m=int(lost.get("churned", 0)),
        voided_12m=int(lost.get("voided", 0)),
        customers_12m_ago=int(alive_then.count().execute()),
        lost_of_those_12m=int(lost_of_those),
    )


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _status_at(events: Any, moment: dt.datetime) -> Any:
    """The ``to_status`` of each customer's latest event strictly before ``moment``."""
    import ibis

    latest = ibis.row_number().over(
        group_by=events.customer_id, order_by=[events.occurred_at.desc(), events.id.desc()]
    )
    ranked = events.filter(events.occurred_at < moment).mutate(n=latest)
    return ranked.filter(ranked.n == 0).select("customer_id", "to_status")
