"""The KPI engine: compute any KPIs of the catalogue for every period of a range in one query
per KPI family, optionally cut by a customer dimension.

The result is a DataFrame with one row per KPI, period and dimension value: ``metric``,
``period_start``, ``period_end``, ``dimension`` (null when not cut), ``value``, ``numerator``,
``denominator``. A zero denominator gives a null value, never 0 or an error; counts and amounts
carry the value as numerator and no denominator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    trailing: bool = False,
) -> pd.DataFrame:
    """KPIs (all when ``metrics`` is None) for every period of ``grain`` in ``[start, end)``,
    or with ``trailing`` for the one window of ``grain`` before ``as_of``."""
    return compute_cuts(tables, metrics, cuts=[by], as_of=as_of, grain=grain, start=start,
                        end=end, churn=churn, winback_days=winback_days,
                        trailing=trailing)[by]  # fmt: skip


def compute_cuts(
    tables: Tables,
    metrics: Sequence[str] | None = None,
    *,
    cuts: Sequence[str | None],
    as_of: dt.date,
    grain: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    churn: ChurnConfig | None = None,
    winback_days: int = DEFAULT_WINBACK_DAYS,
    trailing: bool = False,
) -> dict[str | None, pd.DataFrame]:
    """The same KPIs for several cuts (None: uncut) → one result per cut, each as
    :func:`compute` gives it. The uncut result comes from the first dimension's pass: every
    numerator and denominator is a sum over customers or records, so the totals are the sums of
    the cut's sums (quantiles are taken again over all the items), with no second pass."""
    kpis = get_kpis(list(metrics) if metrics else None)
    wanted = list(dict.fromkeys(cuts))
    dims: list[str | None] = [c for c in wanted if c is not None]
    results: dict[str | None, pd.DataFrame] = {}
    for dim in dims or [None]:
        with Context.make(tables, as_of=as_of, grain=grain, start=start, end=end, by=dim,
                          churn=churn, winback_days=winback_days,
                          trailing=trailing) as ctx:  # fmt: skip
            results.update(compute_in(ctx, kpis, total=None in wanted and None not in results))
    return {c: results[c] for c in wanted}


@dataclass(frozen=True)
class Sums:
    """Sums per period (or window), cut value and ``keys``, or with ``items`` the items
    themselves (for quantiles): what the totals of a cut are computed from."""

    frame: pd.DataFrame
    keys: tuple[str, ...] = ("period_start", "period_end")
    items: bool = False

    def total(self) -> Sums:
        """The same, all cut values together (dimension null)."""
        if self.items:
            return dataclasses.replace(self, frame=self.frame.assign(dimension=None))
        cols = [c for c in self.frame.columns if c not in (*self.keys, "dimension")]
        df = self.frame.groupby(list(self.keys), as_index=False)[cols].sum()
        return dataclasses.replace(self, frame=df.assign(dimension=None))


#: A family's part of the result: its sums, and the rows (KPI values) they give under a cut.
Part = tuple[list[Sums], Callable[[list[Sums], str | None], pd.DataFrame]]


def compute_in(
    ctx: Context, kpis: list[Kpi], total: bool = False
) -> dict[str | None, pd.DataFrame]:
    """The KPIs under the context's cut (and, with ``total`` and a cut, also uncut)."""
    parts = family_parts(ctx, kpis)
    out = {ctx.by: finish(ctx, kpis, [rows(sums, ctx.by) for sums, rows in parts], ctx.by)}
    if total and ctx.by is not None:
        totals = [rows([s.total() for s in sums], None) for sums, rows in parts]
        out[None] = finish(ctx, kpis, totals, None)
    return out


def family_parts(ctx: Context, kpis: list[Kpi]) -> list[Part]:
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
            parts.append(([Sums(aggregate(contrib, _columns(sums)))], _summed(sums)))
        quantiles = [m for m in members if m.kind == "quantile"]
        if quantiles:
            items = contrib.filter(contrib.hours.notnull()).select(*KEYS, "hours").execute()
            parts.append(([Sums(items, items=True)], _quantiled(quantiles)))
    return parts


def _summed(kpis: list[Kpi]) -> Callable[[list[Sums], str | None], pd.DataFrame]:
    return lambda sums, by: _sum_rows(kpis, sums[0].frame)


