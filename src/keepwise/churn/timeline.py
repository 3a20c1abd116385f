"""The effective status timeline of every customer, derived at query time.

Explicit status events (imports, users, rules) are the truth in ``"events"`` mode; a reverted
event and the revert itself are left out (:func:`recorded_events`). In
``"inactivity"`` mode (per segment, from ``[churn]`` in keepwise.toml) inferred events are added:

* fixed threshold: an order on day ``d`` with no order on days ``d+1 … d+N`` makes the customer
  churned on day ``d+N``, once that day is before ``as_of``; the next order, if any, wins them
  back (``won_back``) on its day;
* P(alive): when the segment sets ``p_alive_below`` and the customer has P(alive) scores, the
  score dates with P(alive) below the level are churn moments instead, and the first order after
  such a moment wins the customer back.

Inference works on calendar days, which every backend computes alike. An explicit void is a
decision of the company, so inferred events do not change a voided status until an explicit
event (a revert) does. Nothing inferred is stored: changing the definition re-derives every KPI.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dt_
import ibis.expr.types as ir

from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise.churn.tables import LOST, Tables, day, live_orders, shift_days

_COLUMNS = ("customer_id", "on", "at", "prio", "seq", "to_status", "reason", "explicit")


def _shape(t: ir.Table, **values: object) -> ir.Table:
    """Every part of the timeline in one schema, so they can be unioned."""
    typed = {
        "customer_id": "string", "on": "date", "at": "timestamp", "prio": "int64",
        "seq": "int64", "to_status": "string", "reason": "string", "explicit": "int64",
    }  # fmt: skip
    exprs = {}
    for name in _COLUMNS:
        value = values.get(name, t[name] if name in t.columns else None)
        expr = value if isinstance(value, ir.Value) else ibis.literal(value, type=typed[name])
        exprs[name] = expr.cast(typed[name])
    return t.select(**exprs)


def recorded_events(t: Tables) -> ir.Table:
    """The recorded status events that stand: a revert (``reverts`` set) and the event it
    undoes are both left out, whenever the revert was made, so a change reverted as a mistake
    leaves every figure as if it had never been recorded (docs/lifecycle.md)."""
    e = t.status_events
    undone = e.filter(e.reverts.notnull()).select(undone_id=e.reverts)
    return e.filter(e.reverts.isnull(), ~e.id.isin(undone.undone_id))


def explicit_events(t: Tables, as_of: dt.date) -> ir.Table:
    e = recorded_events(t)
    e = e.filter(e.occurred_at.cast("date") < day(as_of))
    return _shape(e, on=e.occurred_at.cast("date"), at=e.occurred_at, prio=1, seq=e.id, explicit=1)


def _order_days(t: Tables, as_of: dt.date, customers: ir.Table | None) -> ir.Table:
    """Distinct order days of the given customers (None: all), with the next order day.
    A win-back is dated at the start of its day, before that day's recorded events."""
    o = live_orders(t, as_of)
    if customers is not None:
        o = o.filter(o.customer_id.isin(customers.customer_id))
    d = o.select("customer_id", "day").distinct()
    return d.mutate(next_day=d.day.lead().over(group_by=d.customer_id, order_by=d.day))


def _fixed_threshold(t: Tables, as_of: dt.date, customers: ir.Table | None, days: int) -> ir.Table:
    d = _order_days(t, as_of, customers)
    churn_on = shift_days(d.day, days)
    # An order followed by none within the days: churned then; the next order wins back.
    churned = d.filter((d.next_day.isnull() | (d.next_day > churn_on)) & (churn_on < day(as_of)))
    churned = churned.mutate(on=shift_days(churned.day, days))
    back = churned.filter(churned.next_day.notnull())
    return _shape(
        churned, at=churned.on.cast("timestamp"), prio=0, seq=0, to_status="churned",
        explicit=0,
    ).union(
        _shape(back, on=back.next_day, at=back.next_day.cast("timestamp"), prio=2, seq=0,
               to_status="won_back", explicit=0)
    )  # fmt: skip


