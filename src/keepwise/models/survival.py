"""Survival views of churn: Kaplan-Meier curves by group and Cox hazard ratios.

Durations are the time a customer has been observed (e.g. Telco ``tenure`` in months); the
event is churn (``Yes``/``No``, bool or 0/1). Customers still active are right-censored.
Inputs may come straight from ``read_csv``: durations stored as text are parsed, rows without a
duration are left out, and covariates are typed by :class:`~keepwise.models.churn.TableEncoder`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter

from keepwise.models.encoding import OTHER, POSITIVE_LABELS, TableEncoder

ALL = "all"


def _event(values: pd.Series) -> pd.Series:
    """1 for churned, 0 for still active (censored)."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return (pd.to_numeric(values, errors="coerce").fillna(0) != 0).astype(int)
    text = values.astype(str).str.strip().str.lower()
    return text.isin(POSITIVE_LABELS).astype(int)


def _durations(df: pd.DataFrame, duration: str, event: str) -> pd.DataFrame:
    """``df`` with parsed ``_T`` and ``_E`` columns, rows lacking a duration left out."""
    raw = df[duration]
    if not pd.api.types.is_numeric_dtype(raw):
        raw = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce")
    out = df.assign(_T=raw.astype(float), _E=_event(df[event])).dropna(subset=["_T"])
    if (out["_T"] < 0).any():
        raise ValueError(f"{duration} has negative durations")
    return out


def _groups(data: pd.DataFrame, group: str | None) -> list[tuple[str, pd.DataFrame]]:
    if group is None:
        return [(ALL, data)]
    keys = data[group].astype(str).fillna("(missing)")
    return [(str(k), data[keys == k]) for k in sorted(keys.unique())]


def _fit(part: pd.DataFrame, alpha: float) -> KaplanMeierFitter:
    return KaplanMeierFitter(alpha=alpha).fit(part["_T"], part["_E"])


def kaplan_meier(
    df: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The KM curve per group: group, time, survival, ci_lower, ci_upper, at_risk, churned.

    One row per distinct time (starting at 0); the band is lifelines' exponential Greenwood
    interval at ``1 - alpha`` confidence.
    """
    frames = []
    for name, part in _groups(_durations(df, duration, event), group):
        km = _fit(part, alpha)
        band = km.confidence_interval_survival_function_
        table = km.event_table
        frames.append(
            pd.DataFrame(
                {
                    "group": name,
                    "time": km.survival_function_.index.to_numpy(float),
                    "survival": km.survival_function_.iloc[:, 0].to_numpy(float),
                    "ci_lower": band.iloc[:, 0].to_numpy(float),
                    "ci_upper": band.iloc[:, 1].to_numpy(float),
                    "at_risk": table["at_risk"].to_numpy(int),
                    "churned": table["observed"].to_numpy(int),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def survival_at(
    df: pd.DataFrame,
    duration: str,
    event: str,
    times: Sequence[float],
    group: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """S(t) with its band at each of ``times`` per group: the step curve read at ``t``.

    A KM curve is right-continuous, so S(t) includes the churn observed at exactly ``t``
    (lifelines ``survival_function_at_times``); the band is read the same way.
    """
    rows = []
    for name, part in _groups(_durations(df, duration, event), group):
        km = _fit(part, alpha)
        band = km.confidence_interval_survival_function_
        survival = km.survival_function_at_times(list(times)).to_numpy(float)
        # Last band row at or before t (the band is a step function on the same grid).
        position = np.searchsorted(band.index.to_numpy(float), np.asarray(times, float), "right")
        for t_value, s_value, pos in zip(times, survival, position, strict=True):
            lower, upper = band.iloc[max(pos - 1, 0)].to_numpy(float)
            rows.append(
                {
                    "group": name,
                    "time": float(t_value),
                    "survival": float(s_value),
                    "ci_lower": float(lower),
                    "ci_upper": float(upper),
                }
            )
    return pd.DataFrame(rows)


def _cox_design(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numbers as they are (median-imputed); categories one-hot against their commonest level."""
    encoder = TableEncoder().fit(data[list(covariates)])
    columns: dict[str, pd.Series] = {}
    for col in encoder.columns:
        values = encoder.column_values(data, col)
        if col.kind == "numeric":
            columns[col.name] = values.fillna(col.median)
            continue
        # levels are sorted by frequency, so levels[0] is the reference category
        for level in [*col.levels[1:], OTHER]:
            dummy = (values == level).astype(float)
            if dummy.nunique() > 1:
                columns[f"{col.name}={level}"] = dummy
    return pd.DataFrame(columns, index=data.index)


def cox_hazard_ratios(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str] | None = None,
    penalizer: float = 0.01,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Cox proportional hazards: covariate, hazard_ratio, ci_lower, ci_upper, p.

    Categorical covariates appear as ``column=level`` against their most frequent level. The
    small ``penalizer`` keeps near-collinear one-hot columns (common in CRM exports) stable.
    """
    data = _durations(df, duration, event)
    if covariates is None:
        covariates = [c for c in df.columns if c not in (duration, event)]
    design = _cox_design(data, covariates)
    design["_T"], design["_E"] = data["_T"], data["_E"]
    # lifelines needs positive durations for some estimators; 0 months means "joined now".
    design["_T"] = design["_T"].clip(lower=1e-6)
    cox = CoxPHFitter(penalizer=penalizer, alpha=alpha)
    cox.fit(design, duration_col="_T", event_col="_E")
    summary = cox.summary
    lower, upper = summary.filter(like="exp(coef) lower"), summary.filter(like="exp(coef) upper")
    return pd.DataFrame(
        {
            "covariate": summary.index.astype(str),
            "hazard_ratio": summary["exp(coef)"].to_numpy(float),
            "ci_lower": lower.iloc[:, 0].to_numpy(float),
            "ci_upper": upper.iloc[:, 0].to_numpy(float),
            "p": summary["p"].to_numpy(float),
        }
    )
