"""KPI families over dated records: service tickets, surveys, leads and win-back follow-ups.

Each family returns contributions: one row per record (``ref`` is its id) or per customer and
period, with the customer, the period, the cut's ``dimension`` and 0/1 or amount columns whose
sums are the KPIs' numerators and denominators.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from keepwise.metrics.catalogue import Kpi
from keepwise.metrics.context import Context
from keepwise.metrics.tables import LOST, day, live_orders


def in_periods(ctx: Context, t: ir.Table, when: ir.TimestampValue) -> ir.Table:
    """Rows of ``t`` dated (by ``when``, a timestamp) in a period and before ``as_of``."""
    t = t.mutate(rec_day=when.cast("date"))
    j = ctx.in_periods(t.filter(t.rec_day < day(ctx.as_of)), "rec_day")
    return j.select(*t.columns, "period_start", "period_end")


def with_dimension(ctx: Context, t: ir.Table, override: ir.Value | None = None) -> ir.Table:
    """Add the cut's ``dimension`` from the record's customer (null for unknown customers)."""
    col = ctx.dim_column
    if col is None:
        return t.mutate(dimension=ibis.null("string"))
    b = ctx.base.select(bcid="customer_id", bdim=ctx.base[col].cast("string"))
    j = t.left_join(b, t.customer_id == b.bcid)
    value = j.bdim if override is None else override.cast("string")
    return j.select(*t.columns, dimension=value)


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.ifelse(1, 0)


def service_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    """One row per ticket opened in a period: hours to first response (null while unanswered,
    as of ``as_of``), answered and unanswered flags."""
    k = in_periods(ctx, ctx.tables.tickets, ctx.tables.tickets.opened_at)
    answered = k.first_response_at.notnull() & (k.first_response_at.cast("date") < day(ctx.as_of))
    seconds = k.first_response_at.epoch_seconds() - k.opened_at.epoch_seconds()
    k = k.mutate(
        ref=k.ticket_id,
        answered=_flag(answered),
        unanswered=_flag(~answered),
        hours=answered.ifelse(seconds.cast("float64") / 3600.0, ibis.null("float64")),
    )
    return with_dimension(ctx, k)


def survey_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    s = in_periods(ctx, ctx.tables.surveys, ctx.tables.surveys.answered_at)
    rec, csat = s.recommend, s.csat
    s = s.mutate(
        ref=s.survey_id,
        rec_n=_flag(rec.notnull()),
        promoters=_flag(rec.notnull() & (rec >= 9)),
        nps_num=_flag(rec.notnull() & (rec >= 9)) - _flag(rec.notnull() & (rec <= 6)),
        csat_n=_flag(csat.notnull()),
        csat_sum=csat.fill_null(0).cast("float64"),
        csat_hi=_flag(csat.notnull() & (csat >= 4)),
    )
    return with_dimension(ctx, s)


def lead_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    """One row per lead created in a period; cut by channel, a lead's channel is its source,
    by any other dimension that of the customer it became (null while not converted)."""
    ld = in_periods(ctx, ctx.tables.leads, ctx.tables.leads.created_at)
    converted = ld.customer_id.notnull() & (
        ld.converted_at.isnull() | (ld.converted_at.cast("date") < day(ctx.as_of))
    )
    ld = ld.mutate(ref=ld.lead_id, leads=ibis.literal(1), converted=_flag(converted))
    ld = ld.mutate(customer_id=converted.ifelse(ld.customer_id, ibis.null("string")))
    return with_dimension(ctx, ld, ld.source if ctx.by == "channel" else None)


def winback_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    """Per customer and period: followed up while churned or voided, and ordered again within
    ``winback_days`` days (inclusive) of such a follow-up."""
    i = in_periods(ctx, ctx.tables.interactions, ctx.tables.interactions.occurred_at)
    spans = ctx.spans
    # The status during a day is that after the day's own events: the span [on, next_on).
    j = i.join(
        spans,
        [
            i.customer_id == spans.customer_id,
            spans.on <= i.rec_day,
            spans.next_on.isnull() | (i.rec_day < spans.next_on),
        ],
    )
    lost = j.filter(j.status.isin(LOST)).select(
        fcid=j.customer_id, fday=j.rec_day, period_start=j.period_start, period_end=j.period_end
    )
    followed = lost.group_by("fcid", "period_start", "period_end").aggregate(n=lost.count())
    o = live_orders(ctx.tables, ctx.as_of)
    horizon = lost.fday + ibis.interval(days=ctx.winback_days)
    hits = lost.join(o, [lost.fcid == o.customer_id, o.day >= lost.fday, o.day <= horizon])
    won = hits.select(wcid=hits.fcid, wps=hits.period_start).distinct()
    f = followed.left_join(won, [followed.fcid == won.wcid, followed.period_start == won.wps])
    f = f.select(
        customer_id=f.fcid,
        ref=ibis.null("string"),
        period_start=f.period_start,
        period_end=f.period_end,
        followed=ibis.literal(1),
        won=_flag(f.wcid.notnull()),
    )
    return with_dimension(ctx, f)
