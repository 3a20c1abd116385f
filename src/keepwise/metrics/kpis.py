"""The KPI engine: compute any KPIs of the catalogue for every period of a range in one query
per KPI family, optionally cut by a customer dimension.

The result is a DataFrame with one row per KPI, period and dimension value: ``metric``,
``period_start``, ``period_end``, ``dimension`` (null when not cut), ``value``, ``numerator``,
``denominator``. A zero denominator gives a null value, never 0 or an error; counts and amounts
carry the value as numerator and no denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.metrics import kpis_activity as act
from keepwise.metrics import kpis_customers as cust
from keepwise.metrics import kpis_value as val
from keepwise.metrics.catalogue import CATALOGUE, Kpi, get_kpis
from keepwise.metrics.context import DEFAULT_WINBACK_DAYS, Context
from keepwise.metrics.tables import Tables, from_null_key, null_key

RESULT_COLUMNS = [
    "metric", "period_start", "period_end", "dimension", "value", "numerator", "denominator"
]  # fmt: skip
KEYS = ["period_start", "period_end", "dimension"]
_NO_DENOMINATOR = ("count", "amount", "quantile")

#: Families whose contributions are Ibis tables, one row per customer (or record) and period.
CONTRIBUTIONS: dict[str, Callable[[Context, list[Kpi]], ir.Table]] = {
    "customers": cust.customer_contributions,
    "acquisition": val.acquisition_contributions,
    "service": act.service_contributions,
    "surveys": act.survey_contributions,
    "leads": act.lead_contributions,
    "winback": act.winback_contributions,
}


def compute(
    tables: Tables,
    metrics: Sequence[str] | None = None,
    *,
    as_of: dt.date,
    grain: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
    churn: ChurnConfig | None = None,
    winback_days: int = DEFAULT_WINBACK_DAYS,
) -> pd.DataFrame:
    """KPIs (all when ``metrics`` is None) for every period of ``grain`` in ``[start, end)``."""
    kpis = get_kpis(list(metrics) if metrics else None)
    with Context.make(tables, as_of=as_of, grain=grain, start=start, end=end, by=by,
                      churn=churn, winback_days=winback_days) as ctx:  # fmt: skip
        return compute_in(ctx, kpis)


def compute_in(ctx: Context, kpis: list[Kpi]) -> pd.DataFrame:
    families: dict[str, list[Kpi]] = {}
    for k in kpis:
        families.setdefault(k.family, []).append(k)
    parts = _customer_parts(ctx, families.pop("customers", []), families.pop("tier_mix", []))
    parts += _value_parts(ctx, families.pop("acquisition", []), families.pop("clv_historical", []),
                          families.pop("clv_cac", []))  # fmt: skip
    for family, members in families.items():
        contrib = CONTRIBUTIONS[family](ctx, members)
        sums = [m for m in members if m.kind != "quantile"]
        if sums:
            parts.append(_sum_rows(sums, aggregate(contrib, _columns(sums))))
        quantiles = [m for m in members if m.kind == "quantile"]
        if quantiles:
            parts.append(_quantile_rows(contrib, quantiles))
    return finish(ctx, kpis, parts)


def _customer_parts(ctx: Context, plain: list[Kpi], tiers: list[Kpi]) -> list[pd.DataFrame]:
    """The grid KPIs and the tier mix from one aggregation."""
    if not plain and not tiers:
        return []
    sums = cust.customer_sums(ctx, plain + tiers)
    parts = [_sum_rows(plain, cust.untiered(sums))] if plain else []
    return parts + ([cust.tier_mix(ctx, tiers, sums)] if tiers else [])


def _value_parts(
    ctx: Context, cac: list[Kpi], hist: list[Kpi], ratio: list[Kpi]
) -> list[pd.DataFrame]:
    """cac, clv_historical and clv_cac_ratio, sharing their queries."""
    parts = []
    acquisition = clv = None
    if cac or ratio:
        acquisition = aggregate(val.acquisition_contributions(ctx, cac), val.ACQUISITION_SUMS)
        if cac:
            parts.append(_sum_rows(cac, acquisition))
    if hist or ratio:
        clv = val.clv_historical(ctx)
        if hist:
            parts.append(clv)
    if ratio and clv is not None and acquisition is not None:
        parts.append(val.clv_cac(acquisition, clv))
    return parts


def _columns(kpis: list[Kpi]) -> list[str]:
    cols = [c for k in kpis for c in (k.num, k.den) if c]
    return list(dict.fromkeys(cols))


def aggregate(contrib: ir.Table, columns: list[str]) -> pd.DataFrame:
    """Sum the contribution ``columns`` per period and dimension (one query)."""
    agg = contrib.group_by(*KEYS).aggregate(**{c: contrib[c].sum() for c in columns})
    return agg.execute()


def _sum_rows(kpis: list[Kpi], sums: pd.DataFrame) -> pd.DataFrame:
    out = []
    for k in kpis:
        assert k.num is not None
        num = sums[k.num].astype(float) * k.scale
        den = sums[k.den].astype(float) if k.den else pd.Series(np.nan, index=sums.index)
        out.append(sums[KEYS].assign(metric=k.id, numerator=num, denominator=den))
    return pd.concat(out, ignore_index=True)


def _quantile_rows(contrib: ir.Table, kpis: list[Kpi]) -> pd.DataFrame:
    """Percentiles of the items' values, computed in pandas so every backend agrees
    (linear interpolation between the closest ranks)."""
    rows = contrib.filter(contrib.hours.notnull()).select(*KEYS, "hours").execute()
    rows["_d"] = null_key(rows["dimension"])
    levels = {"response_time_median": 0.5, "response_time_p90": 0.9}
    out = []
    for k in kpis:
        q = rows.groupby(["period_start", "period_end", "_d"])["hours"].quantile(levels[k.id])
        frame = q.rename("numerator").reset_index()
        frame["dimension"] = from_null_key(frame["_d"])
        out.append(frame.drop(columns="_d").assign(metric=k.id, denominator=np.nan))
    return pd.concat(out, ignore_index=True)


def finish(ctx: Context, kpis: list[Kpi], parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Fill the periods without rows, compute values, order like the catalogue."""
    frames = [p for p in parts if not p.empty]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["dimension"] = df["dimension"].astype(object).where(df["dimension"].notna(), None)
    df = _fill_periods(ctx, kpis, df)
    kinds = df["metric"].map(lambda m: CATALOGUE[m].kind)
    den = df["denominator"].astype(float)
    ratio = df["numerator"].astype(float) / den.where(den != 0, np.nan)
    df["value"] = np.where(kinds.isin(_NO_DENOMINATOR), df["numerator"].astype(float), ratio)
    order = {k.id: i for i, k in enumerate(kpis)}
    df = df.assign(_o=df["metric"].map(order), _d=df["dimension"].fillna(""))
    df = df.sort_values(["_o", "period_start", "_d"], kind="stable")
    return df[RESULT_COLUMNS].reset_index(drop=True)


