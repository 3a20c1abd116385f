"""Churn risk: features as of a date, training on rolling snapshots, scoring, the weekly risk
list, the time-split back-test and snapshot mode on a single file. Reads and writes through
:mod:`keepwise.store`."""

from keepwise.models.evaluation import EvaluationReport
from keepwise.risk.backtest import BacktestReport, backtest
from keepwise.risk.features import (
    FEATURES,
    build_features,
    build_snapshot,
    feature_table,
    lifetimes,
)
from keepwise.risk.scoring import ScoreResult, risk_count, risk_list, score
from keepwise.risk.snapshot import (
    DEFAULT_TIMES,
    SurvivalView,
    evaluate_file,
    survival_file,
    survival_workspace,
)
from keepwise.risk.training import (
    DEFAULT_CUTOFFS,
    DEFAULT_HORIZON,
    DEFAULT_SNAPSHOTS,
    TrainResult,
    load_model,
    train,
)

__all__ = [
    "DEFAULT_CUTOFFS",
    "DEFAULT_HORIZON",
    "DEFAULT_SNAPSHOTS",
    "DEFAULT_TIMES",
    "FEATURES",
    "BacktestReport",
    "EvaluationReport",
    "ScoreResult",
    "SurvivalView",
    "TrainResult",
    "backtest",
    "build_features",
    "build_snapshot",
    "evaluate_file",
    "feature_table",
    "lifetimes",
    "load_model",
    "risk_count",
    "risk_list",
    "score",
    "survival_file",
    "survival_workspace",
    "train",
]
