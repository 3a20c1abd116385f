"""Plain-language churn drivers in 简体中文 and English.

A driver is ``(feature, value, contribution)``: the contribution's sign says whether the value
raises or lowers the churn risk. Features produced by Keepwise's feature builder get a sentence
that states the fact in business terms (``orders_90d`` against the customer's own yearly norm,
``days_to_contract_end`` …); any other column gets the generic ``feature = value`` sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from keepwise._core.i18n import Lang, register, t

# Contributions are on the log-odds scale; below this size a driver changes nothing visible.
NEGLIGIBLE = 0.01

register(
    {
        "drivers.effect.up": {
            "zh": "{fact}，使流失风险上升",
            "en": "{fact}, which raises the churn risk",
        },
        "drivers.effect.down": {
            "zh": "{fact}，使流失风险下降",
            "en": "{fact}, which lowers the churn risk",
        },
        "drivers.effect.none": {
            "zh": "{fact}，对流失风险影响很小",
            "en": "{fact}, which barely changes the churn risk",
        },
        "drivers.generic.up": {
            "zh": "{feature} = {value} 使流失风险上升",
            "en": "{feature} = {value} raises the churn risk",
        },
        "drivers.generic.down": {
            "zh": "{feature} = {value} 使流失风险下降",
            "en": "{feature} = {value} lowers the churn risk",
        },
        "drivers.generic.none": {
            "zh": "{feature} = {value} 对流失风险影响很小",
            "en": "{feature} = {value} barely changes the churn risk",
        },
        "drivers.missing": {"zh": "{feature} 缺失", "en": "{feature} is missing"},
        "drivers.orders_90d.count": {
            "zh": "近90天购买{value}次",
            "en": "{value} purchases in the last 90 days",
        },
        "drivers.orders_365d.count": {
            "zh": "近一年购买{value}次",
            "en": "{value} purchases in the last 12 months",
        },
        "drivers.purchases.below": {
            "zh": "近90天购买次数比过去一年平均下降{pct}%",
            "en": "purchases in the last 90 days are {pct} % below the customer's yearly average",
        },
        "drivers.purchases.above": {
            "zh": "近90天购买次数比过去一年平均高{pct}%",
            "en": "purchases in the last 90 days are {pct} % above the customer's yearly average",
        },
        "drivers.purchases.same": {
            "zh": "近90天购买次数与过去一年平均持平",
            "en": "purchases in the last 90 days match the customer's yearly average",
        },
        "drivers.last_order.days": {
            "zh": "距上次下单已{value}天",
            "en": "the last order was {value} days ago",
        },
        "drivers.last_order.vs_norm": {
            "zh": "距上次下单已{value}天，是该客户平时间隔的{ratio}倍",
            "en": "the last order was {value} days ago, {ratio}× the customer's usual gap",
        },
        "drivers.gap_vs_norm": {
            "zh": "当前未下单的间隔是该客户平时间隔的{value}倍",
            "en": "the current gap without orders is {value}× the customer's usual interval",
        },
        "drivers.complaints.some": {
            "zh": "近90天投诉{value}次",
            "en": "{value} complaints in the last 90 days",
        },
        "drivers.complaints.none": {
            "zh": "近90天没有投诉",
            "en": "no complaints in the last 90 days",
        },
        "drivers.csat_last": {
            "zh": "最近一次满意度评分为{value}",
            "en": "the latest satisfaction score is {value}",
        },
        "drivers.csat_change.down": {
            "zh": "满意度下降了{value}分",
            "en": "satisfaction fell by {value} points",
        },
        "drivers.csat_change.up": {
            "zh": "满意度上升了{value}分",
            "en": "satisfaction rose by {value} points",
        },
        "drivers.csat_change.same": {"zh": "满意度没有变化", "en": "satisfaction is unchanged"},
        "drivers.followup": {
            "zh": "已{value}天未跟进",
            "en": "no follow-up for {value} days",
        },
        "drivers.owner.departed": {
            "zh": "客户方对接人已离职",
            "en": "the customer's contact person has left",
        },
        "drivers.owner.present": {
            "zh": "客户方对接人仍在职",
            "en": "the customer's contact person is still in place",
        },
        "drivers.tenure_days": {"zh": "成为客户{value}天", "en": "customer for {value} days"},
        "drivers.contract_end.ahead": {
            "zh": "合同将在{value}天后到期",
            "en": "the contract ends in {value} days",
        },
        "drivers.contract_end.past": {
            "zh": "合同已到期{value}天",
            "en": "the contract ended {value} days ago",
        },
        "drivers.visits.below": {
            "zh": "到访次数比平时下降{pct}%",
            "en": "visits are {pct} % below the usual level",
        },
        "drivers.visits.above": {
            "zh": "到访次数比平时增加{pct}%",
            "en": "visits are {pct} % above the usual level",
        },
        "drivers.visits.same": {"zh": "到访次数与平时持平", "en": "visits match the usual level"},
        "drivers.p_alive": {
            "zh": "客户仍活跃的概率为{pct}%",
            "en": "the probability that the customer is still active is {pct} %",
        },
    }
)

Fact = tuple[str, dict[str, object]]


def fmt_number(value: float) -> str:
    """``12`` for whole numbers, else at most two decimals (``2.5``, ``0.33``)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.3g}"
    if value == round(value):
        return str(round(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(share: float) -> str:
    """``0.6`` -> ``"60"`` (whole per cent)."""
    value = share * 100.0
    return fmt_number(float(np.round(value))) if math.isfinite(value) else fmt_number(value)


def _ratio_fact(prefix: str, ratio: float) -> Fact:
    """Ratios near 1 read as "the same"; otherwise as a percentage above or below."""
    if abs(1.0 - ratio) < 0.05:
        return f"{prefix}.same", {}
    return f"{prefix}.{'below' if ratio < 1 else 'above'}", {"pct": _pct(abs(1.0 - ratio))}


def _orders_90d(value: float, reference: float | None) -> Fact:
    if reference is not None and reference > 0:
        return _ratio_fact("drivers.purchases", value / reference)
    return "drivers.orders_90d.count", {"value": fmt_number(value)}


def _days_since_last_order(value: float, reference: float | None) -> Fact:
    if reference is not None and reference > 0:
        ratio = fmt_number(round(value / reference, 1))
        return "drivers.last_order.vs_norm", {"value": fmt_number(value), "ratio": ratio}
    return "drivers.last_order.days", {"value": fmt_number(value)}


def _csat_change(value: float, reference: float | None) -> Fact:
    if value == 0:
        return "drivers.csat_change.same", {}
    key = "drivers.csat_change.down" if value < 0 else "drivers.csat_change.up"
    return key, {"value": fmt_number(abs(value))}


def _contract_end(value: float, reference: float | None) -> Fact:
    key = "drivers.contract_end.ahead" if value >= 0 else "drivers.contract_end.past"
    return key, {"value": fmt_number(abs(value))}


def _simple(key: str) -> Callable[[float, float | None], Fact]:
    return lambda value, reference: (key, {"value": fmt_number(value)})


_FACTS: dict[str, Callable[[float, float | None], Fact]] = {
    "orders_90d": _orders_90d,
    "orders_365d": _simple("drivers.orders_365d.count"),
    "purchase_trend_90d_vs_365d": lambda v, r: _ratio_fact("drivers.purchases", v),
    "days_since_last_order": _days_since_last_order,
    "gap_vs_norm": lambda v, r: ("drivers.gap_vs_norm", {"value": fmt_number(round(v, 1))}),
    "complaints_90d": lambda v, r: (
        ("drivers.complaints.none", {})
        if v == 0
        else ("drivers.complaints.some", {"value": fmt_number(v)})
    ),
    "csat_last": _simple("drivers.csat_last"),
    "csat_change": _csat_change,
    "days_since_followup": _simple("drivers.followup"),
    "owner_departed": lambda v, r: (f"drivers.owner.{'departed' if v else 'present'}", {}),
    "tenure_days": _simple("drivers.tenure_days"),
    "days_to_contract_end": _contract_end,
    "visits_trend": lambda v, r: _ratio_fact("drivers.visits", v),
    "p_alive": lambda v, r: ("drivers.p_alive", {"pct": _pct(v)}),
}


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA-like floats
    except (TypeError, ValueError):
        return False


def _effect(contribution: float) -> str:
    if abs(contribution) < NEGLIGIBLE:
        return "none"
    return "up" if contribution > 0 else "down"


def describe(
    feature: str,
    value: Any,
    contribution: float,
    reference: float | None = None,
    lang: Lang | str = "en",
) -> str:
    """One sentence: the fact about ``feature`` and whether it raises or lowers the risk.

    ``reference`` is the customer's own norm where a template uses one (for ``orders_90d`` the
    usual number of orders per 90 days, for ``days_since_last_order`` the usual gap in days).
    """
    effect = _effect(contribution)
    if _is_missing(value):
        fact = t("drivers.missing", lang, feature=feature)
        return t(f"drivers.effect.{effect}", lang, fact=fact)
    number = _as_float(value)
    template = _FACTS.get(feature)
    if template is not None and number is not None:
        key, params = template(number, reference)
        return t(f"drivers.effect.{effect}", lang, fact=t(key, lang, **params))
    shown = fmt_number(number) if number is not None and not isinstance(value, str) else value
    return t(f"drivers.generic.{effect}", lang, feature=feature, value=shown)


def describe_both(
    feature: str, value: Any, contribution: float, reference: float | None = None
) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` for one driver."""
    return {lang: describe(feature, value, contribution, reference, lang) for lang in ("zh", "en")}


def reference_for(feature: str, row: Mapping[str, Any]) -> float | None:
    """The customer's own norm for ``feature`` when the same row holds what it needs."""
    if feature == "orders_90d":
        yearly = _as_float(row.get("orders_365d"))
        return None if yearly is None else yearly * 90.0 / 365.0
    if feature == "days_since_last_order":
        days, ratio = _as_float(row.get(feature)), _as_float(row.get("gap_vs_norm"))
        if days is not None and ratio:
            return days / ratio
    return None
