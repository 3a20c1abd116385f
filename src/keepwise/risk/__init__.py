"""Churn risk: features as of a date, training on rolling snapshots, scoring, the weekly risk
list and the time-split back-test. Reads and writes through :mod:`keepwise.store`."""

from keepwise.risk.backtest import BacktestReport, backtest
from keepwise.risk.features import FEATURES, build_features, build_snapshot, feature_table
from keepwise.risk.scoring import ScoreResult, risk_list, score
from keepwise.risk.training import TrainResult, load_model, train

__all__ = [
    "FEATURES",
    "BacktestReport",
    "ScoreResult",
    "TrainResult",
    "backtest",
    "build_features",
    "build_snapshot",
    "feature_table",
    "load_model",
    "risk_list",
    "score",
    "train",
]
