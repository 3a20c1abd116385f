"""Evaluation report: metrics, calibration and lift tables, JSON and text output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwise.models.churn import ChurnClassifier
from keepwise.models.evaluation import (
    KEEPWISE,
    LOGISTIC,
    SINGLE,
    calibration_table,
    compare_scores,
    evaluate_snapshot,
    lift_table,
    recency_column,
    score_report,
)


def _scores(n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, n)
    return (rng.random(n) < p).astype(int), p


def test_metrics_on_calibrated_scores() -> None:
    y, p = _scores()
    report = score_report(y, p)
    assert 0.7 < report.roc_auc < 0.9
    assert 0.15 < report.brier < 0.2
    table = report.calibration
    assert list(table["bin"]) == list(range(1, 11))
    assert np.abs(table["mean_predicted"] - table["observed_rate"]).max() < 0.12


def test_lift_and_capture() -> None:
    y, p = _scores()
    table = lift_table(y, p)
    assert table["n"].sum() == len(y)
    assert table["churners"].sum() == y.sum()
    assert table["capture"].iloc[-1] == pytest.approx(1.0)
    assert table["cumulative_lift"].iloc[-1] == pytest.approx(1.0)
    assert table["lift"].iloc[0] > 1.5  # top decile holds the riskiest customers
    assert table["capture"].is_monotonic_increasing


def test_perfect_ranking_captures_everything_first() -> None:
    y = np.array([1] * 10 + [0] * 90)
    table = lift_table(y, np.linspace(1, 0, 100))
    assert table["capture"].iloc[0] == 1.0
    assert table["lift"].iloc[0] == pytest.approx(10.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=20, max_size=200), st.integers(2, 10))
def test_tables_cover_every_row(scores: list[float], bins: int) -> None:
    y = np.arange(len(scores)) % 2
    assert calibration_table(y, scores, bins)["n"].sum() == len(scores)
    assert lift_table(y, scores, bins)["n"].sum() == len(scores)


def test_compare_scores_with_baselines_and_text_labels() -> None:
    y, p = _scores()
    labels = np.where(y == 1, "Yes", "No")
    reports = compare_scores(labels, p, {"noise": np.random.default_rng(1).random(len(y))})
    assert set(reports) == {KEEPWISE, "noise"}
    assert reports[KEEPWISE].roc_auc > reports["noise"].roc_auc


def test_recency_column() -> None:
    frame = pd.DataFrame({"plan": ["a"], "tenure": [" 3"], "days_since_last_order": [4]})
    assert recency_column(frame) == "tenure"
    assert recency_column(pd.DataFrame({"plan": ["a"]})) is None


def test_evaluate_snapshot_on_a_small_table() -> None:
    rng = np.random.default_rng(0)
    n = 500
    tenure = rng.integers(0, 60, n)
    plan = rng.choice(["basic", "pro"], n)
    churn = rng.random(n) < 1 / (1 + np.exp(0.08 * tenure - 1 - (plan == "basic")))
    frame = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "tenure_months": tenure,
            "plan": plan,
            "Churn": np.where(churn, "Yes", "No"),
        }
    )
    fast = ChurnClassifier(max_trees=100, n_folds=3)
    report = evaluate_snapshot(frame, "Churn", id_col="id", estimator=fast, folds=3)
    assert set(report.split) == {KEEPWISE, LOGISTIC, SINGLE}
    assert report.single_feature == "tenure_months"
    assert all(len(v) == 3 for v in report.cv_auc.values())
    assert report.split[KEEPWISE].n == 100  # 20 % hold-out
    summary = report.summary()
    assert list(summary["model"]) == [KEEPWISE, LOGISTIC, SINGLE]
    data = json.loads(report.to_json())
    assert data["summary"][0]["model"] == KEEPWISE
    assert len(data["split"][KEEPWISE]["lift"]) == 10
    assert "Keepwise model" in str(report)
    assert "逻辑回归基线" in report.to_text("zh")
