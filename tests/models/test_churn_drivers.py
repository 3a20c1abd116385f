"""Plain-language driver sentences in both languages."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from keepwise.models.churn import ChurnClassifier
from keepwise.models.drivers import (
    KNOWN_FEATURES,
    describe,
    describe_both,
    fmt_number,
    reference_for,
    references,
)
from keepwise.risk.features import FEATURES

#: A present value per feature of the feature builder, and the row it comes from (for the
#: features whose sentence compares with the customer's own norm).
ROW: dict[str, object] = {
    "days_since_last_order": 120, "orders_30d": 1, "orders_90d": 2, "orders_365d": 12,
    "spend_30d": 80.0, "spend_90d": 240.5, "spend_365d": 1800.0,
    "purchase_trend_90d_vs_365d": 0.4, "gap_vs_norm": 2.5, "visits_30d": 4, "visits_90d": 15,
    "minutes_30d": 95.0, "minutes_90d": 410.0, "visits_trend": 0.6, "complaints_90d": 3,
    "tickets_90d": 5, "response_hours_90d": 30.5, "csat_last": 2, "csat_change": -1.5,
    "days_since_followup": 95, "followups_90d": 5, "owner_departed": 1, "at_risk": 1,
    "tenure_days": 45, "days_to_contract_end": 20, "segment": "mid_market",
    "industry": "Retail", "region": "East", "channel": "trade_show", "value_tier": "high",
    "p_alive": 0.35,
}  # fmt: skip
IDENTIFIER = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]+")


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


def _check_sentence(texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        assert not IDENTIFIER.search(text), text  # no feature name such as minutes_30d
        assert not re.search(r"\bnan\b|\bNone\b|[{}]|drivers\.", text, re.IGNORECASE), text
        assert ("流失风险" if lang == "zh" else "churn risk") in text, text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in texts["zh"].split("，")[0])
    assert texts["zh"] != texts["en"]


def test_every_feature_reads_as_a_sentence() -> None:
    assert set(KNOWN_FEATURES) == set(FEATURES) == set(ROW)
    for feature in FEATURES:
        reference = reference_for(feature, ROW)
        for contribution in (0.4, -0.4, 0.0):  # raises, lowers, barely changes
            _check_sentence(describe_both(feature, ROW[feature], contribution, reference))
            _check_sentence(describe_both(feature, None, contribution))
            _check_sentence(describe_both(feature, float("nan"), contribution, reference))
        # Zero counts, the other flag and the other side of the norm read as sentences too.
        for value in (0, 0.0, 1, 1.6, 250, -3):
            if feature not in ("segment", "industry", "region", "channel", "value_tier"):
                _check_sentence(describe_both(feature, value, 0.3, reference))


def test_many_purchases_do_not_raise_the_risk_by_themselves() -> None:
    """Issue 11: "75 purchases in the last 12 months, which raises the churn risk"."""
    dropped = {"orders_365d": 75, "orders_90d": 5}
    assert describe_both("orders_365d", 75, 0.3, reference_for("orders_365d", dropped)) == {
        "en": "75 purchases in the last 12 months, but only 5 in the last 90 days, "
        "which raises the churn risk",
        "zh": "近一年购买75次，但近90天只有5次，使流失风险上升",
    }
    steady = {"orders_365d": 75, "orders_90d": 20}
    assert describe_both("orders_365d", 75, 0.3, reference_for("orders_365d", steady)) == {
        "en": "75 purchases in the last 12 months; taken with the customer's other figures, "
        "the model counts this towards a higher churn risk",
        "zh": "近一年购买75次；结合该客户的其他指标，模型将此计为使流失风险上升的因素",
    }
    # The same fact lowering the risk needs no caveat.
    assert describe("orders_365d", 75, -0.3, 20.0) == (
        "75 purchases in the last 12 months, which lowers the churn risk"
    )


def test_hand_checked_sentences() -> None:
    assert describe_both("owner_departed", 1, 0.5) == {
        "en": "our account manager for this customer has left the company, "
        "which raises the churn risk",
        "zh": "负责该客户的我方客户经理已离职，使流失风险上升",
    }
    assert describe_both("at_risk", 1, 0.8) == {
        "en": "the customer is flagged as at risk, which raises the churn risk",
        "zh": "客户已被标记为有流失风险，使流失风险上升",
    }
    assert describe_both("minutes_30d", float("nan"), 0.2) == {
        "en": "no product use on record, which raises the churn risk",
        "zh": "没有产品使用记录，使流失风险上升",
    }
    assert describe_both("followups_90d", 5, -0.2) == {
        "en": "5 follow-ups in the last 90 days, which lowers the churn risk",
        "zh": "近90天跟进5次，使流失风险下降",
    }
    assert describe("followups_90d", 1, -0.2) == (
        "1 follow-up in the last 90 days, which lowers the churn risk"
    )
    assert describe("followups_90d", 0, 0.2) == (
        "no follow-ups in the last 90 days, which raises the churn risk"
    )
    # 4 visits in 30 days against 15 in 90 days at 0.6 of the yearly pace: usual 8.33 a month.
    assert describe("visits_30d", 4, 0.3, reference_for("visits_30d", ROW)) == (
        "4 product visits in the last 30 days, 52 % below the customer's usual pace, "
        "which raises the churn risk"
    )
    assert describe("spend_90d", 12500, -0.1) == (
        "spending in the last 90 days: 12,500, which lowers the churn risk"
    )
    assert describe_both("segment", "mid_market", 0.3)["en"] == (
        "the customer's segment is mid market, which raises the churn risk"
    )
    assert (
        describe_both("value_tier", "no_value", 0.3)["zh"] == "客户价值分层为无价值，使流失风险上升"
    )
    assert describe("days_to_contract_end", 0, 0.3) == (
        "the contract ends today, which raises the churn risk"
    )
    assert describe("complaints_90d", 2, -0.3) == (
        "2 complaints in the last 90 days; taken with the customer's other figures, "
        "the model counts this towards a lower churn risk"
    )


def test_references_of_a_frame_match_one_row_at_a_time() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {name: rng.choice([0.0, 1.0, 4.0, 30.0, np.nan], 40) for name in ROW if name not in
         ("segment", "industry", "region", "channel", "value_tier")}
    )  # fmt: skip
    vectorised = references(frame)
    for feature, values in vectorised.items():
        for i, row in enumerate(frame.to_dict("records")):
            one = reference_for(feature, row)
            assert (one is None and math.isnan(values[i])) or math.isclose(one or 0, values[i])


def test_contract_end_and_csat_wording() -> None:
    assert "ended 10 days ago" in describe("days_to_contract_end", -10, 0.1)
    assert "满意度下降了1.5分" in describe("csat_change", -1.5, 0.1, lang="zh")
    assert "has left the company" in describe("owner_departed", True, 0.7)


@given(
    value=st.one_of(st.floats(allow_nan=True), st.text(max_size=20), st.none(), st.booleans()),
    contribution=st.floats(allow_nan=False, allow_infinity=False),
    feature=st.sampled_from([*KNOWN_FEATURES, "Contract"]),
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
