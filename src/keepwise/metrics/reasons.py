"""Why customers leave and what it costs: churn and void counts by reason (avoidable or not,
optionally by a customer dimension) and the business impact, per period.

Both count the customers in churn_rate's numerator (customers at the period start lost during
it), each under the reason and status (churned or voided) of their first loss in the period.
Inferred (inactivity) churn has no recorded reason.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise._core.i18n import register
from keepwise._core.taxonomy import BUILTIN_REASONS
from keepwise.churn.timeline import status_at
from keepwise.metrics import periods as pr
from keepwise.metrics.context import Context
from keepwise.metrics.grid import revenue_before
from keepwise.metrics.tables import (
    LOST,
    NULL_KEY,
    Tables,
    day,
    from_null_key,
    latest_scores,
    live_orders,
    null_key,
)

register({"reason.unrecorded": {"zh": "未记录原因", "en": "No reason recorded"}})

REASON_COLUMNS = [
    "period_start", "period_end", "dimension", "status", "reason", "reason_zh", "reason_en",
    "avoidable", "customers", "revenue_lost",
]  # fmt: skip
IMPACT_COLUMNS = [
    "period_start", "period_end", "dimension", "lost_customers", "revenue_lost", "clv_lost",
    "acquisition_cost_unrecovered", "revenue_at_risk", "revenue_12m", "revenue_at_risk_share",
]  # fmt: skip


def _lost_rows(ctx: Context) -> ir.Table:
    """churn_rate's numerator, one row per customer and period, with the status, reason and
    day of the customer's first loss in the period and the revenue of the 12 months before.

    A customer at the start of P (acquired before it, kept at it) who is lost during P has a
    first loss in P whose last return from a lost status (``kept_since``) precedes P — and
    only those: so no customer × period grid is needed."""
    e = ctx.events.filter(ctx.events.loss == 1)
    j = ctx.in_periods(e, "on")
    j = j.mutate(rn=ibis.row_number().over(group_by=[j.customer_id, j.period_start],
                                           order_by=[j.on, j.at, j.prio, j.seq]))  # fmt: skip
    first = j.filter(j.rn == 0)
    b = ctx.base
    x = first.join(b, first.customer_id == b.customer_id)
    since = x.kept_since.fill_null(day(dt.date(1, 1, 1)))
    x = x.filter(x.acq < x.period_start, since < x.period_start)
    rows = x.select(
        "customer_id", "period_start", "period_end", "acquisition_cost", "clv",
        loss_status=x.to_status, loss_reason=x.reason, loss_on=x.on, dimension=ctx.dim(x),
    )  # fmt: skip
    rev = revenue_before(ctx, rows.select(fcid="customer_id", fps="period_start",
                                          loss_on="loss_on"))  # fmt: skip
    out = rows.left_join(rev, [rows.customer_id == rev.fcid, rows.period_start == rev.fps])
    return out.select(*rows.columns, lost_rev=out.revenue.fill_null(0.0))


def reasons(
    tables: Tables,
    *,
    as_of: dt.date,
    grain: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
    churn: ChurnConfig | None = None,
) -> pd.DataFrame:
    """Lost customers and their revenue in the 12 months before the loss, per period,
    status (churned / voided) and reason, with the reason's labels and avoidability."""
    with Context.make(tables, as_of=as_of, grain=grain, start=start, end=end, by=by,
                      churn=churn) as ctx:  # fmt: skip
        j = _lost_rows(ctx)
        df = j.group_by("period_start", "period_end", "dimension", status=j.loss_status,
                        reason=j.loss_reason).aggregate(
            customers=j.count(), revenue_lost=j.lost_rev.sum()
        ).execute()  # fmt: skip
        labels = _labels(ctx)
    df = df.merge(labels, on="reason", how="left")
    missing = df["reason"].isna()
    df.loc[missing, "reason_zh"] = "未记录原因"
    df.loc[missing, "reason_en"] = "No reason recorded"
    df["avoidable"] = df["avoidable"].astype(object).where(df["avoidable"].notna(), None)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df = df.assign(_d=df["dimension"].fillna(""), _r=df["reason"].fillna("~"))
    df = df.sort_values(["period_start", "_d", "status", "customers", "_r"],
                        ascending=[True, True, True, False, True])  # fmt: skip
    return df[REASON_COLUMNS].reset_index(drop=True)


def _labels(ctx: Context) -> pd.DataFrame:
    """Reason labels: the workspace's reasons table when given, else the built-in taxonomy."""
    if ctx.tables.reasons is not None:
        df = ctx.tables.reasons.select(
            reason="code", reason_zh="label_zh", reason_en="label_en", avoidable="avoidable"
        ).execute()
        if not df.empty:
            return df
    return pd.DataFrame(
        [(r.code, r.label_zh, r.label_en, r.avoidable) for r in BUILTIN_REASONS],
        columns=["reason", "reason_zh", "reason_en", "avoidable"],
    )


