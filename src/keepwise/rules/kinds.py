"""The built-in rule kinds as Ibis expressions (内置预警规则).

Each function takes the evaluation :class:`Context` and the rule's parameters and returns an
Ibis table: ``customer_id`` plus the evidence columns, one row per active customer that fires.
Every table is filtered to rows strictly before ``as_of`` (``ctx.t0``), so rows dated at or after
it never change the result.

A customer's *norm* for a window of ``w`` days is their rate over the baseline period before the
window, scaled to ``w`` days: ``baseline total ÷ baseline days observed × w``, where the days
observed start at the customer's acquisition (or first use) when that is later than the start of
the baseline period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

from keepwise.churn import contracts_at
from keepwise.rules.evaluate import DAY_S, Context, KindFn
from keepwise.rules.kinds_catalogue import BANDS


def _days_between(start: Any, end_epoch: float) -> Any:
    """Days from the timestamp expression ``start`` to the moment ``end_epoch`` (seconds)."""
    return (ibis.literal(end_epoch) - start.epoch_seconds()) / DAY_S


def _drop(ctx: Context, events: Any, value: Any, start: str, p: dict[str, Any], what: str) -> Any:
    """Customers whose total in the window fell below ``threshold_pct`` % of their norm.

    ``events`` has customer_id and a timestamp column ``t``; ``value`` is the amount of a row;
    ``start`` is ``"acquired"`` (observation starts at acquisition) or ``"first"`` (at the first
    event)."""
    w, b = p["window_days"], p["baseline_days"]
    ws, bs = ctx.before(w), ctx.before(w + b)
    events = events.filter(events.t < ctx.t0)
    agg = events.group_by("customer_id").aggregate(
        recent=(events.t >= ws).ifelse(value, 0).sum(),
        base=((events.t >= bs) & (events.t < ws)).ifelse(value, 0).sum(),
        first=events.t.min(),
    )
    c = ctx.active().inner_join(agg, "customer_id")
    origin = c.acquired_at.fill_null(c["first"]) if start == "acquired" else c["first"]
    observed = _days_between(ibis.greatest(origin, ibis.literal(bs)), ctx.epoch(ws))
    c = c.mutate(observed=observed)
    c = c.filter(c.observed >= w).mutate(norm=c.base / c.observed * w)
    c = c.filter((c.norm > 0) & (c.norm >= p["min_norm"]))
    c = c.filter(c.recent < c.norm * (p["threshold_pct"] / 100.0))
    return c.select(
        "customer_id",
        **{
            f"{what}_{w}d": c.recent,
            f"norm_{w}d": c.norm.round(1),
            "drop_pct": ((1 - c.recent / c.norm) * 100).round(0).cast("int64"),
        },
    )


def purchase_drop(ctx: Context, p: dict[str, Any]) -> Any:
    """Orders (not cancelled) in the window below ``threshold_pct`` % of the customer's norm."""
    o = ctx.table("orders")
    o = o.filter(~o.cancelled).mutate(t=o.ordered_at)
    return _drop(ctx, o, ibis.literal(1), "acquired", p, "orders")


def usage_drop(ctx: Context, p: dict[str, Any]) -> Any:
    """Product use (visits or minutes) in the window below ``threshold_pct`` % of the norm,
    observed from the customer's first recorded use."""
    u = ctx.table("usage")
    u = u.mutate(t=u.day.cast("timestamp"))
    metric = p["metric"]
    return _drop(ctx, u, u[metric].fill_null(0), "first", p, metric)


