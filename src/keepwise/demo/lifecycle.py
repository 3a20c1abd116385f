"""Who leaves, when and why: competing churn causes, voids, win-backs and reverts.

Each churn reason is a clock. Background reasons tick at constant rates; the others only tick
when their cause is in the data — after the price rise (price-sensitive customers), after the
owner left (owner_left), during the supply disruption (supplier_instability), after a badly
handled complaint (service, quality; service.py), after a long silence (neglect; followups.py),
and in the first months after signing (product_fit). The first clock to ring decides.
Contract customers usually leave at the end of their yearly contract.
Voids are the company's decisions: duplicates and junk soon after creation, no-value customers
at the half-yearly review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import effects, vocab
from keepwise.demo.events import YEAR, categorical, piecewise_exponential, stream
from keepwise.demo.population import Customers, Owners
from keepwise.demo.timeline import Scenario, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
R = vocab.R

CONTRACT_DAYS = 365.0
#: Reasons that do not wait for the contract to end (the customer closes, or simply stops).
IMMEDIATE = (R["customer_business"], R["supplier_instability"], R["owner_left"])
#: Chance that a churned customer is won back, by reason (default for the others).
WINBACK = {"price": 0.20, "neglect": 0.20, "owner_left": 0.15, "service": 0.12, "competitor": 0.10}
WINBACK_DEFAULT = 0.06
#: Chance that the competitor a customer left for is known, by reason.
DESTINATION_KNOWN = {"competitor": 0.75, "price": 0.40, "product_fit": 0.3, "innovation": 0.3}


@dataclass
class Lifecycle:
    churn: F64  # moment of the churn event; inf if none before the horizon
    reason: I64  # churn or void reason code; -1 for none
    destination: I64  # competitor index; -1 unknown
    void: F64  # moment of the void event; inf if none
    decided: F64  # when the cause struck (a contract customer may leave months later)
    back: F64  # moment of the win-back (after a churn) or revert (after a void); inf if none

    @property
    def left(self) -> F64:
        return np.minimum(self.churn, self.void)

    @property
    def end(self) -> F64:
        """End (exclusive, whole day) of the first active span: nothing happens on that day."""
        return np.floor(self.left)

    @property
    def restart(self) -> F64:
        """Start of the second active span, the day after a win-back or revert (inf: none)."""
        return np.floor(self.back) + 1.0


def decide(
    customers: Customers,
    owners: Owners,
    service: tuple[F64, I64],
    neglect: F64,
    timeline: Timeline,
    scenario: Scenario,
    seed: int,
    ids: list[str] | None = None,
) -> Lifecycle:
    """Who leaves, when and why. With the customers' text ``ids``, the playbooks the company
    ran from ``scenario.playbooks_start`` on change the fate of those they treated
    (:mod:`keepwise.demo.effects`)."""
    rng = stream(seed, "lifecycle")
    horizon = float(timeline.horizon)
    clocks, reasons = _clocks(rng, customers, owners, timeline, scenario)
    clocks = np.column_stack([clocks, service[0], neglect])
    reasons = np.column_stack([reasons, service[1], np.full(customers.n, R["neglect"])])
    first = np.argmin(clocks, axis=1)
    rows = np.arange(customers.n)
    decided, reason = clocks[rows, first], reasons[rows, first]
    decided[customers.invalid | customers.duplicate] = np.inf  # voided before anything else
    churn, at_end = _at_contract_end(rng, customers, decided, reason)
    start = float(timeline.day(scenario.playbooks_start))
    if ids is not None:
        churn = effects.renewals(seed, ids, at_end, churn, start)
    void, void_reason = _voids(rng, customers, timeline)
    voided = void < churn
    churn = np.where(voided | (churn >= horizon), np.inf, _moment(rng, churn))
    void = np.where(voided & (void < horizon), _moment(rng, void), np.inf)
    reason = np.select([np.isfinite(churn), np.isfinite(void)], [reason, void_reason], -1)
    back = _comebacks(rng, churn, void, reason, horizon)
    if ids is not None:
        back = effects.winbacks(seed, ids, churn, reason, back, start, horizon)
    destination = _destinations(rng, customers, owners, reason, np.isfinite(churn))
    return Lifecycle(churn, reason, destination, void, decided, back)


def _clocks(
    rng: np.random.Generator,
    customers: Customers,
    owners: Owners,
    timeline: Timeline,
    scenario: Scenario,
) -> tuple[F64, I64]:
    n, start = customers.n, customers.start
    scale = vocab.SEGMENT_CHURN[customers.segment] / YEAR
    names = list(vocab.BACKGROUND_HAZARD)
    rates = np.array([vocab.BACKGROUND_HAZARD[k] for k in names])
    background = start + rng.exponential(1.0 / (rates.sum() * scale))
    background_reason = np.array([R[k] for k in names])[categorical(rng, rates, n=n)]
    fit = piecewise_exponential(
        rng,
        start,
        (customers.acquired + 150)[:, None],
        np.column_stack([0.15 * scale, 0.012 * scale]),
    )
    rise = float(timeline.day(scenario.price_rise))
    sens = customers.sensitivity / YEAR
    price = piecewise_exponential(
        rng,
        start,
        np.column_stack([np.full(n, rise), np.full(n, rise + 270)]),
        np.column_stack([np.full(n, 0.004 / YEAR), 0.09 * sens, 0.015 * sens]),
    )
    gone = owners.left[customers.owner]
    orphan = piecewise_exponential(
        rng,
        start,
        np.column_stack([gone, gone + 365]),
        np.column_stack([np.zeros(n), np.full(n, 0.40 / YEAR), np.full(n, 0.06 / YEAR)]),
    )
    d0, d1 = timeline.day(scenario.disruption_start), timeline.day(scenario.disruption_end) + 60
    hit = np.where(customers.saas, 0.003, 0.20) / YEAR
    supply = piecewise_exponential(
        rng,
        start,
        np.column_stack([np.full(n, d0), np.full(n, d1)]),
        np.column_stack([np.full(n, 0.003 / YEAR), hit, np.full(n, 0.003 / YEAR)]),
    )
    clocks = np.column_stack([background, fit, price, orphan, supply])
    codes = [R["product_fit"], R["price"], R["owner_left"], R["supplier_instability"]]
    reasons = np.column_stack([background_reason, *(np.full(n, c) for c in codes)])
    return clocks, reasons


def _at_contract_end(
    rng: np.random.Generator, customers: Customers, decided: F64, reason: I64
) -> tuple[F64, B]:
    """Most contract customers who decide to leave do so when the contract ends: the moments,
    and who leaves at a contract's end."""
    contract = vocab.CONTRACTUAL[customers.segment] & ~np.isin(reason, IMMEDIATE)
    wait = contract & (rng.random(customers.n) < 0.7) & np.isfinite(decided)
    with np.errstate(invalid="ignore"):
        terms = np.ceil((decided - customers.acquired) / CONTRACT_DAYS)
    ends = customers.acquired + np.maximum(terms, 1.0) * CONTRACT_DAYS
    return np.where(wait, ends, decided), wait


