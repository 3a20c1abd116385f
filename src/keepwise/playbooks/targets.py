"""Who a playbook targets on a day: Ibis expressions over the canonical tables, as of ``as_of``.

Every status comes from the churn definition (:mod:`keepwise.churn`): a retention playbook
targets customers kept at ``as_of``; a win-back playbook targets customers lost at ``as_of``
whose move to that status (churned or voided) lies in the last ``within_days`` days. Data dated
on or after ``as_of`` is never read. The customers' state as of the day (status, since when,
the reason of that status, latest tier and risk band) is computed once per run and shared by
every playbook (:class:`RunState`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.datatypes as dt_
import ibis.expr.types as ir

from keepwise._core.config import ChurnConfig
from keepwise.churn import LOST, Tables, contracts_at, customer_base, day, timeline
from keepwise.churn.tables import latest_scores
from keepwise.playbooks.holidays import holidays_between
from keepwise.playbooks.spec import Playbook, Trigger

#: The columns of a candidate: the customer, what triggered it, and its once-only key.
CANDIDATE = ("customer_id", "detail", "key")


class RunState:
    """The customers' state as of one day, kept in a temporary table for every playbook of a
    run: customer_id, name, owner_id, dimensions, tier, risk_band, status, status_since,
    status_reason, kept."""

    def __init__(self, t: Tables, churn: ChurnConfig, as_of: dt.date, con: Any,
                 rule_kinds: dict[str, str] | None = None) -> None:  # fmt: skip
        self.t, self.churn, self.as_of, self.con = t, churn, as_of, con
        #: The workspace's alert rules: id → kind, so a trigger may name either.
        self.rule_kinds = rule_kinds or {}
        self._cleanup: list[Callable[[], object]] = []
        self.table = self._keep(_state(t, churn, as_of))

    def _keep(self, expr: ir.Table) -> ir.Table:
        if self.con is None or getattr(self.con, "name", "") == "pyspark":
            return expr
        name = f"kw_pb_{uuid.uuid4().hex[:12]}"
        table = self.con.create_table(name, expr, temp=True)
        self._cleanup.append(lambda: self.con.drop_table(name, force=True))
        return table

    def close(self) -> None:
        while self._cleanup:
            self._cleanup.pop()()

    def __enter__(self) -> RunState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _state(t: Tables, churn: ChurnConfig, as_of: dt.date) -> ir.Table:
    base = customer_base(t, as_of)
    events = timeline(t, base, churn, as_of)
    order = [ibis.desc(events.on), ibis.desc(events.at), ibis.desc(events.prio),
             ibis.desc(events.seq)]  # fmt: skip
    ranked = events.mutate(rn=ibis.row_number().over(group_by=events.customer_id,
                                                     order_by=order))  # fmt: skip
    last = ranked.filter(ranked.rn == 0).select(
        lcid="customer_id", status="to_status", status_since="on", status_reason="reason"
    )
    band = latest_scores(t, as_of, "risk_band").rename(bcid="customer_id")
    j = base.left_join(last, base.customer_id == last.lcid).left_join(
        band, base.customer_id == band.bcid
    )
    status = j.status.fill_null("active")
    return j.select(
        "customer_id", "name", "owner_id", "segment", "industry", "region", "channel", "tier",
        "risk_band", status=status, status_since=j.status_since, status_reason=j.status_reason,
        kept=(~status.isin(LOST)).ifelse(1, 0),
    )  # fmt: skip


def candidates(state: RunState, playbook: Playbook, tables: dict[str, ir.Table]) -> ir.Table:
    """The customers ``playbook`` targets as of the state's day, before the hold-out and the
    check against earlier targets (:func:`mark_new`): customer_id, detail (what triggered it: a reason, an alert
    rule, an occasion), key (an occasion that targets a customer once only; else null)."""
    s, trig = state.table, playbook.trigger
    as_of = state.as_of
    if trig.care_calendar:
        out = _care(state, trig, tables)
    elif trig.alert:
        out = _alerted(tables["alerts"], trig, as_of, state.rule_kinds)
    else:
        detail = s.status_reason if trig.measure == "winback" else ibis.null("string")
        out = s.select("customer_id", detail=detail.cast("string"), key=ibis.null("string"))
    j = out.join(s, out.customer_id == s.customer_id).select(*CANDIDATE, *_STATE_COLS)
    return _filtered(j, playbook, as_of)


_STATE_COLS = ("name", "owner_id", "segment", "industry", "region", "channel", "tier",
               "risk_band", "status", "status_since", "status_reason", "kept")  # fmt: skip


def _filtered(j: ir.Table, playbook: Playbook, as_of: dt.date) -> ir.Table:
    trig = playbook.trigger
    if trig.measure == "winback":
        since = day(as_of) - ibis.interval(days=trig.within_days)
        j = j.filter(j.kept == 0, j.status_since >= since.cast("date"))
        if trig.status:
            j = j.filter(j.status.isin(trig.status))
    else:
        j = j.filter(j.kept == 1)
        if trig.status:
            since = day(as_of) - ibis.interval(days=trig.within_days)
            j = j.filter(j.status.isin(trig.status), j.status_since >= since.cast("date"))
    conditions: dict[str, tuple[str, ...]] = {
        "reason": trig.reason, "risk_band": trig.risk_band, "tier": trig.tier,
        "segment": trig.segment,
    }  # fmt: skip
    for key, values in [*conditions.items(), *playbook.filter.items()]:
        if values:
            column = "status_reason" if key == "reason" else "owner_id" if key == "owner" else key
            j = j.filter(j[column].isin(values))
    return j


def mark_new(j: ir.Table, targets: ir.Table, playbook: Playbook, as_of: dt.date) -> ir.Table:
    """Mark (``fresh`` 1/0) the candidates the playbook may target: not those it targeted
    within ``cooldown_days`` of ``as_of`` (before or after: a replay may run an earlier day
    later), nor occasions already targeted; ``first`` marks each customer's earliest fresh
    occasion. One query gives both the new targets and the count of those left out."""
    gap = max(playbook.cooldown_days, 1)
    mine = targets.filter(targets.playbook_id == playbook.id)
    near = mine.filter(
        mine.as_of > (day(as_of) - ibis.interval(days=gap)).cast("date"),
        mine.as_of < (day(as_of) + ibis.interval(days=gap)).cast("date"),
    )
    n = near.select(ncid="customer_id").distinct()
    j = j.left_join(n, j.customer_id == n.ncid)
    keyed = mine.filter(mine.trigger_key.notnull()).select(kcid="customer_id", kkey="trigger_key")
    keyed = keyed.distinct()
    j = j.left_join(keyed, [j.customer_id == keyed.kcid, j.key == keyed.kkey])
    fresh = (j.ncid.isnull() & j.kcid.isnull()).ifelse(1, 0)
    j = j.mutate(fresh=fresh).drop("ncid", "kcid", "kkey")
    order = [ibis.desc(j.fresh), j.key.right(10), j.key]
    rn = ibis.row_number().over(group_by=j.customer_id, order_by=order)
    return j.mutate(first=((rn == 0) & (j.fresh == 1)).ifelse(1, 0))


def _alerted(
    alerts: ir.Table, trig: Trigger, as_of: dt.date, rule_kinds: dict[str, str]
) -> ir.Table:
    """Customers with an alert of the rules — named by id, or by kind — dated in the last
    ``within_days`` days (up to ``as_of``), the latest one's rule as the detail."""
    rules = sorted({*trig.alert, *(r for r, kind in rule_kinds.items() if kind in trig.alert)})
    a = alerts.filter(
        alerts.rule.isin(rules),
        alerts.as_of <= day(as_of),
        alerts.as_of > (day(as_of) - ibis.interval(days=trig.within_days)).cast("date"),
    )
    order = [ibis.desc(a.as_of), ibis.desc(a.id)]
    a = a.mutate(rn=ibis.row_number().over(group_by=a.customer_id, order_by=order))
    a = a.filter(a.rn == 0)
    return a.select("customer_id", detail=a.rule, key=ibis.null("string"))


