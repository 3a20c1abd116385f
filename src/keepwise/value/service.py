"""The value features on a workspace store: what ``ws.value`` (:mod:`keepwise.workspace.value`)
methods call. Each report is a small dataclass of DataFrames with a JSON-ready ``to_dict``."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables, statuses
from keepwise.store import Store
from keepwise.value import novalue
from keepwise.value.fitting import Note
from keepwise.value.rfm import rfm_summary
from keepwise.value.scoring import (
    CLV_INTERVAL_LEVEL,
    ValueScores,
    compute_scores,
    store_scores,
)
from keepwise.value.segments import (
    pareto_share,
    rfm_scores,
    segment_summary,
    tier_cutoffs,
    tier_summary,
)
from keepwise.value.settings import ValueSettings
from keepwise.value.tables import ValueTables


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN → None, dates → ISO text, numpy scalars → Python."""
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float) and not math.isfinite(v):  # NaN, or an unbounded interval
                v = None
            elif isinstance(v, dt.date | pd.Timestamp):
                v = v.isoformat()[:10]
            elif hasattr(v, "item"):
                v = v.item()
            clean[str(k)] = v
        out.append(clean)
    return out


@dataclass
class RfmReport:
    as_of: dt.date
    unit: str
    customers: pd.DataFrame
    segments: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "unit": self.unit,
                "segments": records(self.segments), "customers": records(self.customers)}  # fmt: skip


@dataclass
class TierReport:
    as_of: dt.date
    tier_by: str
    cutoffs: tuple[float, float]
    tiers: pd.DataFrame
    pareto_share: float | None
    customers: pd.DataFrame
    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "tier_by": self.tier_by,
            "cutoffs": {"high": _num(self.cutoffs[0]), "mid": _num(self.cutoffs[1])},
            "pareto_share": self.pareto_share, "tiers": records(self.tiers),
            "customers": records(self.customers), "notes": [n.to_dict() for n in self.notes],
        }  # fmt: skip


@dataclass
class ClvReport:
    as_of: dt.date
    horizon_months: int
    discount_rate: float
    params: dict[str, dict[str, float]]
    log_likelihood: dict[str, float]
    customers: pd.DataFrame
    notes: list[Note] = field(default_factory=list)
    #: level of the clv_low .. clv_high interval (keepwise.models.clv.uncertainty)
    interval_level: float = CLV_INTERVAL_LEVEL

    @property
    def total_clv(self) -> float:
        return float(self.customers["predicted_clv"].fillna(0.0).sum())

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "horizon_months": self.horizon_months,
            "discount_rate": self.discount_rate, "params": self.params,
            "log_likelihood": self.log_likelihood, "total_clv": self.total_clv,
            "clv_interval_level": self.interval_level,
            "customers": records(self.customers), "notes": [n.to_dict() for n in self.notes],
        }  # fmt: skip


def _num(x: float) -> float | None:
    return None if math.isinf(x) or math.isnan(x) else x


def tables(store: Store) -> ValueTables:
    return ValueTables.from_backend(store.ibis())


def standing(store: Store, churn: ChurnConfig, as_of: dt.date) -> pd.DataFrame:
    """Per customer known at ``as_of``: ``name``, ``acq`` (acquisition day), ``status`` and
    ``kept`` under the workspace's churn definition, indexed by customer_id."""
    s = statuses(Tables.from_backend(store.ibis()), churn, as_of)
    frame = s.select("customer_id", "name", "acq", "status", "kept").execute()
    return frame.set_index("customer_id")


def rfm_report(store: Store, as_of: dt.date, settings: ValueSettings) -> RfmReport:
    summary = rfm_summary(store.table("orders"), as_of, settings.time_unit).execute()
    summary = summary.set_index("customer_id").sort_index()
    frame = summary.join(rfm_scores(summary, settings.rfm_high_score))
    return RfmReport(as_of, settings.time_unit, frame.reset_index(), segment_summary(frame))


def tier_report(
    store: Store, as_of: dt.date, settings: ValueSettings, churn: ChurnConfig
) -> TierReport:
    scores = compute_scores(tables(store), as_of, settings, standing(store, churn, as_of))
    f = scores.frame
    tier_by = scores.tier_by
    value = f["predicted_clv"] if tier_by == "predicted_clv" else f["window_revenue"]
    per_tier = f.assign(revenue=f["window_revenue"])
    customers = pd.DataFrame({"value": value, "value_tier": f["value_tier"],
                              "revenue": f["window_revenue"],
                              "profit_contribution": f["profit_contribution"]})  # fmt: skip
    return TierReport(
        as_of, tier_by, tier_cutoffs(value.fillna(0.0), settings), tier_summary(per_tier),
        pareto_share(f["window_revenue"]), customers.reset_index(), scores.notes,
    )  # fmt: skip


def clv_report(
    store: Store, as_of: dt.date, settings: ValueSettings, churn: ChurnConfig
) -> ClvReport:
    scores = compute_scores(tables(store), as_of, settings, standing(store, churn, as_of))
    cols = ["frequency", "recency", "T", "monetary_value", "p_alive", "expected_purchases",
            "predicted_clv", "clv_low", "clv_high"]  # fmt: skip
    customers = scores.frame[cols].dropna(subset=["frequency"])
    customers = customers.sort_values("predicted_clv", ascending=False).reset_index()
    return ClvReport(as_of, settings.horizon_months, settings.discount_rate, scores.params,
                     scores.log_likelihood, customers, scores.notes)  # fmt: skip


def score(
    store: Store,
    as_of: dt.date,
    settings: ValueSettings,
    churn: ChurnConfig,
    created_at: dt.datetime,
) -> tuple[ValueScores, int]:
    result = compute_scores(tables(store), as_of, settings, standing(store, churn, as_of))
    # transact: one writer at a time (two scoring jobs of one day collided on DuckDB)
    stored = store.transact(lambda conn: store_scores(conn, result, created_at))
    return result, stored


def no_value(
    store: Store, as_of: dt.date, settings: ValueSettings, churn: ChurnConfig
) -> pd.DataFrame:
    """The no-value candidates among the customers kept at ``as_of`` (churned and voided
    customers are past deciding about)."""
    t = tables(store)
    p_alive = novalue.latest_p_alive(t, as_of)
    kept = standing(store, churn, as_of)
    kept = kept[kept["kept"]]
    return novalue.no_value_candidates(t, as_of, settings, kept,
                                       p_alive if len(p_alive) else None)  # fmt: skip


def decide(
    store: Store, customer_id: str, *, as_of: dt.date, settings: ValueSettings,
    churn: ChurnConfig, at: dt.datetime, actor: str, note: str | None, treatment: str,
    force: bool = False,
) -> int:  # fmt: skip
    """Void a no-value customer (reason ``no_value``), judged on the criteria as of
    ``as_of``; a customer not on the list needs ``force`` and a note."""
    candidates = no_value(store, as_of, settings, churn)
    meets = bool((candidates["customer_id"] == customer_id).any())
    with store.begin() as conn:
        return novalue.decide(conn, customer_id, at=at, actor=actor, note=note,
                              treatment=treatment, meets_criteria=meets, force=force)  # fmt: skip


def revert(store: Store, customer_id: str, *, at: dt.datetime, actor: str, note: str | None) -> int:
    with store.begin() as conn:
        return novalue.revert(conn, customer_id, at=at, actor=actor, note=note)
