"""KPI families about value: acquisition cost (cac), historical CLV and the CLV / CAC ratio."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keepwise.churn.timeline import status_at
from keepwise.metrics import periods as pr
from keepwise.metrics.catalogue import Kpi
from keepwise.metrics.context import Context
from keepwise.metrics.grid import grid
from keepwise.metrics.tables import day, from_null_key, latest_scores, live_orders, null_key

KEYS = ["period_start", "period_end", "dimension"]


def acquired_in_periods(ctx: Context) -> ir.Table:
    b = ctx.base
    return ctx.in_periods(b, "acq").select(*b.columns, "period_start", "period_end")


ACQUISITION_SUMS = ["cost", "acquired", "scored", "clv_sum"]


def acquisition_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    """One row per customer acquired in a period with its acquisition cost: its own
    ``acquisition_cost`` plus an equal share of its channel's spend dated in the period, and
    its predicted CLV when scored. Spend of a channel that acquired nobody in the period is a
    row without a customer (its dimension is the channel when cut by channel, else null), so
    cuts still add up."""
    a = acquired_in_periods(ctx)
    alloc = _spend(ctx, a)
    shares = alloc.filter(alloc.n.notnull())
    shares = shares.select(sps=shares.period_start, sch=shares.channel,
                           share=shares.amount / shares.n)  # fmt: skip
    clv = latest_scores(ctx.tables, ctx.as_of, "predicted_clv").rename(scid="customer_id")
    j = a.left_join(shares, [a.period_start == shares.sps, a.channel == shares.sch])
    j = j.left_join(clv, j.customer_id == clv.scid)
    rows = j.select(
        customer_id=j.customer_id,
        ref=ibis.null("string"),
        period_start=j.period_start,
        period_end=j.period_end,
        dimension=ctx.dim(j),
        acquired=ibis.literal(1).cast("int64"),
        cost=j.acquisition_cost.fill_null(0.0) + j.share.fill_null(0.0),
        clv=j.predicted_clv.cast("float64"),
        scored=j.predicted_clv.notnull().ifelse(1, 0).cast("int64"),
        clv_sum=j.predicted_clv.fill_null(0.0).cast("float64"),
    )
    orphan = alloc.filter(alloc.n.isnull())
    orphan_dim = orphan.channel if ctx.by == "channel" else ibis.null("string")
    orphans = orphan.select(
        customer_id=ibis.null("string"),
        ref=orphan.channel,
        period_start=orphan.period_start,
        period_end=orphan.period_end,
        dimension=orphan_dim.cast("string"),
        acquired=ibis.literal(0).cast("int64"),
        cost=orphan.amount.cast("float64"),
        clv=ibis.null("float64"),
        scored=ibis.literal(0).cast("int64"),
        clv_sum=ibis.literal(0.0).cast("float64"),
    )
    return rows.union(orphans)


def _spend(ctx: Context, acquired: ir.Table) -> ir.Table:
    """Spend per period and channel with the number of customers it acquired (null: none)."""
    counts = acquired.group_by(cps=acquired.period_start, cch=acquired.channel).aggregate(
        n=acquired.count()
    )
    s = ctx.tables.marketing_spend.rename(spend_day="period_start")
    s = ctx.in_periods(s.filter(s.spend_day < day(ctx.as_of)), "spend_day")
    sp = s.group_by("period_start", "period_end", "channel").aggregate(amount=s.amount.sum())
    alloc = sp.left_join(counts, [sp.period_start == counts.cps, sp.channel == counts.cch])
    return alloc.select("period_start", "period_end", "channel", "amount", "n")


def clv_windows(ctx: Context) -> pd.DataFrame:
    """Each period's trailing 12 months: [w_end − 12 months, w_end), w_end = min(end, as_of)."""
    rows = []
    for per in ctx.periods:
        w_end = min(per.end, ctx.as_of)
        rows.append((per.start, per.end, pr.add_months(w_end, -12), w_end))
    return pd.DataFrame(rows, columns=["period_start", "period_end", "w_start", "w_end"])


def _window_context(ctx: Context, windows: pd.DataFrame) -> Context:
    spans = sorted(set(zip(windows["w_start"], windows["w_end"], strict=True)))
    return ctx.with_periods([pr.Period(s, e) for s, e in spans])


def window_grid(ctx: Context, windows: pd.DataFrame) -> ir.Table:
    """The status grid over the trailing windows (customers at start, active, churned)."""
    g = grid(_window_context(ctx, windows))
    return g.mutate(dimension=ctx.dim(g)).rename(w_start="period_start", w_end="period_end")


def _window_orders(ctx: Context, w: ir.Table) -> pd.DataFrame:
    """Revenue and orders per window and dimension, summed per day first so the overlapping
    windows never multiply the order rows."""
    o = live_orders(ctx.tables, ctx.as_of)
    b = ctx.base.select(bcid="customer_id", dimension=ctx.dim(ctx.base))
    j = o.join(b, o.customer_id == b.bcid)  # orders of unknown customers count nowhere
    daily = j.group_by(j.day, j.dimension).aggregate(rev=j.amount.sum(), orders=j.count())
    x = daily.join(w, [daily.day >= w.w_start, daily.day < w.w_end])
    agg = x.group_by("w_start", "w_end", "dimension").aggregate(
        rev=x.rev.sum(), orders=x.orders.sum()
    )
    return _keyed(agg.execute())


