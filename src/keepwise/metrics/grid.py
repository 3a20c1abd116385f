"""The customer × period grid: one row per customer acquired before a period's end, with the
flags and amounts every customer KPI sums (all periods in one query, no loop over periods).

Flags are 0/1 integers so that a KPI's numerator and denominator are plain sums, which makes
every cut by a dimension add up to the uncut value and every value traceable to customers.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from keepwise.metrics.context import Context
from keepwise.metrics.status import status_at
from keepwise.metrics.tables import LOST, day, latest_scores, live_orders

#: Optional parts of the grid, attached only when a requested KPI needs them.
FEATURES = ("revenue", "complaints", "followup", "lost_revenue", "clv")


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.ifelse(1, 0)


def period_flags(ctx: Context) -> ir.Table:
    """Per customer and period with events: any event to churned/voided/either, whether the
    customer was lost (moved from a kept status to a lost one) and the day of the first loss."""
    e, p = ctx.events, ctx.period_table
    j = e.join(p, [e.on >= p.period_start, e.on < p.period_end])
    first_loss = (j.loss == 1).ifelse(j.on, ibis.null("date"))
    return j.group_by(fcid=j.customer_id, fps=j.period_start).aggregate(
        to_lost=_flag(j.to_status.isin(LOST)).max(),
        to_void=_flag(j.to_status == "voided").max(),
        to_churned=_flag(j.to_status == "churned").max(),
        lost=j.loss.max(),
        loss_on=first_loss.min(),
    )


def revenue_by_period(ctx: Context) -> ir.Table:
    """Revenue and order count per customer and period, including the period before the first
    (for the period-over-period KPIs)."""
    p = ctx.period_table
    first = p.order_by(p.period_start).limit(1)
    buckets = p.select("period_start", "period_end").union(
        first.select(period_start=first.prev_start, period_end=first.period_start)
    )
    o = live_orders(ctx.tables, ctx.as_of)
    j = o.join(buckets, [o.day >= buckets.period_start, o.day < buckets.period_end])
    return j.group_by(rcid=j.customer_id, rps=j.period_start).aggregate(
        revenue=j.amount.sum(), orders=j.count()
    )


def _attach(g: ir.Table, right: ir.Table, on: Iterable[tuple[str, str]], **cols: str) -> ir.Table:
    """Left-join ``right`` on (grid column, right column) pairs and keep ``cols`` of it."""
    right = right.view()  # the same table may be attached twice (revenue of two periods)
    preds = [g[a] == right[b] for a, b in on]
    j = g.left_join(right, preds)
    return j.select(*g.columns, **{new: j[old] for new, old in cols.items()})


def grid(ctx: Context, features: Iterable[str] = ()) -> ir.Table:
    """The grid with every customer-KPI contribution column (see :mod:`keepwise.metrics.kpis`)."""
    want = set(features)
    p, base = ctx.period_table, ctx.base
    g = base.join(p, base.acq < p.period_end).select(*base.columns, *p.columns)
    s_start = status_at(ctx.spans, p, "period_start")
    s_end = status_at(ctx.spans, p, "period_end")
    g = _attach(g, s_start, [("customer_id", "customer_id"), ("period_start", "period_start")],
                status_start="status")  # fmt: skip
    g = _attach(g, s_end, [("customer_id", "customer_id"), ("period_end", "period_end")],
                status_end="status")  # fmt: skip
    flags = ctx.flags
    keys = [("customer_id", "fcid"), ("period_start", "fps")]
    g = _attach(g, flags, keys, to_lost="to_lost", to_void="to_void", to_churned="to_churned",
                lost="lost", loss_on="loss_on")  # fmt: skip
    g = _status_flags(g)
    if want & {"revenue", "lost_revenue"}:
        rev = revenue_by_period(ctx)
        g = _attach(g, rev, [("customer_id", "rcid"), ("period_start", "rps")], rev_p="revenue")
        g = _attach(g, rev, [("customer_id", "rcid"), ("prev_start", "rps")], rev_prev="revenue")
        g = g.mutate(rev_p=g.rev_p.fill_null(0.0), rev_prev=g.rev_prev.fill_null(0.0))
        g = g.mutate(
            churn_prev_rev=g.churn_num * g.rev_prev,
            start_rev_p=g.at_start * g.rev_p,
            start_rev_prev=g.at_start * g.rev_prev,
        )
    if "complaints" in want:
        g = _attach(g, _complaints(ctx), keys, complaints="n")
        g = g.mutate(complaints=g.complaints.fill_null(0))
    if "followup" in want:
        g = _attach(g, _followed_up(ctx), keys, covered="covered")
        g = g.mutate(covered=g.covered.fill_null(0) * g.lost)
    if "lost_revenue" in want:
        g = _attach(g, _revenue_before_loss(ctx), keys, lost_rev="revenue")
        g = g.mutate(lost_rev=g.lost_rev.fill_null(0.0) * g.churn_num)
    if "clv" in want:
        clv = latest_scores(ctx.tables, ctx.as_of, "predicted_clv")
        g = _attach(g, clv, [("customer_id", "customer_id")], clv="predicted_clv")
        has = g.clv.notnull() & (g.at_end == 1)
        g = g.mutate(clv_n=_flag(has), clv_sum=has.ifelse(g.clv, 0.0))
    return g


def _status_flags(g: ir.Table) -> ir.Table:
    start_lost = g.status_start.fill_null("active").isin(LOST)
    end_lost = g.status_end.fill_null("active").isin(LOST)
    g = g.mutate(
        to_lost=g.to_lost.fill_null(0),
        to_void=g.to_void.fill_null(0),
        to_churned=g.to_churned.fill_null(0),
        lost=g.lost.fill_null(0),
        known=ibis.literal(1),
        new=_flag(g.acq >= g.period_start),
        at_start=_flag((g.acq < g.period_start) & ~start_lost),
        at_end=_flag(~end_lost),
        active=_flag(~start_lost),
        void_end=_flag(g.status_end.fill_null("active") == "voided"),
    )
    return g.mutate(
        churn_num=g.at_start * g.to_lost,
        churn_only_num=g.at_start * g.to_churned,
        void_num=g.at_start * g.to_void,
        retention_num=g.at_end * (1 - g.new),
        net_change_num=g.at_start - g.at_end,
    )


def _complaints(ctx: Context) -> ir.Table:
    k, p = ctx.tables.tickets, ctx.period_table
    k = k.filter(k.is_complaint.fill_null(False)).mutate(day=k.opened_at.cast("date"))
    k = k.filter(k.day < day(ctx.as_of))
    j = k.join(p, [k.day >= p.period_start, k.day < p.period_end])
    return j.group_by(fcid=j.customer_id, fps=j.period_start).aggregate(n=j.count())


def _losses(ctx: Context) -> ir.Table:
    f = ctx.flags
    return f.filter(f.lost == 1).select("fcid", "fps", "loss_on")


def _followed_up(ctx: Context) -> ir.Table:
    """Customer-periods with a loss followed (on or after the loss day) by a follow-up."""
    i = ctx.tables.interactions
    i = i.mutate(day=i.occurred_at.cast("date"))
    i = i.filter(i.day < day(ctx.as_of))
    losses = _losses(ctx)
    j = losses.join(i, [losses.fcid == i.customer_id, i.day >= losses.loss_on])
    return j.select("fcid", "fps", covered=ibis.literal(1)).distinct()


def _revenue_before_loss(ctx: Context) -> ir.Table:
    """Revenue in the 12 months before each loss day (revenue_lost, DESIGN.md)."""
    losses = _losses(ctx)
    o = live_orders(ctx.tables, ctx.as_of)
    since = losses.loss_on - ibis.interval(months=12)
    j = losses.join(o, [losses.fcid == o.customer_id, o.day >= since, o.day < losses.loss_on])
    return j.group_by("fcid", "fps").aggregate(revenue=j.amount.sum())
