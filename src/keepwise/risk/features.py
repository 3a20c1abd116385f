"""Churn-risk features of every active customer as of a date, and their labels.

Everything here is an Ibis expression over the canonical tables, so the same code runs on DuckDB
and PostgreSQL. The time rule (DESIGN.md): a feature as of ``as_of`` reads only rows dated
strictly before ``as_of`` midnight (orders, usage days, tickets and their first responses,
surveys, follow-ups, status events, owner departures, earlier scores, contracts started or
imported before it; docs/models.md lists how each feature is point-in-time); labels read only the
losses in ``[as_of, as_of + horizon)``. Who is kept at ``as_of`` and who is lost in the window
come from the workspace's churn definition (:mod:`keepwise.churn`), explicit or inferred. The feature names are those
:mod:`keepwise.models.drivers` turns into sentences.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import numpy as np
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables, contracts_at, customer_base, day, losses, statuses, timeline
from keepwise.churn import lifetimes as churn_lifetimes
from keepwise.store import Store

DAY = 86400.0
#: Customer attributes used as categories.
CATEGORIES = ("segment", "industry", "region", "channel")
#: Every feature column of a snapshot, in order (``customer_id`` and labels excluded).
FEATURES = (
    "days_since_last_order", "orders_30d", "orders_90d", "orders_365d", "spend_30d",
    "spend_90d", "spend_365d", "purchase_trend_90d_vs_365d", "gap_vs_norm", "visits_30d",
    "visits_90d", "minutes_30d", "minutes_90d", "visits_trend", "complaints_90d",
    "tickets_90d", "response_hours_90d", "csat_last", "csat_change", "days_since_followup",
    "followups_90d", "owner_departed", "at_risk", "tenure_days", "days_to_contract_end",
    *CATEGORIES, "value_tier", "p_alive",
)  # fmt: skip


#: Features counted in days, floored to whole days.
DAY_COUNTS = ("days_since_last_order", "days_since_followup", "tenure_days", "days_to_contract_end")


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


class _Window:
    """Time arithmetic for one ``as_of``: the cut-off moment and day counts before it."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.moment = midnight(as_of)
        self.epoch = self.moment.replace(tzinfo=dt.UTC).timestamp()

    def since(self, days: int) -> dt.datetime:
        return self.moment - dt.timedelta(days=days)

    def days_before(self, ts: Any) -> Any:
        """Days from ``ts`` up to the cut-off moment (fractional)."""
        return (ibis.literal(self.epoch) - ts.cast("timestamp").epoch_seconds()) / DAY


def _ratio(num: Any, den: Any) -> Any:
    """``num / den`` where ``den > 0``, else null (PostgreSQL raises on division by zero)."""
    return ibis.ifelse(den > 0, num.cast("float64") / den.nullif(0), ibis.null("float64"))


def _count_if(cond: Any) -> Any:
    return cond.ifelse(1, 0).sum()


def _sum_if(cond: Any, value: Any) -> Any:
    return cond.ifelse(value, 0).sum()


def tables(store: Store) -> Tables:
    """The canonical tables of a workspace's store, as the churn definition reads them."""
    return Tables.from_backend(store.ibis())


def active_customers(store: Store, churn: ChurnConfig, as_of: dt.date) -> Any:
    """Customers known at ``as_of`` whose status then, under the workspace's churn definition,
    is neither churned nor voided (:func:`keepwise.churn.statuses`)."""
    s = statuses(tables(store), churn, as_of)
    return s.filter(s.kept)


def contract_in_force(store: Store, as_of: dt.date) -> Any:
    """The contract known at ``as_of`` (:func:`keepwise.churn.contracts_at`): never the
    customer's current contract read at a past snapshot."""
    tables = [store.table(name) for name in ("contracts", "customers", "import_batches")]
    return contracts_at(tables[0], tables[1], tables[2], as_of)


