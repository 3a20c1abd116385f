"""Owners (sales staff and their managers) and customers with their hidden traits.

Traits such as the purchase rate, the order value or the price sensitivity are never exported;
they drive the events that are. Heterogeneity is gamma-distributed, as the BG/NBD and
Gamma-Gamma models that Keepwise fits assume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import YEAR, categorical, stream
from keepwise.demo.timeline import Season, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

CUSTOMERS_PER_OWNER = 60
SALES_PER_MANAGER = 8
#: Share of sales staff who leave during the history window.
DEPARTURE_SHARE = 0.22
#: Share of customers acquired before the history window (the export starts at day 0).
EARLY_SHARE = 0.2


@dataclass
class Owners:
    region: I64  # home region; -1 for owners who cover every region
    manager: I64  # index of the owner's manager (a manager points to itself)
    is_manager: B
    left: F64  # day the owner left; inf if still employed
    attention: F64  # follow-up intensity multiplier; some owners neglect their customers
    employer: I64  # the competitor a departed owner joined (-1: unknown or still here)

    @property
    def n(self) -> int:
        return self.region.size


@dataclass
class Customers:
    acquired: F64  # day (whole days; negative before the window)
    segment: I64
    industry: I64
    region: I64
    channel: I64
    line: I64
    owner: I64
    rate: F64  # orders per year
    value: F64  # mean order value
    ticket_rate: F64  # tickets per year
    satisfaction: F64  # baseline csat, 1-5 scale
    sensitivity: F64  # price sensitivity (mean about 1)
    visits: F64  # usage visits per week (SaaS line)
    duplicate: B  # a second record of an existing customer
    original: I64  # for a duplicate, the customer it duplicates; -1 otherwise
    invalid: B  # never a real customer (junk lead)
    birthday: NDArray[np.datetime64]  # the contact person's birthday; NaT when not recorded

    @property
    def n(self) -> int:
        return self.acquired.size

    @property
    def start(self) -> F64:
        """First day of the customer's exported history."""
        return np.maximum(self.acquired, 0.0)

    @property
    def saas(self) -> B:
        return self.line == vocab.SAAS_LINE


def make_owners(n_customers: int, timeline: Timeline, seed: int) -> Owners:
    rng = stream(seed, "owners")
    total = max(4, round(n_customers / CUSTOMERS_PER_OWNER))
    managers = max(1, round(total / (SALES_PER_MANAGER + 1)))
    is_manager = np.arange(total) < managers
    n_sales = total - managers
    regional = n_sales >= 2 * len(vocab.REGIONS)
    region = np.full(total, -1, dtype=np.int64)
    if regional:  # every region gets at least one salesperson
        region[managers:] = _spread(n_sales, vocab.REGION_SHARE)
    manager = np.where(is_manager, np.arange(total), rng.integers(0, managers, total))
    leaves = ~is_manager & (rng.random(total) < DEPARTURE_SHARE)
    leaves[_first_of_each_pool(region, is_manager)] = False  # somebody must stay in each pool
    span = timeline.horizon
    left = np.where(leaves, np.floor(rng.uniform(0.05 * span, span - 30, total)), np.inf)
    attention = rng.lognormal(0.0, 0.3, total) * np.where(rng.random(total) < 0.12, 0.3, 1.0)
    moved = leaves & (rng.random(total) < 0.6)
    employer = np.where(moved, categorical(rng, vocab.COMPETITOR_SHARE, n=total), -1)
    return Owners(region, manager, is_manager, left, attention, employer)


def _spread(n: int, share: F64) -> I64:
    """n items over groups in proportion to ``share``, at least one each (largest remainder)."""
    counts = np.ones(share.size, dtype=np.int64)
    extra = (n - share.size) * share
    counts += np.floor(extra).astype(np.int64)
    short = n - counts.sum()
    counts[np.argsort(extra - np.floor(extra))[::-1][:short]] += 1
    return np.repeat(np.arange(share.size), counts)


def _first_of_each_pool(region: I64, is_manager: B) -> I64:
    sales = np.flatnonzero(~is_manager)
    _, first = np.unique(region[sales], return_index=True)
    return sales[first]


