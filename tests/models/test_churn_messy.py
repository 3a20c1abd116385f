"""ChurnClassifier on raw, messy tables: no preprocessing by the user."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from keepwise.models.churn import ChurnClassifier, risk_band
from keepwise.models.encoding import OTHER, encode_binary_target

FAST = {"max_trees": 150, "n_folds": 3, "early_stopping_rounds": 20}


def messy_table(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A CRM export as read_csv gives it: ids, free text, blanks, text numbers, Yes/No."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, n)
    plan = rng.choice(["basic", "pro", "team"], n, p=[0.5, 0.3, 0.2])
    auto_renew = rng.choice(["Yes", "No"], n)
    fee = rng.normal(60, 20, n).round(2)
    logit = (
        1.0
        - 0.06 * tenure
        + 0.03 * (fee - 60)
        + np.where(plan == "basic", 1.0, 0.0)
        + np.where(auto_renew == "No", 0.8, 0.0)
    )
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    fee_text = np.array([f"{v:.2f}" for v in fee], dtype=object)
    fee_text[rng.random(n) < 0.05] = " "  # Telco-style blanks in a number column
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "notes": [f"called on day {i} about invoice {rng.integers(1e6)}" for i in range(n)],
            "city": rng.choice([f"city_{i}" for i in range(150)], n),
            "plan": plan,
            "auto_renew": auto_renew,
            "tenure": tenure,
            "monthly_fee": fee_text,
            "empty": np.nan,
            "constant": "x",
            "spend": [f"${v * 12:,.0f}" for v in fee],
        }
    )
    return frame, pd.Series(np.where(churn, "Yes", "No"))


@pytest.fixture(scope="module")
def fitted() -> tuple[ChurnClassifier, pd.DataFrame, pd.Series]:
    X, y = messy_table()
    return ChurnClassifier(**FAST).fit(X, y), X, y


def test_column_kinds_are_inferred(fitted: tuple[ChurnClassifier, pd.DataFrame, pd.Series]) -> None:
    model, _, _ = fitted
    dropped = model.encoder_.dropped
    assert set(dropped) == {"customer_id", "notes", "empty", "constant"}
    kinds = {c.name: (c.kind, c.parse) for c in model.encoder_.columns}
    assert kinds["monthly_fee"] == ("numeric", "number")
    assert kinds["spend"] == ("numeric", "number")  # "$1,234" parsed
    assert kinds["auto_renew"] == ("numeric", "bool")
    assert kinds["plan"] == ("category", "text")
    city = next(c for c in model.encoder_.columns if c.name == "city")
    assert len(city.levels) <= model.max_categories  # high cardinality capped


def test_learns_the_signal(fitted: tuple[ChurnClassifier, pd.DataFrame, pd.Series]) -> None:
    model, _, _ = fitted
    X_new, y_new = messy_table(seed=1)
    proba = model.predict_proba(X_new)[:, 1]
    assert roc_auc_score(y_new == "Yes", proba) > 0.75


def test_unseen_categories_and_blanks_at_predict_time(
    fitted: tuple[ChurnClassifier, pd.DataFrame, pd.Series],
) -> None:
    model, X, _ = fitted
    odd = X.head(5).copy()
    odd["plan"] = ["platinum", None, "basic", "  pro ", ""]
    odd["city"] = "Atlantis"
    odd["monthly_fee"] = ["abc", " ", None, "12", "1,200.50"]
    odd["auto_renew"] = ["maybe", "Yes", None, "No", "yes"]
    proba = model.predict_proba(odd)
    assert np.isfinite(proba).all()
    plan = next(c for c in model.encoder_.columns if c.name == "plan")
    values = model.encoder_.column_values(odd, plan)
    assert OTHER in set(values)


def test_explain_rows_sum_to_raw_score(
    fitted: tuple[ChurnClassifier, pd.DataFrame, pd.Series],
) -> None:
    model, X, _ = fitted
    contributions = model.contributions(X.head(50))
    assert "customer_id" not in contributions.columns
    np.testing.assert_allclose(contributions.sum(axis=1), model.raw_score(X.head(50)), atol=1e-9)
    explained = model.explain(X.head(4), top=3)
    assert len(explained) == 12
    assert {"row", "rank", "feature", "value", "contribution", "sentence"} <= set(explained)
    first = explained[explained["row"] == X.index[0]]
    assert list(first["contribution"]) == sorted(first["contribution"], reverse=True)
    assert explained["sentence_zh"].str.contains("流失风险").all()
    assert explained["sentence_en"].str.contains("churn risk").all()
    zh = model.explain(X.head(2), top=2, lang="zh")
    assert (zh["sentence"] == zh["sentence_zh"]).all()


def test_uncalibrated_probability_is_sigmoid_of_raw_score() -> None:
    X, y = messy_table(300)
    model = ChurnClassifier(**FAST, calibration="none").fit(X, y)
    expected = 1 / (1 + np.exp(-model.raw_score(X)))
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], expected)


@pytest.mark.parametrize(
    ("labels", "positive"),
    [
        (["Yes", "No"], "Yes"),
        ([True, False], True),
        ([1, 0], 1),
        (["churned", "retained"], "churned"),
        (["stay", "leave"], "stay"),  # unknown words: the last label in sorted order
    ],
)
def test_label_kinds(labels: list[object], positive: object) -> None:
    y = np.array(labels * 5, dtype=object if isinstance(labels[0], str) else None)
    y01, classes, index = encode_binary_target(y)
    assert classes[index] == positive
    assert y01.sum() == 5


def test_string_labels_where_churn_sorts_first() -> None:
    X, y = messy_table(300)
    y = y.map({"Yes": "churned", "No": "retained"})
    model = ChurnClassifier(**FAST, calibration="none").fit(X, y)
    assert list(model.classes_) == ["churned", "retained"]
    churn = 1 / (1 + np.exp(-model.raw_score(X)))
    np.testing.assert_allclose(model.predict_proba(X)[:, 0], churn)
    assert set(model.predict(X)) <= {"churned", "retained"}


def test_bad_labels_are_rejected() -> None:
    X, _ = messy_table(30)
    with pytest.raises(ValueError, match="1 class"):
        ChurnClassifier(**FAST).fit(X, ["No"] * 30)
    with pytest.raises(ValueError, match="binary"):
        ChurnClassifier(**FAST).fit(X, [0, 1, 2] * 10)
    with pytest.raises(ValueError, match="missing"):
        ChurnClassifier(**FAST).fit(X, ["Yes", None] * 15)


def test_few_churners_still_fit() -> None:
    X, _ = messy_table(40)
    y = ["No"] * 39 + ["Yes"]
    proba = ChurnClassifier(**FAST).fit(X, y).predict_proba(X)
    assert np.isfinite(proba).all()


def test_risk_band() -> None:
    assert risk_band(0.1) == "low"
    assert risk_band(0.3) == "medium"
    assert risk_band(0.75) == "high"
    assert list(ChurnClassifier.risk_band([0.05, 0.45, 0.9], cutoffs=(0.2, 0.5))) == [
        "low",
        "medium",
        "high",
    ]
    assert list(risk_band([0.1, 0.9], cutoffs=(0.5,), labels=("ok", "act"))) == ["ok", "act"]
    with pytest.raises(ValueError):
        risk_band(0.5, cutoffs=(0.6, 0.3))


def test_linear_weight_picks_one_part() -> None:
    X, y = messy_table(300)
    linear_only = ChurnClassifier(**FAST, linear_weight=1.0).fit(X, y)
    assert linear_only.tree_weight_ == 0.0
    matrix = linear_only.encoder_.linear_matrix(X)
    np.testing.assert_allclose(
        linear_only.raw_score(X), linear_only.linear_.decision_function(matrix)
    )
    trees_only = ChurnClassifier(**FAST, linear_weight=0.0).fit(X, y)
    assert trees_only.tree_weight_ == 1.0
    margin = trees_only.booster_.predict(trees_only.encoder_.tree_frame(X), raw_score=True)
    np.testing.assert_allclose(trees_only.raw_score(X), margin)
