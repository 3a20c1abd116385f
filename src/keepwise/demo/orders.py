"""Orders: seasonal Poisson purchasing at a gamma-distributed rate per customer, fading in the
months before a churn, silent after it (until a win-back), with gamma-distributed amounts.

Amounts are list price × a quantity-like gamma factor; costs follow the product margin. After
the price rise list prices go up but costs do not, so the amount per unit of cost jumps on that
date — the visible trace of the rise that drives price churn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import YEAR, categorical, fade, poisson_times, stream, time_of_day
from keepwise.demo.lifecycle import Lifecycle
from keepwise.demo.population import Customers
from keepwise.demo.timeline import Scenario, Season, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Purchasing falls to (1 − FADE_DEPTH) of normal at the churn, over about FADE_DAYS before it.
FADE_DEPTH = 0.85
FADE_DAYS = 60.0
#: Won-back customers buy less than before.
WON_BACK_RATE = 0.75


@dataclass
class Orders:
    customer: I64
    time: F64
    product: I64
    amount: F64
    cost: F64
    cancelled: B


def make_orders(
    customers: Customers,
    life: Lifecycle,
    timeline: Timeline,
    scenario: Scenario,
    season: Season,
    seed: int,
) -> Orders:
    rng = stream(seed, "orders")
    horizon = float(timeline.horizon)
    rate = customers.rate / YEAR
    end = np.minimum(life.end, horizon)
    who1, t1 = poisson_times(rng, customers.start, end, rate, season)
    keep = rng.random(who1.size) < fade(t1, life.churn[who1], FADE_DEPTH, FADE_DAYS)
    who1, t1 = who1[keep], t1[keep]
    who2, t2 = poisson_times(rng, np.minimum(life.restart, horizon), np.full(customers.n, horizon),
                             rate * WON_BACK_RATE, season)  # fmt: skip
    # A new customer places a first order within days; a won-back one soon after coming back.
    welcome = ~customers.invalid & (customers.acquired >= 0) & (rng.random(customers.n) < 0.9)
    welcome_at = customers.acquired + np.floor(rng.exponential(6.0, customers.n))
    welcome &= welcome_at < end
    again = np.isfinite(life.churn) & np.isfinite(life.back)
    again_at = life.restart + np.floor(rng.exponential(7.0, customers.n))
    again &= again_at < horizon
    who = np.concatenate([who1, who2, np.flatnonzero(welcome), np.flatnonzero(again)])
    time = np.concatenate([t1, t2, welcome_at[welcome], again_at[again]])
    time = time_of_day(rng, time)
    order = np.argsort(time)  # ties have probability zero; quicksort is twice as fast
    who, time = who[order], time[order]
    return _priced(rng, customers, life, who, time, timeline.day(scenario.price_rise))


def _priced(
    rng: np.random.Generator, customers: Customers, life: Lifecycle, who: I64, time: F64, rise: int
) -> Orders:
    line = customers.line[who]
    product = categorical(rng, vocab.PRODUCT_BY_LINE, rows=line)
    line_price = vocab.PRODUCT_BY_LINE @ vocab.PRODUCT_PRICE
    relative = vocab.PRODUCT_PRICE[product] / line_price[line]
    index = np.where(time >= rise, 1.0 + vocab.PRICE_RISE, 1.0)
    size = customers.value[who] * relative * rng.gamma(4.0, 0.25, who.size)
    amount = np.maximum(np.round(size * index, 2), 1.0)
    cost = size * (1.0 - vocab.PRODUCT_MARGIN[product]) * rng.normal(1.0, 0.04, who.size)
    cost = np.round(np.maximum(cost, 0.01), 2)
    trouble = 1.0 - fade(time, life.churn[who], 1.0, FADE_DAYS)
    cancelled = rng.random(who.size) < 0.025 + 0.08 * trouble
    return Orders(who, time, product, amount, cost, cancelled)
