"""Snapshot mode: a churn model and survival view straight from one labelled file, no workspace.

The file (CSV in UTF-8, UTF-8 with BOM or GB18030; XLSX; Parquet) has one row per customer and
a label column; :func:`evaluate_file` runs :func:`keepwise.models.evaluate_snapshot` on it and
:func:`survival_file` reads Kaplan-Meier survival at a few times plus Cox hazard ratios.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.models.evaluation import EvaluationReport, evaluate_snapshot
from keepwise.models.survival import cox_hazard_ratios, survival_at
from keepwise.risk.features import lifetimes
from keepwise.store import Store

register(
    {
        "snapshot.unreadable": {
            "zh": "无法读取文件 {path}：{error}",
            "en": "Cannot read the file {path}: {error}",
        },
        "snapshot.no_column": {
            "zh": "文件中没有列 {column}（现有列：{columns}）",
            "en": "The file has no column {column} (columns: {columns})",
        },
        "snapshot.bad_data": {
            "zh": "无法用这些数据建模：{error}",
            "en": "Cannot model this data: {error}",
        },
    }
)

#: Times (in the duration's unit) at which the survival view reads S(t) unless told otherwise.
DEFAULT_TIMES = (6.0, 12.0, 24.0, 36.0, 48.0, 60.0, 72.0)


def read_table(path: Path) -> pd.DataFrame:
    """The file as text-preserving DataFrame (the churn model parses numbers itself)."""
    path = Path(path)
    try:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        try:
            return pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
        except UnicodeDecodeError:
            return pd.read_csv(path, encoding="gb18030", low_memory=False)
    except (OSError, ValueError, ImportError) as exc:
        raise InputError("snapshot.unreadable", path=str(path), error=str(exc)) from exc


def _need(frame: pd.DataFrame, *columns: str | None) -> None:
    for column in columns:
        if column is not None and column not in frame.columns:
            shown = ", ".join(map(str, frame.columns[:30]))
            raise InputError("snapshot.no_column", column=column, columns=shown)


def evaluate_file(
    path: Path, label: str, id_col: str | None = None, random_state: int = 42
) -> EvaluationReport:
    """Hold-out and cross-validated evaluation of the churn model and baselines on a file."""
    frame = read_table(path)
    _need(frame, label, id_col)
    try:
        return evaluate_snapshot(frame, label, id_col, random_state=random_state)
    except ValueError as exc:
        raise InputError("snapshot.bad_data", error=str(exc)) from exc


@dataclass
class SurvivalView:
    """Kaplan-Meier S(t) at a few times per group and Cox hazard ratios."""

    duration: str
    event: str
    group: str | None
    survival: pd.DataFrame
    hazard_ratios: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "event": self.event,
            "group": self.group,
            "survival": self.survival.to_dict(orient="records"),
            "hazard_ratios": self.hazard_ratios.to_dict(orient="records"),
        }


def survival_view(
    frame: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    times: Sequence[float] = DEFAULT_TIMES,
    covariates: Sequence[str] | None = None,
    drop: Sequence[str] = (),
) -> SurvivalView:
    _need(frame, duration, event, group, *(covariates or ()))
    data = frame.drop(columns=[c for c in drop if c in frame.columns])
    try:
        km = survival_at(data, duration, event, list(times), group=group)
        cox = cox_hazard_ratios(data, duration, event, covariates=covariates)
    except (ValueError, ZeroDivisionError) as exc:
        raise InputError("snapshot.bad_data", error=str(exc)) from exc
    return SurvivalView(duration, event, group, km, cox.sort_values("p").reset_index(drop=True))


def survival_file(
    path: Path,
    duration: str,
    event: str,
    group: str | None = None,
    times: Sequence[float] = DEFAULT_TIMES,
    id_col: str | None = None,
) -> SurvivalView:
    """The survival view of a file; ``id_col`` is left out of the Cox covariates."""
    frame = read_table(path)
    return survival_view(frame, duration, event, group, times, drop=[id_col] if id_col else ())


#: Times in days at which the workspace survival view reads S(t).
WORKSPACE_TIMES = (30.0, 90.0, 180.0, 365.0, 730.0)


def survival_workspace(
    store: Store,
    as_of: dt.date,
    group: str | None = None,
    times: Sequence[float] | None = None,
    *,
    churn: ChurnConfig,
) -> SurvivalView:
    """The survival view of a workspace: customer lifetimes in days up to ``as_of``, under the
    workspace's churn definition (the durations of ``keepwise cohorts --km``)."""
    frame = lifetimes(store, as_of, churn=churn)
    chosen = tuple(times) if times else WORKSPACE_TIMES
    return survival_view(frame, "tenure_days", "churned", group, chosen, drop=["customer_id"])