def complaints_rising(ctx: Context, p: dict[str, Any]) -> Any:
    """At least ``min_complaints`` complaints in the window and at least ``rise_pct`` % above
    the norm (a norm of zero: any ``min_complaints`` complaints fire)."""
    w, b = p["window_days"], p["baseline_days"]
    ws, bs = ctx.before(w), ctx.before(w + b)
    t = ctx.table("tickets")
    t = t.filter(t.is_complaint & (t.opened_at < ctx.t0) & (t.opened_at >= bs))
    agg = t.group_by("customer_id").aggregate(
        recent=(t.opened_at >= ws).ifelse(1, 0).sum(),
        base=(t.opened_at < ws).ifelse(1, 0).sum(),
    )
    c = ctx.active().inner_join(agg, "customer_id")
    origin = c.acquired_at.fill_null(ibis.literal(bs))
    observed = _days_between(ibis.greatest(origin, ibis.literal(bs)), ctx.epoch(ws))
    c = c.mutate(norm=c.base / ibis.greatest(observed, w) * w)
    c = c.filter(
        (c.recent >= p["min_complaints"]) & (c.recent >= c.norm * (1 + p["rise_pct"] / 100.0))
    )
    rise = (c.norm > 0).ifelse(((c.recent / c.norm - 1) * 100).round(0), ibis.null())
    return c.select(
        "customer_id",
        **{f"complaints_{w}d": c.recent, f"norm_{w}d": c.norm.round(1), "rise_pct": rise},
    )


def satisfaction_falling(ctx: Context, p: dict[str, Any]) -> Any:
    """Mean CSAT in the window at least ``min_drop`` points below the mean of the baseline
    period, or at or below ``low_csat`` whatever the baseline."""
    w, b = p["window_days"], p["baseline_days"]
    ws, bs = ctx.before(w), ctx.before(w + b)
    s = ctx.table("surveys")
    s = s.filter(s.csat.notnull() & (s.answered_at < ctx.t0) & (s.answered_at >= bs))
    recent = s.answered_at >= ws
    agg = s.group_by("customer_id").aggregate(
        n_recent=recent.ifelse(1, 0).sum(),
        csat_recent=recent.ifelse(s.csat, ibis.null()).mean(),
        csat_norm=(~recent).ifelse(s.csat, ibis.null()).mean(),
    )
    c = ctx.active().inner_join(agg, "customer_id")
    drop = c.csat_norm - c.csat_recent
    fires = (c.csat_recent <= p["low_csat"]) | (drop.notnull() & (drop >= p["min_drop"]))
    c = c.filter((c.n_recent > 0) & fires)
    return c.select(
        "customer_id",
        **{
            f"csat_{w}d": c.csat_recent.round(2),
            f"responses_{w}d": c.n_recent,
            "csat_norm": c.csat_norm.round(2),
            "drop": drop.round(2),
        },
    )


def no_followup(ctx: Context, p: dict[str, Any]) -> Any:
    """The last follow-up (interaction) is more than ``days`` days old; a customer never
    followed up counts from acquisition."""
    i = ctx.table("interactions")
    i = i.filter(i.occurred_at < ctx.t0)
    last = i.group_by("customer_id").aggregate(last=i.occurred_at.max())
    c = ctx.active().left_join(last, "customer_id")
    since = c["last"].fill_null(c.acquired_at)
    days = _days_between(since, ctx.epoch(ctx.t0)).floor().cast("int64")
    c = c.mutate(days=days)
    c = c.filter(c.days.notnull() & (c.days > p["days"]))
    return c.select("customer_id", days_since_followup=c.days, last_followup=c["last"].date())


def owner_left(ctx: Context, p: dict[str, Any]) -> Any:
    """The customer's owner left the company before ``as_of`` (within ``within_days`` days,
    when that is not 0). Departures are read from ``owners.left_at``."""
    o = ctx.table("owners")
    o = o.filter(o.left_at.notnull() & (o.left_at < ctx.t0))
    if p["within_days"]:
        o = o.filter(o.left_at >= ctx.before(p["within_days"]))
    o = o.select(owner=o.owner_id, owner_name=o.name, left_at=o.left_at)
    c = ctx.active()
    c = c.inner_join(o, c.owner_id == o.owner)
    days = _days_between(c.left_at, ctx.epoch(ctx.t0)).floor().cast("int64")
    return c.select(
        "customer_id", "owner_id", "owner_name", left_at=c.left_at.date(), days_since_left=days
    )


