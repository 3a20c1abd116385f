"""Plain-language churn drivers in 简体中文 and English.

A driver is ``(feature, value, contribution)``: the contribution's sign says whether the value
raises or lowers the churn risk. Every feature of Keepwise's feature builder
(``keepwise.risk.features.FEATURES``) gets a sentence in business terms, for a present value,
a missing one and each category; any other column (a user's own table) gets the generic
``feature = value`` sentence, since its name is the user's own word.

Common sense: each fact has a *leaning* — whether it points to a higher risk by itself (a drop
against the customer's own norm, a complaint, our account manager gone) or to a lower one
(recent purchases). Counts are compared with the customer's own norm where the same row holds
it ("75 purchases in the last 12 months, but only 5 in the last 90 days"). When the model's
reading goes against a fact's leaning — a tree model may give many yearly purchases a positive
contribution through its interactions with the other columns — the sentence says that the
model counts the fact so *taken with the customer's other figures*, instead of claiming that
many purchases raise the risk.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from keepwise._core.i18n import Lang, has, t
from keepwise.models import driver_texts  # noqa: F401  (registers the sentences)

# Contributions are on the log-odds scale; below this size a driver changes nothing visible.
NEGLIGIBLE = 0.01


class Term(NamedTuple):
    """A parameter that is itself a message key (translated into the sentence's language)."""

    key: str


#: ``(message key, parameters, leaning)``; leaning +1: the fact by itself points to a higher
#: churn risk, -1 to a lower one, 0 neither.
Fact = tuple[str, dict[str, object], int]
FactFn = Callable[[float, float | None], Fact]


def fmt_number(value: float) -> str:
    """``12`` for whole numbers, else at most two decimals (``2.5``, ``0.33``); thousands
    grouped (``12,500``)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.3g}"
    if value == round(value):
        return f"{round(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(share: float) -> str:
    """``0.6`` -> ``"60"`` (whole per cent)."""
    value = share * 100.0
    return fmt_number(float(np.round(value))) if math.isfinite(value) else fmt_number(value)


def _amount(value: float) -> dict[str, object]:
    return {"value": fmt_number(value), "s": "" if value == 1 else "s"}


def _lean(ratio: float, high: float = 1.2, low: float = 0.8) -> int:
    return 1 if ratio >= high else -1 if ratio <= low else 0


def _vs_norm(feature: str, more_is_safer: int, plain: int = 0) -> FactFn:
    """A count or amount: none, against the customer's usual pace (``reference``: the usual
    amount for the same window), or plain. ``more_is_safer``: +1 when more of it normally
    means less risk (purchases), -1 when more means more risk (complaints), 0 neither;
    ``plain``: the leaning of a count without a norm (whether 3 purchases are many depends
    on the customer, 3 complaints are a bad sign anyway)."""
    base = f"drivers.fact.{feature}"

    def fact(value: float, norm: float | None) -> Fact:
        if value <= 0:
            return f"{base}.none", {}, more_is_safer
        # Against a norm below one per window, percentages mislead ("306 % above" for the
        # year's single purchase): the plain count says it better.
        if norm is None or norm < 1:
            return f"{base}.count", _amount(value), plain
        ratio = value / norm
        if abs(1.0 - ratio) < 0.05:
            return f"{base}.usual", _amount(value), 0
        params = _amount(value) | {"pct": _pct(abs(1.0 - ratio))}
        if ratio < 1:
            return f"{base}.fewer", params, more_is_safer
        return f"{base}.more", params, -more_is_safer

    return fact


def _window_total(feature: str, recent_share: float) -> FactFn:
    """A window's total (twelve months' purchases); ``reference``: its most recent part (the
    last 90 days, ``recent_share`` of the window). A recent pace below the window's reads as
    the drop it is; otherwise the total is the customer keeping up their pace, which by
    itself points to a lower risk."""
    none = _vs_norm(feature, 1)

    def fact(value: float, recent: float | None) -> Fact:
        if value <= 0:
            return none(value, None)
        if recent is not None and recent < 0.95 * value * recent_share:
            if recent <= 0:
                return f"drivers.fact.{feature}.drop_none", _amount(value), 1
            params = _amount(value) | {"recent": fmt_number(recent)}
            return f"drivers.fact.{feature}.drop", params, 1
        return f"drivers.fact.{feature}.count", _amount(value), -1 if recent is not None else 0

    return fact


def _ratio_fact(prefix: str) -> FactFn:
    """Ratios near 1 read as "the same"; otherwise as a percentage above or below."""

    def fact(ratio: float, reference: float | None) -> Fact:
        if abs(1.0 - ratio) < 0.05:
            return f"{prefix}.same", {}, 0
        params: dict[str, object] = {"pct": _pct(abs(1.0 - ratio))}
        return (f"{prefix}.below", params, 1) if ratio < 1 else (f"{prefix}.above", params, -1)

    return fact


def _days_since_last_order(value: float, norm: float | None) -> Fact:
    if value < 1:
        return "drivers.fact.last_order.today", {}, -1
    if norm is not None and norm > 0:
        ratio = round(value / norm, 1)
        params = _amount(value) | {"ratio": fmt_number(ratio)}
        return "drivers.fact.last_order.vs_norm", params, _lean(ratio)
    return "drivers.fact.last_order.days", _amount(value), 0


def _csat_change(value: float, reference: float | None) -> Fact:
    if value == 0:
        return "drivers.fact.csat_change.same", {}, 0
    if value < 0:
        return "drivers.fact.csat_change.down", _amount(abs(value)), 1
    return "drivers.fact.csat_change.up", _amount(value), -1


def _days_since_followup(value: float, reference: float | None) -> Fact:
    if value < 1:
        return "drivers.fact.followup.today", {}, 0
    return "drivers.fact.followup.days", _amount(value), 0


def _contract_end(value: float, reference: float | None) -> Fact:
    if value == 0:
        return "drivers.fact.contract_end.today", {}, 0
    key = "drivers.fact.contract_end.ahead" if value > 0 else "drivers.fact.contract_end.past"
    return key, _amount(abs(value)), 0


def _flag(yes: str, no: str) -> FactFn:
    """A 0/1 flag whose 1 points to a higher risk."""
    return lambda v, r: (yes, {}, 1) if v >= 0.5 else (no, {}, -1)


def _simple(key: str, leaning: int = 0) -> FactFn:
    return lambda value, reference: (key, _amount(value), leaning)


_FACTS: dict[str, FactFn] = {
    "days_since_last_order": _days_since_last_order,
    "orders_30d": _vs_norm("orders_30d", 1),
    "orders_90d": _vs_norm("orders_90d", 1),
    "orders_365d": _window_total("orders_365d", 90.0 / 365.0),
    "spend_30d": _vs_norm("spend_30d", 1),
    "spend_90d": _vs_norm("spend_90d", 1),
    "spend_365d": _window_total("spend_365d", 90.0 / 365.0),
    "purchase_trend_90d_vs_365d": _ratio_fact("drivers.fact.purchases"),
    "gap_vs_norm": lambda v, r: (
        ("drivers.fact.last_order.today", {}, -1)
        if v <= 0
        else (
            "drivers.fact.gap_vs_norm",
            {"value": fmt_number(round(v, 1 if v >= 1 else 2))},
            _lean(v),
        )
    ),
    "visits_30d": _vs_norm("visits_30d", 1),
    "visits_90d": _vs_norm("visits_90d", 1),
    "minutes_30d": _vs_norm("minutes_30d", 1),
    "minutes_90d": _window_total("minutes_90d", 30.0 / 90.0),
    "visits_trend": _ratio_fact("drivers.fact.visits"),
    "complaints_90d": _vs_norm("complaints_90d", -1, plain=1),
    "tickets_90d": _vs_norm("tickets_90d", 0),
    "response_hours_90d": lambda v, r: (
        "drivers.fact.response_hours",
        {"value": fmt_number(round(v, 1))},
        0,
    ),
    "csat_last": _simple("drivers.fact.csat_last"),
    "csat_change": _csat_change,
    "days_since_followup": _days_since_followup,
    "followups_90d": _vs_norm("followups_90d", 1, plain=-1),
    "owner_departed": _flag("drivers.fact.owner.departed", "drivers.fact.owner.present"),
    "at_risk": _flag("drivers.fact.at_risk.yes", "drivers.fact.at_risk.no"),
    "tenure_days": _simple("drivers.fact.tenure_days"),
    "days_to_contract_end": _contract_end,
    "p_alive": lambda v, r: (
        "drivers.fact.p_alive",
        {"pct": _pct(v)},
        -1 if v >= 0.7 else 1 if v < 0.3 else 0,
    ),
}

#: Category features: the customer's own level, shown as it is (``value_tier``'s own levels are
#: Keepwise's words, translated).
_CATEGORIES = ("segment", "industry", "region", "channel", "value_tier")

#: The sentence for a missing value, where several features share one.
_MISSING = {
    **dict.fromkeys(("orders_30d", "orders_90d", "orders_365d"), "orders"),
    **dict.fromkeys(("spend_30d", "spend_90d", "spend_365d"), "spend"),
    **dict.fromkeys(("visits_30d", "visits_90d", "minutes_30d", "minutes_90d"), "usage"),
    **dict.fromkeys(("complaints_90d", "tickets_90d"), "tickets"),
}
#: Missing values that point to a higher risk by themselves.
_MISSING_LEANING = {"purchase_trend_90d_vs_365d": 1}

#: Every feature with its own sentences.
KNOWN_FEATURES = (*_FACTS, *_CATEGORIES)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN-like floats
    except (TypeError, ValueError):
        return False


def _effect(contribution: float) -> str:
    if not abs(contribution) >= NEGLIGIBLE:  # also NaN
        return "none"
    return "up" if contribution > 0 else "down"


def _sentence(fact: Fact, effect: str, lang: Lang | str) -> str:
    key, params, leaning = fact
    shown = {k: t(v.key, lang) if isinstance(v, Term) else v for k, v in params.items()}
    contrary = effect != "none" and leaning != 0 and (leaning > 0) != (effect == "up")
    template = f"drivers.effect.{effect}" + (".contrary" if contrary else "")
    return t(template, lang, fact=t(key, lang, **shown))


def _category_fact(feature: str, value: Any) -> Fact:
    number = _as_float(value)
    text = fmt_number(number) if number is not None and not isinstance(value, str) else str(value)
    if feature == "value_tier" and has(f"drivers.tier.{text}"):
        return f"drivers.fact.{feature}", {"value": Term(f"drivers.tier.{text}")}, 0
    # Codes such as "mid_market" read as words.
    return f"drivers.fact.{feature}", {"value": text.replace("_", " ").strip()}, 0


def known_fact(feature: str, value: Any, reference: float | None = None) -> Fact | None:
    """The fact about one of Keepwise's features (``None`` for any other column)."""
    if feature not in KNOWN_FEATURES:
        return None
    number = _as_float(value)
    # Text where a number belongs tells nothing more than a missing value.
    if _is_missing(value) or (number is None and feature not in _CATEGORIES):
        key = f"drivers.missing.{_MISSING.get(feature, feature)}"
        return key, {}, _MISSING_LEANING.get(feature, 0)
    if feature in _CATEGORIES:
        return _category_fact(feature, value)
    assert number is not None
    return _FACTS[feature](number, reference)


