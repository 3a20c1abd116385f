"""Customer value: RFM summary and segments, value tiers, profit contribution after cost to
serve, no-value customers, and the value scores (P(alive), predicted CLV) of a workspace.

Definitions: docs/models.md, section "Customer value"."""

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
