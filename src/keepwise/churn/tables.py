"""The canonical tables as Ibis tables of any backend (DuckDB, PostgreSQL, Spark), and the
customer base every consumer of the churn definition starts from.

Nothing here opens a connection: callers hand a :class:`Tables` (usually
:meth:`Tables.from_backend` on a workspace's Ibis backend, or Spark temp views of the same names)
and an explicit ``as_of``. Data dated on or after ``as_of`` is invisible, so a figure for a past
date shows what was known then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import ibis.expr.types as ir

#: The statuses of a customer who is no longer kept.
LOST = ("churned", "voided")


@dataclass(frozen=True)
class Tables:
    customers: ir.Table
    orders: ir.Table
    status_events: ir.Table
    scores: ir.Table
    marketing_spend: ir.Table
    leads: ir.Table
    tickets: ir.Table
    surveys: ir.Table
    interactions: ir.Table
    #: The reason taxonomy with the workspace's own reasons (built-in labels when None).
    reasons: ir.Table | None = None
    #: The Ibis backend, when the engine may keep intermediate results in temporary tables.
    backend: Any = None
    #: With ``keep=True``, the customer base and status timeline of each (as_of, churn
    #: definition), and the customer facts of each set of periods, are computed once and
    #: reused by every later call until :meth:`release`: for a session of many reports on
    #: data that does not change meanwhile (uncut and cut reports of the same periods then
    #: differ only in their last grouping).
    keep: bool = False
    _kept: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _release: list[Callable[[], object]] = field(default_factory=list, repr=False, compare=False)

    NAMES = (
        "customers", "orders", "status_events", "scores", "marketing_spend", "leads",
        "tickets", "surveys", "interactions", "reasons",
    )  # fmt: skip

    @classmethod
    def from_backend(cls, con: Any, *, keep: bool = False) -> Tables:
        """The tables of the same names in an Ibis backend."""
        return cls(**{name: con.table(name) for name in cls.NAMES}, backend=con, keep=keep)

    def for_owner(self, owner_id: str) -> Tables:
        """The tables as a rep sees them: the customers ``owner_id`` owns now and their facts
        (orders, events, scores, tickets, surveys, follow-ups, the leads that became them).
        Marketing spend belongs to no owner and is left out."""
        return self._restricted(self.customers.filter(self.customers.owner_id == owner_id))

    def for_customers(self, customer_ids: list[str]) -> Tables:
        """The tables of a few customers only (a customer's own status, say), their facts
        with them; marketing spend left out."""
        return self._restricted(
            self.customers.filter(self.customers.customer_id.isin(customer_ids))
        )

    def _restricted(self, customers: ir.Table) -> Tables:
        ids = customers.select("customer_id")

        def own(table: ir.Table) -> ir.Table:
            return table.filter(table.customer_id.isin(ids.customer_id))

        spend = self.marketing_spend.filter(ibis.literal(False))
        return replace(
            self, customers=customers, orders=own(self.orders),
            status_events=own(self.status_events), scores=own(self.scores),
            leads=own(self.leads), tickets=own(self.tickets), surveys=own(self.surveys),
            interactions=own(self.interactions), marketing_spend=spend, _kept={}, _release=[],
        )  # fmt: skip

    def release(self) -> None:
        """Drop the intermediate results kept for reuse (``keep=True``)."""
        while self._release:
            self._release.pop()()
        self._kept.clear()


def day(value: dt.date) -> ir.DateScalar:
    return ibis.literal(value, type="date")


def shift_days(value: ir.DateValue, days: int = 0, months: int = 0) -> ir.DateValue:
    """A date moved by whole days or months, typed as a date on every backend (DuckDB gives a
    timestamp for date + interval, and Ibis drops a cast from date to date)."""
    moved = value + ibis.interval(days=days) if days else value + ibis.interval(months=months)
    return moved.cast("timestamp").cast("date")


def live_orders(t: Tables, as_of: dt.date) -> ir.Table:
    """Orders that count as purchases: not cancelled, dated before ``as_of``; with their day."""
    o = t.orders
    o = o.mutate(day=o.ordered_at.cast("date"))
    return o.filter(~o.cancelled.fill_null(False), o.day < day(as_of))


def latest_scores(t: Tables, as_of: dt.date, column: str) -> ir.Table:
    """Per customer, the latest non-null ``column`` of the ``scores`` table as of ``as_of``
    (score rows are dated by the ``as_of`` of the model run that wrote them)."""
    s = t.scores.filter(t.scores[column].notnull(), t.scores.as_of <= day(as_of))
    # Backends sort nulls differently, so a missing created_at is made the oldest explicitly.
    created = s.created_at.fill_null(ibis.literal(dt.datetime(1, 1, 1)))
    order = [ibis.desc(s.as_of), ibis.desc(created), ibis.desc(s.id)]
    s = s.mutate(rn=ibis.row_number().over(group_by=s.customer_id, order_by=order))
    return s.filter(s.rn == 0).select("customer_id", column)


def customer_base(t: Tables, as_of: dt.date) -> ir.Table:
    """One row per customer known at ``as_of``: ``acq`` (acquisition day), the dimensions and
    the latest scores (``tier``; ``clv``, the predicted CLV).

    The acquisition day is the earlier of ``acquired_at`` and the first order: a customer who
    ordered was a customer from then on, whatever the CRM's creation date says; a customer with
    neither is not counted.
    """
    c = t.customers
    o = live_orders(t, as_of)
    first = o.group_by(cid=o.customer_id).aggregate(first_order=o.day.min())
    tier = latest_scores(t, as_of, "value_tier").rename(tcid="customer_id")
    clv = latest_scores(t, as_of, "predicted_clv").rename(vcid="customer_id")
    j = (
        c.left_join(first, c.customer_id == first.cid)
        .left_join(tier, c.customer_id == tier.tcid)
        .left_join(clv, c.customer_id == clv.vcid)
    )
    acq_day = j.acquired_at.cast("date")
    use_first = acq_day.isnull() | (j.first_order.notnull() & (j.first_order < acq_day))
    base = j.select(
        customer_id=j.customer_id,
        name=j.name,
        acq=use_first.ifelse(j.first_order, acq_day),
        segment=j.segment,
        industry=j.industry,
        region=j.region,
        channel=j.channel,
        owner_id=j.owner_id,
        tier=j.value_tier,
        acquisition_cost=j.acquisition_cost,
        clv=j.predicted_clv,
    )
    return base.filter(base.acq.notnull(), base.acq < day(as_of))