def _p_alive(t: Tables, as_of: dt.date, customers: ir.Table, level: float) -> ir.Table:
    s = t.scores
    s = s.filter(
        s.p_alive.notnull(), s.as_of < day(as_of), s.customer_id.isin(customers.customer_id)
    )
    low = s.filter(s.p_alive < level).select("customer_id", day=s.as_of).distinct()
    d = _order_days(t, as_of, customers)
    # Orders and churn moments on one line per customer; an order after a churn moment (since
    # the previous order) is a win-back. Churn moments sort before orders of the same day.
    day_t = dt_.Date(nullable=True)
    marks = low.select("customer_id", day=low.day.cast(day_t), kind=ibis.literal(0))
    marks = marks.union(d.select("customer_id", day=d.day.cast(day_t), kind=ibis.literal(1)))
    w = ibis.window(group_by=marks.customer_id, order_by=[marks.day, marks.kind], rows=(None, 0))
    marks = marks.mutate(churns=(1 - marks.kind).sum().over(w))
    orders = marks.filter(marks.kind == 1)
    prev = orders.churns.lag().over(group_by=orders.customer_id, order_by=orders.day)
    back = orders.filter(orders.churns > prev.fill_null(0))
    return _shape(
        low, on=low.day, at=low.day.cast("timestamp"), prio=0, seq=0, to_status="churned",
        explicit=0,
    ).union(
        _shape(back, on=back.day, at=back.day.cast("timestamp"), prio=2, seq=0,
               to_status="won_back", explicit=0)
    )  # fmt: skip


def _rule_groups(churn: ChurnConfig) -> list[tuple[ChurnRule, list[str] | None]]:
    """Each inactivity rule with the segments it covers (None: every other segment)."""
    groups: list[tuple[ChurnRule, list[str] | None]] = []
    for rule in {churn.default, *churn.segments.values()}:
        if rule.mode != "inactivity":
            continue
        named = sorted(s for s, r in churn.segments.items() if r == rule)
        groups.append((rule, None if rule == churn.default else named))
    return groups


def inferred_events(
    t: Tables, customers: ir.Table, churn: ChurnConfig, as_of: dt.date
) -> ir.Table | None:
    """Inferred churn and win-back events, or None when every segment uses explicit events."""
    parts: list[ir.Table] = []
    others = list(churn.segments)
    for rule, segments in _rule_groups(churn):
        if segments is None:
            members: ir.Table | None = None  # every customer
            if others:
                members = customers.filter(
                    customers.segment.isnull() | ~customers.segment.isin(others)
                )
        else:
            members = customers.filter(customers.segment.isin(segments))
        if rule.p_alive_below is None:
            parts.append(_fixed_threshold(t, as_of, members, rule.inactivity_days))
            continue
        s = t.scores.filter(t.scores.p_alive.notnull(), t.scores.as_of < day(as_of))
        scope = customers if members is None else members
        scored = scope.filter(scope.customer_id.isin(s.customer_id))
        unscored = scope.filter(~scope.customer_id.isin(s.customer_id))
        parts.append(_p_alive(t, as_of, scored, rule.p_alive_below))
        parts.append(_fixed_threshold(t, as_of, unscored, rule.inactivity_days))
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p)
    return out


def timeline(t: Tables, customers: ir.Table, churn: ChurnConfig, as_of: dt.date) -> ir.Table:
    """Every effective status event before ``as_of``, with ``from_status``.

    Columns: customer_id, on (day), at, prio, seq (the order within a day), to_status,
    from_status, reason, explicit (1 recorded, 0 inferred), loss (1 when the event moves the
    customer from a kept status to churned or voided), kept_since (the day of the customer's
    latest return from a lost status up to this event; null if none): a customer is kept at
    every midnight t with kept_since < t <= on of their next loss.
    """
    events = explicit_events(t, as_of)
    events = events.filter(events.customer_id.isin(customers.customer_id))
    inferred = inferred_events(t, customers, churn, as_of)
    if inferred is not None:
        # Only customers with an explicit void need the (costly) check that a void holds.
        voided = events.filter(events.to_status == "voided").select("customer_id").distinct()
        mixed = events.union(inferred)
        plain = mixed.filter(~mixed.customer_id.isin(voided.customer_id))
        checked = _void_wins(mixed.filter(mixed.customer_id.isin(voided.customer_id)))
        events = plain.union(checked)
    order = [events.on, events.at, events.prio, events.seq]
    w = ibis.window(group_by=events.customer_id, order_by=order)
    events = events.mutate(from_status=events.to_status.lag().over(w).fill_null("active"))
    loss = events.to_status.isin(LOST) & ~events.from_status.isin(LOST)
    comeback = ~events.to_status.isin(LOST) & events.from_status.isin(LOST)
    order = [events.on, events.at, events.prio, events.seq]
    so_far = ibis.window(group_by=events.customer_id, order_by=order, rows=(None, 0))
    return events.mutate(
        loss=loss.ifelse(1, 0),
        kept_since=comeback.ifelse(events.on, ibis.null("date")).max().over(so_far),
    )


