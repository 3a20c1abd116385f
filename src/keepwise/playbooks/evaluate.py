"""Did a playbook work: its targets' outcomes over the ``days`` after targeting, treated against
hold-out (:mod:`keepwise.models.uplift` for the statistics).

A target's window is ``[targeted day, targeted day + days)``; only targets whose window has
ended by ``as_of`` are judged (the others are *pending*). Outcomes come from the churn
definition, derived as of ``as_of``:

* retention playbooks (kept customers): *retained* = no move to churned or voided in the
  window;
* win-back playbooks (lost customers): *won back* = a return to a kept status (won back, or
  active after a revert) or an order in the window.

Money: ``revenue_12m`` is a target's revenue in the 12 months before targeting, ``revenue``
its revenue in the window, ``cost`` the cost of its tasks. ``revenue_retained`` = the uplift ×
the treated targets × their mean revenue of the 12 months before: the yearly revenue of the
customers the playbook kept (or won back) beyond what the hold-out says would have happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise.churn import LOST, Tables, customer_base, day, live_orders, timeline
from keepwise.churn.tables import shift_days
from keepwise.models.uplift import Uplift, uplift

#: How the interval and the p-value are computed (keepwise.models.uplift).
CI_METHOD = ("95% Newcombe hybrid score interval (Wilson) for the difference of proportions; "
             "p-value: two-sided pooled two-proportion z-test, Fisher's exact test when an "
             "expected count is below 5")  # fmt: skip


@dataclass(frozen=True)
class Group:
    """One arm of a playbook: targets judged, successes, money."""

    targets: int
    successes: int
    rate: float | None
    revenue_12m: float
    revenue: float
    cost: float


@dataclass(frozen=True)
class Evaluation:
    playbook_id: str
    measure: str
    days: int
    first_targeted: dt.date | None
    targets: int
    pending: int
    treated: Group
    holdout: Group
    uplift: Uplift
    revenue_retained: float | None
    cost: float
    net: float | None

    def verdict(self, lang: str) -> str:
        """The verdict in plain words (:mod:`keepwise.playbooks.verdicts`)."""
        from keepwise.playbooks.verdicts import verdict_text

        return verdict_text(self.uplift, self.measure, lang)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["uplift"] = self.uplift.to_dict()
        out["first_targeted"] = self.first_targeted.isoformat() if self.first_targeted else None
        out["ci_method"] = CI_METHOD
        out["verdict"] = {"code": self.uplift.verdict, "zh": self.verdict("zh"),
                          "en": self.verdict("en")}  # fmt: skip
        return out


def outcomes(
    t: Tables, targets: ir.Table, tasks: ir.Table, churn: ChurnConfig, as_of: dt.date,
    days: int,
) -> pd.DataFrame:  # fmt: skip
    """One row per target whose window has ended by ``as_of``: id, playbook_id, as_of,
    measure, holdout, success (0/1), revenue_12m, revenue, cost."""
    tg = targets.mutate(until=shift_days(targets.as_of, days))
    tg = tg.filter(tg.until <= day(as_of))
    base = customer_base(t, as_of)
    base = base.semi_join(tg, base.customer_id == tg.customer_id)
    ev = timeline(t, base, churn, as_of)
    comeback = ~ev.to_status.isin(LOST) & ev.from_status.isin(LOST)
    ev = ev.filter((ev.loss == 1) | comeback).select(
        ecid="customer_id", on="on", lost=ev.loss, back=comeback.ifelse(1, 0)
    )
    e = tg.join(ev, [tg.customer_id == ev.ecid, ev.on >= tg.as_of, ev.on < tg.until])
    moves = e.group_by(mid=e.id).aggregate(lost=e.lost.max(), back=e.back.max())
    money = _money(t, tg, as_of)
    cost = tasks.group_by(crun=tasks.run_id, ccid=tasks.customer_id).aggregate(
        cost=tasks.cost.fill_null(0.0).sum()
    )
    j = tg.left_join(moves, tg.id == moves.mid).left_join(money, tg.id == money.oid)
    j = j.left_join(cost, [j.run_id == cost.crun, j.customer_id == cost.ccid])
    lost, back = j.lost.fill_null(0), j.back.fill_null(0)
    bought = j.bought.fill_null(0)
    winback = (back == 1) | (bought == 1)
    success = (j.measure == "winback").ifelse(winback, lost == 0)
    out = j.select(
        "id", "playbook_id", "as_of", "measure", "holdout",
        success=success.ifelse(1, 0), revenue_12m=j.revenue_12m.fill_null(0.0),
        revenue=j.revenue.fill_null(0.0), cost=j.cost.fill_null(0.0),
    )  # fmt: skip
    return out.execute()


def _money(t: Tables, tg: ir.Table, as_of: dt.date) -> ir.Table:
    """Per target: revenue of the 12 months before targeting and of the window, and whether
    it ordered in the window."""
    o = live_orders(t, as_of)
    since = shift_days(tg.as_of, months=-12)
    j = tg.join(o, [tg.customer_id == o.customer_id, o.day >= since, o.day < tg.until])
    before = j.day < j.as_of
    return j.group_by(oid=j.id).aggregate(
        revenue_12m=before.ifelse(j.amount, 0.0).sum(),
        revenue=(~before).ifelse(j.amount, 0.0).sum(),
        bought=(~before).ifelse(1, 0).max(),
    )


def summarise(
    frame: pd.DataFrame, playbook_id: str, measure: str, days: int, pending: int,
    first: dt.date | None,
) -> Evaluation:  # fmt: skip
    """The evaluation of one playbook from its rows of :func:`outcomes`."""
    treated = _group(frame[~frame["holdout"].astype(bool)])
    held = _group(frame[frame["holdout"].astype(bool)])
    u = uplift(treated.successes, treated.targets, held.successes, held.targets)
    retained = None
    if u.difference is not None and treated.targets:
        retained = u.difference * treated.targets * (treated.revenue_12m / treated.targets)
    cost = treated.cost + held.cost
    return Evaluation(
        playbook_id, measure, days, first, len(frame) + pending, pending, treated, held, u,
        retained, cost, None if retained is None else retained - cost,
    )  # fmt: skip


def _group(rows: pd.DataFrame) -> Group:
    n = len(rows)
    x = int(rows["success"].sum()) if n else 0
    return Group(n, x, x / n if n else None, float(rows["revenue_12m"].sum()),
                 float(rows["revenue"].sum()), float(rows["cost"].sum()))  # fmt: skip


def evaluate_playbooks(
    t: Tables, targets: ir.Table, tasks: ir.Table, churn: ChurnConfig, as_of: dt.date,
    days_of: dict[str, int], measures: dict[str, str],
) -> list[Evaluation]:  # fmt: skip
    """Each playbook of ``days_of`` (its id → its window in days) judged as of ``as_of``."""
    out = []
    for days in sorted(set(days_of.values())):
        ids = sorted(p for p, d in days_of.items() if d == days)
        mine = targets.filter(targets.playbook_id.isin(ids), targets.as_of < day(as_of))
        frame = outcomes(t, mine, tasks, churn, as_of, days)
        counts = (
            mine.group_by("playbook_id").aggregate(n=mine.count(), first=mine.as_of.min()).execute()
        )
        totals = dict(zip(counts["playbook_id"], counts["n"], strict=True))
        firsts = dict(zip(counts["playbook_id"], counts["first"], strict=True))
        for pid in ids:
            rows = frame[frame["playbook_id"] == pid]
            first = _date(firsts.get(pid))
            pending = int(totals.get(pid, 0)) - len(rows)
            out.append(summarise(rows, pid, measures[pid], days, pending, first))
    order = {p: n for n, p in enumerate(days_of)}
    return sorted(out, key=lambda e: order[e.playbook_id])


def _date(value: object) -> dt.date | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]
