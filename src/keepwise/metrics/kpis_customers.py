"""KPI families over the customer × period grid: the customer counts, churn, retention, voids,
revenue KPIs, complaints, follow-up coverage, predicted CLV and the tier mix."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from keepwise.metrics.catalogue import Kpi
from keepwise.metrics.context import Context
from keepwise.metrics.grid import grid
from keepwise.metrics.tables import null_key

UNSCORED = "unscored"


def customer_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    feats = set().union(*(k.features for k in kpis)) if kpis else set()
    g = grid(ctx, feats)
    return g.mutate(ref=ibis.null("string"), dimension=ctx.dim(g))


def tier_mix(ctx: Context, kpis: list[Kpi]) -> pd.DataFrame:
    """Share of customers at end and of revenue per value tier (scores' latest value_tier).

    The result's dimension is the tier, or "<value>/<tier>" when cut by another dimension;
    the denominator is the total of the cut's value (or of everything when uncut).
    """
    feats = set().union(*(k.features for k in kpis))
    g = grid(ctx, feats)
    cols = {"at_end": g.at_end.sum()}
    if "revenue" in feats:
        cols["rev_p"] = g.rev_p.sum()
    # Cut by tier, the mix is the uncut mix: each tier's share of the whole.
    dim = ibis.null("string") if ctx.by in (None, "tier") else ctx.dim(g)
    agg = g.group_by(
        "period_start", "period_end", dimension=dim, tier=g.tier.fill_null(UNSCORED)
    ).aggregate(**cols)
    df = agg.execute()
    keys = ["period_start", "period_end", "dimension"]
    out = []
    for k in kpis:
        col = k.num or "at_end"
        part = df[[*keys, "tier", col]].copy()
        part["_key"] = null_key(part["dimension"])
        totals = part.groupby(["period_start", "_key"])[col].transform("sum")
        label = (
            part["tier"]
            if ctx.by is None or ctx.by == "tier"
            else (part["dimension"].fillna("").astype(str) + "/" + part["tier"])
        )
        out.append(pd.DataFrame({
            "metric": k.id, "period_start": part["period_start"],
            "period_end": part["period_end"], "dimension": label,
            "numerator": part[col].astype(float), "denominator": totals.astype(float),
        }))  # fmt: skip
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()
