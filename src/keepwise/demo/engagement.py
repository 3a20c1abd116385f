"""Product usage (weekly, SaaS customers only) and satisfaction surveys.

Usage fades earlier and deeper than ordering before a churn (people stop logging in before the
contract lapses). Survey scores fall as a churn approaches, after badly handled tickets, and —
for price-sensitive customers — after the price rise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import YEAR, categorical, fade, poisson_times, stream, time_of_day
from keepwise.demo.lifecycle import Lifecycle
from keepwise.demo.population import Customers
from keepwise.demo.service import Tickets
from keepwise.demo.timeline import Season, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

SURVEYS_PER_YEAR = 0.6
#: Share of resolved tickets followed by a satisfaction survey.
TICKET_SURVEYS = 0.25
#: Survey reasons (vocab.REASONS codes plus 'praise'), in the order of texts.SURVEY_COMMENTS.
SURVEY_REASONS = (
    "service",
    "quality",
    "price",
    "experience",
    "product_fit",
    "supplier_instability",
    "praise",
)


@dataclass
class Usage:
    customer: I64
    week: F64  # day of the week's Monday
    visits: I64
    minutes: F64
    feature: I64


@dataclass
class Surveys:
    customer: I64
    time: F64
    csat: I64
    recommend: I64
    reason: I64  # index in SURVEY_REASONS; -1 none


def _spans(customers: Customers, life: Lifecycle, horizon: float) -> tuple[I64, F64, F64]:
    """Active spans: [start, end of the first span) and [restart, horizon) after a comeback."""
    both = np.arange(customers.n)
    starts = np.concatenate([customers.start, np.minimum(life.restart, horizon)])
    ends = np.concatenate([np.minimum(life.end, horizon), np.full(customers.n, horizon)])
    return np.concatenate([both, both]), starts, ends


def make_usage(
    customers: Customers, life: Lifecycle, timeline: Timeline, season: Season, seed: int
) -> Usage:
    rng = stream(seed, "usage")
    who, start, end = _spans(customers, life, float(timeline.horizon))
    first_monday = (7 - (np.datetime64(timeline.start, "D").astype(np.int64) + 3) % 7) % 7
    # Whole weeks inside the span only: a week row never starts before the acquisition or
    # reaches past the churn.
    w0 = np.ceil((start - first_monday) / 7.0)
    w1 = np.floor((end - first_monday) / 7.0)
    weeks = np.where(customers.saas[who] & (w1 > w0), w1 - w0, 0).astype(np.int64)
    owner = np.repeat(who, weeks)
    offsets = np.arange(weeks.sum()) - np.repeat(np.cumsum(weeks) - weeks, weeks)
    monday = first_monday + 7.0 * (np.repeat(w0, weeks) + offsets)
    seasonal = (season.at(monday + 7.0) - season.at(monday)) / 7.0
    level = customers.visits[owner] * seasonal * fade(monday + 7.0, life.churn[owner], 0.92, 100.0)
    visits = rng.poisson(level)
    used = visits > 0
    owner, monday, visits = owner[used], monday[used], visits[used]
    minutes = visits * rng.gamma(3.0, 12.0 / 3.0, owner.size)
    feature = categorical(rng, vocab.FEATURE_SHARE, n=owner.size)
    return Usage(owner, monday, visits, np.round(minutes, 1), feature)


def make_surveys(
    customers: Customers,
    life: Lifecycle,
    tickets: Tickets,
    timeline: Timeline,
    season: Season,
    rise: int,
    seed: int,
) -> Surveys:
    rng = stream(seed, "surveys")
    horizon = float(timeline.horizon)
    who, start, end = _spans(customers, life, horizon)
    span, periodic = poisson_times(
        rng, start, end, np.full(who.size, SURVEYS_PER_YEAR / YEAR), season
    )
    periodic_who = who[span]
    after = tickets.resolved() + rng.uniform(0.5, 3.0, tickets.opened.size)
    asked = ~np.isnan(after) & (rng.random(after.size) < TICKET_SURVEYS) & (after < horizon)
    asked &= _active_at(life, tickets.customer, after)
    customer = np.concatenate([periodic_who, tickets.customer[asked]])
    time = time_of_day(rng, np.concatenate([periodic, after[asked]]))
    keep = _active_at(life, customer, time) & (time < horizon)
    ticket = np.concatenate([np.full(periodic.size, -1), np.flatnonzero(asked)])[keep]
    customer, time = customer[keep], time[keep]
    return _scores(rng, customers, life, tickets, customer, time, ticket, rise)


def _active_at(life: Lifecycle, who: I64, time: F64) -> NDArray[np.bool_]:
    return (time < life.end[who]) | (time >= life.restart[who])


def _scores(
    rng: np.random.Generator,
    customers: Customers,
    life: Lifecycle,
    tickets: Tickets,
    who: I64,
    time: F64,
    ticket: I64,
    rise: int,
) -> Surveys:
    t = np.maximum(ticket, 0)
    waited = np.where(ticket >= 0, np.nan_to_num(tickets.response_hours[t], nan=96.0), 0.0)
    complaint = (ticket >= 0) & tickets.complaint[t]
    priced = (time >= rise) * np.minimum(customers.sensitivity[who], 2.5)
    mood = customers.satisfaction[who] - 1.6 * (1.0 - fade(time, life.churn[who], 1.0, 150.0))
    mood -= complaint * (0.6 + 0.8 * np.minimum(waited / 48.0, 1.0)) + 0.3 * priced
    csat = np.clip(np.round(mood + rng.normal(0.0, 0.6, who.size)), 1, 5).astype(np.int64)
    noisy = np.round(2.3 * csat - 1.2 + rng.normal(0.0, 1.2, who.size))
    recommend = np.clip(noisy, 0, 10).astype(np.int64)
    category = np.where(ticket >= 0, tickets.category[t], -1)
    reason = np.select(
        [
            (ticket >= 0) & (category == vocab.QUALITY),
            (ticket >= 0) & (category == vocab.DELIVERY) & complaint,
            ticket >= 0,
            priced > 0.8,
        ],
        [1, 5, 0, 2],
        default=rng.choice(np.array([3, 4, 0]), who.size),
    )
    give = (csat <= 2) | ((csat == 3) & (rng.random(who.size) < 0.3))
    reason = np.where(give, reason, np.where((csat == 5) & (rng.random(who.size) < 0.2), 6, -1))
    return Surveys(who, time, csat, recommend, reason)
