"""RFM quintile scores, segments, tiers and the Pareto share, against hand arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwise.value import (
    ValueSettings,
    assign_tiers,
    pareto_share,
    quintile_score,
    rfm_scores,
    tier_summary,
)
from keepwise.value.segments import SEGMENT_RULES


def test_quintile_scores_distinct_values() -> None:
    # 10 distinct values: two per quintile; score = 1 + floor(5 * (rank - 1) / 10).
    s = pd.Series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert quintile_score(s).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_score(s, higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_quintile_scores_ties_share_a_score() -> None:
    # Six one-time buyers (F = 1) and four others: nobody is strictly worse than a one-time
    # buyer -> 1; F = 2 has 6 of 10 worse -> 1 + floor(3.0) = 4; F = 5 has 7 worse -> 4;
    # F = 9: 8 worse -> 5; F = 12: 9 worse -> 5.
    s = pd.Series([1, 1, 1, 1, 1, 1, 2, 5, 9, 12])
    assert quintile_score(s).tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]


def test_rfm_segments_by_hand() -> None:
    # Five customers, units of days. Since-last = T - recency: 5, 50, 100, 200, 300.
    summary = pd.DataFrame(
        {
            "frequency": [9, 0, 4, 1, 0],  # purchase days 10, 1, 5, 2, 1
            "recency": [295.0, 0.0, 200.0, 100.0, 0.0],
            "T": [300.0, 50.0, 300.0, 300.0, 300.0],
            "revenue": [5000.0, 3000.0, 900.0, 100.0, 50.0],
        },
        index=["a", "b", "c", "d", "e"],
    )
    out = rfm_scores(summary, high_score=3)
    # R: since-last 5 < 50 < 100 < 200 < 300 -> 5, 4, 3, 2, 1.
    assert out["rfm_r"].tolist() == [5, 4, 3, 2, 1]
    # F: days 10, 1, 5, 2, 1 -> worse-counts 4, 0, 3, 2, 0 -> 1 + floor(5 k / 5).
    assert out["rfm_f"].tolist() == [5, 1, 4, 3, 1]
    # M: 5000 > 3000 > 900 > 100 > 50 -> 5, 4, 3, 2, 1.
    assert out["rfm_m"].tolist() == [5, 4, 3, 2, 1]
    # a: HHH champions; b: R4 F1 M4 -> H L H potential loyalists; c: 3,4,3 -> champions;
    # d: 2,3,2 -> L H L hibernating; e: 1,1,1 -> lost.
    assert out["rfm_segment"].tolist() == [
        "champions", "potential_loyalists", "champions", "hibernating", "lost",
    ]  # fmt: skip


def test_every_combination_has_a_segment() -> None:
    assert len(set(SEGMENT_RULES.values())) == 8


def test_quantile_tiers_by_hand() -> None:
    values = pd.Series([0.0, -5.0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    tiers = assign_tiers(values, ValueSettings())
    # Valued: 10..100. 80 % quantile (linear): position 0.8 * 9 = 7.2 -> 80 + 0.2 * 10 = 82;
    # 50 %: position 4.5 -> 55. So 90, 100 high; 60, 70, 80 mid; 10..50 low; 0, -5 no value.
    expected = ["no_value"] * 2 + ["low"] * 5 + ["mid"] * 3 + ["high"] * 2
    assert tiers.tolist() == expected


def test_absolute_tiers_by_hand() -> None:
    settings = ValueSettings(tier_cutoffs="absolute", tier_high=50.0, tier_mid=20.0)
    values = pd.Series([np.nan, 0.0, 19.99, 20.0, 49.0, 50.0, 1e6])
    expected = ["no_value", "no_value", "low", "mid", "mid", "high", "high"]
    assert assign_tiers(values, settings).tolist() == expected


def test_tier_summary_and_pareto_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "value_tier": ["high", "mid", "mid", "low", "no_value"],
            "revenue": [600.0, 200.0, 100.0, 100.0, 0.0],
            "profit_contribution": [300.0, 50.0, 20.0, -10.0, -40.0],
        }
    )
    s = tier_summary(frame).set_index("value_tier")
    assert s.loc["mid", "customers"] == 2
    assert s.loc["mid", "customer_share"] == pytest.approx(0.4)
    assert s.loc["high", "revenue_share"] == pytest.approx(0.6)
    assert s.loc["no_value", "profit_contribution"] == -40.0
    # Top 20 % of 5 customers = 1 customer: 600 of 1000.
    assert pareto_share(frame["revenue"]) == pytest.approx(0.6)
    # 6 customers: ceil(1.2) = 2 -> (600 + 200) / 1000.
    assert pareto_share(pd.Series([600.0, 200, 100, 100, 0, 0])) == pytest.approx(0.8)
    assert pareto_share(pd.Series([0.0, 0.0])) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=200),
    st.sampled_from(["quantile", "absolute"]),
)
def test_tier_shares_sum_to_one_and_pareto_in_range(values: list[float], cutoffs: str) -> None:
    settings_ = ValueSettings(tier_cutoffs=cutoffs,  # type: ignore[arg-type]
                              tier_high=0.8 if cutoffs == "quantile" else 1e5,
                              tier_mid=0.5 if cutoffs == "quantile" else 1e3)  # fmt: skip
    revenue = pd.Series(values)
    frame = pd.DataFrame({"value_tier": assign_tiers(revenue, settings_), "revenue": revenue,
                          "profit_contribution": revenue * 0.3})  # fmt: skip
    s = tier_summary(frame)
    assert s["customer_share"].sum() == pytest.approx(1.0)
    assert set(frame["value_tier"]) <= {"high", "mid", "low", "no_value"}
    share = pareto_share(revenue)
    if revenue.sum() > 0:
        assert share is not None
        assert 0.2 - 1e-12 <= share <= 1.0 + 1e-12
        assert s["revenue_share"].sum() == pytest.approx(1.0)
    else:
        assert share is None
        assert math.isnan(s["revenue_share"].iloc[0])