def avoidability(reason_table: pd.DataFrame) -> pd.DataFrame:
    """Reasons rolled up to avoidable / unavoidable / unknown per period and dimension."""
    t = reason_table.assign(
        avoidable=reason_table["avoidable"]
        .map({True: "avoidable", False: "unavoidable"})
        .fillna("unknown"),
        _d=null_key(reason_table["dimension"]),
    )
    out = t.groupby(["period_start", "period_end", "_d", "status", "avoidable"],
                    as_index=False)[["customers", "revenue_lost"]].sum()  # fmt: skip
    out["dimension"] = from_null_key(out.pop("_d"))
    return out


def impact(
    tables: Tables,
    *,
    as_of: dt.date,
    grain: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
    churn: ChurnConfig | None = None,
    lost_to: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Per period: customers lost, their revenue in the 12 months before the loss, their
    predicted CLV, the acquisition cost their margin had not paid back, and the share of the
    trailing 12 months' revenue that comes from customers at risk at the period end (status
    at_risk, or a high risk band in their latest score). ``lost_to``: only the losses to these
    statuses (``("voided",)`` for seed 000's void evaluation)."""
    with Context.make(tables, as_of=as_of, grain=grain, start=start, end=end, by=by,
                      churn=churn) as ctx:  # fmt: skip
        lost = _lost_impact(ctx, lost_to).execute()
        risk = _risk_revenue(ctx).execute()
    keys = ["period_start", "period_end", "dimension"]
    for frame in (lost, risk):
        frame["dimension"] = null_key(frame["dimension"])
        for col in ("period_start", "period_end"):
            frame[col] = pd.to_datetime(frame[col]).dt.date
    df = risk.merge(lost, on=keys, how="outer")
    per = pd.DataFrame([(p.start, p.end) for p in ctx.periods], columns=keys[:2])
    if ctx.by is None:
        per["dimension"] = NULL_KEY
        df = per.merge(df, on=keys, how="left")
    df = df.fillna({c: 0.0 for c in IMPACT_COLUMNS[3:-1]})
    df["dimension"] = from_null_key(df["dimension"])
    den = df["revenue_12m"].astype(float)
    df["revenue_at_risk_share"] = df["revenue_at_risk"] / den.where(den != 0, np.nan)
    df = df.assign(_d=df["dimension"].fillna("")).sort_values(["period_start", "_d"])
    return df[IMPACT_COLUMNS].reset_index(drop=True)


def _lost_impact(ctx: Context, lost_to: tuple[str, ...] | None = None) -> ir.Table:
    j = _lost_rows(ctx)
    if lost_to:
        j = j.filter(j.loss_status.isin(lost_to))
    o = live_orders(ctx.tables, ctx.as_of)
    margin = o.amount - o.cost.fill_null(0.0)
    losses = j.select(mcid="customer_id", mps="period_start", loss_on="loss_on")
    o = o.mutate(margin=margin)
    m = losses.join(o, [losses.mcid == o.customer_id, o.day < losses.loss_on])
    paid = m.group_by("mcid", "mps").aggregate(margin=m.margin.sum())
    x = j.left_join(paid, [j.customer_id == paid.mcid, j.period_start == paid.mps])
    cost = x.acquisition_cost.fill_null(0.0)
    unrecovered = ibis.greatest(cost - x.margin.fill_null(0.0), 0.0)
    return x.group_by("period_start", "period_end", "dimension").aggregate(
        lost_customers=x.count(),
        revenue_lost=x.lost_rev.sum(),
        clv_lost=x.clv.fill_null(0.0).sum(),
        acquisition_cost_unrecovered=unrecovered.sum(),
    )


def _risk_revenue(ctx: Context) -> ir.Table:
    """Trailing-12-month revenue (to the period end, or as_of if earlier) of the customers at
    end, and of those at risk among them. Only customers with revenue in the window count,
    so they are the rows: no customer × period grid."""
    windows = pd.DataFrame(
        [(p.start, p.end, pr.add_months(min(p.end, ctx.as_of), -12), min(p.end, ctx.as_of))
         for p in ctx.periods], columns=["period_start", "period_end", "w_start", "w_end"])  # fmt: skip
    w = ctx.small_table(windows)
    o = live_orders(ctx.tables, ctx.as_of)
    ow = o.join(w, [o.day >= w.w_start, o.day < w.w_end])
    rev = ow.group_by("customer_id", "period_start", "period_end").aggregate(
        revenue=ow.amount.sum()
    )
    status = status_at(ctx.spans, w, "period_end", (*LOST, "at_risk"))
    band = latest_scores(ctx.tables, ctx.as_of, "risk_band").rename(bcid="customer_id")
    b = ctx.base.select(dcid="customer_id", dimension=ctx.dim(ctx.base))
    x = (
        rev.left_join(status, [rev.customer_id == status.customer_id,
                               rev.period_end == status.period_end])
        .left_join(band, rev.customer_id == band.bcid)
        .left_join(b, rev.customer_id == b.dcid)
    )  # fmt: skip
    x = x.filter(~x.status.fill_null("active").isin(LOST))
    at_risk = (x.status == "at_risk") | (x.risk_band == "high")
    return x.group_by("period_start", "period_end", "dimension").aggregate(
        revenue_at_risk=at_risk.fill_null(False).ifelse(x.revenue, 0.0).sum(),
        revenue_12m=x.revenue.sum(),
    )
