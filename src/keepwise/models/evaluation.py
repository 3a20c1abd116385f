"""Back-test / evaluation report for churn scores (pure functions, no database).

:func:`score_report` rates one score vector (ROC-AUC, PR-AUC, Brier, calibration by decile,
lift and capture by decile). :func:`evaluate_snapshot` runs :class:`ChurnClassifier` and two
baselines on a labelled snapshot with a stratified 80/20 split and stratified K-fold CV, and
returns an :class:`EvaluationReport` that prints as a table and serialises to JSON.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from keepwise._core.i18n import Lang, register, t
from keepwise.models.churn import ChurnClassifier
from keepwise.models.encoding import TableEncoder, encode_binary_target

register(
    {
        "evaluation.title": {"zh": "流失模型评估", "en": "Churn model evaluation"},
        "evaluation.dataset": {
            "zh": "{rows} 行，流失 {positives} 行（{rate}），标签 {label}",
            "en": "{rows} rows, {positives} churned ({rate}), label {label}",
        },
        "evaluation.model": {"zh": "模型", "en": "Model"},
        "evaluation.split_auc": {"zh": "留出集 ROC-AUC", "en": "Hold-out ROC-AUC"},
        "evaluation.split_pr_auc": {"zh": "留出集 PR-AUC", "en": "Hold-out PR-AUC"},
        "evaluation.split_brier": {"zh": "留出集 Brier", "en": "Hold-out Brier"},
        "evaluation.cv_auc": {"zh": "{k}折交叉验证 AUC", "en": "{k}-fold CV AUC"},
        "evaluation.top_capture": {
            "zh": "最高10%风险覆盖流失",
            "en": "Churners in top 10 %",
        },
        "evaluation.model.keepwise": {"zh": "Keepwise 模型", "en": "Keepwise model"},
        "evaluation.model.logistic": {
            "zh": "逻辑回归基线",
            "en": "Logistic regression baseline",
        },
        "evaluation.model.single": {
            "zh": "单特征基线（{column}）",
            "en": "Single-feature baseline ({column})",
        },
    }
)

KEEPWISE, LOGISTIC, SINGLE = "keepwise", "logistic_baseline", "single_feature_baseline"
# Names that usually mean "how long a customer has been with us / since we last saw them".
_RECENCY = re.compile(
    r"tenure|recency|days_since_last|since_last|months_active|lifetime|customer_age|age_days",
    re.IGNORECASE,
)


def _binary(y_true: Any) -> np.ndarray:
    values = np.asarray(y_true)
    if values.dtype.kind in "biuf" and set(np.unique(values)) <= {0, 1}:
        return values.astype(np.int64)
    return encode_binary_target(values)[0]


def _equal_bins(order: np.ndarray, bins: int) -> np.ndarray:
    """Bin number (0 ..) per row for rows taken in ``order``, bins as equal as possible."""
    labels = np.empty(len(order), dtype=np.int64)
    for number, chunk in enumerate(np.array_split(order, bins)):
        labels[chunk] = number
    return labels


def calibration_table(y_true: Any, y_score: Any, bins: int = 10) -> pd.DataFrame:
    """Mean predicted vs observed churn rate per score decile (1 = lowest scores)."""
    y, score = _binary(y_true), np.asarray(y_score, dtype=float)
    group = _equal_bins(np.argsort(score, kind="stable"), bins)
    frame = pd.DataFrame({"bin": group + 1, "y": y, "score": score})
    table = frame.groupby("bin").agg(
        n=("y", "size"), mean_predicted=("score", "mean"), observed_rate=("y", "mean")
    )
    return table.reset_index()


def lift_table(y_true: Any, y_score: Any, bins: int = 10) -> pd.DataFrame:
    """Lift and cumulative capture per decile, decile 1 holding the highest scores."""
    y, score = _binary(y_true), np.asarray(y_score, dtype=float)
    group = _equal_bins(np.argsort(-score, kind="stable"), bins)
    frame = pd.DataFrame({"decile": group + 1, "y": y})
    table = frame.groupby("decile").agg(n=("y", "size"), churners=("y", "sum")).reset_index()
    base_rate = y.mean() if len(y) else 0.0
    table["churn_rate"] = table["churners"] / table["n"]
    table["lift"] = table["churn_rate"] / base_rate if base_rate else np.nan
    table["capture"] = table["churners"].cumsum() / max(int(y.sum()), 1)
    cumulative_rate = table["churners"].cumsum() / table["n"].cumsum()
    table["cumulative_lift"] = cumulative_rate / base_rate if base_rate else np.nan
    return table


@dataclass
class ScoreReport:
    """How well one score vector separates and calibrates churn."""

    name: str
    n: int
    churners: int
    roc_auc: float
    pr_auc: float
    brier: float
    calibration: pd.DataFrame
    lift: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.n,
            "churners": self.churners,
            "roc_auc": self.roc_auc,
            "pr_auc": self.pr_auc,
            "brier": self.brier,
            "calibration": _records(self.calibration),
            "lift": _records(self.lift),
        }


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records"))  # plain floats / ints, NaN -> null


def score_report(y_true: Any, y_score: Any, name: str = KEEPWISE, bins: int = 10) -> ScoreReport:
    """ROC-AUC, PR-AUC, Brier (scores must be probabilities), calibration and lift."""
    y, score = _binary(y_true), np.asarray(y_score, dtype=float)
    return ScoreReport(
        name=name,
        n=len(y),
        churners=int(y.sum()),
        roc_auc=float(roc_auc_score(y, score)),
        pr_auc=float(average_precision_score(y, score)),
        brier=float(brier_score_loss(y, np.clip(score, 0.0, 1.0))),
        calibration=calibration_table(y, score, bins),
        lift=lift_table(y, score, bins),
    )


def compare_scores(
    y_true: Any, y_score: Any, baselines: dict[str, Any] | None = None, bins: int = 10
) -> dict[str, ScoreReport]:
    """Score reports for the model and each named baseline score vector."""
    reports = {KEEPWISE: score_report(y_true, y_score, KEEPWISE, bins)}
    for name, scores in (baselines or {}).items():
        reports[name] = score_report(y_true, scores, name, bins)
    return reports


class LogisticBaseline(ClassifierMixin, BaseEstimator):
    """Logistic regression on one-hot categories and standardised raw numbers."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: pd.DataFrame, y: Any) -> LogisticBaseline:
        y01, self.classes_, _ = encode_binary_target(y)
        self.encoder_ = TableEncoder(log_terms=False).fit(X)
        matrix = self.encoder_.linear_matrix(X)
        self.model_ = LogisticRegression(C=self.C, max_iter=5000).fit(matrix, y01)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(self.encoder_.linear_matrix(X))