# --- the care calendar (seed 003 ⑩) ----------------------------------------------------------


def _care(state: RunState, trig: Trigger, tables: dict[str, ir.Table]) -> ir.Table:
    """One row per customer and occasion in ``[as_of, as_of + days_ahead)``: the earliest
    occasion not yet targeted is kept by the caller's check of earlier targets, so the
    detail is ``occasion:YYYY-MM-DD`` and the key the same text."""
    as_of, end = state.as_of, state.as_of + dt.timedelta(days=trig.days_ahead)
    days = [as_of + dt.timedelta(days=n) for n in range(trig.days_ahead)]
    parts: list[ir.Table] = []
    if "birthday" in trig.care_calendar:
        parts.append(_on_anniversary(tables["customers"], "birthday", "birthday", days, 0))
    if "contract_anniversary" in trig.care_calendar:
        parts.append(_contract_anniversaries(state, tables, days))
    if "holiday" in trig.care_calendar:
        s = state.table
        for when, code in holidays_between(as_of, end, trig.holidays):
            text = f"{code}:{when.isoformat()}"
            parts.append(s.select("customer_id", detail=ibis.literal(text),
                                  key=ibis.literal(text)))  # fmt: skip
    if not parts:
        return state.table.filter(ibis.literal(False)).select(
            "customer_id", detail=ibis.null("string"), key=ibis.null("string")
        )
    out = _shape(parts[0])
    for p in parts[1:]:
        out = out.union(_shape(p), distinct=False)
    return out


