"""Status events (active → at risk → churned / voided → won back) and the follow-ups that go with
them: retention calls after a risk flag, exit interviews after a churn or void, win-back offers.

Valid sequences only: [at_risk → active] (a false alarm), [at_risk →] churned [→ won_back], and
voided [→ active] (a revert). The risk flag names what the system saw (orders falling, a
complaint, a long silence, an owner gone…), which is the cause of the churn that follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import stream, time_of_day
from keepwise.demo.followups import EXIT, RETENTION, WINBACK, Contacts, actor_at
from keepwise.demo.lifecycle import Lifecycle
from keepwise.demo.population import Customers, Owners

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

ACTIVE, AT_RISK, CHURNED, VOIDED, WON_BACK = range(len(vocab.STATUSES))
SYSTEM = -1  # actor of automatic flags
#: Risk flag kinds, by the churn reason that follows (others: 'orders'); see texts.AT_RISK_NOTES.
FLAG_BY_REASON = ("service", "quality", "price", "neglect", "owner_left")


@dataclass
class StatusEvents:
    customer: I64
    time: F64
    status: I64  # index in vocab.STATUSES
    reason: I64  # vocab.REASONS index; -1 none
    actor: I64  # owner index; SYSTEM for automatic flags
    flag: I64  # risk flag kind (index in FLAG_KINDS); -1 for other events
    destination: I64  # competitor index; -1 unknown


FLAG_KINDS = (*FLAG_BY_REASON, "orders", "usage", "contract")


def make_status_events(
    customers: Customers, owners: Owners, life: Lifecycle, horizon: float, seed: int
) -> tuple[StatusEvents, Contacts]:
    rng = stream(seed, "statuses")
    n = customers.n
    churned, voided = np.isfinite(life.churn), np.isfinite(life.void)
    flag_day, flagged = _risk_flags(rng, customers, life)
    calm = ~churned & ~voided & (rng.random(n) < 0.06)
    alarm_day = np.floor(rng.uniform(customers.start + 60, horizon + 60))
    calm &= alarm_day < horizon
    cleared = alarm_day + np.floor(rng.uniform(20, 90, n))
    parts = [
        _rows(
            flagged, flag_day, AT_RISK, life.reason, rng, flag=_flag_kind(customers, life.reason)
        ),
        _rows(calm, alarm_day, AT_RISK, np.full(n, -1), rng, flag=_random_flag(rng, customers)),
        _rows(calm & (cleared < horizon), cleared, ACTIVE, np.full(n, -1), rng),
        _rows(churned, life.churn, CHURNED, life.reason, rng),
        _rows(voided, life.void, VOIDED, life.reason, rng),
        _rows(churned & np.isfinite(life.back), life.back, WON_BACK, np.full(n, -1), rng),
        _rows(voided & np.isfinite(life.back), life.back, ACTIVE, np.full(n, -1), rng),
    ]
    who = np.concatenate([p[0] for p in parts])
    time = np.concatenate([p[1] for p in parts])
    status = np.concatenate([p[2] for p in parts])
    order = np.lexsort((time, who))
    who, time, status = who[order], time[order], status[order]
    reason = np.concatenate([p[3] for p in parts])[order]
    flag = np.concatenate([p[4] for p in parts])[order]
    actor = actor_at(customers, owners, who, time)
    by_manager = (status == VOIDED) | ((status == ACTIVE) & np.isfinite(life.void[who]))
    actor = np.where(by_manager, owners.manager[customers.owner[who]], actor)
    actor = np.where(status == AT_RISK, SYSTEM, actor)
    destination = np.where(status == CHURNED, life.destination[who], -1)
    events = StatusEvents(who, time, status, reason, actor, flag, destination)
    retention = _retention_calls(rng, events, life, horizon)
    return events, _with_calls(rng, retention, life, horizon)


def _risk_flags(rng: np.random.Generator, customers: Customers, life: Lifecycle) -> tuple[F64, B]:
    """Before about half the churns the system raised a flag — after the cause appeared (a
    complaint, a silence, an owner gone), or as orders fell in the last months."""
    caused = np.isin(life.reason, [vocab.R[k] for k in (*FLAG_BY_REASON, "supplier_instability")])
    last = np.floor(life.churn) - 3
    first = np.maximum(last - 120, customers.start + 7)
    first = np.where(caused, np.maximum(first, np.floor(life.decided) + 1), first)
    with np.errstate(invalid="ignore"):  # inf − inf for customers who stay
        day = np.floor(first + rng.random(customers.n) * (last - first))
    flagged = np.isfinite(life.churn) & (first < last) & (rng.random(customers.n) < 0.55)
    return day, flagged


def _rows(
    mask: B, day: F64, status: int, reason: I64, rng: np.random.Generator, flag: I64 | None = None
) -> tuple[I64, F64, I64, I64, I64]:
    who = np.flatnonzero(mask)
    time = day[who]
    whole = time == np.floor(time)
    time = np.where(whole, time + rng.uniform(0.36, 0.75, who.size), time)  # office hours
    flags = np.full(who.size, -1) if flag is None else flag[who]
    return who, time, np.full(who.size, status), reason[who], flags


def _flag_kind(customers: Customers, reason: I64) -> I64:
    kind = np.full(customers.n, FLAG_KINDS.index("orders"))
    for k, name in enumerate(FLAG_BY_REASON):
        kind[reason == vocab.R[name]] = k
    kind[(kind == FLAG_KINDS.index("orders")) & customers.saas] = FLAG_KINDS.index("usage")
    return kind


def _random_flag(rng: np.random.Generator, customers: Customers) -> I64:
    return rng.choice(
        np.array([FLAG_KINDS.index(k) for k in ("orders", "contract", "service")]), customers.n
    )


def _retention_calls(
    rng: np.random.Generator, events: StatusEvents, life: Lifecycle, horizon: float
) -> tuple[I64, F64, I64]:
    """Most risk flags lead to a retention call within ten days (before any churn)."""
    flag = (events.status == AT_RISK) & (rng.random(events.customer.size) < 0.6)
    who = events.customer[flag]
    when = events.time[flag] + rng.uniform(1, 10, who.size)
    ok = (when < np.floor(life.left[who])) & (when < horizon)
    return who[ok], when[ok], np.full(ok.sum(), RETENTION)


def _with_calls(
    rng: np.random.Generator, retention: tuple[I64, F64, I64], life: Lifecycle, horizon: float
) -> Contacts:
    """Exit interviews (seed 000 §4: follow up churned and voided customers) and win-back offers."""
    n = life.churn.size
    churned, voided = np.isfinite(life.churn), np.isfinite(life.void)
    ask = (churned & (rng.random(n) < 0.45)) | (voided & (rng.random(n) < 0.2))
    ask_at = life.left + rng.uniform(1, 30, n)
    ask &= ask_at < np.minimum(horizon, life.back)
    won = churned & np.isfinite(life.back)
    offer_at = np.maximum(life.back - rng.uniform(1, 20, n), life.churn + 1)
    tried = churned & ~won & (rng.random(n) < 0.15)
    tried_at = life.churn + rng.uniform(30, 120, n)
    tried &= tried_at < horizon
    masks = (ask, won, tried)
    times = (ask_at, offer_at, tried_at)
    who = np.concatenate([retention[0], *(np.flatnonzero(m) for m in masks)])
    time = np.concatenate([retention[1], *(t[m] for t, m in zip(times, masks, strict=True))])
    time = time_of_day(rng, time)
    kind = np.concatenate(
        [retention[2], np.full(ask.sum(), EXIT), np.full(won.sum() + tried.sum(), WINBACK)]
    )
    return Contacts(who, time, kind, np.full(n, np.inf))