class SingleFeatureBaseline(ClassifierMixin, BaseEstimator):
    """Logistic regression on one numeric column (median-imputed), e.g. tenure or recency."""

    def __init__(self, column: str = "tenure") -> None:
        self.column = column

    def _x(self, X: pd.DataFrame) -> np.ndarray:
        values = pd.to_numeric(X[self.column].astype(str).str.strip(), errors="coerce")
        return values.fillna(self.median_).to_numpy(float).reshape(-1, 1)

    def fit(self, X: pd.DataFrame, y: Any) -> SingleFeatureBaseline:
        y01, self.classes_, _ = encode_binary_target(y)
        values = pd.to_numeric(X[self.column].astype(str).str.strip(), errors="coerce")
        self.median_ = float(values.median()) if values.notna().any() else 0.0
        self.model_ = LogisticRegression(max_iter=5000).fit(self._x(X), y01)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(self._x(X))


def recency_column(X: pd.DataFrame) -> str | None:
    """The first mostly-numeric column whose name looks like tenure or recency."""
    for name in X.columns:
        if _RECENCY.search(str(name)):
            parsed = pd.to_numeric(X[name].astype(str).str.strip(), errors="coerce")
            if parsed.notna().mean() >= 0.95:
                return str(name)
    return None


@dataclass
class EvaluationReport:
    """Hold-out reports and CV fold AUCs per model, plus facts about the snapshot."""

    label: str
    rows: int
    churners: int
    split: dict[str, ScoreReport]
    cv_auc: dict[str, list[float]]
    cv_brier: dict[str, list[float]]
    random_state: int = 42
    dropped_columns: dict[str, str] = field(default_factory=dict)
    single_feature: str | None = None

    def cv_mean(self, name: str = KEEPWISE) -> float:
        return float(np.mean(self.cv_auc[name]))

    def summary(self) -> pd.DataFrame:
        """One row per model: hold-out metrics, CV mean/std AUC and top-decile capture."""
        rows = []
        for name, report in self.split.items():
            rows.append(
                {
                    "model": name,
                    "roc_auc": report.roc_auc,
                    "pr_auc": report.pr_auc,
                    "brier": report.brier,
                    "cv_auc_mean": float(np.mean(self.cv_auc[name])),
                    "cv_auc_std": float(np.std(self.cv_auc[name])),
                    "cv_brier_mean": float(np.mean(self.cv_brier[name])),
                    "top_decile_capture": float(report.lift["capture"].iloc[0]),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "rows": self.rows,
            "churners": self.churners,
            "random_state": self.random_state,
            "dropped_columns": dict(self.dropped_columns),
            "single_feature": self.single_feature,
            "summary": _records(self.summary()),
            "split": {name: r.to_dict() for name, r in self.split.items()},
            "cv_auc": {name: list(map(float, v)) for name, v in self.cv_auc.items()},
            "cv_brier": {name: list(map(float, v)) for name, v in self.cv_brier.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _model_name(self, name: str, lang: Lang | str) -> str:
        if name == SINGLE:
            return t("evaluation.model.single", lang, column=self.single_feature)
        return t(
            "evaluation.model.logistic" if name == LOGISTIC else f"evaluation.model.{name}", lang
        )

    def to_text(self, lang: Lang | str = "en") -> str:
        """A plain-text table in ``lang``."""
        k = len(next(iter(self.cv_auc.values()), []))
        rate = f"{self.churners / max(self.rows, 1):.1%}"
        header = [
            t("evaluation.model", lang),
            t("evaluation.split_auc", lang),
            t("evaluation.split_pr_auc", lang),
            t("evaluation.split_brier", lang),
            t("evaluation.cv_auc", lang, k=k),
            t("evaluation.top_capture", lang),
        ]
        body = [
            [
                self._model_name(str(row.model), lang),
                f"{row.roc_auc:.4f}",
                f"{row.pr_auc:.4f}",
                f"{row.brier:.4f}",
                f"{row.cv_auc_mean:.4f} ± {row.cv_auc_std:.4f}",
                f"{row.top_decile_capture:.1%}",
            ]
            for row in self.summary().itertuples()
        ]
        widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
        lines = [t("evaluation.title", lang)]
        lines.append(
            t(
                "evaluation.dataset",
                lang,
                rows=self.rows,
                positives=self.churners,
                rate=rate,
                label=self.label,
            )
        )
        for r in [header, *body]:
            lines.append("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text("en")


def _probability(model: Any, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(X)[:, 1], dtype=float)


def evaluate_snapshot(
    df: pd.DataFrame,
    label: str,
    id_col: str | None = None,
    random_state: int = 42,
    estimator: Any = None,
    folds: int = 5,
    bins: int = 10,
) -> EvaluationReport:
    """Stratified 80/20 hold-out and ``folds``-fold stratified CV for the model and baselines.

    ``estimator`` defaults to ``ChurnClassifier()`` with its default settings; the baselines are
    :class:`LogisticBaseline` and, when a tenure/recency-like column exists,
    :class:`SingleFeatureBaseline` on it.
    """
    X = df.drop(columns=[label, *([id_col] if id_col else [])])
    y = encode_binary_target(df[label])[0]
    models: dict[str, Any] = {
        KEEPWISE: estimator if estimator is not None else ChurnClassifier(),
        LOGISTIC: LogisticBaseline(),
    }
    single = recency_column(X)
    if single is not None:
        models[SINGLE] = SingleFeatureBaseline(single)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, test_size=0.2, random_state=random_state
    )
    split, dropped = {}, {}
    for name, model in models.items():
        fitted = clone(model).fit(X_train, y_train)
        split[name] = score_report(y_test, _probability(fitted, X_test), name, bins)
        if name == KEEPWISE and hasattr(fitted, "encoder_"):
            dropped = dict(fitted.encoder_.dropped)
    cv_auc: dict[str, list[float]] = {name: [] for name in models}
    cv_brier: dict[str, list[float]] = {name: [] for name in models}
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(X, y):
        for name, model in models.items():
            score = _probability(clone(model).fit(X.iloc[train], y[train]), X.iloc[test])
            cv_auc[name].append(float(roc_auc_score(y[test], score)))
            cv_brier[name].append(float(brier_score_loss(y[test], score)))
    return EvaluationReport(
        label=label,
        rows=len(df),
        churners=int(y.sum()),
        split=split,
        cv_auc=cv_auc,
        cv_brier=cv_brier,
        random_state=random_state,
        dropped_columns=dropped,
        single_feature=single,
    )
