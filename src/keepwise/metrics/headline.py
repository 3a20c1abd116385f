"""Headline figures of a workspace as of a date (``keepwise summary``, the demo's closing lines,
the dashboard's first row), computed by the KPI engine so that they equal ``keepwise metrics``:

* customers known at ``as_of`` by their status then (the churn definition's timeline);
* over the 12 months before ``as_of`` (``metrics --grain year --trailing``): the customers at
  the start of the window, how many of them churned or were voided in it, the churn rate, and
  the revenue and orders (not cancelled) in the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import LOST, latest_event, live_orders
from keepwise.churn.tables import day
from keepwise.metrics.catalogue import get_kpis
from keepwise.metrics.context import Context
from keepwise.metrics.kpis import compute_in

#: The statuses a customer can have, in the order they are shown.
STATUSES = ("active", "at_risk", "won_back", "churned", "voided")
_KPIS = ("customers_at_start", "churn_rate", "churn_only_rate", "void_rate", "revenue")


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    #: Customers known at ``as_of`` (acquired, or first ordered, before it).
    customers: int
    #: Of those, per status at ``as_of`` (every status of :data:`STATUSES`, zeros included).
    statuses: dict[str, int]
    window_start: dt.date
    orders_12m: int
    revenue_12m: float
    #: Customers at the start of the window (kept then) and those of them lost in it.
    customers_12m_ago: int
    churned_12m: int
    voided_12m: int
    lost_of_those_12m: int

    @property
    def kept(self) -> int:
        """Customers whose status at ``as_of`` is neither churned nor voided."""
        return self.customers - sum(self.statuses.get(s, 0) for s in LOST)

    @property
    def churn_rate_12m(self) -> float | None:
        """The catalogue's churn_rate over the window (null when nobody was a customer then)."""
        if not self.customers_12m_ago:
            return None
        return self.lost_of_those_12m / self.customers_12m_ago

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kept": self.kept, "churn_rate_12m": self.churn_rate_12m}


def headline(tables: Any, churn: ChurnConfig, as_of: dt.date) -> Headline:
    """The headline figures; ``tables``: :class:`keepwise.churn.Tables`."""
    with Context.make(tables, as_of=as_of, grain="year", churn=churn, trailing=True) as ctx:
        window = ctx.periods[0]
        rows = compute_in(ctx, get_kpis(list(_KPIS)))[None].set_index("metric")
        counts = _status_counts(ctx)
        orders = live_orders(tables, as_of)
        orders = orders.filter(orders.day >= day(window.start))
        n_orders = int(orders.count().execute())
    return Headline(
        as_of=as_of,
        customers=sum(counts.values()),
        statuses={s: counts.get(s, 0) for s in STATUSES} | counts,
        window_start=window.start,
        orders_12m=n_orders,
        revenue_12m=_number(rows.at["revenue", "numerator"]),
        customers_12m_ago=int(_number(rows.at["customers_at_start", "numerator"])),
        churned_12m=int(_number(rows.at["churn_only_rate", "numerator"])),
        voided_12m=int(_number(rows.at["void_rate", "numerator"])),
        lost_of_those_12m=int(_number(rows.at["churn_rate", "numerator"])),
    )


def _status_counts(ctx: Context) -> dict[str, int]:
    last = latest_event(ctx.events).rename(kw_cid="customer_id")
    b = ctx.base
    j = b.left_join(last, b.customer_id == last.kw_cid)
    j = j.mutate(status=j.status.fill_null("active"))
    df = j.group_by("status").aggregate(n=j.count()).execute()
    return {str(r.status): int(r.n) for r in df.itertuples(index=False)}


def _number(value: Any) -> float:
    """A sum of the engine (null when nothing was summed) as a plain number."""
    return 0.0 if value is None or pd.isna(value) else float(value)