def _void_wins(events: ir.Table) -> ir.Table:
    """Drop inferred events that follow an explicit void with no explicit event in between."""
    order = [events.on, events.at, events.prio, events.seq]
    w = ibis.window(group_by=events.customer_id, order_by=order, rows=(None, 0))
    events = events.mutate(grp=events.explicit.sum().over(w))
    explicit_status = (events.explicit == 1).ifelse(events.to_status, ibis.null("string"))
    events = events.mutate(
        gstatus=explicit_status.max().over(group_by=[events.customer_id, events.grp])
    )
    keep = (events.explicit == 1) | events.gstatus.isnull() | (events.gstatus != "voided")
    return events.filter(keep).drop("grp", "gstatus")


def intervals(events: ir.Table) -> ir.Table:
    """Per customer and day with events, the status after that day's last event and the next
    such day: the status holds at every moment in ``(on, next_on]`` (status at a moment t is
    that of the latest event strictly before t, DESIGN.md)."""
    order = [ibis.desc(events.at), ibis.desc(events.prio), ibis.desc(events.seq)]
    last = events.mutate(
        rn=ibis.row_number().over(group_by=[events.customer_id, events.on], order_by=order)
    )
    last = last.filter(last.rn == 0)
    nxt = last.on.lead().over(group_by=last.customer_id, order_by=last.on)
    return last.select("customer_id", "on", status="to_status", next_on=nxt)


def status_at(
    spans: ir.Table, moments: ir.Table, column: str, statuses: tuple[str, ...] = LOST
) -> ir.Table:
    """(customer_id, ``column``, status) for each moment (midnight of a day in ``column``) at
    which a customer's status is one of ``statuses`` (by default the lost ones: every other
    customer is kept at that moment, which spares most rows)."""
    far = day(dt.date(9999, 12, 31))
    m = moments.select(column).distinct()
    s = spans.filter(spans.status.isin(statuses))
    j = s.join(m, [s.on < m[column], m[column] <= s.next_on.fill_null(far)])
    return j.select("customer_id", column, "status")


def status_at_bounds(
    spans: ir.Table, periods: ir.Table, statuses: tuple[str, ...] = LOST
) -> ir.Table:
    """(customer_id, period_start, start, end) for each period at whose start or end (midnight
    of ``period_start`` / ``period_end``) a customer's status is one of ``statuses``: the
    status then, null at the other boundary unless the same span also holds there.

    One join of the spans with the periods they touch: a lost customer's span covering both
    boundaries (the usual case: churned stays churned) gives one row, not one per boundary. A
    status that changes within the period gives a row per span."""
    far = day(dt.date(9999, 12, 31))
    p = periods.select("period_start", "period_end")
    s = spans.filter(spans.status.isin(statuses))
    s = s.mutate(until=s.next_on.fill_null(far))
    j = s.join(p, [s.on < p.period_end, p.period_start <= s.until])
    at_start = (j.on < j.period_start) & (j.period_start <= j.until)
    at_end = (j.on < j.period_end) & (j.period_end <= j.until)
    j = j.filter(at_start | at_end)
    return j.select(
        "customer_id", "period_start",
        start=at_start.ifelse(j.status, ibis.null("string")),
        end=at_end.ifelse(j.status, ibis.null("string")),
    )  # fmt: skip