def make_customers(
    n: int, owners: Owners, timeline: Timeline, seasons: dict[str, Season], seed: int
) -> Customers:
    rng = stream(seed, "customers")
    acquired = _acquisition_days(rng, n, timeline, seasons["acquisition"])
    segment = categorical(rng, vocab.SEGMENT_SHARE, n=n)
    region = categorical(rng, vocab.REGION_SHARE, n=n)
    junk = (rng.random(n) < 0.025) & (acquired >= 0)
    invalid = junk & (rng.random(n) < 0.4)
    duplicate = junk & ~invalid & (np.arange(n) > 0)
    industry = categorical(rng, vocab.INDUSTRY_SHARE, n=n)
    # A duplicate is the same company entered again: same name, segment, industry and region.
    original = np.where(duplicate, np.floor(rng.random(n) * np.arange(n)).astype(np.int64), -1)
    source = np.where(duplicate, original, np.arange(n))
    segment, industry, region = segment[source], industry[source], region[source]
    rate = _gamma(rng, 1.6, vocab.ORDERS_PER_YEAR[segment])
    return Customers(
        acquired=acquired,
        segment=segment,
        industry=industry,
        region=region,
        channel=categorical(rng, vocab.CHANNEL_BY_SEGMENT, rows=segment),
        line=categorical(rng, vocab.LINE_BY_SEGMENT, rows=segment),
        owner=_assign_owners(rng, region, acquired, owners),
        rate=np.where(invalid, 0.0, rate),
        value=_gamma(rng, 2.5, vocab.ORDER_VALUE[segment]),
        ticket_rate=_gamma(rng, 1.2, vocab.TICKETS_PER_YEAR[segment]),
        satisfaction=np.clip(rng.normal(4.1, 0.45, n), 2.0, 5.0),
        sensitivity=_gamma(rng, 0.8, vocab.SEGMENT_PRICE_SENSITIVITY[segment]),
        visits=_gamma(rng, 2.0, vocab.VISITS_PER_WEEK[segment]),
        duplicate=duplicate,
        original=original,
        invalid=invalid,
        birthday=_birthdays(rng, n),
    )


def _birthdays(rng: np.random.Generator, n: int) -> NDArray[np.datetime64]:
    first, last = np.datetime64("1962-01-01", "D"), np.datetime64("1999-12-31", "D")
    days = rng.integers(0, int((last - first).astype(np.int64)), n)
    out = first + days
    out[rng.random(n) > 0.35] = np.datetime64("NaT")
    return out


def _gamma(rng: np.random.Generator, shape: float, mean: F64) -> F64:
    return rng.gamma(shape, mean / shape)


def _acquisition_days(rng: np.random.Generator, n: int, timeline: Timeline, season: Season) -> F64:
    """Sorted, so that customer ids follow the order of acquisition (C000001 is the oldest)."""
    early = rng.random(n) < EARLY_SHARE
    inside = np.floor(season.inverse(rng.random(n) * season.cum[-1]))
    before = -np.floor(rng.random(n) * 2 * YEAR) - 1
    return np.sort(np.where(early, before, inside))


def _assign_owners(rng: np.random.Generator, region: I64, acquired: F64, owners: Owners) -> I64:
    """A salesperson of the customer's region who is still employed at the acquisition."""
    sales = np.flatnonzero(~owners.is_manager)
    stayers = sales[np.isinf(owners.left[sales])]
    pool = region if (owners.region[sales] >= 0).all() else np.zeros_like(region)
    owner = _draw_from_pools(rng, pool, sales, np.maximum(owners.region[sales], 0))
    gone = owners.left[owner] <= acquired + 30  # leaving soon: give the account to a stayer
    redraw = _draw_from_pools(rng, pool, stayers, np.maximum(owners.region[stayers], 0))
    return np.where(gone, redraw, owner)


def _draw_from_pools(rng: np.random.Generator, pool: I64, members: I64, member_pool: I64) -> I64:
    order = np.argsort(member_pool, kind="stable")
    members, member_pool = members[order], member_pool[order]
    size = np.bincount(member_pool, minlength=len(vocab.REGIONS))
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    pick = first[pool] + np.floor(rng.random(pool.size) * size[pool]).astype(np.int64)
    return members[pick]