def _shape(t: ir.Table) -> ir.Table:
    """A candidate table in one schema (nullable text), so that parts can be unioned."""
    text = dt_.String(nullable=True)
    return t.select(**{c: t[c].cast(text) for c in CANDIDATE})


def _on_anniversary(
    table: ir.Table, column: str, occasion: str, days: list[dt.date], min_years: int
) -> ir.Table:
    """Rows of ``table`` whose date ``column`` has its anniversary on one of ``days`` (at
    least ``min_years`` after it): customer_id, detail and key ``occasion:YYYY-MM-DD``. A
    29 February is celebrated on 28 February in other years."""
    d = table[column]
    mmdd = d.month() * 100 + d.day()
    cases = []
    for when in days:
        keys = [when.month * 100 + when.day]
        if (when.month, when.day) == (2, 28) and not _leap(when.year):
            keys.append(229)
        for k in keys:
            text = f"{occasion}:{when.isoformat()}"
            cases.append(((mmdd == k) & (d.year() <= when.year - min_years), text))
    hit = table.filter(d.notnull()).mutate(kw_text=ibis.cases(*cases, else_=ibis.null("string")))
    hit = hit.filter(hit.kw_text.notnull())
    return hit.select("customer_id", detail=hit.kw_text, key=hit.kw_text)


def _contract_anniversaries(
    state: RunState, tables: dict[str, ir.Table], days: list[dt.date]
) -> ir.Table:
    """Customers with a contract in force whose first contract started on this day of the
    year, a year or more ago."""
    c = tables["contracts"]
    c = c.filter(c.start_date < day(state.as_of))
    first = c.group_by("customer_id").aggregate(first_start=c.start_date.min())
    now = contracts_at(c, tables["customers"], tables["import_batches"], state.as_of)
    now = now.filter(now.contract_end >= day(state.as_of)).select(ncid="customer_id")
    first = first.join(now, first.customer_id == now.ncid).select("customer_id", "first_start")
    return _on_anniversary(first, "first_start", "contract_anniversary", days, 1)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
