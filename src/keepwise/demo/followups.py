"""Follow-ups (跟进) by owners: routine contact, complaint follow-ups, birthday care — and the
neglect they leave behind.

An owner's attention sets how often their customers hear from them; once the owner leaves, only
the manager calls now and then. Every silence longer than vocab.NEGLECT_DAYS may make the
customer leave for lack of care: a 'neglect' moment inside the silence, which competes with the
other churn causes. Follow-ups after a churn are added by lifecycle.py, outside this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import (
    YEAR,
    first_per_owner,
    poisson_times,
    sort_by_owner_time,
    stream,
    time_of_day,
)
from keepwise.demo.population import Customers, Owners
from keepwise.demo.service import Tickets
from keepwise.demo.timeline import Season, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

ROUTINE, CARE, COMPLAINT, RETENTION, EXIT, WINBACK = range(len(vocab.FOLLOWUP_TYPES))
#: After an owner leaves, the manager keeps in touch at this fraction of the former rhythm.
MANAGER_COVER = 0.12


@dataclass
class Contacts:
    customer: I64
    time: F64
    kind: I64  # index in vocab.FOLLOWUP_TYPES
    #: Per customer: the earliest neglect-caused churn moment (inf: none).
    neglect: F64

    def take(self, keep: NDArray[np.bool_]) -> Contacts:
        return Contacts(self.customer[keep], self.time[keep], self.kind[keep], self.neglect)


def actor_at(customers: Customers, owners: Owners, who: I64, time: F64) -> I64:
    """Who speaks for the company: the owner, or the owner's manager once the owner has left."""
    owner = customers.owner[who]
    return np.where(time < owners.left[owner], owner, owners.manager[owner])


def make_contacts(
    customers: Customers,
    owners: Owners,
    tickets: Tickets,
    timeline: Timeline,
    season: Season,
    seed: int,
) -> Contacts:
    rng = stream(seed, "followups")
    horizon = float(timeline.horizon)
    start, left = customers.start, owners.left[customers.owner]
    rate = vocab.FOLLOWUPS_PER_YEAR[customers.segment] * owners.attention[customers.owner] / YEAR
    own_who, own_t = poisson_times(rng, start, np.minimum(left, horizon), rate, season)
    boss_who, boss_t = poisson_times(
        rng, np.maximum(start, left), np.full(customers.n, horizon), rate * MANAGER_COVER, season
    )
    # About half the complaints get a call from the owner within a few days.
    called = tickets.complaint & (rng.random(tickets.opened.size) < 0.5)
    fix_who = tickets.customer[called]
    fix_t = tickets.opened[called] + rng.uniform(0.1, 4.0, fix_who.size)
    care_who, care_t = _birthday_greetings(rng, customers, owners, timeline)
    who = np.concatenate([own_who, boss_who, fix_who, care_who])
    time = time_of_day(rng, np.concatenate([own_t, boss_t, fix_t, care_t]))
    kind = np.concatenate(
        [
            np.where(rng.random(own_who.size + boss_who.size) < 0.08, CARE, ROUTINE),
            np.full(fix_who.size, COMPLAINT),
            np.full(care_who.size, CARE),
        ]
    )
    keep = time < horizon
    who, time, kind = who[keep], time[keep], kind[keep]
    order = sort_by_owner_time(who, time)
    who, time, kind = who[order], time[order], kind[order]
    neglect = _neglect(rng, customers, who, time, horizon)
    return Contacts(who, time, kind, neglect)


def _birthday_greetings(
    rng: np.random.Generator, customers: Customers, owners: Owners, timeline: Timeline
) -> tuple[I64, F64]:
    has = ~np.isnat(customers.birthday)
    month_day = customers.birthday - customers.birthday.astype("datetime64[Y]")
    caring = np.clip(0.45 * owners.attention[customers.owner], 0.0, 0.9)
    who_parts, day_parts = [], []
    for year in range(timeline.start.year, timeline.as_of.year + 1):
        when = np.datetime64(str(year), "Y").astype("datetime64[D]") + month_day
        day = (when - np.datetime64(timeline.start, "D")).astype(np.float64)
        hit = has & (day >= customers.start) & (day < timeline.horizon)
        hit &= rng.random(customers.n) < caring
        who_parts.append(np.flatnonzero(hit))
        day_parts.append(day[hit])
    return np.concatenate(who_parts), np.concatenate(day_parts)


def _neglect(
    rng: np.random.Generator, customers: Customers, who: I64, time: F64, horizon: float
) -> F64:
    """Silences longer than NEGLECT_DAYS: between the start, the follow-ups, and the horizon."""
    n = customers.n
    first = np.ones(who.size, dtype=bool)
    first[1:] = who[1:] != who[:-1]
    previous = np.where(first, customers.start[who], np.roll(time, 1))
    last = np.ones(who.size, dtype=bool)
    last[:-1] = who[1:] != who[:-1]
    tail_from = customers.start.copy()  # silence from the last follow-up (or the start) on
    tail_from[who[last]] = time[last]
    gap_who = np.concatenate([who, np.arange(n)])
    gap_start = np.concatenate([previous, tail_from])
    gap_end = np.concatenate([time, np.full(n, horizon)])
    moment = gap_start + vocab.NEGLECT_DAYS + rng.exponential(75.0, gap_who.size)
    chance = vocab.NEGLECT_CHURN[customers.segment[gap_who]]
    fires = (moment < gap_end) & (rng.random(gap_who.size) < chance)
    best, _ = first_per_owner(gap_who[fires], moment[fires], n)
    return best
