"""What every consumer reads from the churn definition: each customer's status at a moment, the
losses in a window and the customers' lifetimes, all derived from :func:`timeline`.

These are the only ways the rest of Keepwise learns whether a customer is kept or lost: a
consumer that read ``customers.status`` or the raw status events would disagree with the KPIs
as soon as ``[churn]`` infers events (inactivity mode, P(alive) rule, per-segment rules).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from keepwise._core.config import ChurnConfig
from keepwise.churn.tables import LOST, Tables, customer_base, day
from keepwise.churn.timeline import timeline


def latest_event(events: ir.Table) -> ir.Table:
    """Per customer, the last event of a timeline: ``customer_id, status, since`` (its day)."""
    order = [ibis.desc(events.on), ibis.desc(events.at), ibis.desc(events.prio),
             ibis.desc(events.seq)]  # fmt: skip
    ranked = events.mutate(kw_rn=ibis.row_number().over(group_by=events.customer_id,
                                                        order_by=order))  # fmt: skip
    last = ranked.filter(ranked.kw_rn == 0)
    return last.select("customer_id", status=last.to_status, since=last.on)


def statuses(
    t: Tables, churn: ChurnConfig, as_of: dt.date, base: ir.Table | None = None
) -> ir.Table:
    """One row per customer known at ``as_of`` (:func:`customer_base`, or ``base``): its
    columns plus ``status`` at midnight of ``as_of`` (``active`` without any event),
    ``status_since`` (the day of that status's event, null if none) and ``kept`` (not churned
    or voided)."""
    base = customer_base(t, as_of) if base is None else base
    last = latest_event(timeline(t, base, churn, as_of)).rename(kw_cid="customer_id")
    j = base.left_join(last, base.customer_id == last.kw_cid).drop("kw_cid")
    status = j.status.fill_null("active")
    return j.mutate(status=status, status_since=j.since, kept=~status.isin(LOST)).drop("since")


def first_losses(events: ir.Table) -> ir.Table:
    """Per customer, the first loss (a move from a kept status to churned or voided) of a
    timeline: ``customer_id, lost_on, lost_at, lost_to, reason``."""
    loss = events.filter(events.loss == 1)
    order = [loss.on, loss.at, loss.prio, loss.seq]
    ranked = loss.mutate(kw_rn=ibis.row_number().over(group_by=loss.customer_id, order_by=order))
    first = ranked.filter(ranked.kw_rn == 0)
    return first.select(
        "customer_id", lost_on=first.on, lost_at=first.at, lost_to=first.to_status,
        reason=first.reason,
    )  # fmt: skip


def losses(t: Tables, churn: ChurnConfig, start: dt.date, end: dt.date) -> ir.Table:
    """Each customer's first loss dated in ``[start, end)``: ``customer_id, lost_on, lost_at,
    lost_to, reason`` (callers keep the customers that were kept at ``start``).

    The timeline is derived as of ``end``: an inactivity churn due inside the window is known
    once the window is over (the labels of a churn model, which may read the window)."""
    events = timeline(t, customer_base(t, end), churn, end)
    return first_losses(events.filter(events.on >= day(start)))


def lifetimes(base: ir.Table, events: ir.Table, as_of: dt.date) -> ir.Table:
    """Per customer of ``base``: its columns plus ``lost_on`` (the first loss before
    ``as_of``, null if never lost) and ``tenure_days`` from acquisition to that loss, or to
    ``as_of`` when censored: the durations of Kaplan-Meier survival."""
    first = first_losses(events).select(kw_cid="customer_id", lost_on="lost_on")
    j = base.left_join(first, base.customer_id == first.kw_cid).drop("kw_cid")
    end = j.lost_on.fill_null(day(as_of))
    return j.mutate(tenure_days=ibis.greatest(end.delta(j.acq, unit="day"), 0))
