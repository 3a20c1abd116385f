"""Pure models: arrays and DataFrames in, fitted models and numbers out — no database, no HTTP.

The short public surface is re-exported here; the modules themselves are private details.
"""

from keepwise.models.churn import ChurnClassifier, risk_band
from keepwise.models.clv import (
    BGBB,
    BGNBD,
    ConvergenceError,
    GammaGamma,
    ParetoNBD,
    calibration_holdout_table,
)
from keepwise.models.evaluation import EvaluationReport, evaluate_snapshot, score_report
from keepwise.models.survival import cox_hazard_ratios, kaplan_meier, survival_at

__all__ = [
    "BGBB",
    "BGNBD",
    "ChurnClassifier",
    "ConvergenceError",
    "EvaluationReport",
    "GammaGamma",
    "ParetoNBD",
    "calibration_holdout_table",
    "cox_hazard_ratios",
    "evaluate_snapshot",
    "kaplan_meier",
    "risk_band",
    "score_report",
    "survival_at",
]