def _voids(rng: np.random.Generator, customers: Customers, timeline: Timeline) -> tuple[F64, I64]:
    """Duplicates and invalid records go within weeks; no-value customers at a review."""
    n = customers.n
    soon = customers.acquired + np.floor(rng.uniform(1, 45, n))
    reviews = np.array(
        [
            timeline.day(d)
            for y in range(timeline.start.year, timeline.as_of.year + 1)
            for d in (timeline.start.replace(year=y, month=1, day=15),
                      timeline.start.replace(year=y, month=7, day=15))
        ],
        dtype=np.float64,
    )  # fmt: skip
    reviews = reviews[(reviews >= 0) & (reviews < timeline.horizon)]
    worth = customers.rate * customers.value
    low = worth < np.quantile(worth, 0.10)
    first = np.searchsorted(reviews, np.maximum(customers.acquired + CONTRACT_DAYS, 0.0))
    pick = first + rng.geometric(0.35, n) - 1
    review = np.where(pick < reviews.size, reviews[np.minimum(pick, reviews.size - 1)], np.inf)
    void = np.select([customers.invalid | customers.duplicate, low], [soon, review], np.inf)
    reason = np.select(
        [customers.invalid, customers.duplicate, low],
        [R["invalid"], R["duplicate"], R["no_value"]],
        -1,
    )
    return void, reason


def _moment(rng: np.random.Generator, days: F64) -> F64:
    """A status change is recorded in office hours of its day."""
    with np.errstate(invalid="ignore"):
        return np.floor(days) + rng.uniform(9.0, 18.0, days.size) / 24.0


def _comebacks(rng: np.random.Generator, churn: F64, void: F64, reason: I64, horizon: float) -> F64:
    n = churn.size
    chance = np.full(n, WINBACK_DEFAULT)
    for code, p in WINBACK.items():
        chance[reason == R[code]] = p
    chance = np.where(np.isfinite(churn), chance, 0.0)
    chance = np.where(
        reason == R["no_value"], 0.15, np.where(reason == R["duplicate"], 0.03, chance)
    )
    base = np.where(np.isfinite(churn), churn, void)
    wait = np.where(np.isfinite(churn), 30 + rng.gamma(2.0, 75.0, n), rng.uniform(2, 45, n))
    back = _moment(rng, np.floor(base) + np.floor(wait))
    ok = (rng.random(n) < chance) & np.isfinite(base) & (back < horizon)
    return np.where(ok, back, np.inf)


def _destinations(
    rng: np.random.Generator, customers: Customers, owners: Owners, reason: I64, churned: B
) -> I64:
    n = customers.n
    known = np.zeros(n)
    for code, p in DESTINATION_KNOWN.items():
        known[reason == R[code]] = p
    rival = categorical(rng, vocab.COMPETITOR_SHARE, n=n)
    rival = np.where(churned & (rng.random(n) < known), rival, -1)
    # A salesperson who joined a competitor often takes customers along (员工跳槽).
    follows = (reason == R["owner_left"]) & churned & (rng.random(n) < 0.8)
    return np.where(follows, owners.employer[customers.owner], rival)
