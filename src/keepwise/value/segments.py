"""RFM scores and segments, value tiers and the Pareto share (pure pandas on a summary).

**Scores.** Each of R, F and M gets a quintile score 1-5:
``score = 1 + floor(5 × share of customers strictly worse)`` (capped at 5). With distinct
values this is exactly the quintile (20 % per score); tied customers always share a score, so
all one-time buyers have F = 1. R is measured by the time since the last purchase (shorter is
better), F by the number of purchase days, M by the total spend before ``as_of``.

**Segments.** A score at or above ``rfm_high_score`` (default 3) is *high*; the eight
combinations of high/low R, F, M are the classic RFM segments:

| R | F | M | code | 中文 | English |
|---|---|---|---|---|---|
| high | high | high | champions | 重要价值客户 | Champions |
| high | low | high | potential_loyalists | 重要发展客户 | Potential loyalists |
| low | high | high | need_attention | 重要保持客户 | Need attention |
| low | low | high | at_risk | 重要挽留客户 | At risk |
| high | high | low | loyal | 一般价值客户 | Loyal, low spend |
| high | low | low | promising | 一般发展客户 | Promising |
| low | high | low | hibernating | 一般保持客户 | Hibernating |
| low | low | low | lost | 流失客户 | Lost |

**Tiers.** high / mid / low / no_value by a value column (predicted CLV or trailing revenue),
for the customers with enough history who are still customers:

* a customer churned or voided at ``as_of`` (the workspace's churn definition) gets no tier —
  a lost customer is never "high value", whatever their past;
* a customer acquired fewer than ``new_customer_days`` days before ``as_of`` is ``new``: a
  predicted CLV from a few days of history is the population's prior, not the customer's value;
* of the others, a value at or below ``no_value_at_most`` is ``no_value``; a value at or above
  the ``tier_high`` cut-off is ``high``, at or above ``tier_mid`` is ``mid``, else ``low``. With
  ``tier_cutoffs = "quantile"`` the cut-offs are those quantiles (linear interpolation) of these
  customers' values above ``no_value_at_most``; with ``"absolute"`` they are amounts.

**Pareto share.** The share of revenue from the top 20 % of customers by revenue (the top
``ceil(0.2 n)``); always between 0.2 and 1 when revenue is non-negative and not all zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from keepwise._core.i18n import register
from keepwise.value.settings import ValueSettings

#: (R high, F high, M high) → segment code.
SEGMENT_RULES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "champions",
    (True, False, True): "potential_loyalists",
    (False, True, True): "need_attention",
    (False, False, True): "at_risk",
    (True, True, False): "loyal",
    (True, False, False): "promising",
    (False, True, False): "hibernating",
    (False, False, False): "lost",
}
SEGMENT_LABELS: dict[str, tuple[str, str]] = {
    "champions": ("重要价值客户", "Champions"),
    "potential_loyalists": ("重要发展客户", "Potential loyalists"),
    "need_attention": ("重要保持客户", "Need attention"),
    "at_risk": ("重要挽留客户", "At risk"),
    "loyal": ("一般价值客户", "Loyal, low spend"),
    "promising": ("一般发展客户", "Promising"),
    "hibernating": ("一般保持客户", "Hibernating"),
    "lost": ("流失客户", "Lost"),
}
TIERS = ("high", "mid", "low", "no_value", "new")
TIER_LABELS: dict[str, tuple[str, str]] = {
    "high": ("高价值客户", "High value"),
    "mid": ("中等价值客户", "Mid value"),
    "low": ("低价值客户", "Low value"),
    "no_value": ("无价值客户", "No value"),
    "new": ("新客户（历史不足）", "New (too little history)"),
}
register({f"value.segment.{k}": {"zh": zh, "en": en} for k, (zh, en) in SEGMENT_LABELS.items()})
register({f"value.tier.{k}": {"zh": zh, "en": en} for k, (zh, en) in TIER_LABELS.items()})


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1 + floor(5 × share of values strictly worse), in 1..5; ties share a score."""
    v = values.astype(float) if higher_is_better else -values.astype(float)
    n = len(v)
    if n == 0:
        return pd.Series([], index=values.index, dtype="int64")
    worse = v.rank(method="min").to_numpy() - 1.0
    score = 1 + np.floor(5.0 * worse / n).astype("int64")
    return pd.Series(np.minimum(score, 5), index=values.index, dtype="int64")