def _order_features(store: Store, w: _Window) -> Any:
    o = store.table("orders")
    o = o.filter((o.ordered_at < w.moment) & ~o.cancelled)
    agg = o.group_by("customer_id").aggregate(
        n_orders=o.count(),
        first_order=o.ordered_at.min(),
        last_order=o.ordered_at.max(),
        orders_30d=_count_if(o.ordered_at >= w.since(30)),
        orders_90d=_count_if(o.ordered_at >= w.since(90)),
        orders_365d=_count_if(o.ordered_at >= w.since(365)),
        spend_30d=_sum_if(o.ordered_at >= w.since(30), o.amount),
        spend_90d=_sum_if(o.ordered_at >= w.since(90), o.amount),
        spend_365d=_sum_if(o.ordered_at >= w.since(365), o.amount),
    )
    last = w.days_before(agg.last_order)
    # The customer's own norm: the mean gap between their orders so far.
    span = (agg.last_order.epoch_seconds() - agg.first_order.epoch_seconds()) / DAY
    norm = _ratio(span, agg.n_orders - 1)
    return agg.mutate(
        days_since_last_order=last,
        purchase_trend_90d_vs_365d=_ratio(agg.orders_90d, agg.orders_365d / 4.0),
        gap_vs_norm=_ratio(last, norm),
    ).drop("first_order", "last_order", "n_orders")


def _usage_features(store: Store, w: _Window) -> Any:
    u = store.table("usage")
    u = u.filter(u.day < w.as_of)
    agg = u.group_by("customer_id").aggregate(
        visits_30d=_sum_if(u.day >= w.as_of - dt.timedelta(days=30), u.visits),
        visits_90d=_sum_if(u.day >= w.as_of - dt.timedelta(days=90), u.visits),
        visits_365d=_sum_if(u.day >= w.as_of - dt.timedelta(days=365), u.visits),
        minutes_30d=_sum_if(u.day >= w.as_of - dt.timedelta(days=30), u.minutes),
        minutes_90d=_sum_if(u.day >= w.as_of - dt.timedelta(days=90), u.minutes),
    )
    trend = _ratio(agg.visits_90d, agg.visits_365d / 4.0)
    return agg.mutate(visits_trend=trend).drop("visits_365d")


def _ticket_features(store: Store, w: _Window) -> Any:
    tk = store.table("tickets")
    tk = tk.filter((tk.opened_at < w.moment) & (tk.opened_at >= w.since(90)))
    answered = tk.first_response_at.notnull() & (tk.first_response_at < w.moment)
    hours = (tk.first_response_at.epoch_seconds() - tk.opened_at.epoch_seconds()) / 3600.0
    return tk.group_by("customer_id").aggregate(
        complaints_90d=_count_if(tk.is_complaint),
        tickets_90d=tk.count(),
        response_hours_90d=answered.ifelse(hours, ibis.null("float64")).mean(),
    )


def _survey_features(store: Store, w: _Window) -> Any:
    s = store.table("surveys")
    s = s.filter((s.answered_at < w.moment) & s.csat.notnull())
    rank = ibis.row_number().over(
        group_by=s.customer_id, order_by=[s.answered_at.desc(), s.survey_id.desc()]
    )
    s = s.mutate(n=rank)
    last = s.filter(s.n == 0).select("customer_id", csat_last=s.csat)
    prev = s.filter(s.n == 1).select(pid="customer_id", csat_prev=s.csat)
    both = last.left_join(prev, last.customer_id == prev.pid)
    change = (both.csat_last - both.csat_prev).cast("float64")
    return both.select("customer_id", "csat_last", csat_change=change)


def _followup_features(store: Store, w: _Window) -> Any:
    i = store.table("interactions")
    i = i.filter(i.occurred_at < w.moment)
    agg = i.group_by("customer_id").aggregate(
        last_followup=i.occurred_at.max(), followups_90d=_count_if(i.occurred_at >= w.since(90))
    )
    return agg.mutate(days_since_followup=w.days_before(agg.last_followup)).drop("last_followup")


def _latest_score(store: Store, w: _Window, column: str) -> Any:
    """The latest non-null ``column`` of each customer's scores dated before ``as_of``."""
    sc = store.table("scores")
    sc = sc.filter((sc.as_of < w.as_of) & sc[column].notnull())
    rank = ibis.row_number().over(group_by=sc.customer_id, order_by=[sc.as_of.desc(), sc.id.desc()])
    sc = sc.mutate(n=rank)
    return sc.filter(sc.n == 0).select(sid="customer_id", **{column: sc[column]})


