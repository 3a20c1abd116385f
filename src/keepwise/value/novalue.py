"""No-value customers: explicit, reviewable elimination criteria (seed 004 §6).

Criteria (``[value.no_value]``), judged on the complete periods of ``grain`` before ``as_of``:

* ``low_frequency``: fewer than ``orders_below`` orders in a period;
* ``low_spend``: less than ``spend_below`` revenue in a period;
* ``low_profit``: less than ``profit_below`` profit contribution (after cost to serve) in a period;
* ``low_p_alive``: the latest stored P(alive) below ``p_alive_below`` (no periods).

A period criterion is *met* when it held in each of the last ``periods`` (N) consecutive complete
periods; its *streak* is the number of consecutive periods, counting back from the latest, in
which it held (looked at up to 2N periods back). A period only counts for a customer acquired
before it began (acquisition = the earlier of ``acquired_at`` and the first order), so a new
customer is never judged on periods before they existed. Customers churned or voided at
``as_of`` are not listed.

Recommended treatment, by *level* = number of criteria met, plus one when a met period criterion
has held for 2N periods or more:

* level 1: ``reduce_service`` (减少服务频次);
* level 2: ``stop_discounts`` (停止优惠政策);
* level 3 or more: ``end_relationship`` (终止合作关系).

A decision to let a customer go is a status event (void, reason ``no_value``) recorded by
:func:`decide`; :func:`revert` records the way back (to active).
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import register
from keepwise.lifecycle import change_status
from keepwise.store import schema
from keepwise.value._dates import complete_periods
from keepwise.value.profit import profit_by_period
from keepwise.value.settings import ValueSettings
from keepwise.value.tables import ValueTables

PERIOD_CRITERIA = {  # criterion → (column of the period amounts, setting)
    "low_frequency": ("orders", "orders_below"),
    "low_spend": ("revenue", "spend_below"),
    "low_profit": ("profit_contribution", "profit_below"),
}
TREATMENTS = ("reduce_service", "stop_discounts", "end_relationship")

register(
    {
        "value.criterion.low_frequency": {"zh": "购买频次过低", "en": "Low purchase frequency"},
        "value.criterion.low_spend": {"zh": "消费金额过低", "en": "Low spend"},
        "value.criterion.low_profit": {"zh": "利润贡献过低", "en": "Low profit contribution"},
        "value.criterion.low_p_alive": {"zh": "存活概率过低", "en": "Low P(alive)"},
        "value.treatment.reduce_service": {"zh": "减少服务频次", "en": "Reduce service frequency"},
        "value.treatment.stop_discounts": {"zh": "停止优惠政策", "en": "Stop discounts"},
        "value.treatment.end_relationship": {"zh": "终止合作关系", "en": "End the relationship"},
        "value.not_voided": {
            "zh": "客户 {customer_id} 当前状态为 {status}，不是因无价值而作废，无需撤销",
            "en": "Customer {customer_id} is {status}, not voided as no-value: nothing to revert",
        },
        "value.already_voided": {
            "zh": "客户 {customer_id} 已经是作废状态，无需再次作废",
            "en": "Customer {customer_id} is already voided",
        },
        "value.not_candidate": {
            "zh": "客户 {customer_id} 不符合无价值客户的淘汰标准（见 keepwise value no-value）；"
            "如确需作废，请加上 --force 并用 --note 说明理由",
            "en": "Customer {customer_id} does not meet the no-value criteria (see keepwise "
            "value no-value); to void them anyway, add --force with a --note giving the reason",
        },
        "value.force_needs_note": {
            "zh": "强制作废客户 {customer_id} 需要用 --note 说明理由",
            "en": "Forcing the void of customer {customer_id} needs a --note with the reason",
        },
        "value.bad_treatment": {
            "zh": "未知的处理方式 {treatment}（可选：{choices}）",
            "en": "Unknown treatment {treatment} (choose from: {choices})",
        },
    }
)


def latest_p_alive(tables: ValueTables, as_of: dt.date) -> pd.Series:
    """Per customer, the latest stored P(alive) scored on or before ``as_of``."""
    s = tables.scores
    s = s.filter(s.p_alive.notnull(), s.as_of <= ibis.literal(as_of, type="date"))
    order = [ibis.desc(s.as_of), ibis.desc(s.created_at), ibis.desc(s.id)]
    s = s.mutate(rn=ibis.row_number().over(group_by=s.customer_id, order_by=order))
    df = s.filter(s.rn == 0).select("customer_id", "p_alive").execute()
    return df.set_index("customer_id")["p_alive"].astype(float)


def _streaks(holds: np.ndarray) -> np.ndarray:
    """Per row, the number of leading True values (column 0 = the latest period)."""
    not_holding = ~holds
    first_break = np.where(not_holding.any(axis=1), not_holding.argmax(axis=1), holds.shape[1])
    return first_break.astype("int64")


def _period_matrix(amounts: pd.DataFrame, column: str, ids: pd.Index, starts: list) -> np.ndarray:
    wide = amounts.pivot_table(index="customer_id", columns="period_start", values=column,
                               aggfunc="sum")  # fmt: skip
    wide = wide.reindex(index=ids, columns=starts).fillna(0.0)
    return wide.to_numpy(dtype=float)


def no_value_candidates(
    tables: ValueTables,
    as_of: dt.date,
    settings: ValueSettings,
    customers: pd.DataFrame,
    p_alive: pd.Series | None = None,
) -> pd.DataFrame:
    """Of ``customers`` (indexed by customer_id, with ``name`` and ``acq``, the acquisition
    day: those kept at ``as_of``), the ones meeting at least one criterion, with the criteria
    met, the numbers behind them (sums over the last N periods, streaks, P(alive)), level and
    recommended treatment."""
    nv = settings.no_value
    n = nv.periods
    periods = complete_periods(as_of, nv.grain, 2 * n)
    starts = [pd.Timestamp(s).date() for s, _ in periods]
    cust = customers
    ids = cust.index
    amounts = profit_by_period(tables, periods, settings).execute()
    amounts["period_start"] = pd.to_datetime(amounts["period_start"]).dt.date
    acquired = pd.to_datetime(cust["acq"]).to_numpy("datetime64[D]")[:, None]
    existed = np.isnat(acquired) | (acquired < np.array(starts, dtype="datetime64[D]")[None, :])
    out = pd.DataFrame(index=ids)
    out["name"] = cust["name"]
    met: dict[str, np.ndarray] = {}
    long = np.zeros(len(ids), dtype=bool)
    for crit, (column, setting) in PERIOD_CRITERIA.items():
        values = _period_matrix(amounts, column, ids, starts)
        out[f"{column}_last_periods"] = values[:, :n].sum(axis=1)
        threshold = getattr(nv, setting)
        if threshold is None:
            continue
        streak = _streaks(existed & (values < threshold))
        out[f"{crit}_periods"] = streak
        met[crit] = streak >= n
        long |= streak >= 2 * n
    if nv.p_alive_below is not None and p_alive is not None:
        pa = p_alive.reindex(ids).astype(float)
        out["p_alive"] = pa
        met["low_p_alive"] = (pa < nv.p_alive_below).fillna(False).to_numpy(dtype=bool)
    return _finish(out, met, long)


def _finish(out: pd.DataFrame, met: dict[str, np.ndarray], long: np.ndarray) -> pd.DataFrame:
    codes = list(met)
    matrix = np.column_stack([met[c] for c in codes]) if codes else np.zeros((len(out), 0), bool)
    count = matrix.sum(axis=1)
    level = count + (long & (count > 0))
    out["criteria"] = [[c for c, m in zip(codes, row, strict=True) if m] for row in matrix]
    out["criteria_met"] = count
    out["level"] = level
    out["treatment"] = [TREATMENTS[min(lv, 3) - 1] if lv > 0 else None for lv in level]
    # Most criteria first; ties by customer id, so the list reads the same on every run (the
    # rows come from the database in no set order).
    out = out[count > 0].sort_index(kind="stable")
    out = out.sort_values(["level", "criteria_met"], ascending=False, kind="stable")
    out.index.name = "customer_id"
    return out.reset_index()


def _current_status(conn: sa.Connection, customer_id: str) -> str:
    c = schema.customers
    status = conn.execute(
        sa.select(c.c.status).where(c.c.customer_id == customer_id)
    ).scalar_one_or_none()
    if status is None:
        raise NotFoundError("status.unknown_customer", customer_id=customer_id)
    return str(status)


def decide(
    conn: sa.Connection,
    customer_id: str,
    *,
    at: dt.datetime,
    actor: str,
    note: str | None,
    treatment: str = "end_relationship",
    meets_criteria: bool,
    force: bool = False,
) -> int:
    """Record the decision to let a no-value customer go: a void event with reason
    ``no_value``; the treatment leads the note. A customer who does not meet the criteria
    (``meets_criteria``) is refused unless ``force`` with a note, and the note then says the
    decision was forced. Returns the event id."""
    if treatment not in TREATMENTS:
        raise InputError("value.bad_treatment", treatment=treatment, choices=", ".join(TREATMENTS))
    if _current_status(conn, customer_id) == "voided":
        raise InputError("value.already_voided", customer_id=customer_id)
    forced = not meets_criteria
    if forced and not force:
        raise InputError("value.not_candidate", customer_id=customer_id)
    if forced and not (note and note.strip()):
        raise InputError("value.force_needs_note", customer_id=customer_id)
    head = f"{treatment}; forced" if forced else treatment
    text = f"[{head}] {note}" if note else f"[{head}]"
    return change_status(conn, customer_id, "voided", at=at, actor=actor, reason="no_value",
                         note=text)  # fmt: skip


def revert(
    conn: sa.Connection, customer_id: str, *, at: dt.datetime, actor: str, note: str | None
) -> int:
    """Undo a no-value void: an event back to active with the note. Returns the event id."""
    status = _current_status(conn, customer_id)
    e = schema.status_events
    last_reason = conn.execute(
        sa.select(e.c.reason).where(e.c.customer_id == customer_id)
        .order_by(e.c.occurred_at.desc(), e.c.id.desc()).limit(1)
    ).scalar_one_or_none()  # fmt: skip
    if status != "voided" or last_reason != "no_value":
        raise InputError("value.not_voided", customer_id=customer_id, status=status)
    return change_status(conn, customer_id, "active", at=at, actor=actor, note=note)