def clv_historical(ctx: Context) -> pd.DataFrame:
    """CLV = average order value × orders per active customer per year × 1 / annual churn rate,
    all over the trailing 12 months. Numerator: revenue per active customer in the window
    (= AOV × frequency); denominator: the window's churn rate."""
    return clv_rows(*clv_sums(ctx))


def clv_sums(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each period's trailing window (:func:`clv_windows`), and per window and cut value the
    customers at its start, active in it and churned in it, with its revenue and orders."""
    windows = clv_windows(ctx)
    w = ctx.small_table(windows[["w_start", "w_end"]].drop_duplicates())
    keys = ["w_start", "w_end", "dimension"]
    sums = _window_counts(ctx, w).merge(_window_orders(ctx, w), how="outer", on=keys)
    sums = sums.fillna({"active": 0, "at_start": 0, "churned": 0, "rev": 0.0, "orders": 0})
    sums["dimension"] = from_null_key(sums["dimension"])
    return windows, sums


def clv_rows(windows: pd.DataFrame, sums: pd.DataFrame) -> pd.DataFrame:
    """clv_historical per period and cut value from the window sums (:func:`clv_sums`)."""
    out = windows.merge(sums, on=["w_start", "w_end"], how="inner")
    return pd.DataFrame({
        "metric": "clv_historical",
        "period_start": out["period_start"], "period_end": out["period_end"],
        "dimension": out["dimension"],
        "numerator": _div(out["rev"], out["active"]),
        "denominator": _div(out["churned"], out["at_start"]),
    })  # fmt: skip


def _window_counts(ctx: Context, w: ir.Table) -> pd.DataFrame:
    """Per window [w_start, w_end) and cut value: customers at its start, active in it, and
    churned in it (at its start and lost in it), counted without a customer × window grid —
    the windows overlap, so a grid would hold every customer twelve times."""
    b = ctx.base.select("customer_id", "acq", dimension=ctx.dim(ctx.base))
    per_day = b.group_by("acq", "dimension").aggregate(n=b.count())
    j = per_day.join(w, per_day.acq < w.w_end)
    known = j.group_by("w_start", "w_end", "dimension").aggregate(
        before_start=(j.acq < j.w_start).ifelse(j.n, 0).sum(), before_end=j.n.sum()
    )
    lost = status_at(ctx.spans, w, "w_start")
    lost = lost.join(b, lost.customer_id == b.customer_id).join(w, "w_start")
    lost = lost.filter(lost.acq < lost.w_end)
    lost_n = lost.group_by("w_start", "w_end", "dimension").aggregate(
        lost_before_start=(lost.acq < lost.w_start).ifelse(1, 0).sum(), lost_before_end=lost.count()
    )
    e = ctx.events.filter(ctx.events.loss == 1)
    e = e.join(b, e.customer_id == b.customer_id)
    since = e.kept_since.fill_null(day(dt.date(1, 1, 1)))
    c = e.join(w, [since < w.w_start, w.w_start <= e.on, e.on < w.w_end, e.acq < w.w_start])
    churned = c.group_by("w_start", "w_end", "dimension").aggregate(churned=c.count())
    keys = ["w_start", "w_end", "dimension"]
    df = _keyed(known.execute())
    for part in (lost_n.execute(), churned.execute()):
        df = df.merge(_keyed(part), on=keys, how="left")
    df = df.fillna({c: 0 for c in ("lost_before_start", "lost_before_end", "churned")})
    return df.assign(
        at_start=df["before_start"] - df["lost_before_start"],
        active=df["before_end"] - df["lost_before_end"],
    )[[*keys, "at_start", "active", "churned"]]


def _keyed(df: pd.DataFrame) -> pd.DataFrame:
    """Window keys ready to merge on: dates as dates, null dimensions as NULL_KEY."""
    df = df.assign(dimension=null_key(df["dimension"]))
    for col in ("w_start", "w_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    return (a / b.where(b != 0, np.nan)).astype(float)


def clv_cac(acquisition: pd.DataFrame, clv_hist: pd.DataFrame) -> pd.DataFrame:
    """Mean CLV of the customers acquired in the period (predicted CLV where scored, else the
    period's historical CLV of the same cut) ÷ cac. ``acquisition``: the acquisition sums."""
    hist = clv_hist.assign(clv_hist=_div(clv_hist["numerator"], clv_hist["denominator"]))
    agg = _merge_keys(acquisition, hist[[*KEYS, "clv_hist"]])
    unscored = agg["acquired"] - agg["scored"]
    total = agg["clv_sum"] + unscored * agg["clv_hist"].where(unscored > 0, 0.0)
    return pd.DataFrame({
        "metric": "clv_cac_ratio",
        "period_start": agg["period_start"], "period_end": agg["period_end"],
        "dimension": agg["dimension"],
        "numerator": _div(total, agg["acquired"]),
        "denominator": _div(agg["cost"], agg["acquired"]),
    })  # fmt: skip


def _merge_keys(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Left merge on the result keys, null dimensions matching each other."""
    lt = left.assign(_d=null_key(left["dimension"]))
    rt = right.assign(_d=null_key(right["dimension"])).drop(columns="dimension")
    for frame in (lt, rt):
        for col in ("period_start", "period_end"):
            frame[col] = pd.to_datetime(frame[col]).dt.date
    return lt.merge(rt, on=["period_start", "period_end", "_d"], how="left").drop(columns="_d")
