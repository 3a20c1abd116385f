"""Customer value: RFM summary and segments, value tiers, profit contribution after cost to
serve, no-value customers, and the value scores (P(alive), predicted CLV) of a workspace.

Definitions: docs/models.md, section "Customer value".

The names below are imported on first use (PEP 562): opening a workspace checks the ``[value]``
settings (``keepwise.value.settings``) without paying for pandas and SciPy.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from keepwise.value.novalue import TREATMENTS, no_value_candidates
    from keepwise.value.profit import profit_by_period, profit_contribution
    from keepwise.value.rfm import rfm_calibration_holdout, rfm_summary
    from keepwise.value.scoring import ValueScores, compute_scores, model_version, store_scores
    from keepwise.value.segments import (
        SEGMENT_LABELS,
        TIER_LABELS,
        TIERS,
        assign_tiers,
        pareto_share,
        quintile_score,
        rfm_scores,
        tier_summary,
    )
    from keepwise.value.service import ClvReport, RfmReport, TierReport
    from keepwise.value.settings import NoValueSettings, ValueSettings, parse_value_settings
    from keepwise.value.tables import ValueTables

_LAZY = {
    "TREATMENTS": "keepwise.value.novalue",
    "no_value_candidates": "keepwise.value.novalue",
    "profit_by_period": "keepwise.value.profit",
    "profit_contribution": "keepwise.value.profit",
    "rfm_calibration_holdout": "keepwise.value.rfm",
    "rfm_summary": "keepwise.value.rfm",
    "ValueScores": "keepwise.value.scoring",
    "compute_scores": "keepwise.value.scoring",
    "model_version": "keepwise.value.scoring",
    "store_scores": "keepwise.value.scoring",
    "SEGMENT_LABELS": "keepwise.value.segments",
    "TIER_LABELS": "keepwise.value.segments",
    "TIERS": "keepwise.value.segments",
    "assign_tiers": "keepwise.value.segments",
    "pareto_share": "keepwise.value.segments",
    "quintile_score": "keepwise.value.segments",
    "rfm_scores": "keepwise.value.segments",
    "tier_summary": "keepwise.value.segments",
    "ClvReport": "keepwise.value.service",
    "RfmReport": "keepwise.value.service",
    "TierReport": "keepwise.value.service",
    "NoValueSettings": "keepwise.value.settings",
    "ValueSettings": "keepwise.value.settings",
    "parse_value_settings": "keepwise.value.settings",
    "ValueTables": "keepwise.value.tables",
}

__all__ = [
    "SEGMENT_LABELS",
    "TIERS",
    "TIER_LABELS",
    "TREATMENTS",
    "ClvReport",
    "NoValueSettings",
    "RfmReport",
    "TierReport",
    "ValueScores",
    "ValueSettings",
    "ValueTables",
    "assign_tiers",
    "compute_scores",
    "model_version",
    "no_value_candidates",
    "pareto_share",
    "parse_value_settings",
    "profit_by_period",
    "profit_contribution",
    "quintile_score",
    "rfm_calibration_holdout",
    "rfm_scores",
    "rfm_summary",
    "store_scores",
    "tier_summary",
]


def __getattr__(name: str) -> typing.Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keepwise.value' has no attribute {name!r}")
