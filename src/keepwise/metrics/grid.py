"""The customer × period grid: one row per customer acquired before a period's end, with the
flags and amounts every customer KPI sums (all periods in one query, no loop over periods).

Flags are 0/1 integers so that a KPI's numerator and denominator are plain sums, which makes
every cut by a dimension add up to the uncut value and every value traceable to customers.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from keepwise.churn.timeline import status_at_bounds
from keepwise.metrics.context import Context
from keepwise.metrics.tables import LOST, day, live_orders, shift_days

#: Optional parts of the grid, attached only when a requested KPI needs them.
FEATURES = ("revenue", "complaints", "followup", "lost_revenue", "clv")


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.ifelse(1, 0)


def period_flags(ctx: Context) -> ir.Table:
    """Per customer and period with events: any event to churned/voided/either, and the day
    of the first event to churned or voided ("lost during P", DESIGN.md: also a void of an
    already churned customer; for a customer kept at the start it is the day of the loss)."""
    j = ctx.in_periods(ctx.events, "on")
    first_loss = j.to_status.isin(LOST).ifelse(j.on, ibis.null("date"))
    return j.group_by(fcid=j.customer_id, fps=j.period_start).aggregate(
        to_lost=_flag(j.to_status.isin(LOST)).max(),
        to_void=_flag(j.to_status == "voided").max(),
        to_churned=_flag(j.to_status == "churned").max(),
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
    j = ctx.in_periods(live_orders(ctx.tables, ctx.as_of), "day", buckets)
    return j.group_by(rcid=j.customer_id, rps=j.period_start).aggregate(
        revenue=j.amount.sum(), orders=j.count()
    )


#: What is known about a customer in a period besides the acquisition day: one row per
#: customer and period with any of these, null where nothing applies.
_FACTS = {
    "status_start": "int8", "status_end": "int8", "to_lost": "int64", "to_void": "int64",
    "to_churned": "int64", "loss_on": "date", "complaints": "int64", "covered": "int64",
    "lost_rev": "float64",
}  # fmt: skip


def _fact(t: ir.Table, customer: str, period_start: str, **values: ir.Value) -> ir.Table:
    """``values`` as rows of the facts table (the other facts null)."""
    cols = {k: values.get(k, ibis.null(v)).cast(v) for k, v in _FACTS.items()}
    return t.select(fcid=t[customer].cast("string"), fps=t[period_start].cast("date"), **cols)


def facts(ctx: Context, want: set[str], statuses: tuple[str, ...] = LOST) -> ir.Table:
    """Every sparse fact of every customer and period in one table: the parts (statuses at
    the boundaries, events, complaints, …) are stacked and grouped once, so the customer ×
    period grid needs a single join for them however many a request uses. Revenue, dense
    (most customers order in most periods), comes from :func:`revenue_facts`."""
    b = status_at_bounds(ctx.spans, ctx.period_table, statuses)
    f = ctx.flags
    parts = [
        _fact(b, "customer_id", "period_start", status_start=_code(b.start),
              status_end=_code(b.end)),
        _fact(f, "fcid", "fps", to_lost=f.to_lost, to_void=f.to_void, to_churned=f.to_churned,
              loss_on=f.loss_on),
    ]  # fmt: skip
    if "complaints" in want:
        c = _complaints(ctx)
        parts.append(_fact(c, "fcid", "fps", complaints=c.n))
    if "followup" in want:
        c = _followed_up(ctx)
        parts.append(_fact(c, "fcid", "fps", covered=c.covered))
    if "lost_revenue" in want:
        c = _revenue_before_loss(ctx)
        parts.append(_fact(c, "fcid", "fps", lost_rev=c.revenue))
    u = ibis.union(*parts)
    # Each fact comes from one part, so its max is its value (statuses travel as small codes,
    # which aggregate faster than text).
    return u.group_by("fcid", "fps").aggregate(**{k: u[k].max() for k in _FACTS})


def revenue_facts(ctx: Context) -> ir.Table:
    """Per customer and period: the revenue in it (``rev_p``) and in the period before
    (``rev_prev``), either null when there was none — one full outer join of the revenue per
    customer and period with itself shifted by a period (3x faster than stacking both with the
    sparse facts and grouping them)."""
    rev = ctx.keep(revenue_by_period(ctx))
    p = ctx.period_table
    prev = rev.join(p.select("period_start", "prev_start"), rev.rps == p.prev_start)
    prev = prev.select(pcid=prev.rcid, pps=prev.period_start, rev_prev=prev.revenue)
    cur = rev.select(ccid=rev.rcid, cps=rev.rps, rev_p=rev.revenue)
    j = cur.outer_join(prev, [cur.ccid == prev.pcid, cur.cps == prev.pps])
    return j.select(rcid=ibis.coalesce(j.ccid, j.pcid), rps=ibis.coalesce(j.cps, j.pps),
                    rev_p=j.rev_p, rev_prev=j.rev_prev)  # fmt: skip


#: Statuses at a boundary as small numbers (null: active or won back).
STATUS_CODES = {"churned": 1, "voided": 2, "at_risk": 3}


def _code(status: ir.StringValue) -> ir.IntegerValue:
    return status.cases(*STATUS_CODES.items(), else_=ibis.null("int8"))


def grid(ctx: Context, features: Iterable[str] = (), statuses: tuple[str, ...] = LOST) -> ir.Table:
    """The grid with every customer-KPI contribution column (see :mod:`keepwise.metrics.kpis`).
    ``status_start`` and ``status_end`` are :data:`STATUS_CODES`, null unless the status is one
    of ``statuses``."""
    want = set(features)
    p, base = ctx.period_table, ctx.base
    g = base.join(p, base.acq < p.period_end).select(*base.columns, *p.columns)
    f = ctx.reused(f"facts{sorted(want)}{statuses}", lambda: facts(ctx, want, statuses))
    j = g.left_join(f, [g.customer_id == f.fcid, g.period_start == f.fps])
    g = _status_flags(j.select(*g.columns, *_FACTS))
    if want & {"revenue", "lost_revenue"}:
        r = ctx.reused("revenue_facts", lambda: revenue_facts(ctx))
        j = g.left_join(r, [g.customer_id == r.rcid, g.period_start == r.rps])
        g = j.select(*g.columns, rev_p=j.rev_p.fill_null(0.0), rev_prev=j.rev_prev.fill_null(0.0))
        g = g.mutate(
            churn_prev_rev=g.churn_num * g.rev_prev,
            start_rev_p=g.at_start * g.rev_p,
            start_rev_prev=g.at_start * g.rev_prev,
        )
    if "complaints" in want:
        g = g.mutate(complaints=g.complaints.fill_null(0))
    if "followup" in want:
        g = g.mutate(covered=g.covered.fill_null(0) * g.to_lost)
    if "lost_revenue" in want:
        g = g.mutate(lost_rev=g.lost_rev.fill_null(0.0) * g.churn_num)
    if "clv" in want:
        has = g.clv.notnull() & (g.at_end == 1)
        g = g.mutate(clv_n=_flag(has), clv_sum=has.ifelse(g.clv, 0.0))
    return g


def _status_flags(g: ir.Table) -> ir.Table:
    lost_codes = [STATUS_CODES[s] for s in LOST]
    start_lost = g.status_start.fill_null(0).isin(lost_codes)
    end_lost = g.status_end.fill_null(0).isin(lost_codes)
    g = g.mutate(
        to_lost=g.to_lost.fill_null(0),
        to_void=g.to_void.fill_null(0),
        to_churned=g.to_churned.fill_null(0),
        known=ibis.literal(1),
        new=_flag(g.acq >= g.period_start),
        at_start=_flag((g.acq < g.period_start) & ~start_lost),
        at_end=_flag(~end_lost),
        active=_flag(~start_lost),
        void_end=_flag(g.status_end.fill_null(0) == STATUS_CODES["voided"]),
    )
    return g.mutate(
        churn_num=g.at_start * g.to_lost,
        churn_only_num=g.at_start * g.to_churned,
        void_num=g.at_start * g.to_void,
        retention_num=g.at_end * (1 - g.new),
        net_change_num=g.at_start - g.at_end,
    )


def _complaints(ctx: Context) -> ir.Table:
    k = ctx.tables.tickets
    k = k.filter(k.is_complaint.fill_null(False)).mutate(day=k.opened_at.cast("date"))
    j = ctx.in_periods(k.filter(k.day < day(ctx.as_of)), "day")
    return j.group_by(fcid=j.customer_id, fps=j.period_start).aggregate(n=j.count())


def _losses(ctx: Context) -> ir.Table:
    f = ctx.flags
    return f.filter(f.to_lost == 1).select("fcid", "fps", "loss_on")


def _followed_up(ctx: Context) -> ir.Table:
    """Customer-periods with a loss followed (on or after the loss day) by a follow-up."""
    i = ctx.tables.interactions
    i = i.mutate(day=i.occurred_at.cast("date"))
    i = i.filter(i.day < day(ctx.as_of))
    losses = _losses(ctx)
    j = losses.join(i, [losses.fcid == i.customer_id, i.day >= losses.loss_on])
    return j.select("fcid", "fps", covered=ibis.literal(1)).distinct()


def _revenue_before_loss(ctx: Context) -> ir.Table:
    return revenue_before(ctx, _losses(ctx))


def revenue_before(ctx: Context, losses: ir.Table) -> ir.Table:
    """Revenue in the 12 months before each loss day (revenue_lost, DESIGN.md); ``losses``:
    (fcid, fps, loss_on) → (fcid, fps, revenue).

    Each loss joined to its customer's orders of those 12 months: the pairs are the losses
    times a year of one customer's orders, far fewer than the orders themselves (5.8x faster
    than a running total over every order on the demo company)."""
    o = live_orders(ctx.tables, ctx.as_of)
    since = shift_days(losses.loss_on, months=-12)
    j = losses.join(o, [losses.fcid == o.customer_id, o.day < losses.loss_on, o.day >= since])
    return j.group_by("fcid", "fps").aggregate(revenue=j.amount.sum())
