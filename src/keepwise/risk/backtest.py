"""Back-test of the churn model against churn that really happened, split by time.

For each test date ``d = as_of - i * horizon`` (``i = 1 .. splits``) the model and the baselines
(recency alone, logistic regression) are fitted on the ``snapshots`` snapshots before ``d``
(their label windows end on or before ``d``) and rated on the customers active at ``d``:
ROC-AUC, PR-AUC, Brier, calibration and lift/capture by decile.

Lead time: the same fitted models score the customers every ``checkpoint_days`` from ``d`` to
the end of the label window; for each customer who churned in that window, the lead time is the
days from the first checkpoint that put them in the high band to the churn. The report gives the
share of churners flagged ahead and the median lead time.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise._core.i18n import Lang, register, t
from keepwise.models.churn import risk_band
from keepwise.models.evaluation import KEEPWISE, LOGISTIC, score_report
from keepwise.risk.features import build_features, midnight
from keepwise.risk.training import (
    DEFAULT_CUTOFFS,
    DEFAULT_HORIZON,
    DEFAULT_SNAPSHOTS,
    RECENCY,
    auto_threads,
    baselines,
    check_cutoffs,
    check_horizon,
    features_of,
    load_snapshots,
    new_model,
    snapshot_dates,
)
from keepwise.store import Store

register(
    {
        "backtest.title": {
            "zh": "流失模型回测（截至 {as_of}，预测期 {horizon} 天，高风险阈值 {high}）",
            "en": "Churn model back-test (as of {as_of}, horizon {horizon} days, high band ≥ {high})",
        },
        "backtest.split": {"zh": "测试日期", "en": "test date"},
        "backtest.model": {"zh": "模型", "en": "model"},
        "backtest.customers": {"zh": "客户/流失", "en": "customers/churned"},
        "backtest.capture": {"zh": "前10%覆盖", "en": "top 10 % capture"},
        "backtest.flagged": {"zh": "提前预警占比", "en": "flagged ahead"},
        "backtest.lead": {"zh": "提前天数中位数", "en": "median lead days"},
        "backtest.mean": {"zh": "平均", "en": "mean"},
        "backtest.model.keepwise": {"zh": "Keepwise 模型", "en": "Keepwise model"},
        "backtest.model.recency_baseline": {"zh": "仅最近购买", "en": "recency only"},
        "backtest.model.logistic_baseline": {"zh": "逻辑回归", "en": "logistic regression"},
    }
)

MODELS = (KEEPWISE, RECENCY, LOGISTIC)


@dataclass
class SplitResult:
    test_date: dt.date
    train_dates: list[dt.date]
    customers: int
    churners: int
    reports: dict[str, dict[str, Any]]
    lead: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_date": self.test_date.isoformat(),
            "train_dates": [d.isoformat() for d in self.train_dates],
            "customers": self.customers,
            "churners": self.churners,
            "reports": self.reports,
            "lead_time": self.lead,
        }


@dataclass
class BacktestReport:
    as_of: dt.date
    horizon: int
    cutoffs: tuple[float, float]
    splits: list[SplitResult] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """One row per split and model, then the mean over splits per model."""
        rows = []
        for s in self.splits:
            for name, r in s.reports.items():
                lead = s.lead.get(name, {})
                rows.append({"test_date": s.test_date.isoformat(), "model": name,
                             "customers": s.customers, "churners": s.churners,
                             "roc_auc": r["roc_auc"], "pr_auc": r["pr_auc"], "brier": r["brier"],
                             "top_decile_capture": r["lift"][0]["capture"],
                             "flagged_ahead": lead.get("flagged_share"),
                             "median_lead_days": lead.get("median_lead_days")})  # fmt: skip
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        numeric = ["roc_auc", "pr_auc", "brier", "top_decile_capture", "flagged_ahead",
                   "median_lead_days"]  # fmt: skip
        means = frame.groupby("model", sort=False)[numeric].mean().reset_index()
        means.insert(0, "test_date", "mean")
        return pd.concat([frame, means], ignore_index=True)

    def mean(self, model: str, metric: str) -> float:
        values = [s.reports[model][metric] for s in self.splits if model in s.reports]
        return float(np.mean(values)) if values else float("nan")

    def to_dict(self) -> dict[str, Any]:
        summary = json.loads(self.summary().to_json(orient="records"))
        return {"as_of": self.as_of.isoformat(), "horizon": self.horizon,
                "cutoffs": list(self.cutoffs), "summary": summary,
                "splits": [s.to_dict() for s in self.splits]}  # fmt: skip

    def to_text(self, lang: Lang | str = "en") -> str:
        title = t("backtest.title", lang, as_of=self.as_of.isoformat(), horizon=self.horizon,
                  high=self.cutoffs[1])  # fmt: skip
        keys = ["split", "model", "customers", "capture", "flagged", "lead"]
        header = [t(f"backtest.{k}", lang) for k in keys[:3]]
        header += ["ROC-AUC", "PR-AUC", "Brier"] + [t(f"backtest.{k}", lang) for k in keys[3:]]
        body = []
        for row in self.summary().itertuples():
            n = "" if row.test_date == "mean" else f"{row.customers:.0f}/{row.churners:.0f}"
            when = t("backtest.mean", lang) if row.test_date == "mean" else str(row.test_date)
            body.append([when, t(f"backtest.model.{row.model}", lang), n,
                         f"{row.roc_auc:.3f}", f"{row.pr_auc:.3f}", f"{row.brier:.4f}",
                         f"{row.top_decile_capture:.1%}", _pct(row.flagged_ahead),
                         _num(row.median_lead_days)])  # fmt: skip
        return _table(title, header, body)


def _pct(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.1%}"


def _num(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.0f}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(title: str, header: list[str], body: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [title]
    for r in [header, *body]:
        cells = [c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def lead_times(
    store: Store,
    churn: ChurnConfig,
    fitted: dict[str, Any],
    churned_at: pd.Series,
    start: dt.date,
    horizon: int,
    high: float,
    checkpoint_days: int = 15,
) -> dict[str, dict[str, Any]]:
    """Per model: churners, how many were flagged high before churning, median lead days."""
    first_flag: dict[str, dict[str, pd.Timestamp]] = {name: {} for name in fitted}
    day = start
    while day < start + dt.timedelta(days=horizon):
        frame = build_features(store, day, churn=churn)
        if len(frame):
            X = features_of(frame)
            for name, model in fitted.items():
                proba = np.asarray(model.predict_proba(X))[:, 1]
                flagged = frame["customer_id"][risk_band(proba, (0.0, high)) == "high"]
                for cid in flagged:
                    first_flag[name].setdefault(str(cid), pd.Timestamp(midnight(day)))
        day += dt.timedelta(days=checkpoint_days)
    out = {}
    for name, flags in first_flag.items():
        leads = [
            (when - flags[cid]).total_seconds() / 86400.0
            for cid, when in churned_at.items()
            if cid in flags and flags[cid] <= when
        ]
        out[name] = {
            "churners": len(churned_at),
            "flagged": len(leads),
            "flagged_share": len(leads) / len(churned_at) if len(churned_at) else None,
            "median_lead_days": float(np.median(leads)) if leads else None,
        }
    return out


def backtest(
    store: Store,
    as_of: dt.date,
    *,
    churn: ChurnConfig,
    horizon: int = DEFAULT_HORIZON,
    snapshots: int = DEFAULT_SNAPSHOTS,
    splits: int = 2,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
    checkpoint_days: int = 15,
    random_state: int = 0,
) -> BacktestReport:
    """Time-split back-test of the model against the recency and logistic baselines."""
    horizon, bands = check_horizon(horizon), check_cutoffs(cutoffs)
    dates = snapshot_dates(as_of, horizon, splits + snapshots)
    frame = load_snapshots(store, dates, horizon, churn)
    report = BacktestReport(as_of, horizon, bands)
    for i in range(splits):
        test_date, train_dates = dates[i], dates[i + 1 : i + 1 + snapshots]
        train = frame[frame["as_of"].isin([pd.Timestamp(d) for d in train_dates])]
        test = frame[frame["as_of"] == pd.Timestamp(test_date)]
        if train["churned"].nunique() < 2 or test["churned"].nunique() < 2:
            continue
        model = new_model(random_state, auto_threads(len(train)), len(train))
        fitted = {KEEPWISE: model.fit(features_of(train), train["churned"])}
        for name, model in baselines().items():
            fitted[name] = model.fit(features_of(train), train["churned"])
        y = test["churned"].to_numpy()
        reports = {
            name: score_report(y, np.asarray(m.predict_proba(features_of(test)))[:, 1], name)
            for name, m in fitted.items()
        }
        churners = test[test["churned"] == 1].set_index("customer_id")["churned_at"]
        lead = lead_times(
            store, churn, fitted, churners, test_date, horizon, bands[1], checkpoint_days
        )
        report.splits.append(
            SplitResult(
                test_date,
                list(train_dates),
                len(test),
                int(y.sum()),
                {n: r.to_dict() for n, r in reports.items()},
                lead,
            )
        )
    return report
