"""RFM summary of a transaction log, computed in the database (Ibis: DuckDB, PostgreSQL, Spark).

The summary follows the "buy till you die" conventions of Fader, Hardie & Lee (2005) and of the
``lifetimes`` package, so it feeds :class:`~keepwise.models.clv.BGNBD` and friends directly:

* a *purchase* is a customer's day with at least one non-cancelled order (orders of one day are
  one transaction, their amounts summed);
* ``frequency`` = number of purchase days − 1 (repeat purchases);
* ``recency`` = time from the first to the last purchase day (0 for one-time buyers);
* ``T`` = time from the first purchase day to the end of observation;
* ``monetary_value`` = mean amount of the *repeat* purchase days (0 for one-time buyers);
* ``revenue`` (all purchase days) and ``last_purchase`` are kept for RFM scoring.

Times are in ``unit`` (``"days"`` or ``"weeks"`` = days / 7).

Two ways to end the observation:

* :func:`rfm_summary` (``as_of``, Keepwise's convention): orders dated *before* ``as_of``;
  ``T`` runs to ``as_of``.
* :func:`rfm_calibration_holdout` (``lifetimes.utils.calibration_and_holdout_data``'s
  convention): the calibration period holds the days up to *and including* ``calibration_end``
  and ``T`` runs to ``calibration_end``; the holdout holds the days after it up to and including
  ``observation_end``; ``frequency_holdout`` counts its purchase days and ``duration_holdout`` =
  ``observation_end − calibration_end``. Customers whose first purchase falls in the holdout
  are left out, as in ``lifetimes``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import ibis
import ibis.expr.types as ir

Unit = Literal["days", "weeks"]
UNIT_DAYS: dict[str, float] = {"days": 1.0, "weeks": 7.0}

SUMMARY_COLUMNS = (
    "customer_id", "frequency", "recency", "T", "monetary_value", "revenue",
    "first_purchase", "last_purchase",
)  # fmt: skip


def _date(value: dt.date) -> ir.DateScalar:
    return ibis.literal(value, type="date")


def _unit_days(unit: str) -> float:
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {sorted(UNIT_DAYS)}, got {unit!r}")
    return UNIT_DAYS[unit]


def purchase_days(orders: ir.Table) -> ir.Table:
    """One row per customer and purchase day: ``customer_id``, ``day``, ``amount`` (the day's
    non-cancelled orders summed)."""
    o = orders.filter(~orders.cancelled.fill_null(False), orders.customer_id.notnull())
    o = o.mutate(day=o.ordered_at.cast("date"))
    return o.group_by("customer_id", "day").aggregate(amount=o.amount.sum())


def _summarise(days: ir.Table, last_day: dt.date, t_end: dt.date, unit: str) -> ir.Table:
    """The summary of the purchase days up to and including ``last_day``, ``T`` to ``t_end``."""
    per_unit = _unit_days(unit)
    d = days.filter(days.day <= _date(last_day))
    first = d.group_by(fcid="customer_id").aggregate(first_day=d.day.min())
    j = d.join(first, d.customer_id == first.fcid)
    is_repeat = j.day > j.first_day
    g = j.group_by("customer_id").aggregate(
        n_days=j.count(),
        first_purchase=j.first_day.min(),
        last_purchase=j.day.max(),
        revenue=j.amount.sum(),
        repeat_amount=is_repeat.ifelse(j.amount, 0.0).sum(),
    )
    frequency = (g.n_days - 1).cast("int64")
    return g.select(
        customer_id=g.customer_id,
        frequency=frequency,
        recency=g.last_purchase.delta(g.first_purchase, unit="day").cast("float64") / per_unit,
        T=_date(t_end).delta(g.first_purchase, unit="day").cast("float64") / per_unit,
        monetary_value=(frequency > 0).ifelse(
            g.repeat_amount.cast("float64") / frequency.cast("float64"), 0.0
        ),
        revenue=g.revenue.cast("float64"),
        first_purchase=g.first_purchase,
        last_purchase=g.last_purchase,
    )


def rfm_summary(orders: ir.Table, as_of: dt.date, unit: Unit = "days") -> ir.Table:
    """Per customer with a purchase before ``as_of``: frequency, recency, T, monetary_value,
    revenue, first and last purchase day (an Ibis expression; ``.execute()`` runs it)."""
    return _summarise(purchase_days(orders), as_of - dt.timedelta(days=1), as_of, unit)


def rfm_calibration_holdout(
    orders: ir.Table,
    calibration_end: dt.date,
    observation_end: dt.date,
    unit: Unit = "days",
) -> ir.Table:
    """The calibration summary plus ``frequency_holdout``, ``monetary_value_holdout`` (mean
    amount of the holdout purchase days, 0 when none) and ``duration_holdout`` (lifetimes'
    inclusive convention, see the module docstring)."""
    if observation_end <= calibration_end:
        raise ValueError("observation_end must be after calibration_end")
    days = purchase_days(orders)
    cal = _summarise(days, calibration_end, calibration_end, unit)
    h = days.filter(days.day > _date(calibration_end), days.day <= _date(observation_end))
    hold = h.group_by(hcid="customer_id").aggregate(n=h.count(), spend=h.amount.sum())
    j = cal.left_join(hold, cal.customer_id == hold.hcid)
    n = j.n.fill_null(0).cast("int64")
    duration = (observation_end - calibration_end).days / _unit_days(unit)
    return j.select(
        *SUMMARY_COLUMNS,
        frequency_holdout=n,
        monetary_value_holdout=(n > 0).ifelse(j.spend.cast("float64") / n.cast("float64"), 0.0),
        duration_holdout=ibis.literal(duration, type="float64"),
    )
