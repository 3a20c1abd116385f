"""The churn classifier's options for very large tables: one hold-out split, a row cap on the
linear part, shallow trees, a column-wise linear explanation, and models saved by older
versions that lacked a newer hyper-parameter."""

from __future__ import annotations

import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from keepwise.models.churn import ChurnClassifier
from keepwise.risk.training import HUGE, LARGE, new_model


def _table(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A churn table with a known additive signal, a category and missing values."""
    rng = np.random.default_rng(seed)
    recency = rng.exponential(60, n)
    orders = rng.poisson(4, n).astype(float)
    plan = rng.choice(["basic", "pro", "team", "rare"], n, p=[0.5, 0.3, 0.19, 0.01])
    usage = np.where(rng.random(n) < 0.2, np.nan, rng.normal(10, 3, n))
    margin = -2 + recency / 40 - orders / 3 + (plan == "basic") * 0.8
    churned = (rng.random(n) < 1 / (1 + np.exp(-margin))).astype(int)
    frame = pd.DataFrame({"recency": recency, "orders": orders, "plan": plan, "usage": usage})
    return frame, churned


def test_one_holdout_split_fits_and_calibrates() -> None:
    X, y = _table(6000)
    model = ChurnClassifier(n_folds=1, max_trees=200, early_stopping_rounds=20).fit(X, y)
    p = model.churn_probability(X)
    assert roc_auc_score(y, p) > 0.7
    # Calibrated on the held-out quarter: the mean prediction matches the churn share.
    assert abs(p.mean() - y.mean()) < 0.02
    assert 1 <= model.n_trees_ <= 200


def test_linear_part_row_cap() -> None:
    X, y = _table(3000)
    capped = ChurnClassifier(max_trees=20, n_folds=2, linear_max_rows=500).fit(X, y)
    whole = ChurnClassifier(max_trees=20, n_folds=2, linear_max_rows=None).fit(X, y)
    above = ChurnClassifier(max_trees=20, n_folds=2, linear_max_rows=10_000).fit(X, y)
    assert not np.allclose(capped.linear_.coef_, whole.linear_.coef_)
    np.testing.assert_array_equal(above.linear_.coef_, whole.linear_.coef_)


def test_max_depth_limits_every_tree() -> None:
    X, y = _table(3000)
    model = ChurnClassifier(max_trees=30, n_folds=2, num_leaves=16, max_depth=2).fit(X, y)
    dump = model.booster_.dump_model()["tree_info"]

    def depth(node: dict) -> int:
        if "leaf_index" in node:
            return 0
        return 1 + max(depth(node["left_child"]), depth(node["right_child"]))

    assert max(depth(t["tree_structure"]) for t in dump) <= 2


def test_linear_terms_match_the_design_matrix() -> None:
    X, y = _table(2000)
    model = ChurnClassifier(max_trees=20, n_folds=2, linear_weight=0.5).fit(X, y)
    enc, coef = model.encoder_, model.linear_.coef_[0]
    design = enc.linear_matrix(X) * coef
    by_origin = np.column_stack(
        [design[:, np.array(enc.linear_origin) == name].sum(axis=1) for name in enc.feature_names]
    )
    np.testing.assert_allclose(enc.linear_terms(X, coef), by_origin, atol=1e-10)
    # The blended contributions still add up to the margin, and the margin to the probability.
    contrib = model.contributions(X)
    np.testing.assert_allclose(contrib.sum(axis=1), model.raw_score(X), atol=1e-10)
    np.testing.assert_allclose(
        model.calibrated(contrib.sum(axis=1)), model.churn_probability(X), atol=1e-12
    )
    expected = model.linear_.decision_function(enc.linear_matrix(X))
    trees = model.booster_.predict(enc.tree_frame(X), raw_score=True)
    np.testing.assert_allclose(model.raw_score(X), 0.5 * trees + 0.5 * expected, atol=1e-10)


@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_a_part_without_weight_is_not_needed(weight: float) -> None:
    X, y = _table(2000)
    model = ChurnClassifier(max_trees=20, n_folds=2, linear_weight=weight).fit(X, y)
    contrib = model.contributions(X)
    np.testing.assert_allclose(contrib.sum(axis=1), model.raw_score(X), atol=1e-10)
    if weight == 1.0:  # linear only: the trees contribute nothing
        linear = model.linear_.decision_function(model.encoder_.linear_matrix(X))
        np.testing.assert_allclose(model.raw_score(X), linear, atol=1e-10)
    else:
        trees = model.booster_.predict(model.encoder_.tree_frame(X), raw_score=True)
        np.testing.assert_allclose(model.raw_score(X), trees, atol=1e-10)


def test_model_saved_before_a_parameter_existed_still_loads() -> None:
    X, y = _table(1500)
    model = ChurnClassifier(max_trees=20, n_folds=2).fit(X, y)
    expected = model.churn_probability(X)
    old = pickle.loads(pickle.dumps(model))
    for name in ("max_depth", "linear_max_rows"):  # as a model saved before they existed
        del old.__dict__[name]
    loaded = pickle.loads(pickle.dumps(old))
    assert loaded.max_depth == -1 and loaded.linear_max_rows == 200_000
    np.testing.assert_array_equal(loaded.churn_probability(X), expected)
    assert isinstance(loaded.booster_, lgb.Booster)


def test_workspace_model_settings_by_table_size() -> None:
    small, large, huge = new_model(rows=LARGE - 1), new_model(rows=LARGE), new_model(rows=HUGE)
    assert (small.n_folds, small.learning_rate, small.num_leaves) == (5, 0.03, (8, 32))
    # Large tables keep one tree size: choosing one would double the fitting time.
    assert (large.n_folds, large.learning_rate, large.num_leaves) == (3, 0.1, 8)
    assert (huge.n_folds, huge.learning_rate, huge.max_trees, huge.num_leaves) == (1, 0.3, 150, 8)
