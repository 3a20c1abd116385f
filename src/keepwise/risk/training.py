"""Train a workspace's churn model on rolling historical snapshots and keep it in ``models``.

Snapshots are taken at ``as_of - k * horizon`` for ``k = 1 .. snapshots + 1``, so every label
window ends on or before ``as_of``. The latest snapshot (``k = 1``) is held out by time to
evaluate a model fitted on the older ones; the stored model is then refitted on all of them.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sklearn.base import clone

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.models.churn import ChurnClassifier
from keepwise.models.evaluation import (
    KEEPWISE,
    LOGISTIC,
    LogisticBaseline,
    SingleFeatureBaseline,
    score_report,
)
from keepwise.risk.features import FEATURES, build_snapshot
from keepwise.store import Store, schema

KIND = "churn"
RECENCY = "recency_baseline"
DEFAULT_HORIZON = 90
DEFAULT_SNAPSHOTS = 6
DEFAULT_CUTOFFS = (0.3, 0.6)

register(
    {
        "risk.no_model": {
            "zh": "还没有训练好的流失模型。请先运行 keepwise risk train",
            "en": "No churn model has been trained yet. Run keepwise risk train first",
        },
        "risk.stale_model": {
            "zh": "模型 {version} 由不兼容的 Keepwise 版本保存，无法加载。请重新运行 keepwise risk train",
            "en": "The model {version} was saved by an incompatible Keepwise version. "
            "Run keepwise risk train again",
        },
        "risk.no_history": {
            "zh": "截至 {as_of} 之前的历史数据不足以训练流失模型：训练快照中有 {customers} 个客户，"
            "其中 {churned} 个流失（需要既有流失也有留存的客户）",
            "en": "Not enough history before {as_of} to train a churn model: the training "
            "snapshots hold {customers} customers, {churned} of them churned (both churned and "
            "kept customers are needed)",
        },
        "risk.bad_horizon": {
            "zh": "预测期 {horizon} 天无效：需要 1 到 730 天",
            "en": "Invalid horizon {horizon} days: use 1 to 730",
        },
        "risk.bad_cutoffs": {
            "zh": "风险分档阈值 {cutoffs} 无效：需要两个递增的概率，如 [0.3, 0.6]",
            "en": "Invalid risk band cut-offs {cutoffs}: use two increasing probabilities, "
            "e.g. [0.3, 0.6]",
        },
    }
)


@dataclass
class TrainResult:
    """What :func:`train` stored: the version, its snapshots and the hold-out evaluation."""

    model_version: str
    as_of: dt.date
    horizon: int
    train_dates: list[dt.date]
    test_date: dt.date
    rows: int
    churners: int
    evaluation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "as_of": self.as_of.isoformat(),
            "horizon": self.horizon,
            "train_dates": [d.isoformat() for d in self.train_dates],
            "test_date": self.test_date.isoformat(),
            "rows": self.rows,
            "churners": self.churners,
            "evaluation": self.evaluation,
        }


def check_horizon(horizon: int) -> int:
    if not 1 <= int(horizon) <= 730:
        raise InputError("risk.bad_horizon", horizon=horizon)
    return int(horizon)


def check_cutoffs(cutoffs: Sequence[float]) -> tuple[float, float]:
    values = tuple(float(c) for c in cutoffs)
    if len(values) != 2 or not 0 < values[0] < values[1] < 1:
        raise InputError("risk.bad_cutoffs", cutoffs=list(cutoffs))
    return values[0], values[1]


def snapshot_dates(as_of: dt.date, horizon: int, count: int) -> list[dt.date]:
    """``as_of - k * horizon`` for ``k = 1 .. count``, newest first."""
    return [as_of - dt.timedelta(days=k * horizon) for k in range(1, count + 1)]


def load_snapshots(
    store: Store, dates: Sequence[dt.date], horizon: int, churn: ChurnConfig
) -> pd.DataFrame:
    frames = [build_snapshot(store, d, horizon, churn=churn) for d in dates]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def features_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(FEATURES)]


#: From this many snapshot rows the model learns faster: 3 internal folds and learning rate 0.1
#: (on the demo company at 52,000 rows: 3.6x faster, hold-out ROC-AUC 0.8406 against 0.8414).
LARGE = 50_000
#: From this many rows: one stratified hold-out quarter instead of folds, learning rate 0.3 and
#: at most 150 trees. The tree count drives the cost of the exact per-customer drivers (LightGBM
#: TreeSHAP) when a million customers are scored; on the 200,000-customer demo (398,529
#: training rows) early stopping at learning rate 0.1 kept 795 trees, hold-out ROC-AUC 0.8510
#: and log-loss 0.1562; this setting gives 0.8496 and 0.1569, fits 5.6x faster and explains
#: 4.8x faster (docs/models.md).
HUGE = 200_000


#: Tree size (``num_leaves``) from ``LARGE`` rows on. Below, the classifier chooses between small
#: and larger trees by its internal validation; on large tables that would double the fitting
#: time, and on the demo company the folds keep the small trees anyway (15 of 15 folds on the
#: 3,000-customer demo's snapshots, docs/benchmarks.md).
LARGE_TABLE_LEAVES = 8


def new_model(random_state: int = 0, n_jobs: int | None = 1, rows: int = 0) -> ChurnClassifier:
    model = ChurnClassifier(random_state=random_state, n_jobs=n_jobs)
    if rows >= HUGE:
        return model.set_params(
            n_folds=1, learning_rate=0.3, max_trees=150, num_leaves=LARGE_TABLE_LEAVES
        )
    if rows >= LARGE:
        return model.set_params(n_folds=3, learning_rate=0.1, num_leaves=LARGE_TABLE_LEAVES)
    return model


def auto_threads(rows: int) -> int:
    """LightGBM threads for a table: one per 100,000 rows, at most one per core (smaller
    tables gain nothing from more threads, and idle OpenMP threads spin)."""
    return max(1, min(os.cpu_count() or 1, rows // 100_000))


def baselines() -> dict[str, Any]:
    """Comparison models: recency alone, and a logistic regression on the same features."""
    return {RECENCY: SingleFeatureBaseline("days_since_last_order"), LOGISTIC: LogisticBaseline()}


def _require_both_classes(frame: pd.DataFrame, as_of: dt.date) -> None:
    if frame.empty or frame["churned"].nunique() < 2:
        churners = int(frame["churned"].sum()) if not frame.empty else 0
        raise InputError("risk.no_history", as_of=as_of.isoformat(), customers=len(frame),
                         churned=churners)  # fmt: skip


def evaluate_split(
    train: pd.DataFrame, test: pd.DataFrame, model: ChurnClassifier
) -> tuple[ChurnClassifier, dict[str, Any]]:
    """Fit the model and the baselines on ``train``; score reports on ``test`` per model."""
    fitted = clone(model).fit(features_of(train), train["churned"])
    y = test["churned"].to_numpy()
    reports = {KEEPWISE: score_report(y, fitted.churn_probability(features_of(test)), KEEPWISE)}
    for name, baseline in baselines().items():
        part = clone(baseline).fit(features_of(train), train["churned"])
        proba = part.predict_proba(features_of(test))[:, 1]
        reports[name] = score_report(y, proba, name)
    return fitted, {name: r.to_dict() for name, r in reports.items()}


def train(
    store: Store,
    as_of: dt.date,
    *,
    churn: ChurnConfig,
    created_at: dt.datetime,
    horizon: int = DEFAULT_HORIZON,
    snapshots: int = DEFAULT_SNAPSHOTS,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
    random_state: int = 0,
    n_jobs: int = 0,
    max_trees: int | None = None,
) -> TrainResult:
    """Fit, evaluate by time, refit on all snapshots and store the model version.

    ``n_jobs`` threads for LightGBM; 0: chosen from the table size (:func:`auto_threads`).
    ``max_trees`` caps the boosting rounds (fewer trees: faster training and drivers)."""
    horizon, cutoffs = check_horizon(horizon), check_cutoffs(cutoffs)
    dates = snapshot_dates(as_of, horizon, max(2, snapshots + 1))
    frame = load_snapshots(store, dates, horizon, churn)
    test_date, train_dates = dates[0], dates[1:]
    older = frame[frame["as_of"] < pd.Timestamp(test_date)]
    held = frame[frame["as_of"] == pd.Timestamp(test_date)]
    _require_both_classes(older, as_of)
    threads = auto_threads(len(frame)) if n_jobs == 0 else n_jobs
    model = new_model(random_state, threads, len(frame))
    if max_trees is not None:
        model.set_params(max_trees=int(max_trees))
    evaluation: dict[str, Any] = {"test_date": test_date.isoformat(), "rows": len(held)}
    if held["churned"].nunique() == 2:
        _, evaluation["reports"] = evaluate_split(older, held, model)
    final = clone(model).fit(features_of(frame), frame["churned"])
    version = f"{KIND}-{as_of:%Y%m%d}-{created_at:%Y%m%dT%H%M%S}"
    result = TrainResult(
        model_version=version,
        as_of=as_of,
        horizon=horizon,
        train_dates=train_dates,
        test_date=test_date,
        rows=len(frame),
        churners=int(frame["churned"].sum()),
        evaluation=evaluation,
    )
    params = {"horizon": horizon, "snapshots": [d.isoformat() for d in dates],
              "cutoffs": list(cutoffs), "features": list(FEATURES),
              "estimator": {k: _plain(v) for k, v in final.get_params().items()},
              "stamp": stamp()}  # fmt: skip
    artifact = pickle.dumps({"model": final, "features": list(FEATURES), "cutoffs": cutoffs,
                             "horizon": horizon})  # fmt: skip
    with store.begin() as conn:
        conn.execute(
            sa.insert(schema.models).values(
                model_version=version, kind=KIND, as_of=as_of, created_at=created_at,
                params=json.dumps(params), evaluation=json.dumps(result.to_dict()),
                artifact=artifact,
            )
        )  # fmt: skip
    return result


#: The packages a stored churn model's pickle depends on.
STAMPED = ("keepwise", "lightgbm", "scikit-learn", "numpy")


def stamp() -> dict[str, str]:
    """The versions a model is saved with."""
    return {name: importlib.metadata.version(name) for name in STAMPED}


def compatible(saved: dict[str, str] | None) -> bool:
    """Whether a model saved with ``saved`` versions loads here: the same major.minor of
    Keepwise and of each library (a model saved before models were stamped is not)."""
    if not saved:
        return False
    now = stamp()
    return all(_minor(saved.get(name, "")) == _minor(now[name]) for name in STAMPED)


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@dataclass
class StoredModel:
    model_version: str
    as_of: dt.date
    model: ChurnClassifier
    cutoffs: tuple[float, float]
    horizon: int
    evaluation: dict[str, Any]


def load_model(store: Store, model_version: str | None = None) -> StoredModel:
    """The given churn model version, else the one created last."""
    m = schema.models
    query = sa.select(m).where(m.c.kind == KIND)
    if model_version:
        query = query.where(m.c.model_version == model_version)
    query = query.order_by(m.c.created_at.desc(), m.c.model_version.desc()).limit(1)
    with store.begin() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError("risk.no_model")
    # Checked before unpickling: a pickle of other library versions may load wrongly, or
    # crash, rather than fail cleanly.
    saved = json.loads(row["params"] or "{}").get("stamp")
    if not compatible(saved):
        raise InputError("risk.stale_model", version=row["model_version"])
    try:
        payload = pickle.loads(row["artifact"])  # our own artifact, written by train()
    except (AttributeError, ImportError, pickle.UnpicklingError, EOFError) as exc:
        raise InputError("risk.stale_model", version=row["model_version"]) from exc
    return StoredModel(
        model_version=row["model_version"],
        as_of=row["as_of"],
        model=payload["model"],
        cutoffs=tuple(payload["cutoffs"]),  # type: ignore[arg-type]
        horizon=int(payload["horizon"]),
        evaluation=json.loads(row["evaluation"] or "{}"),
    )


def summary_rows(reports: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per model of a reports dict: AUCs, Brier and top-decile capture."""
    rows = []
    for name, r in reports.items():
        capture = r["lift"][0]["capture"] if r.get("lift") else np.nan
        rows.append({"model": name, "roc_auc": r["roc_auc"], "pr_auc": r["pr_auc"],
                     "brier": r["brier"], "top_decile_capture": capture})  # fmt: skip
    return rows