def rfm_scores(summary: pd.DataFrame, high_score: int = 3) -> pd.DataFrame:
    """``rfm_r``, ``rfm_f``, ``rfm_m`` and ``rfm_segment`` for a summary with ``frequency``,
    ``recency``, ``T`` and ``revenue`` (any time unit), indexed like it."""
    since_last = summary["T"] - summary["recency"]
    out = pd.DataFrame(index=summary.index)
    out["rfm_r"] = quintile_score(since_last, higher_is_better=False)
    out["rfm_f"] = quintile_score(summary["frequency"] + 1)
    out["rfm_m"] = quintile_score(summary["revenue"])
    highs = zip(out["rfm_r"] >= high_score, out["rfm_f"] >= high_score,
                out["rfm_m"] >= high_score, strict=True)  # fmt: skip
    out["rfm_segment"] = [SEGMENT_RULES[h] for h in highs]
    return out


def tier_cutoffs(values: pd.Series, settings: ValueSettings) -> tuple[float, float]:
    """The (high, mid) cut-offs of :func:`assign_tiers`."""
    if settings.tier_cutoffs == "absolute":
        return settings.tier_high, settings.tier_mid
    valued = values[values > settings.no_value_at_most].astype(float)
    if valued.empty:
        return math.inf, math.inf
    high, mid = np.quantile(valued, [settings.tier_high, settings.tier_mid])
    return float(high), float(mid)


def assign_tiers(
    values: pd.Series,
    settings: ValueSettings,
    *,
    lost: pd.Series | None = None,
    new: pd.Series | None = None,
) -> pd.Series:
    """``high`` / ``mid`` / ``low`` / ``no_value`` per value (a missing value counts as 0);
    ``new`` where ``new`` is true and no tier (None) where ``lost`` is true (boolean Series
    indexed like ``values``; the cut-offs are taken over the others only)."""
    v = values.astype(float).fillna(0.0)
    lost_mask = _mask(lost, values.index)
    new_mask = _mask(new, values.index) & ~lost_mask
    high, mid = tier_cutoffs(v[~lost_mask & ~new_mask], settings)
    tiers = np.full(len(v), "low", dtype=object)
    tiers[(v >= mid).to_numpy()] = "mid"
    tiers[(v >= high).to_numpy()] = "high"
    tiers[(v <= settings.no_value_at_most).to_numpy()] = "no_value"
    tiers[new_mask] = "new"
    tiers[lost_mask] = None
    return pd.Series(tiers, index=values.index, dtype="object")


def _mask(flags: pd.Series | None, index: pd.Index) -> np.ndarray:
    if flags is None:
        return np.zeros(len(index), dtype=bool)
    return flags.reindex(index).fillna(False).to_numpy(dtype=bool)


def tier_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per tier: customers, their share, revenue, its share, profit contribution (columns
    ``value_tier``, ``revenue``, ``profit_contribution`` of ``frame``); every tier listed."""
    g = frame.groupby("value_tier")
    out = pd.DataFrame({
        "customers": g.size(),
        "revenue": g["revenue"].sum(),
        "profit_contribution": g["profit_contribution"].sum(),
    }).reindex(list(TIERS), fill_value=0)  # fmt: skip
    out.index.name = "value_tier"
    total_n, total_rev = out["customers"].sum(), out["revenue"].sum()
    out["customer_share"] = out["customers"] / total_n if total_n else np.nan
    out["revenue_share"] = out["revenue"] / total_rev if total_rev else np.nan
    return out.reset_index()


def pareto_share(revenue: pd.Series, top: float = 0.2) -> float | None:
    """Share of the total revenue from the top ``ceil(top × n)`` customers; None if no revenue."""
    r = revenue.astype(float).fillna(0.0).to_numpy()
    total = float(r.sum())
    if r.size == 0 or total <= 0:
        return None
    k = math.ceil(top * r.size - 1e-9)
    return float(np.sort(r)[::-1][:k].sum() / total)


def segment_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per RFM segment: customers, share, revenue, share (columns ``rfm_segment``, ``revenue``)."""
    g = frame.groupby("rfm_segment")
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum()})
    out = out.reindex(list(SEGMENT_LABELS), fill_value=0)
    out.index.name = "rfm_segment"
    n, rev = out["customers"].sum(), out["revenue"].sum()
    out["customer_share"] = out["customers"] / n if n else np.nan
    out["revenue_share"] = out["revenue"] / rev if rev else np.nan
    return out.reset_index()
