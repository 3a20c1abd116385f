"""KPI families over the customer × period grid: the customer counts, churn, retention, voids,
revenue KPIs, complaints, follow-up coverage, predicted CLV and the tier mix.

All of them come from one aggregation of the grid per period, cut value and value tier; the
tier mix reads the tiers, every other KPI their total.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from keepwise.metrics.catalogue import Kpi
from keepwise.metrics.context import Context
from keepwise.metrics.grid import grid
from keepwise.metrics.tables import from_null_key, null_key

UNSCORED = "unscored"
KEYS = ["period_start", "period_end", "dimension"]


def customer_contributions(ctx: Context, kpis: list[Kpi]) -> ir.Table:
    g = grid(ctx, set().union(*(k.features for k in kpis)) if kpis else set())
    return g.mutate(ref=ibis.null("string"), dimension=ctx.dim(g))


def customer_sums(ctx: Context, kpis: list[Kpi]) -> pd.DataFrame:
    """The needed grid columns summed per period, cut value and tier (one query)."""
    g = customer_contributions(ctx, kpis)
    cols = list(dict.fromkeys(c for k in kpis for c in (k.num, k.den) if c))
    sums = {c: g[c].sum() for c in cols}
    df = g.group_by(*KEYS, tier=g.tier.fill_null(UNSCORED)).aggregate(**sums).execute()
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def untiered(sums: pd.DataFrame) -> pd.DataFrame:
    """The sums per period and cut value, all tiers together."""
    df = sums.assign(_key=null_key(sums["dimension"]))
    cols = [c for c in df.columns if c not in (*KEYS, "tier", "_key")]
    out = df.groupby(["period_start", "period_end", "_key"], as_index=False)[cols].sum()
    out["dimension"] = from_null_key(out.pop("_key"))
    return out


def tier_mix(ctx: Context, kpis: list[Kpi], sums: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Share of customers at end and of revenue per value tier (scores' latest value_tier).

    The result's dimension is the tier, or "<value>/<tier>" when cut (``by``, the cut of
    ``sums``) by another dimension; the denominator is the total of the cut's value (or of
    everything when uncut).
    """
    if by == "tier":  # cut by tier, the mix is the uncut mix: each tier's share of all
        sums = sums.assign(dimension=None)
    df = _every_tier(ctx, sums)
    out = []
    for k in kpis:
        col = k.num or "at_end"
        totals = df.groupby(["period_start", "_key"])[col].transform("sum")
        label = df["tier"] if by in (None, "tier") else (
            df["dimension"].fillna("").astype(str) + "/" + df["tier"])  # fmt: skip
        out.append(pd.DataFrame({
            "metric": k.id, "period_start": df["period_start"], "period_end": df["period_end"],
            "dimension": label, "numerator": df[col].astype(float),
            "denominator": totals.astype(float),
        }))  # fmt: skip
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _every_tier(ctx: Context, sums: pd.DataFrame) -> pd.DataFrame:
    """A row for every period, cut value and tier seen anywhere, zero where none: a tier's
    share in a period without it is 0, and a period without customers is 0 / 0."""
    cols = [c for c in sums.columns if c not in (*KEYS, "tier")]
    df = sums.assign(_key=null_key(sums["dimension"]))
    df = df.groupby(["period_start", "period_end", "_key", "tier"], as_index=False)[cols].sum()
    periods = pd.DataFrame([(p.start, p.end) for p in ctx.periods],
                           columns=["period_start", "period_end"])  # fmt: skip
    # object columns even when empty: merging an empty (float) key on an object one fails
    cuts = pd.DataFrame({"_key": pd.Series(sorted(set(df["_key"])), dtype=object)})
    tiers = pd.DataFrame({"tier": pd.Series(sorted(set(df["tier"])), dtype=object)})
    full = periods.merge(cuts, how="cross").merge(tiers, how="cross")
    full = full.merge(df, on=["period_start", "period_end", "_key", "tier"], how="left")
    full["dimension"] = from_null_key(full["_key"])
    return full.fillna({c: 0.0 for c in cols})
