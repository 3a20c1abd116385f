"""ChurnClassifier follows the scikit-learn estimator contract."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import check_estimator

from keepwise.models.churn import ChurnClassifier

FAST = {"max_trees": 60, "n_folds": 3, "early_stopping_rounds": 10}


def _table(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, n)
    plan = rng.choice(["basic", "pro", "team"], n)
    fee = rng.normal(60, 20, n).round(2)
    logit = -0.05 * tenure + 0.02 * (fee - 60) + np.where(plan == "basic", 1.0, 0.0)
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({"tenure": tenure, "plan": plan, "fee": fee})
    return frame, pd.Series(np.where(churn, "Yes", "No"), name="churn")


def test_fitted_attributes_follow_sklearn() -> None:
    X, y = _table()
    model = ChurnClassifier(**FAST).fit(X, y)
    assert list(model.classes_) == ["No", "Yes"]
    assert model.n_features_in_ == 3
    assert list(model.feature_names_in_) == ["tenure", "plan", "fee"]
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {"No", "Yes"}


def test_numpy_input_has_no_feature_names() -> None:
    X, y = _table()
    model = ChurnClassifier(**FAST).fit(X[["tenure", "fee"]].to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")
    assert model.predict_proba(X[["tenure", "fee"]].to_numpy()).shape == (len(X), 2)
    with pytest.raises(ValueError, match="features"):
        model.predict_proba(X.to_numpy())


def test_missing_training_column_is_an_error() -> None:
    X, y = _table()
    model = ChurnClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="plan"):
        model.predict_proba(X.drop(columns="plan"))
    # Column order does not matter for DataFrames: columns are matched by name.
    np.testing.assert_allclose(
        model.predict_proba(X[["fee", "plan", "tenure"]]), model.predict_proba(X)
    )


def test_clone_cross_val_score_and_pipeline() -> None:
    X, y = _table(400)
    model = ChurnClassifier(**FAST, random_state=3)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "booster_")
    scores = cross_val_score(model, X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    assert scores.mean() > 0.6
    pipe = Pipeline([("identity", FunctionTransformer()), ("model", clone(model))]).fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), clone(model).fit(X, y).predict_proba(X))


def test_deterministic_with_fixed_random_state() -> None:
    X, y = _table()
    first = ChurnClassifier(**FAST, random_state=11).fit(X, y).predict_proba(X)
    second = ChurnClassifier(**FAST, random_state=11).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


def test_sklearn_estimator_checks() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            ChurnClassifier(max_trees=20, n_folds=2, early_stopping_rounds=5), on_fail=None
        )
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []
    assert len(results) > 40
