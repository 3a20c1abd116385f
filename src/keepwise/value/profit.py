"""Profit contribution after cost to serve, per customer and period (Ibis).

For a period ``[start, end)``:

* ``revenue`` = amounts of the customer's non-cancelled orders dated in the period;
* ``gross_margin`` = Σ (amount − cost) over orders with a cost, plus amount × ``margin`` (the
  configured default) over orders without one;
* ``cost_to_serve`` = tickets opened × ``ticket_cost`` + follow-ups (interactions) ×
  ``followup_cost`` + discounts (the orders' ``discount`` column, when the table has one);
* ``profit_contribution`` = gross_margin − cost_to_serve.

Customers with no order, ticket or follow-up in a period have no row for it (all zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from keepwise.value._dates import add_months
from keepwise.value.settings import ValueSettings
from keepwise.value.tables import ValueTables

AMOUNTS = ("orders", "revenue", "gross_margin", "discounts", "tickets", "followups")


def _periods_table(periods: Sequence[tuple[dt.date, dt.date]]) -> ir.Table:
    df = pd.DataFrame(periods, columns=["period_start", "period_end"])
    return ibis.memtable(df, schema={"period_start": "date", "period_end": "date"})


def _in_periods(t: ir.Table, day: ir.DateColumn, p: ir.Table) -> ir.Table:
    t = t.mutate(_day=day)
    return t.join(p, [t._day >= p.period_start, t._day < p.period_end])


def _rows(t: ir.Table, **values: ir.Value) -> ir.Table:
    cols = {name: ibis.literal(0.0, type="float64") for name in AMOUNTS}
    cols.update({k: v.cast("float64") for k, v in values.items()})
    return t.select("customer_id", "period_start", "period_end", **cols)


def profit_by_period(
    tables: ValueTables,
    periods: Sequence[tuple[dt.date, dt.date]],
    settings: ValueSettings,
) -> ir.Table:
    """One row per customer and period with activity: the amounts of the module docstring."""
    p = _periods_table(periods)
    o = tables.orders.filter(~tables.orders.cancelled.fill_null(False))
    o = _in_periods(o, o.ordered_at.cast("date"), p)
    margin = o.cost.isnull().ifelse(o.amount * settings.margin, o.amount - o.cost)
    discount = o.discount.fill_null(0.0) if "discount" in o.columns else ibis.literal(0.0)
    t = _in_periods(tables.tickets, tables.tickets.opened_at.cast("date"), p)
    i = _in_periods(tables.interactions, tables.interactions.occurred_at.cast("date"), p)
    parts = [
        _rows(o, orders=ibis.literal(1), revenue=o.amount, gross_margin=margin,
              discounts=discount),
        _rows(t, tickets=ibis.literal(1)),
        _rows(i, followups=ibis.literal(1)),
    ]  # fmt: skip
    u = ibis.union(*parts)
    g = u.group_by("customer_id", "period_start", "period_end").aggregate(
        **{name: u[name].sum() for name in AMOUNTS}
    )
    cost = g.tickets * settings.ticket_cost + g.followups * settings.followup_cost + g.discounts
    return g.mutate(
        orders=g.orders.cast("int64"),
        tickets=g.tickets.cast("int64"),
        followups=g.followups.cast("int64"),
        cost_to_serve=cost,
        profit_contribution=g.gross_margin - cost,
    )


def trailing_window(as_of: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """``[as_of − months, as_of)``."""
    return add_months(as_of, -months), as_of


def profit_contribution(
    tables: ValueTables, as_of: dt.date, settings: ValueSettings
) -> pd.DataFrame:
    """Per customer with activity in the trailing ``window_months`` before ``as_of``: the
    amounts, cost to serve and profit contribution, indexed by ``customer_id``."""
    window = trailing_window(as_of, settings.window_months)
    df = profit_by_period(tables, [window], settings).execute()
    return df.drop(columns=["period_start", "period_end"]).set_index("customer_id")
