"""Service tickets, and the churn they cause.

Tickets are drawn over each customer's whole potential history (as if nobody left); the ones
after a churn are dropped later. A complaint answered slowly may push the customer out: each
complaint draws a 'last straw' moment some weeks later, more likely the longer the customer
waited. The earliest such moment competes with the other churn causes (see lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import (
    YEAR,
    categorical,
    first_per_owner,
    poisson_times,
    stream,
    time_of_day,
)
from keepwise.demo.population import Customers
from keepwise.demo.timeline import Scenario, Season, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Extra delivery tickets per year during the supply disruption (customers buying goods).
DISRUPTION_TICKETS = 2.0


@dataclass
class Tickets:
    customer: I64
    opened: F64
    response_hours: F64  # nan: never answered
    resolution_hours: F64  # after the first response; nan: unresolved
    category: I64
    complaint: B
    #: Per customer: the earliest service-caused churn moment (inf: none) and its reason code.
    trigger: F64
    trigger_reason: I64

    def first_response(self) -> F64:
        return self.opened + self.response_hours / 24.0

    def resolved(self) -> F64:
        return self.first_response() + self.resolution_hours / 24.0


def make_tickets(
    customers: Customers, timeline: Timeline, scenario: Scenario, season: Season, seed: int
) -> Tickets:
    rng = stream(seed, "tickets")
    start, end = customers.start, np.full(customers.n, float(timeline.horizon))
    rate = customers.ticket_rate * np.where(customers.saas, 1.4, 1.0) / YEAR
    who, opened = poisson_times(rng, start, end, rate, season)
    category = categorical(rng, vocab.TICKET_BY_LINE, rows=customers.line[who])
    d0, d1 = timeline.day(scenario.disruption_start), timeline.day(scenario.disruption_end) + 1
    goods = ~customers.saas
    extra_who, extra_opened = poisson_times(
        rng,
        np.maximum(start, d0),
        np.full(customers.n, float(d1)),
        np.where(goods, DISRUPTION_TICKETS / YEAR, 0.0),
        season,
    )
    who = np.concatenate([who, extra_who])
    opened = time_of_day(rng, np.concatenate([opened, extra_opened]), 7.0, 22.0)
    category = np.concatenate([category, np.full(extra_who.size, vocab.DELIVERY)])
    complaint = rng.random(who.size) < vocab.COMPLAINT_SHARE[category]
    in_crisis = (opened >= d0) & (opened < d1)
    response = _response_hours(rng, customers.region[who], complaint, in_crisis)
    response = np.where(opened + response / 24.0 < timeline.horizon, response, np.nan)
    resolution = rng.lognormal(np.log(vocab.RESOLUTION_HOURS), 1.0, who.size)
    resolution *= vocab.REGION_SERVICE_DELAY[customers.region[who]] ** 0.5
    done = (rng.random(who.size) > 0.03) & ~np.isnan(response)
    done &= opened + (response + resolution) / 24.0 < timeline.horizon
    resolution = np.where(done, resolution, np.nan)
    trigger, reason = _last_straws(rng, who, opened, response, category, complaint, customers)
    return Tickets(who, opened, response, resolution, category, complaint, trigger, reason)


def _response_hours(rng: np.random.Generator, region: I64, complaint: B, crisis: B) -> F64:
    median = vocab.RESPONSE_HOURS * vocab.REGION_SERVICE_DELAY[region]
    median = median * np.where(complaint, 0.8, 1.0) * np.where(crisis, 2.5, 1.0)
    hours = rng.lognormal(np.log(median), 0.9)
    return np.where(rng.random(region.size) < 0.01, np.nan, hours)  # some tickets fall through


def _last_straws(
    rng: np.random.Generator,
    who: I64,
    opened: F64,
    response: F64,
    category: I64,
    complaint: B,
    customers: Customers,
) -> tuple[F64, I64]:
    """Complaints — the more so when answered late or never — can end the relationship."""
    wait = np.where(np.isnan(response), 96.0, response)
    slowness = 1.0 - np.exp(-wait / 36.0)
    chance = np.where(complaint, 0.04 + 0.30 * slowness, np.where(wait > 48, 0.04, 0.0))
    chance *= vocab.SEGMENT_CHURN[customers.segment[who]] ** 0.5
    fires = rng.random(who.size) < chance
    if not fires.any():
        return np.full(customers.n, np.inf), np.full(customers.n, -1, dtype=np.int64)
    when = opened + 3.0 + rng.exponential(40.0, who.size)
    reason = np.where(category == vocab.QUALITY, vocab.R["quality"], vocab.R["service"])
    reason = np.where(complaint, reason, vocab.R["experience"])
    best, where = first_per_owner(who[fires], when[fires], customers.n)
    codes = np.where(where >= 0, reason[fires][np.maximum(where, 0)], -1)
    return best, codes