def _quantiled(kpis: list[Kpi]) -> Callable[[list[Sums], str | None], pd.DataFrame]:
    return lambda items, by: _quantile_rows(items[0].frame, kpis)


def _customer_parts(ctx: Context, plain: list[Kpi], tiers: list[Kpi]) -> list[Part]:
    """The grid KPIs and the tier mix from one aggregation."""
    if not plain and not tiers:
        return []

    def rows(s: list[Sums], by: str | None) -> pd.DataFrame:
        sums = s[0].frame
        parts = [_sum_rows(plain, cust.untiered(sums))] if plain else []
        parts += [cust.tier_mix(ctx, tiers, sums, by)] if tiers else []
        return pd.concat(parts, ignore_index=True)

    keys = ("period_start", "period_end", "tier")
    return [([Sums(cust.customer_sums(ctx, plain + tiers), keys)], rows)]


def _value_parts(ctx: Context, cac: list[Kpi], hist: list[Kpi], ratio: list[Kpi]) -> list[Part]:
    """cac, clv_historical and clv_cac_ratio, sharing their queries."""
    parts: list[Part] = []
    acquisition = clv = None
    if cac or ratio:
        contrib = val.acquisition_contributions(ctx, cac)
        acquisition = Sums(aggregate(contrib, val.ACQUISITION_SUMS))
        if cac:
            parts.append(([acquisition], _summed(cac)))
    if hist or ratio:
        windows, frame = val.clv_sums(ctx)
        clv = Sums(frame, ("w_start", "w_end"))
        if hist:
            parts.append(([clv], lambda s, by: val.clv_rows(windows, s[0].frame)))
    if ratio and clv is not None and acquisition is not None:
        parts.append(([acquisition, clv], lambda s, by: val.clv_cac(
            s[0].frame, val.clv_rows(windows, s[1].frame))))  # fmt: skip
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


def _quantile_rows(rows: pd.DataFrame, kpis: list[Kpi]) -> pd.DataFrame:
    """Percentiles of the items' values (``rows``: KEYS and hours), computed in pandas so
    every backend agrees (linear interpolation between the closest ranks)."""
    rows = rows.assign(_d=null_key(rows["dimension"]))
    levels = {"response_time_median": 0.5, "response_time_p90": 0.9}
    out = []
    for k in kpis:
        q = rows.groupby(["period_start", "period_end", "_d"])["hours"].quantile(levels[k.id])
        frame = q.rename("numerator").reset_index()
        frame["dimension"] = from_null_key(frame["_d"])
        out.append(frame.drop(columns="_d").assign(metric=k.id, denominator=np.nan))
    return pd.concat(out, ignore_index=True)


def finish(
    ctx: Context, kpis: list[Kpi], parts: list[pd.DataFrame], by: str | None
) -> pd.DataFrame:
    """Fill the periods without rows, compute values, order like the catalogue (``by``: the
    cut of ``parts``)."""
    frames = [p for p in parts if not p.empty]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["dimension"] = df["dimension"].astype(object).where(df["dimension"].notna(), None)
    df = _fill_periods(ctx, kpis, df, by)
    kinds = df["metric"].map(lambda m: CATALOGUE[m].kind)
    den = df["denominator"].astype(float)
    ratio = df["numerator"].astype(float) / den.where(den != 0, np.nan)
    df["value"] = np.where(kinds.isin(_NO_DENOMINATOR), df["numerator"].astype(float), ratio)
    order = {k.id: i for i, k in enumerate(kpis)}
    df = df.assign(_o=df["metric"].map(order), _d=df["dimension"].fillna(""))
    df = df.sort_values(["_o", "period_start", "_d"], kind="stable")
    return df[RESULT_COLUMNS].reset_index(drop=True)


def _fill_periods(ctx: Context, kpis: list[Kpi], df: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Every KPI has a row for every period (and, when cut, every dimension value it has in
    any period): a period without customers gives 0 / 0, i.e. a null rate and a zero count."""
    per = pd.DataFrame({"period_start": [p.start for p in ctx.periods],
                        "period_end": [p.end for p in ctx.periods]})  # fmt: skip
    frames = []
    for k in kpis:
        mine = df[df["metric"] == k.id]
        # The tier mix's dimension is the tier, whether cut or not.
        observed = by is not None or k.family == "tier_mix"
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
