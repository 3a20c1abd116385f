"""Kaplan-Meier and Cox views on the Telco file and on small synthetic data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keepwise.models.survival import cox_hazard_ratios, kaplan_meier, survival_at

TELCO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telco_customer_churn.csv"


@pytest.fixture(scope="module")
def telco() -> pd.DataFrame:
    assert TELCO.exists(), f"reference data missing: {TELCO} (../shared/data beside the repo)"
    return pd.read_csv(TELCO)


def test_telco_survival_at_times(telco: pd.DataFrame) -> None:
    at = survival_at(telco, "tenure", "Churn", [12, 24, 48, 72])
    assert list(at["survival"].round(3)) == [0.843, 0.789, 0.709, 0.593]
    assert (at["ci_lower"] < at["survival"]).all()
    assert (at["survival"] < at["ci_upper"]).all()


def test_telco_curves_by_group(telco: pd.DataFrame) -> None:
    curves = kaplan_meier(telco, "tenure", "Churn", group="Contract")
    assert set(curves["group"]) == {"Month-to-month", "One year", "Two year"}
    assert (curves["ci_lower"] <= curves["survival"] + 1e-12).all()
    assert (curves["survival"] <= curves["ci_upper"] + 1e-12).all()
    at = survival_at(telco, "tenure", "Churn", [24], group="Contract").set_index("group")
    assert at.loc["Month-to-month", "survival"] < at.loc["Two year", "survival"]
    for _, curve in curves.groupby("group"):
        assert curve["survival"].is_monotonic_decreasing


def test_telco_cox_hazard_ratios(telco: pd.DataFrame) -> None:
    table = cox_hazard_ratios(
        telco, "tenure", "Churn", ["Contract", "MonthlyCharges", "PaymentMethod", "Partner"]
    )
    assert list(table.columns) == ["covariate", "hazard_ratio", "ci_lower", "ci_upper", "p"]
    rows = table.set_index("covariate")
    # Month-to-month is the commonest level and so the reference.
    assert rows.loc["Contract=Two year", "hazard_ratio"] < 0.2
    assert rows.loc["Contract=Two year", "p"] < 1e-10
    assert (table["ci_lower"] <= table["hazard_ratio"]).all()
    assert (table["hazard_ratio"] <= table["ci_upper"]).all()


def test_messy_durations_and_events() -> None:
    rng = np.random.default_rng(0)
    n = 300
    group = rng.choice(["a", "b"], n)
    time = rng.exponential(np.where(group == "a", 10, 30)).round(1)
    frame = pd.DataFrame(
        {
            "months": [str(v) for v in time],
            "left": rng.random(n) < 0.7,
            "group": group,
            "score": rng.normal(size=n),
        }
    )
    frame.loc[:4, "months"] = " "  # blanks are left out, not crashed on
    curves = kaplan_meier(frame, "months", "left", group="group")
    assert curves.groupby("group")["at_risk"].max().sum() == n - 5
    ratios = cox_hazard_ratios(frame, "months", "left")
    assert set(ratios["covariate"]) == {"group=a", "score"} or set(ratios["covariate"]) == {
        "group=b",
        "score",
    }
