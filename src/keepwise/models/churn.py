"""Explainable churn classifier that accepts a table straight from ``pandas.read_csv``.

Design (why it looks like this):

* **No user preprocessing.** :class:`TableEncoder` infers each column's kind from the training
  data: numbers stored as text (``" "`` blanks, ``"1,234"``, ``"$5"``) become floats with NaN,
  Yes/No/True/False text becomes 0/1, near-unique text (ids, free text) and all-missing or
  constant columns are dropped, other text becomes a category whose rare levels (and levels never
  seen in training) fall into one ``"(other)"`` level, so high cardinality cannot overfit.
* **Two views, one blended score.** A LightGBM booster with small trees and strong regularisation
  sees numbers as they are and categories natively; an L2 logistic regression sees centred
  one-hot categories and every number both raw and log-compressed (so it can bend). Tabular
  churn data is often close to additive, where the linear view alone is hard to beat; the trees
  add interactions. The raw score is ``w * tree_margin + (1 - w) * linear_margin``; ``w`` and
  the tree size (``num_leaves``: small trees, or LightGBM's usual size, which wins on very
  separable tables with repeated rows) are chosen together by the out-of-fold log-loss, so the
  blend can always fall back on the trees alone at LightGBM's size.
* **Honest defaults.** Internal stratified K-fold: each fold's booster stops early on its
  held-out fold, the final booster is refitted on all rows with the mean best round count, and the
  out-of-fold blended margins train the calibrator (Platt sigmoid by default, isotonic optional).
* **Explanations are exact.** LightGBM ``pred_contrib`` (per feature + bias) and the linear
  terms ``coef * centred value`` are both additive in margin space, so per original column they
  add up, together with the bias, to the raw score before calibration.

Labels may be 0/1, bool or text. The positive ("churn") class is the label whose text is one of
``yes, y, true, t, 1, churn, churned, churner, lost, left, inactive, cancelled, canceled``;
otherwise ``True``, otherwise the larger number, otherwise the last label in sorted order.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from keepwise._core.i18n import Lang
from keepwise.models.drivers import describe_both, reference_for
from keepwise.models.encoding import (
    TableEncoder,
    _as_frame,
    encode_binary_target,
)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def risk_band(
    proba: Any,
    cutoffs: Sequence[float] = (0.3, 0.6),
    labels: Sequence[str] = ("low", "medium", "high"),
) -> Any:
    """``"low"``/``"medium"``/``"high"`` per probability; a value equal to a cutoff goes up."""
    if len(labels) != len(cutoffs) + 1 or list(cutoffs) != sorted(cutoffs):
        raise ValueError("need sorted cutoffs and exactly one more label than cutoffs")
    index = np.searchsorted(np.asarray(cutoffs, float), np.asarray(proba, float), side="right")
    names = np.asarray(labels, dtype=object)[index]
    return str(names) if np.ndim(names) == 0 else names


class ChurnClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated, explainable LightGBM + linear churn model for raw tables (see module doc).

    The defaults are meant to work unchanged on unseen tables; ``random_state`` fixes every
    random choice so refits on the same data give identical predictions.

    Parameters: the LightGBM part (``learning_rate``, ``num_leaves`` (one size, or several
    candidates of which the internal validation keeps one), ``max_depth`` (-1: no
    limit; a shallow tree is cheaper to explain), ``min_child_samples``,
    ``reg_lambda`` (L2), ``colsample``, ``subsample``; its tree count is chosen by early stopping
    up to ``max_trees`` in ``n_folds`` internal folds, or with ``n_folds=1`` on one stratified
    hold-out quarter); ``linear_C`` the inverse L2 strength of the linear part, fitted on at
    most ``linear_max_rows`` rows (a seeded random subset beyond that: a few dozen coefficients
    are settled long before, and the fit costs time in proportion to the rows);
    ``linear_weight`` the linear part's share of the blend (``None``: chosen with the tree size
    by out-of-fold log-loss; ``0``: trees only; ``1``: linear only); ``calibration`` ``"sigmoid"``,
    ``"isotonic"`` or ``"none"``; ``max_categories`` / ``min_category_count`` cap text columns;
    ``n_jobs`` threads (``None``: all cores; worth it from roughly 50 000 rows).

    Fitted attributes: ``classes_`` (sorted labels), ``positive_index_`` (churn's column in
    ``predict_proba``), ``n_features_in_``, ``feature_names_in_``, ``encoder_``
    (:class:`TableEncoder`; ``encoder_.dropped`` says which columns were left out and why),
    ``booster_``, ``linear_``, ``num_leaves_`` (the tree size kept), ``n_trees_``,
    ``tree_weight_``, ``calibrator_``.
    """

    def __init__(
        self,
        learning_rate: float = 0.03,
        num_leaves: int | tuple[int, ...] = (8, 32),
        max_depth: int = -1,
        min_child_samples: int = 20,
        reg_lambda: float = 5.0,
        colsample: float = 0.7,
        subsample: float = 0.8,
        max_trees: int = 2000,
        early_stopping_rounds: int = 50,
        n_folds: int = 5,
        linear_C: float = 0.5,
        linear_max_rows: int | None = 200_000,
        linear_weight: float | None = None,
        calibration: Literal["sigmoid", "isotonic", "none"] = "sigmoid",
        max_categories: int = 30,
        min_category_count: int = 10,
        random_state: int = 0,
        n_jobs: int | None = 1,
    ) -> None:
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.colsample = colsample
        self.subsample = subsample
        self.max_trees = max_trees
        self.early_stopping_rounds = early_stopping_rounds
        self.n_folds = n_folds
        self.linear_C = linear_C
        self.linear_max_rows = linear_max_rows
        self.linear_weight = linear_weight
        self.calibration = calibration
        self.max_categories = max_categories
        self.min_category_count = min_category_count
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A model saved before a hyper-parameter existed gets its default, which is what that
        # model was fitted with: older saved models keep loading.
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if name != "self"
        }
        super().__setstate__({**defaults, **state})

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = True  # densified: churn tables are narrow
        tags.classifier_tags.multi_class = False
        return tags

    # ----------------------------------------------------------------------------- fitting
    def _threads(self) -> int | None:
        return self.n_jobs if self.n_jobs and self.n_jobs > 0 else None

    def fit(self, X: Any, y: Any) -> ChurnClassifier:
        # Cap OpenMP/BLAS threads too: idle threads spinning on a busy machine cost more than
        # they save on tables of this size.
        with threadpool_limits(limits=self._threads()):
            return self._fit(X, y)

    def _fit(self, X: Any, y: Any) -> ChurnClassifier:
        frame = _as_frame(X)
        y01, self.classes_, self.positive_index_ = encode_binary_target(y)
        if len(y01) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(y01)}")
        self.n_features_in_ = frame.shape[1]
        self.training_columns_ = list(frame.columns)
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.encoder_ = TableEncoder(self.max_categories, self.min_category_count).fit(frame)
        trees, linear = self.encoder_.tree_frame(frame), self.encoder_.linear_matrix(frame)
        oof_linear, oof_trees, rounds = self._cross_fit(trees, linear, y01)
        seen = ~np.isnan(oof_linear)  # all rows, except with a single hold-out split
        self.num_leaves_, self.tree_weight_, oof_margin = self._choose(
            {leaves: oof[seen] for leaves, oof in oof_trees.items()}, oof_linear[seen], y01[seen]
        )
        self.n_trees_ = max(1, round(float(np.mean(rounds[self.num_leaves_]))))
        self.booster_ = self._train_booster(trees, y01, self.n_trees_, self.num_leaves_)
        self.linear_ = self._fit_linear(linear, y01, np.arange(len(y01)))
        self._fit_calibrator(oof_margin, y01[seen])
        return self

    def _leaf_candidates(self) -> list[int]:
        leaves = self.num_leaves
        return [int(v) for v in leaves] if isinstance(leaves, tuple | list) else [int(leaves)]

    def _booster_params(self, n_rows: int, leaves: int) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": leaves,
            "max_depth": self.max_depth,
            # Tiny tables cannot afford 20 rows per leaf; large ones keep the set value.
            "min_data_in_leaf": max(2, min(self.min_child_samples, n_rows // 10)),
            "lambda_l2": self.reg_lambda,
            "feature_fraction": self.colsample,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1,
            # Category splits: need enough rows per side and smoothed level statistics.
            "min_data_per_group": 50,
            "cat_smooth": 10.0,
            "cat_l2": 10.0,
            "seed": self.random_state,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": self._threads() or 0,
            "verbose": -1,
        }

    def _train_booster(
        self,
        X: pd.DataFrame,
        y: np.ndarray,
        rounds: int,
        leaves: int,
        valid: tuple[Any, Any] | None = None,
    ) -> lgb.Booster:
        params = self._booster_params(len(X), leaves)
        data = lgb.Dataset(X, label=y, params={"verbose": -1, "num_threads": self._threads() or 0})
        if valid is None:
            return lgb.train(params, data, num_boost_round=rounds)
        check = lgb.Dataset(valid[0], label=valid[1], reference=data)
        stop = lgb.early_stopping(self.early_stopping_rounds, verbose=False)
        return lgb.train(params, data, rounds, valid_sets=[check], callbacks=[stop])

    def _fit_linear(self, linear: np.ndarray, y: np.ndarray, rows: np.ndarray) -> Any:
        cap = self.linear_max_rows
        if cap is not None and len(rows) > cap:
            rng = np.random.default_rng(self.random_state)
            rows = np.sort(rng.choice(rows, size=int(cap), replace=False))
        model = LogisticRegression(C=self.linear_C, max_iter=5000)
        return model.fit(linear[rows], y[rows])

    def _cross_fit(
        self, trees: pd.DataFrame, linear: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, list[int]]]:
        """Out-of-fold margins of the linear part and of each tree size (``num_leaves``
        candidate), and each fold's early-stopped round count per tree size.

        With ``n_folds=1`` one stratified quarter of the rows is held out instead (for very
        large tables, where one split is evidence enough): only those rows get out-of-fold
        margins, and the rest come back as NaN.
        """
        sizes = self._leaf_candidates()
        k = min(max(2, self.n_folds), int(np.bincount(y).min()))
        blank = np.nan if self.n_folds == 1 and k >= 2 else 0.0
        oof_linear = np.full(len(y), blank)
        oof_trees = {leaves: np.full(len(y), blank) for leaves in sizes}
        rounds: dict[int, list[int]] = {leaves: [] for leaves in sizes}
        if k < 2:  # too few churners to hold any out: fixed size, no blending evidence
            return oof_linear, oof_trees, {leaves: [min(100, self.max_trees)] for leaves in sizes}
        for train, held in self._splits(y, k):
            valid = (trees.iloc[held], y[held])
            part = self._fit_linear(linear, y, train)
            oof_linear[held] = part.decision_function(linear[held])
            for leaves in sizes:
                booster = self._train_booster(
                    trees.iloc[train], y[train], self.max_trees, leaves, valid
                )
                rounds[leaves].append(max(1, booster.best_iteration or self.max_trees))
                oof_trees[leaves][held] = booster.predict(trees.iloc[held], raw_score=True)
        return oof_linear, oof_trees, rounds

    def _splits(self, y: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """``k`` stratified folds, or with ``n_folds=1`` one stratified hold-out quarter."""
        if self.n_folds == 1:
            quarters = StratifiedKFold(4, shuffle=True, random_state=self.random_state)
            held = next(quarters.split(y, y))[1]
            return [(np.setdiff1d(np.arange(len(y)), held), held)]
        folds = StratifiedKFold(k, shuffle=True, random_state=self.random_state)
        return list(folds.split(y, y))

    def _choose(
        self, oof_trees: dict[int, np.ndarray], oof_linear: np.ndarray, y: np.ndarray
    ) -> tuple[int, float, np.ndarray]:
        """``(num_leaves, tree weight, blended out-of-fold margin)`` with the best out-of-fold
        log-loss (after a Platt fit) over the tree sizes and the blend weights (the set
        ``linear_weight``, else 0, 0.1, ..., 1). The first size wins ties."""
        if self.linear_weight is not None:
            weights = np.array([1.0 - float(self.linear_weight)])
        elif not oof_linear.any():  # no out-of-fold evidence (too few churners)
            weights = np.array([0.5])
        else:
            weights = np.linspace(0.0, 1.0, 11)
        best: tuple[float, int, float] | None = None
        for leaves, tree in oof_trees.items():
            for w in weights:
                margin = w * tree + (1 - w) * oof_linear
                loss = _log_loss(y, self._platt(margin, y)) if margin.any() else 0.0
                if best is None or loss < best[0] - 1e-12:
                    best = (loss, leaves, float(w))
        assert best is not None
        _, leaves, w = best
        return leaves, w, w * oof_trees[leaves] + (1 - w) * oof_linear

    @staticmethod
    def _platt(margin: np.ndarray, y: np.ndarray) -> np.ndarray:
        model = LogisticRegression(C=1e6).fit(margin.reshape(-1, 1), y)
        return model.predict_proba(margin.reshape(-1, 1))[:, 1]

    def _fit_calibrator(self, margin: np.ndarray, y: np.ndarray) -> None:
        self.calibrator_: Any = None
        if self.calibration == "none" or not margin.any():
            return
        if self.calibration == "isotonic":
            iso = IsotonicRegression(out_of_bounds="clip", y_min=1e-6, y_max=1 - 1e-6)
            self.calibrator_ = iso.fit(margin, y)
        elif self.calibration == "sigmoid":
            self.calibrator_ = LogisticRegression(C=1e6).fit(margin.reshape(-1, 1), y)
        else:
            raise ValueError(f"unknown calibration {self.calibration!r}")

    # --------------------------------------------------------------------------- predicting
    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "encoder_")
        frame = _as_frame(X)
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in frame.columns]
            if missing:
                raise ValueError(f"X lacks the training columns {missing}")
            return frame
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} features, but ChurnClassifier is expecting "
                f"{self.n_features_in_} features as input."
            )
        # Fitted without column names: columns are matched by position.
        return frame.set_axis(self.training_columns_, axis=1)

    def _tree_predict(self, frame: pd.DataFrame, **how: bool) -> np.ndarray:
        with threadpool_limits(limits=self._threads()):
            trees = self.encoder_.tree_frame(frame)
            return np.asarray(self.booster_.predict(trees, num_threads=self._threads() or 0, **how))

    def raw_score(self, X: Any) -> np.ndarray:
        """Blended churn margin (log-odds scale) before calibration."""
        frame = self._frame(X)
        w = self.tree_weight_
        # A part with no weight in the blend is not computed at all.
        margin = np.zeros(len(frame))
        if w > 0:
            margin += w * self._tree_predict(frame, raw_score=True)
        if w < 1:
            terms = self.encoder_.linear_terms(frame, self.linear_.coef_[0])
            margin += (1 - w) * (terms.sum(axis=1) + float(self.linear_.intercept_[0]))
        return margin

    def calibrated(self, margin: Any) -> np.ndarray:
        """Calibrated churn probability of a blended margin (``raw_score``, or the row sums of
        ``contributions``)."""
        margin = np.asarray(margin, dtype=float)
        if self.calibrator_ is None:
            return _sigmoid(margin)
        if isinstance(self.calibrator_, IsotonicRegression):
            return np.asarray(self.calibrator_.predict(margin), dtype=float)
        return np.asarray(self.calibrator_.predict_proba(margin.reshape(-1, 1))[:, 1])

    def churn_probability(self, X: Any) -> np.ndarray:
        """Calibrated probability of the positive (churn) class."""
        return self.calibrated(self.raw_score(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        p = self.churn_probability(X)
        return np.column_stack([p, 1 - p] if self.positive_index_ == 0 else [1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        churn = self.churn_probability(X) >= 0.5
        return np.where(
            churn, self.classes_[self.positive_index_], self.classes_[1 - self.positive_index_]
        )

    # --------------------------------------------------------------------------- explaining
    def contributions(self, X: Any) -> pd.DataFrame:
        """Per original column margin contributions plus ``bias``; rows sum to raw_score."""
        frame = self._frame(X)
        names = self.encoder_.feature_names
        w = self.tree_weight_
        values, bias = np.zeros((len(frame), len(names))), np.zeros(len(frame))
        if w > 0:
            tree = self._tree_predict(frame, pred_contrib=True)
            values += w * tree[:, :-1]
            bias += w * tree[:, -1]
        if w < 1:
            values += (1 - w) * self.encoder_.linear_terms(frame, self.linear_.coef_[0])
            bias += (1 - w) * float(self.linear_.intercept_[0])
        out = pd.DataFrame(values, columns=names, index=frame.index)
        out["bias"] = bias
        return out

    def explain(
        self,
        X: Any,
        top: int = 3,
        lang: Lang | str = "en",
        direction: Literal["up", "down", "abs"] = "up",
    ) -> pd.DataFrame:
        """Top ``top`` drivers per row: feature, value, contribution and a sentence.

        ``direction="up"`` ranks by how much a column raises the risk, ``"down"`` by how much it
        lowers it, ``"abs"`` by size. ``sentence`` is in ``lang``; ``sentence_zh`` and
        ``sentence_en`` carry both languages.
        """
        frame = self._frame(X)
        contrib = self.contributions(frame).drop(columns="bias")
        shown = self.encoder_.display_values(frame)
        key = {"up": -contrib, "down": contrib, "abs": -contrib.abs()}[direction].to_numpy()
        order = np.argsort(key, axis=1, kind="stable")[:, :top]
        amounts = contrib.to_numpy(float)
        records = []
        for i, row_index in enumerate(frame.index):
            row: dict[str, Any] = {str(k): v for k, v in shown.iloc[i].items()}
            for rank, j in enumerate(order[i], start=1):
                name = str(contrib.columns[j])
                value, c = row[name], float(amounts[i, j])
                texts = describe_both(name, value, c, reference_for(name, row))
                records.append(
                    {
                        "row": row_index,
                        "rank": rank,
                        "feature": name,
                        "value": value,
                        "contribution": c,
                        "sentence": texts["zh" if str(lang).startswith("zh") else "en"],
                        "sentence_zh": texts["zh"],
                        "sentence_en": texts["en"],
                    }
                )
        return pd.DataFrame.from_records(records)

    risk_band = staticmethod(risk_band)
