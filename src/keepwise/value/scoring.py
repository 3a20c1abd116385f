"""Value scores of a workspace: fit BG/NBD (or Pareto/NBD) + Gamma-Gamma on the RFM summary, then per customer
P(alive), expected purchases and predicted CLV over the horizon with its 90 % interval
(``clv_low``, ``clv_high``: :mod:`keepwise.models.clv.uncertainty`), RFM scores and segment,
profit contribution over the trailing window and value tier; stored as ``scores`` rows. The
models are fitted through :mod:`keepwise.value.fitting`, shared with the calibration check.

The models are pure (DataFrames in, numbers out); this module reads the tables through Ibis and
writes through SQLAlchemy. The model version is ``value-YYYYMMDD`` (the ``as_of`` day), so
re-scoring the same day replaces its rows (an upsert on customer, model version and as_of).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from keepwise._core.i18n import register
from keepwise.models.clv import ConvergenceError, GammaGamma, clv_interval
from keepwise.store import schema
from keepwise.store.bulk import upsert
from keepwise.value.fitting import Note, fit_transaction_model
from keepwise.value.profit import profit_contribution
from keepwise.value.rfm import UNIT_DAYS, rfm_summary
from keepwise.value.segments import assign_tiers, rfm_scores
from keepwise.value.settings import ValueSettings
from keepwise.value.tables import ValueTables

DAYS_PER_MONTH = 365.25 / 12
SCORE_COLUMNS = (
    "p_alive", "expected_purchases", "predicted_clv", "clv_low", "clv_high", "rfm_r", "rfm_f",
    "rfm_m", "rfm_segment", "value_tier", "profit_contribution",
)  # fmt: skip
# The interval beside each predicted CLV (keepwise.models.clv.uncertainty): its level, and the
# parameter draws it is estimated from (seeded, so a re-run gives the same interval).
CLV_INTERVAL_LEVEL = 0.9
CLV_INTERVAL_DRAWS = 200


register(
    {
        "value.note.few_repeat": {
            "zh": "重复购买的客户少于 10 个：未拟合消费金额模型，没有预测生命周期价值",
            "en": "Fewer than 10 repeat buyers: no spend model, no predicted CLV",
        },
        "value.note.spend_failed": {
            "zh": "Gamma-Gamma 消费金额模型拟合失败：{error}",
            "en": "The Gamma-Gamma spend model failed: {error}",
        },
        "value.note.no_repeat": {
            "zh": "没有任何重复购买：无法拟合生命周期价值模型",
            "en": "No repeat purchases at all: no CLV model",
        },
        "value.note.tiers_by_revenue": {
            "zh": "没有预测生命周期价值：改为按近期收入分层",
            "en": "No predicted CLV: tiers by trailing revenue instead",
        },
    }
)


@dataclass
class ValueScores:
    """One scoring run: ``frame`` is indexed by customer_id (summary, scores, window amounts)."""

    as_of: dt.date
    model_version: str
    frame: pd.DataFrame
    params: dict[str, dict[str, float]] = field(default_factory=dict)
    log_likelihood: dict[str, float] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    tier_by: str = ""  # what the tiers were cut on (predicted_clv, or revenue as a fallback)

    def scores_rows(self, created_at: dt.datetime) -> pa.Table:
        f = self.frame
        data: dict[str, Any] = {
            "customer_id": pa.array(f.index.astype(str), pa.string()),
            "model_version": pa.array([self.model_version] * len(f), pa.string()),
            "as_of": pa.array([self.as_of] * len(f), pa.date32()),
        }
        for col in SCORE_COLUMNS:
            kind = pa.string() if col in ("rfm_segment", "value_tier") else None
            if col.startswith("rfm_") and col != "rfm_segment":
                kind = pa.int32()
            values = f[col].astype(object).where(f[col].notna(), None).tolist()
            data[col] = pa.array(values, kind or pa.float64())
        data["created_at"] = pa.array([created_at] * len(f), pa.timestamp("us"))
        return pa.table(data)


def model_version(as_of: dt.date) -> str:
    return f"value-{as_of:%Y%m%d}"


def _known_customers(tables: ValueTables, as_of: dt.date) -> pd.Index:
    c = tables.customers
    known = c.filter(c.acquired_at.isnull() | (c.acquired_at.cast("date") < ibis.literal(as_of)))
    return pd.Index(known.select("customer_id").execute()["customer_id"], name="customer_id")


def fit_spend_model(summary: pd.DataFrame, result: ValueScores) -> GammaGamma | None:
    """Gamma-Gamma on the repeat buyers with positive spend (None when there are too few)."""
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 10:
        result.notes.append(Note("value.note.few_repeat"))
        return None
    try:
        gg = GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    except (ConvergenceError, ValueError) as exc:
        result.notes.append(Note("value.note.spend_failed", {"error": exc}))
        return None
    result.params["gamma_gamma"] = gg.params_
    result.log_likelihood["gamma_gamma"] = gg.log_likelihood_
    return gg


def predict(summary: pd.DataFrame, settings: ValueSettings, result: ValueScores) -> pd.DataFrame:
    """P(alive), expected purchases over the horizon, predicted CLV and its interval
    (``clv_low``, ``clv_high``) per summary row."""
    out = pd.DataFrame(index=summary.index, columns=["p_alive", "expected_purchases",
                       "predicted_clv", "clv_low", "clv_high"], dtype=float)  # fmt: skip
    if summary["frequency"].sum() == 0:
        result.notes.append(Note("value.note.no_repeat"))
        return out
    kind = settings.transaction_model
    x, t_x, age = summary["frequency"], summary["recency"], summary["T"]
    bg = fit_transaction_model(x, t_x, age, kind, result.notes)
    result.params[kind], result.log_likelihood[kind] = bg.params_, bg.log_likelihood_
    gg = fit_spend_model(summary, result)
    per_month = DAYS_PER_MONTH / UNIT_DAYS[settings.time_unit]
    out["p_alive"] = np.asarray(bg.probability_alive(x, t_x, age))
    horizon = settings.horizon_months * per_month
    out["expected_purchases"] = np.asarray(bg.expected_purchases(horizon, x, t_x, age))
    if gg is not None:
        money, months = summary["monetary_value"], settings.horizon_months
        rate = settings.discount_rate
        clv = np.asarray(gg.customer_lifetime_value(
            bg, x, t_x, age, money, time=months, discount_rate=rate, freq_unit_per_month=per_month,
        ))  # fmt: skip
        low, high = clv_interval(
            bg, gg, x, t_x, age, money, time=months, discount_rate=rate,
            freq_unit_per_month=per_month, level=CLV_INTERVAL_LEVEL, n_draws=CLV_INTERVAL_DRAWS,
            point=clv,
        )  # fmt: skip
        out["predicted_clv"], out["clv_low"], out["clv_high"] = clv, np.asarray(low), high
    return out


def compute_scores(
    tables: ValueTables, as_of: dt.date, settings: ValueSettings, standing: pd.DataFrame
) -> ValueScores:
    """Everything of the module docstring, not yet stored. ``standing``: per customer_id, the
    acquisition day ``acq`` and whether they are ``kept`` at ``as_of`` under the workspace's
    churn definition (:func:`keepwise.churn.statuses`): lost customers get no tier, recent
    ones the tier ``new``."""
    result = ValueScores(as_of, model_version(as_of), pd.DataFrame())
    summary = rfm_summary(tables.orders, as_of, settings.time_unit).execute()
    summary = summary.set_index("customer_id")
    ids = _known_customers(tables, as_of).union(summary.index)
    frame = summary.reindex(ids)
    if len(summary):
        frame = frame.join(predict(summary, settings, result))
        frame = frame.join(rfm_scores(summary, settings.rfm_high_score))
    else:
        for col in ("p_alive", "expected_purchases", "predicted_clv", "clv_low", "clv_high",
                    "rfm_r", "rfm_f", "rfm_m", "rfm_segment"):  # fmt: skip
            frame[col] = np.nan
    window = profit_contribution(tables, as_of, settings).reindex(ids)
    frame["window_revenue"] = window["revenue"].fillna(0.0)
    frame["window_orders"] = window["orders"].fillna(0).astype("int64")
    frame["cost_to_serve"] = window["cost_to_serve"].fillna(0.0)
    frame["profit_contribution"] = window["profit_contribution"].fillna(0.0)
    tier_by = settings.tier_by
    if tier_by == "predicted_clv" and frame["predicted_clv"].isna().all():
        result.notes.append(Note("value.note.tiers_by_revenue"))
        tier_by = "revenue"
    value = frame["predicted_clv"] if tier_by == "predicted_clv" else frame["window_revenue"]
    frame["value_tier"] = assign_tiers(value, settings, lost=lost_at(standing, ids),
                                       new=new_at(standing, ids, as_of, settings))  # fmt: skip
    result.tier_by = tier_by
    frame.index.name = "customer_id"
    result.frame = frame
    return result


def lost_at(standing: pd.DataFrame, ids: pd.Index) -> pd.Series:
    """Whether each customer is churned or voided (customers the churn definition does not
    know, e.g. without any date, count as kept)."""
    kept = standing["kept"].reindex(ids)
    return kept.notna() & ~kept.fillna(True).astype(bool)


def new_at(
    standing: pd.DataFrame, ids: pd.Index, as_of: dt.date, settings: ValueSettings
) -> pd.Series:
    """Whether each customer was acquired fewer than ``new_customer_days`` days before as_of."""
    acq = pd.to_datetime(standing["acq"].reindex(ids))
    age = (pd.Timestamp(as_of) - acq).dt.days
    return age.notna() & (age < settings.new_customer_days)


def store_scores(conn: sa.Connection, result: ValueScores, created_at: dt.datetime) -> int:
    """Upsert the run's ``scores`` rows (and drop rows of the same run for customers no longer
    scored) and its ``models`` row; returns the number of rows stored."""
    rows = result.scores_rows(created_at)
    upsert(conn, schema.scores, rows, ("customer_id", "model_version", "as_of"))
    s = schema.scores
    conn.execute(
        sa.delete(s).where(
            s.c.model_version == result.model_version,
            s.c.as_of == result.as_of,
            s.c.created_at != created_at,
        )
    )
    params = {"params": result.params, "log_likelihood": result.log_likelihood,
              "notes": [n.text() for n in result.notes]}  # fmt: skip
    stmt = insert(schema.models).values(
        model_version=result.model_version, kind="value", as_of=result.as_of,
        created_at=created_at, params=json.dumps(params),
    )  # fmt: skip
    stmt = stmt.on_conflict_do_update(
        index_elements=["model_version"],
        set_={c: stmt.excluded[c] for c in ("kind", "as_of", "created_at", "params")},
    )
    conn.execute(stmt)
    return rows.num_rows
