"""Pure models: arrays and DataFrames in, fitted models and numbers out — no database, no HTTP.

The short public surface is re-exported here; the modules themselves are private details.
Each name is imported on first use, so that code needing one model does not pay for the
others' libraries (LightGBM and scikit-learn, lifelines): every command starts faster.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
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

_HOME = {
    "ChurnClassifier": "churn", "risk_band": "churn",
    "BGBB": "clv", "BGNBD": "clv", "ConvergenceError": "clv", "GammaGamma": "clv",
    "ParetoNBD": "clv", "calibration_holdout_table": "clv",
    "EvaluationReport": "evaluation", "evaluate_snapshot": "evaluation",
    "score_report": "evaluation",
    "cox_hazard_ratios": "survival", "kaplan_meier": "survival", "survival_at": "survival",
}  # fmt: skip

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


def __getattr__(name: str) -> _typing.Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])
