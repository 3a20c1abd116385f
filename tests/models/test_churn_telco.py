"""Telco churn targets with the estimator's defaults (no tuning for this data set)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keepwise.models.churn import ChurnClassifier
from keepwise.models.evaluation import KEEPWISE, LOGISTIC, EvaluationReport, evaluate_snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
TELCO = REPO_ROOT.parent / "shared" / "data" / "telco_customer_churn.csv"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def telco() -> pd.DataFrame:
    assert TELCO.exists(), f"reference data missing: {TELCO} (../shared/data beside the repo)"
    return pd.read_csv(TELCO)


@pytest.fixture(scope="module")
def report(telco: pd.DataFrame) -> EvaluationReport:
    return evaluate_snapshot(telco, "Churn", id_col="customerID", random_state=42)


def test_hold_out_targets(report: EvaluationReport) -> None:
    model = report.split[KEEPWISE]
    assert model.roc_auc >= 0.845
    assert model.brier <= 0.14
    assert model.roc_auc > report.split[LOGISTIC].roc_auc


def test_cross_validation_target(report: EvaluationReport) -> None:
    assert len(report.cv_auc[KEEPWISE]) == 5
    assert report.cv_mean(KEEPWISE) >= 0.845


def test_raw_telco_file_is_read_as_is(telco: pd.DataFrame) -> None:
    X, y = telco.drop(columns="Churn"), telco["Churn"]
    model = ChurnClassifier().fit(X, y)
    assert model.encoder_.dropped == {"customerID": "identifier or free text"}
    total = next(c for c in model.encoder_.columns if c.name == "TotalCharges")
    assert total.kind == "numeric" and total.missing_flag  # " " blanks became NaN
    sample = X.head(200)
    np.testing.assert_allclose(
        model.contributions(sample).sum(axis=1), model.raw_score(sample), atol=1e-9
    )
    explained = model.explain(sample.head(3), top=3, lang="zh")
    assert len(explained) == 9
    assert explained["sentence"].str.contains("流失风险").all()
