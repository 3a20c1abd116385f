"""Score every active customer with the stored churn model, and the weekly risk list.

A score row holds the calibrated churn probability, the risk band and the top drivers as JSON
(``feature, value, contribution, text_zh, text_en``). The risk list ranks the scored customers
by expected value at risk: probability × predicted CLV when the value engine stored one,
otherwise probability × the customer's revenue over the 12 months before the scoring date.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.models.churn import ChurnClassifier, risk_band
from keepwise.models.drivers import NEGLIGIBLE, describe_both, references
from keepwise.risk.features import build_features, midnight
from keepwise.risk.training import KIND, auto_threads, check_cutoffs, features_of, load_model
from keepwise.store import Store, schema
from keepwise.store.bulk import upsert

BANDS = ("low", "medium", "high")
TOP_DRIVERS = 3

register(
    {
        "risk.no_scores": {
            "zh": "还没有流失风险评分。请先运行 keepwise risk score",
            "en": "No churn risk scores yet. Run keepwise risk score first",
        },
        "risk.bad_band": {
            "zh": "未知风险等级 {band}：可选 low、medium、high",
            "en": "Unknown risk band {band}: use low, medium or high",
        },
    }
)


@dataclass(frozen=True)
class ScoreResult:
    model_version: str
    as_of: dt.date
    customers: int
    bands: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"model_version": self.model_version, "as_of": self.as_of.isoformat(),
                "customers": self.customers, "bands": self.bands}  # fmt: skip


def _plain_value(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return None if value is None or value is pd.NA else value


def _items(
    name: str, values: np.ndarray, contrib: np.ndarray, ref: np.ndarray | None
) -> np.ndarray:
    """JSON objects of one feature's drivers; each distinct sentence is written once."""
    effect = np.where(np.abs(contrib) < NEGLIGIBLE, 0, np.sign(contrib)).astype(np.int64)
    refs = ref if ref is not None else np.full(len(values), np.nan)
    # One code per distinct (value, reference, effect): what a sentence depends on.
    value_codes, _ = pd.factorize(values, use_na_sentinel=False)
    ref_codes, ref_levels = pd.factorize(refs, use_na_sentinel=False)
    joint = (value_codes.astype(np.int64) * len(ref_levels) + ref_codes) * 3 + effect + 1
    codes, uniques = pd.factorize(joint)
    first = np.full(len(uniques), len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    heads, tails = np.empty(len(uniques), object), np.empty(len(uniques), object)
    for u, i in enumerate(first):
        value = _plain_value(values[i])
        reference = None if math.isnan(refs[i]) else float(refs[i])
        texts = describe_both(name, value, float(contrib[i]), reference)
        heads[u] = (
            f'{{"feature": {json.dumps(name)}, "value": {json.dumps(value)}, "contribution": '
        )
        tails[u] = (f', "text_zh": {json.dumps(texts["zh"], ensure_ascii=False)}, '
                    f'"text_en": {json.dumps(texts["en"], ensure_ascii=False)}}}')  # fmt: skip
    amounts = np.char.mod("%.4f", np.round(contrib, 4)).astype(object)
    return np.asarray(heads[codes] + amounts + tails[codes], dtype=object)


def drivers_json(
    model: ChurnClassifier,
    X: pd.DataFrame,
    top: int = TOP_DRIVERS,
    contributions: pd.DataFrame | None = None,
) -> list[str]:
    """Per row, the JSON list of the ``top`` drivers that raise the risk most, in zh and en:
    ``feature, value, contribution, text_zh, text_en``.

    Same content as ``ChurnClassifier.explain`` but vectorised per feature, with each distinct
    sentence written once (a million customers share far fewer distinct facts).
    ``contributions``: ``model.contributions(X)`` when the caller has it already.
    """
    if contributions is None:
        contributions = model.contributions(X)
    contrib = contributions.drop(columns="bias")
    names = [str(c) for c in contrib.columns]
    shown = model.encoder_.display_values(X)
    amounts = contrib.to_numpy(float)
    top = min(top, amounts.shape[1])
    if top == 0:
        return ["[]"] * len(X)
    # (row, rank) slots, filled one feature at a time across every rank.
    order = np.argsort(-amounts, axis=1, kind="stable")[:, :top]
    rows = np.repeat(np.arange(len(X)), top)
    chosen_feature = order.reshape(-1)
    refs = references(shown)
    slots = np.empty(len(rows), dtype=object)
    for j in np.unique(chosen_feature):
        where = np.flatnonzero(chosen_feature == j)
        at, name = rows[where], names[j]
        values = shown[name].to_numpy(dtype=object)[at]
        ref = refs[name][at] if name in refs else None
        slots[where] = _items(name, values, amounts[at, j], ref)
    ranked = slots.reshape(len(X), top)
    joined = "[" + ranked[:, 0]
    for rank in range(1, top):
        joined = joined + ", " + ranked[:, rank]
    return list(joined + "]")


#: Customers scored, explained and written per chunk (bounds the memory of large bases).
CHUNK = 200_000


def _score_chunk(
    model: Any, X: pd.DataFrame, cutoffs: Sequence[float], drivers_from: str
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Probability, band and drivers JSON (``None`` below ``drivers_from``) per row."""
    if drivers_from == BANDS[0]:
        # Everyone is explained: the contributions add up to the margin, so the trees are
        # walked once for both the probability and the drivers.
        contrib = model.contributions(X)
        proba = model.calibrated(contrib.sum(axis=1).to_numpy())
        bands = np.asarray(risk_band(proba, cutoffs), dtype=object).reshape(-1)
        return proba, bands, list(drivers_json(model, X, contributions=contrib))
    proba = model.churn_probability(X)
    bands = np.asarray(risk_band(proba, cutoffs), dtype=object).reshape(-1)
    explain = np.flatnonzero(np.isin(bands, BANDS[BANDS.index(drivers_from) :]))
    drivers: list[str | None] = [None] * len(X)
    if len(explain):
        for i, text in zip(explain, drivers_json(model, X.iloc[explain]), strict=True):
            drivers[i] = text
    return proba, bands, drivers


def score(
    store: Store,
    as_of: dt.date,
    *,
    churn: ChurnConfig,
    created_at: dt.datetime,
    cutoffs: Sequence[float] | None = None,
    model_version: str | None = None,
    drivers_from: str = "low",
) -> ScoreResult:
    """Score every customer active at ``as_of`` and upsert the rows into ``scores``.

    Drivers are written for the customers in band ``drivers_from`` or above (default: all);
    ``"medium"`` skips the costly tree explanations of low-risk customers on very large bases.
    """
    if drivers_from not in BANDS:
        raise InputError("risk.bad_band", band=drivers_from)
    stored = load_model(store, model_version)
    bands_at = check_cutoffs(cutoffs) if cutoffs is not None else stored.cutoffs
    frame = build_features(store, as_of, churn=churn)
    X = features_of(frame)
    stored.model.set_params(n_jobs=auto_threads(len(X)))
    counts = dict.fromkeys(BANDS, 0)
    parts: list[pa.Table] = []
    for start in range(0, len(X), CHUNK):
        part = X.iloc[start : start + CHUNK]
        proba, bands, drivers = _score_chunk(stored.model, part, bands_at, drivers_from)
        n = len(part)
        ids = frame["customer_id"].iloc[start : start + CHUNK].astype(str)
        parts.append(pa.table({
            "customer_id": pa.array(ids, pa.string()),
            "model_version": pa.array([stored.model_version] * n, pa.string()),
            "as_of": pa.array([as_of] * n, pa.date32()),
            "churn_probability": pa.array(proba, pa.float64()),
            "risk_band": pa.array(bands.tolist(), pa.string()),
            "drivers": pa.array(drivers, pa.string()),
            "created_at": pa.array([created_at] * n, pa.timestamp("us")),
        }))  # fmt: skip
        for band in BANDS:
            counts[band] += int((bands == band).sum())

    def write(conn: sa.Connection) -> None:
        for data in parts:
            upsert(conn, schema.scores, data, ("customer_id", "model_version", "as_of"))

    # Scored first, written after in one transaction of the one writer at a time (two scoring
    # jobs of one day collided on DuckDB; a void meanwhile need not wait for the scoring).
    store.transact(write)
    return ScoreResult(stored.model_version, as_of, len(frame), counts)


def latest_scoring(store: Store, as_of: dt.date | None = None) -> tuple[str, dt.date]:
    """``(model_version, as_of)`` of the newest churn scoring, at or before ``as_of`` if given."""
    s, m = schema.scores, schema.models
    query = (
        sa.select(s.c.model_version, s.c.as_of)
        .join(m, m.c.model_version == s.c.model_version)
        .where(m.c.kind == KIND)
    )
    if as_of is not None:
        query = query.where(s.c.as_of <= as_of)
    query = query.order_by(s.c.as_of.desc(), m.c.created_at.desc()).limit(1)
    with store.begin() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError("risk.no_scores")
    return str(row[0]), row[1]


def _value_basis(store: Store, as_of: dt.date) -> tuple[Any, Any]:
    """Latest predicted CLV per customer (score rows up to ``as_of``) and 12-month revenue."""
    sc = store.table("scores")
    sc = sc.filter((sc.as_of <= as_of) & sc.predicted_clv.notnull())
    import ibis

    rank = ibis.row_number().over(group_by=sc.customer_id, order_by=[sc.as_of.desc(), sc.id.desc()])
    sc = sc.mutate(n=rank)
    clv = sc.filter(sc.n == 0).select(vid="customer_id", predicted_clv=sc.predicted_clv)
    o = store.table("orders")
    end = midnight(as_of)
    o = o.filter((o.ordered_at < end) & (o.ordered_at >= end - dt.timedelta(days=365)))
    o = o.filter(~o.cancelled)
    revenue = o.group_by(rid=o.customer_id).aggregate(revenue_12m=o.amount.sum())
    return clv, revenue


def risk_list(
    store: Store,
    *,
    as_of: dt.date | None = None,
    band: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """The latest scored customers sorted by expected value at risk, highest first (a page of
    ``limit`` rows from ``offset``)."""
    version, t = _risk_table(store, as_of, band, owner)
    t = t.order_by([t.value_at_risk.desc(), t.churn_probability.desc(), t.customer_id])
    if limit is not None or offset:
        t = t.limit(limit, offset=offset)
    frame = t.execute()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame.insert(0, "model_version", version)
    return frame.reset_index(drop=True)


def risk_count(
    store: Store, *, as_of: dt.date | None = None, band: str | None = None,
    owner: str | None = None,
) -> int:  # fmt: skip
    """How many rows :func:`risk_list` has without a limit."""
    return int(_risk_table(store, as_of, band, owner)[1].count().execute())


def _risk_table(
    store: Store, as_of: dt.date | None, band: str | None, owner: str | None
) -> tuple[str, Any]:
    if band is not None and band not in BANDS:
        raise InputError("risk.bad_band", band=band)
    version, scored_at = latest_scoring(store, as_of)
    sc = store.table("scores")
    sc = sc.filter((sc.model_version == version) & (sc.as_of == scored_at))
    if band is not None:
        sc = sc.filter(sc.risk_band == band)
    c = store.table("customers").select("customer_id", "name", "owner_id", "segment")
    t = sc.select("customer_id", "as_of", "churn_probability", "risk_band", "drivers")
    t = t.left_join(c, t.customer_id == c.customer_id).drop("customer_id_right")
    if owner is not None:
        t = t.filter(t.owner_id == owner)
    clv, revenue = _value_basis(store, scored_at)
    t = t.left_join(clv, t.customer_id == clv.vid).drop("vid")
    t = t.left_join(revenue, t.customer_id == revenue.rid).drop("rid")
    value = t.predicted_clv.fill_null(t.revenue_12m.fill_null(0.0))
    t = t.mutate(
        value=value,
        value_basis=t.predicted_clv.isnull().ifelse("revenue_12m", "predicted_clv"),
        value_at_risk=t.churn_probability * value,
    )
    return version, t
