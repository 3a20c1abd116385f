"""Drill-down: the customers behind one KPI value — those in its numerator and its denominator,
each with what it contributes — so every number in a report can be traced and checked.

Rows that are not customers keep an id in ``ref``: a ticket, survey or lead, or a channel's
spend that acquired nobody (cac); a lead not (yet) converted has no customer.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.metrics import kpis_value as val
from keepwise.metrics import periods as pr
from keepwise.metrics.catalogue import Kpi, get_kpis
from keepwise.metrics.context import DEFAULT_WINBACK_DAYS, Context
from keepwise.metrics.grid import grid
from keepwise.metrics.kpis import CONTRIBUTIONS
from keepwise.metrics.kpis_customers import UNSCORED
from keepwise.metrics.tables import NULL_KEY, Tables, live_orders, null_key

register(
    {
        "metrics.drill.unknown_value": {
            "zh": "{by} 没有取值 {value}；已有的取值：{known}",
            "en": "{value} is not a value of {by}; its values: {known}",
        },
    }
)

DRILL_COLUMNS = [
    "customer_id", "name", "ref", "in_numerator", "in_denominator", "numerator", "denominator",
    "segment", "industry", "region", "channel", "owner_id", "tier",
]  # fmt: skip


def drilldown(
    tables: Tables,
    metric: str,
    period: dt.date,
    *,
    as_of: dt.date,
    grain: str = "month",
    by: str | None = None,
    value: str | None = None,
    churn: ChurnConfig | None = None,
    winback_days: int = DEFAULT_WINBACK_DAYS,
) -> pd.DataFrame:
    """The customers behind ``metric`` in the period of ``grain`` containing ``period``; with
    ``by``, only those whose dimension equals ``value`` (for the tier mix, ``value`` is the
    tier, or ``"<value>/<tier>"`` when cut by another dimension)."""
    kpi = get_kpis([metric])[0]
    g = pr.check_grain(grain)
    start = pr.floor(period, g)
    with Context.make(tables, as_of=as_of, grain=g, start=start, end=pr.shift(start, g, 1),
                      by=by, churn=churn, winback_days=winback_days) as ctx:  # fmt: skip
        rows = _rows(ctx, kpi, value)
        if rows.empty and value is not None and ctx.by and kpi.family != "tier_mix":
            _check_value(ctx, value)
        names = ctx.base.drop("acq", "acquisition_cost", "clv").execute()
    return _finish(rows, names)


def _rows(ctx: Context, kpi: Kpi, value: str | None) -> pd.DataFrame:
    if kpi.family == "tier_mix":
        return _tier_rows(ctx, kpi, value)
    if kpi.id == "clv_historical":
        return _clv_rows(ctx, value)
    if kpi.id == "clv_cac_ratio":
        return _clv_cac_rows(ctx, value)
    contrib = _only(ctx, CONTRIBUTIONS[kpi.family](ctx, [kpi]), value)
    if kpi.kind == "quantile":
        contrib = contrib.filter(contrib.hours.notnull())
        return contrib.select("customer_id", "ref", numerator="hours",
                              denominator=ibis.literal(1.0)).execute()  # fmt: skip
    assert kpi.num is not None
    den = contrib[kpi.den] if kpi.den else ibis.literal(0)
    out = contrib.select("customer_id", "ref", numerator=contrib[kpi.num] * kpi.scale,
                         denominator=den)  # fmt: skip
    return out.filter((out.numerator != 0) | (out.denominator != 0)).execute()


def _check_value(ctx: Context, value: str) -> None:
    """No rows for a cut value nobody has is a typo to name, not an empty answer."""
    base = ctx.base
    found = base.select(v=ctx.dim(base)).distinct().execute()["v"].dropna()
    known = sorted(str(v) for v in found)
    if value not in known:
        shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        raise InputError("metrics.drill.unknown_value", value=value, by=ctx.by, known=shown or "—")


def _only(ctx: Context, contrib: ir.Table, value: str | None) -> ir.Table:
    if ctx.by is None:
        return contrib
    if value is None:
        return contrib.filter(contrib.dimension.isnull())
    return contrib.filter(contrib.dimension == value)


def _tier_rows(ctx: Context, kpi: Kpi, value: str | None) -> pd.DataFrame:
    g = grid(ctx, kpi.features)
    tier = g.tier.fill_null(UNSCORED)
    if ctx.by not in (None, "tier") and value is not None and "/" in value:
        dim_value, value = value.rsplit("/", 1)
        g = g.filter(ctx.dim(g) == dim_value)
    col = g[kpi.num or "at_end"]
    out = g.select(
        "customer_id",
        ref=ibis.null("string"),
        numerator=(tier == (value or UNSCORED)).ifelse(col, 0),
        denominator=col,
    )
    return out.filter((out.numerator != 0) | (out.denominator != 0)).execute()  # fmt: skip


def _clv_rows(ctx: Context, value: str | None) -> pd.DataFrame:
    """Customers of the trailing window: revenue (numerator side, for those active in it) and
    whether they churned (denominator side, for those at its start)."""
    windows = val.clv_windows(ctx)
    g = _only(ctx, val.window_grid(ctx, windows), value)
    w = windows.iloc[0]
    o = live_orders(ctx.tables, ctx.as_of)
    o = o.filter(o.day >= w.w_start, o.day < w.w_end)
    rev = o.group_by(rcid=o.customer_id).aggregate(revenue=o.amount.sum())
    j = g.left_join(rev, g.customer_id == rev.rcid)
    out = j.select("customer_id", ref=ibis.null("string"), active="active", at_start="at_start",
                   numerator=j.revenue.fill_null(0.0), denominator=j.churn_num)  # fmt: skip
    df = out.filter((out.active == 1) | (out.at_start == 1)).execute()
    df["in_numerator"], df["in_denominator"] = df.pop("active") == 1, df.pop("at_start") == 1
    return df


def _clv_cac_rows(ctx: Context, value: str | None) -> pd.DataFrame:
    """Customers acquired in the period: their CLV (predicted, else the period's historical
    value of their cut) and their acquisition cost; plus spend that acquired nobody."""
    a = _only(ctx, val.acquisition_contributions(ctx, []), value)
    df = a.select("customer_id", "ref", "acquired", "clv", "cost").execute()
    hist = val.clv_historical(ctx)
    key = value if ctx.by and value is not None else NULL_KEY
    hist = hist[null_key(hist["dimension"]) == key]
    fallback = float(hist["numerator"].iloc[0] / hist["denominator"].iloc[0]) if (
        len(hist) and hist["denominator"].iloc[0]) else float("nan")  # fmt: skip
    clv_value = df["clv"].astype(float).fillna(fallback).where(df["acquired"] == 1)
    return pd.DataFrame({"customer_id": df["customer_id"], "ref": df["ref"],
                         "numerator": clv_value, "denominator": df["cost"],
                         "in_numerator": df["acquired"] == 1,
                         "in_denominator": True})  # fmt: skip


def _finish(rows: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    if "in_numerator" not in rows:
        rows["in_numerator"] = rows["numerator"].fillna(0) != 0
    if "in_denominator" not in rows:
        rows["in_denominator"] = rows["denominator"].fillna(0) != 0
    out = rows.merge(names, on="customer_id", how="left")
    for col in DRILL_COLUMNS:
        if col not in out:
            out[col] = None
    out = out.sort_values(["in_numerator", "customer_id", "ref"], ascending=[False, True, True],
                          na_position="last", kind="stable")  # fmt: skip
    return out[DRILL_COLUMNS].reset_index(drop=True)
