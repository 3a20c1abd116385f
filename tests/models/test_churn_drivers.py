"""Plain-language driver sentences in both languages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from keepwise.models.churn import ChurnClassifier
from keepwise.models.drivers import _FACTS, describe, describe_both, fmt_number, reference_for

KNOWN_VALUES = {
    "orders_90d": 2,
    "orders_365d": 12,
    "purchase_trend_90d_vs_365d": 0.4,
    "days_since_last_order": 120,
    "gap_vs_norm": 2.5,
    "complaints_90d": 3,
    "csat_last": 2,
    "csat_change": -1.5,
    "days_since_followup": 95,
    "owner_departed": 1,
    "tenure_days": 45,
    "days_to_contract_end": 20,
    "visits_trend": 0.6,
    "p_alive": 0.35,
}


def test_purchase_trend_sentence() -> None:
    zh = describe("purchase_trend_90d_vs_365d", 0.4, 0.5, lang="zh")
    assert zh == "近90天购买次数比过去一年平均下降60%，使流失风险上升"
    en = describe("purchase_trend_90d_vs_365d", 0.4, 0.5, lang="en")
    assert en == (
        "purchases in the last 90 days are 60 % below the customer's yearly average, "
        "which raises the churn risk"
    )


def test_orders_against_the_customers_own_norm() -> None:
    row = {"orders_90d": 36, "orders_365d": 365}
    reference = reference_for("orders_90d", row)
    assert reference is not None and math.isclose(reference, 90.0)
    assert "60 % below" in describe("orders_90d", 36, 0.2, reference)
    assert "近90天购买1次" in describe("orders_90d", 1, 0.2, None, "zh")


def test_generic_fallback_and_direction() -> None:
    assert describe("Contract", "Month-to-month", 0.3, lang="zh") == (
        "Contract = Month-to-month 使流失风险上升"
    )
    assert describe("Contract", "Two year", -0.9) == "Contract = Two year lowers the churn risk"
    assert describe("tenure", 5.0, 0.0) == "tenure = 5 barely changes the churn risk"
    assert describe("TotalCharges", float("nan"), 0.2) == (
        "TotalCharges is missing, which raises the churn risk"
    )


def test_every_known_feature_has_both_languages() -> None:
    assert set(KNOWN_VALUES) == set(_FACTS)
    for feature, value in KNOWN_VALUES.items():
        for contribution in (0.4, -0.4):
            texts = describe_both(feature, value, contribution)
            assert not texts["zh"].startswith("drivers.") and "{" not in texts["zh"]
            assert not texts["en"].startswith("drivers.") and "{" not in texts["en"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in texts["zh"])
            assert feature not in texts["en"]  # a business sentence, not "feature = value"


def test_contract_end_and_csat_wording() -> None:
    assert "ended 10 days ago" in describe("days_to_contract_end", -10, 0.1)
    assert "满意度下降了1.5分" in describe("csat_change", -1.5, 0.1, lang="zh")
    assert "has left" in describe("owner_departed", True, 0.7)


@given(
    value=st.one_of(st.floats(allow_nan=True), st.text(max_size=20), st.none(), st.booleans()),
    contribution=st.floats(allow_nan=False, allow_infinity=False),
    feature=st.sampled_from([*KNOWN_VALUES, "Contract"]),
)
def test_any_value_gives_a_sentence(value: object, contribution: float, feature: str) -> None:
    texts = describe_both(feature, value, contribution)
    assert texts["zh"] and texts["en"]


def test_fmt_number() -> None:
    assert fmt_number(12.0) == "12"
    assert fmt_number(2.5) == "2.5"
    assert fmt_number(1 / 3) == "0.33"


def test_explain_uses_feature_builder_templates() -> None:
    rng = np.random.default_rng(0)
    n = 400
    yearly = rng.integers(4, 40, n)
    trend = rng.uniform(0.1, 1.6, n)
    frame = pd.DataFrame(
        {
            "orders_365d": yearly,
            "orders_90d": np.round(yearly * trend * 90 / 365),
            "purchase_trend_90d_vs_365d": trend,
            "complaints_90d": rng.poisson(0.5, n),
        }
    )
    churn = rng.random(n) < 1 / (1 + np.exp(3 * (trend - 0.8) - 0.8 * frame["complaints_90d"]))
    model = ChurnClassifier(max_trees=100, n_folds=3).fit(frame, churn)
    explained = model.explain(frame.head(20), top=1)
    assert explained["sentence_en"].str.contains("purchases in the last 90 days").any()