def _fill_periods(ctx: Context, kpis: list[Kpi], df: pd.DataFrame) -> pd.DataFrame:
    """Every KPI has a row for every period (and, when cut, every dimension value it has in
    any period): a period without customers gives 0 / 0, i.e. a null rate and a zero count."""
    per = pd.DataFrame({"period_start": [p.start for p in ctx.periods],
                        "period_end": [p.end for p in ctx.periods]})  # fmt: skip
    frames = []
    for k in kpis:
        mine = df[df["metric"] == k.id]
        # The tier mix's dimension is the tier, whether cut or not.
        observed = ctx.by is not None or k.family == "tier_mix"
        dims = mine["dimension"].drop_duplicates().tolist() if observed else [None]
        full = per.merge(pd.DataFrame({"dimension": dims}, dtype=object), how="cross")
        full["_d"] = null_key(full["dimension"])
        have = mine.assign(_d=null_key(mine["dimension"])).drop(columns="dimension")
        merged = full.merge(have, on=["period_start", "period_end", "_d"], how="left")
        if not k.additive:  # a median or a CLV of nothing is unknown, not 0 / 0
            fill = {}
        elif k.den is None:
            fill = {"numerator": 0.0}
        else:
            fill = {"numerator": 0.0, "denominator": 0.0}
        for col in ("numerator", "denominator"):
            merged[col] = pd.to_numeric(merged[col], errors="coerce").astype(float)
        merged = merged.fillna(fill).assign(metric=k.id)
        frames.append(merged.drop(columns="_d"))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else df