def contract_ending(ctx: Context, p: dict[str, Any]) -> Any:
    """The contract in force at ``as_of`` (as known then: :func:`keepwise.churn.contracts_at`)
    ends within ``days`` days (from ``as_of``, inclusive) and no renewal activity happened in
    the last ``lookback_days`` days: no interaction of a type in ``activity_types`` (and, with
    ``count_orders``, no order)."""
    lookback = ctx.before(p["lookback_days"])
    end = ctx.as_of + dt.timedelta(days=p["days"])
    known = contracts_at(
        ctx.table("contracts"), ctx.table("customers"), ctx.table("import_batches"), ctx.as_of
    )
    ending = known.filter((known.contract_end >= ctx.as_of) & (known.contract_end <= end))
    ending = ending.select(cid=ending.customer_id, contract_end=ending.contract_end)
    i = ctx.table("interactions")
    acts = i.filter(
        (i.occurred_at < ctx.t0) & (i.occurred_at >= lookback) & i.type.isin(p["activity_types"])
    ).select("customer_id")
    if p["count_orders"]:
        o = ctx.table("orders")
        orders = o.filter((o.ordered_at < ctx.t0) & (o.ordered_at >= lookback) & ~o.cancelled)
        acts = acts.union(orders.select("customer_id"), distinct=False)
    c = ctx.active()
    c = c.inner_join(ending, c.customer_id == ending.cid)
    c = c.filter(~c.customer_id.isin(acts.customer_id))
    days_left = (c.contract_end.cast("date") - ibis.literal(ctx.as_of)).cast("int64")
    return c.select(
        "customer_id",
        contract_end=c.contract_end,
        days_left=days_left,
        **{f"renewal_activities_{p['lookback_days']}d": ibis.literal(0)},
    )


def risk_band_rising(ctx: Context, p: dict[str, Any]) -> Any:
    """The latest risk band before ``as_of`` is higher than the one before it (scores table,
    two latest rows per customer by ``as_of``) and at least ``min_band``."""
    s = ctx.table("scores")
    s = s.filter(s.as_of < ctx.as_of).filter(lambda r: r.risk_band.isin(BANDS))
    order = ibis.row_number().over(group_by=s.customer_id, order_by=[s.as_of.desc(), s.id.desc()])
    s = s.mutate(n=order, rank=_band_rank(s.risk_band))
    cols = ("customer_id", "as_of", "risk_band", "churn_probability", "rank")
    now = s.filter(s.n == 0).select(*cols)
    prev = s.filter(s.n == 1).select(*cols).rename(lambda name: f"{name}_prev")
    c = ctx.active().inner_join(now, "customer_id")
    c = c.inner_join(prev, c.customer_id == prev.customer_id_prev)
    c = c.filter((c["rank"] > c.rank_prev) & (c["rank"] >= BANDS.index(p["min_band"])))
    return c.select(
        "customer_id",
        band_before=c.risk_band_prev,
        band_now=c.risk_band,
        scored_before=c.as_of_prev,
        scored_now=c.as_of,
        probability_before=c.churn_probability_prev.round(3),
        probability_now=c.churn_probability.round(3),
    )


def _band_rank(band: Any) -> Any:
    return ibis.cases(*((band == b, i) for i, b in enumerate(BANDS)), else_=-1)


KIND_FUNCTIONS: dict[str, KindFn] = {
    "purchase_drop": purchase_drop,
    "usage_drop": usage_drop,
    "complaints_rising": complaints_rising,
    "satisfaction_falling": satisfaction_falling,
    "no_followup": no_followup,
    "owner_left": owner_left,
    "contract_ending": contract_ending,
    "risk_band_rising": risk_band_rising,
}