def describe(
    feature: str,
    value: Any,
    contribution: float,
    reference: float | None = None,
    lang: Lang | str = "en",
) -> str:
    """One sentence: the fact about ``feature`` and whether it raises or lowers the risk.

    ``reference`` is what a fact compares with, from the same row (:func:`references`): the
    customer's usual amount for the window (``orders_30d``, ``orders_90d``, ``spend_*``,
    ``visits_*``, ``minutes_30d``), the usual gap in days (``days_since_last_order``), or the
    most recent part of a window's total (``orders_365d``, ``spend_365d``: the last 90 days;
    ``minutes_90d``: the last 30).
    """
    effect = _effect(contribution)
    fact = known_fact(feature, value, reference)
    if fact is not None:
        return _sentence(fact, effect, lang)
    if _is_missing(value):
        missing = t("drivers.generic.missing", lang, feature=feature)
        return t(f"drivers.effect.{effect}", lang, fact=missing)
    number = _as_float(value)
    shown = fmt_number(number) if number is not None and not isinstance(value, str) else value
    return t(f"drivers.generic.{effect}", lang, feature=feature, value=shown)


def describe_both(
    feature: str, value: Any, contribution: float, reference: float | None = None
) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` for one driver."""
    return {lang: describe(feature, value, contribution, reference, lang) for lang in ("zh", "en")}


Getter = Callable[[str], np.ndarray]


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


#: What each feature's sentence compares with, from the same row.
_REFERENCES: dict[str, Callable[[Getter], np.ndarray]] = {
    "orders_30d": lambda get: get("orders_365d") * 30.0 / 365.0,
    "orders_90d": lambda get: get("orders_365d") * 90.0 / 365.0,
    "orders_365d": lambda get: get("orders_90d"),
    "spend_30d": lambda get: get("spend_365d") * 30.0 / 365.0,
    "spend_90d": lambda get: get("spend_365d") * 90.0 / 365.0,
    "spend_365d": lambda get: get("spend_90d"),
    # visits_trend = visits_90d / (visits_365d / 4): the usual 90 days are visits_90d / trend.
    "visits_90d": lambda get: _divide(get("visits_90d"), get("visits_trend")),
    "visits_30d": lambda get: _divide(get("visits_90d"), 3.0 * get("visits_trend")),
    "minutes_30d": lambda get: get("minutes_90d") / 3.0,
    "minutes_90d": lambda get: get("minutes_30d"),
    "days_since_last_order": lambda get: _divide(get("days_since_last_order"), get("gap_vs_norm")),
}


def references(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per feature with a comparison, its reference per row (NaN: none) — vectorised."""

    def get(name: str) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(frame), np.nan)
        return pd.to_numeric(frame[name], errors="coerce").to_numpy(float)

    out = {}
    for feature, rule in _REFERENCES.items():
        values = np.asarray(rule(get), dtype=float)
        out[feature] = np.where(np.isfinite(values), values, np.nan)
    return out


def reference_for(feature: str, row: Mapping[str, Any]) -> float | None:
    """The reference of ``feature`` for one row (see :func:`references`)."""
    rule = _REFERENCES.get(feature)
    if rule is None:
        return None

    def get(name: str) -> np.ndarray:
        number = _as_float(row.get(name))
        return np.array([np.nan if number is None else number])

    value = float(np.asarray(rule(get), dtype=float)[0])
    return value if math.isfinite(value) else None