def feature_table(store: Store, as_of: dt.date, *, churn: ChurnConfig) -> Any:
    """The Ibis expression of the snapshot: one row per customer kept at ``as_of``,
    ``FEATURES`` columns."""
    w = _Window(as_of)
    base = active_customers(store, churn, as_of)
    contract = contract_in_force(store, as_of).select(
        kcid="customer_id", contract_end="contract_end"
    )
    base = base.left_join(contract, base.customer_id == contract.kcid).drop("kcid")
    owners = store.table("owners")
    departed = owners.left_at.notnull() & (owners.left_at < w.moment)
    # An owner marked inactive without a date has left at some unknown time: counted as gone.
    departed = departed | (owners.left_at.isnull() & ~owners.active.fill_null(True))
    owner_gone = owners.select(oid="owner_id", owner_departed=departed.ifelse(1, 0))
    t = base.select(
        "customer_id", "owner_id", *CATEGORIES,
        at_risk=(base.status == "at_risk").ifelse(1, 0),
        tenure_days=day(as_of).delta(base.acq, unit="day").cast("float64"),
        days_to_contract_end=-w.days_before(base.contract_end),
    )  # fmt: skip
    parts = [
        _order_features(store, w),
        _usage_features(store, w),
        _ticket_features(store, w),
        _survey_features(store, w),
        _followup_features(store, w),
    ]
    for part in parts:
        part = part.rename(pid="customer_id")
        t = t.left_join(part, t.customer_id == part.pid).drop("pid")
    t = t.left_join(owner_gone, t.owner_id == owner_gone.oid).drop("oid")
    for column in ("value_tier", "p_alive"):
        latest = _latest_score(store, w, column)
        t = t.left_join(latest, t.customer_id == latest.sid).drop("sid")
    zero_filled = {
        c: t[c].fill_null(0)
        for c in ("orders_30d", "orders_90d", "orders_365d", "spend_30d", "spend_90d",
                  "spend_365d", "complaints_90d", "tickets_90d", "followups_90d",
                  "owner_departed")
    }  # fmt: skip
    return t.mutate(**zero_filled).select("customer_id", "owner_id", *FEATURES)


def build_features(store: Store, as_of: dt.date, *, churn: ChurnConfig) -> pd.DataFrame:
    """The snapshot as a DataFrame sorted by ``customer_id``."""
    frame = feature_table(store, as_of, churn=churn).execute()
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    for column in FEATURES:
        if column not in CATEGORIES and column != "value_tier":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    # Whole days read better in the drivers ("the last order was 44 days ago").
    for column in DAY_COUNTS:
        frame[column] = np.floor(frame[column])
    return frame


def label_table(store: Store, churn: ChurnConfig, as_of: dt.date, horizon: int) -> Any:
    """``customer_id, churned_at``: the first loss (churn or void, explicit or inferred by the
    churn definition) in ``[as_of, as_of + horizon)``."""
    end = as_of + dt.timedelta(days=horizon)
    lost = losses(tables(store), churn, as_of, end)
    return lost.select("customer_id", churned_at=lost.lost_at)


def build_snapshot(
    store: Store, as_of: dt.date, horizon: int, *, churn: ChurnConfig
) -> pd.DataFrame:
    """Features as of ``as_of`` plus ``churned`` (0/1) and ``churned_at`` within ``horizon``."""
    frame = build_features(store, as_of, churn=churn)
    labels = label_table(store, churn, as_of, horizon).execute()
    frame = frame.merge(labels, on="customer_id", how="left")
    frame["churned"] = frame["churned_at"].notna().astype("int64")
    frame.insert(0, "as_of", pd.Timestamp(as_of))
    return frame


def lifetimes(store: Store, as_of: dt.date, *, churn: ChurnConfig) -> pd.DataFrame:
    """Per customer known at ``as_of``: ``tenure_days`` from acquisition to their first loss
    before ``as_of`` (``churned`` = 1) or to ``as_of`` (censored), plus the categories — the
    same durations as ``keepwise cohorts --km`` (:func:`keepwise.churn.lifetimes`)."""
    t = tables(store)
    base = customer_base(t, as_of)
    lives = churn_lifetimes(base, timeline(t, base, churn, as_of), as_of)
    lives = lives.select(
        "customer_id", *CATEGORIES, tenure_days=lives.tenure_days.cast("float64"),
        churned=lives.lost_on.notnull().ifelse(1, 0),
    )  # fmt: skip
    frame = lives.execute().sort_values("customer_id", kind="stable").reset_index(drop=True)
    frame["tenure_days"] = frame["tenure_days"].astype("float64")
    return frame
