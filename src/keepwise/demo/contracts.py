"""Contract history of the demo company: yearly contracts of the contractual segments.

A contract customer signs a yearly contract on acquisition and renews it every year, each
renewal a new contract starting the day the previous one ends (``renewed_from``). The chain
stops with the contract in force when the customer leaves for good (a customer who leaves at
the end of a contract leaves on its last day; one who leaves mid-contract leaves it running),
and runs past the horizon for customers still kept. A customer won back after the last
contract ended signs a new chain from the day after the win-back. Junk and duplicate records
have no contracts. The yearly value is what the customer's purchase rate and order value come
to over a year, 3 % more at each renewal, in hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.lifecycle import CONTRACT_DAYS, Lifecycle
from keepwise.demo.population import Customers

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Price increase at each renewal.
UPLIFT = 1.03


@dataclass
class Contracts:
    customer: I64  # customer index; rows by customer, then start
    start: F64  # first day
    end: F64  # the day it ends, on which its renewal (if any) starts
    renews: B  # renews the previous row (same customer, starting at its end)
    value: F64  # contract value for the year

    @property
    def n(self) -> int:
        return self.customer.size

    def last_end(self, n_customers: int) -> F64:
        """Per customer, the end of the last contract (the current one); nan without any."""
        out = np.full(n_customers, np.nan)
        out[self.customer] = self.end  # rows are in start order: the last one wins
        return out


def _terms(start: F64, until: F64, stays: B) -> I64:
    """Contracts from ``start`` to cover ``until``: one still running at ``until`` when the
    customer stays, else up to the one in force when they leave (at least one)."""
    years = (until - start) / CONTRACT_DAYS
    terms = np.where(stays, np.floor(years) + 1, np.ceil(years))
    return np.maximum(terms, 1).astype(np.int64)


def _chain(customer: I64, start: F64, terms: I64) -> tuple[I64, F64, I64]:
    """Rows of back-to-back yearly chains: customer, start, and the year's index in its chain."""
    who = np.repeat(customer, terms)
    first = np.repeat(np.cumsum(terms) - terms, terms)
    year = np.arange(who.size) - first
    return who, np.repeat(start, terms) + year * CONTRACT_DAYS, year


def make_contracts(customers: Customers, life: Lifecycle, horizon: float) -> Contracts:
    signed = vocab.CONTRACTUAL[customers.segment] & ~customers.invalid & ~customers.duplicate
    idx = np.flatnonzero(signed)
    acquired, left, back = customers.acquired[idx], life.left[idx], life.back[idx]
    gone, returned = np.isfinite(left), np.isfinite(back)
    until = np.where(gone, np.floor(left), horizon)
    first = _terms(acquired, until, ~gone)
    first_end = acquired + first * CONTRACT_DAYS
    restart = np.floor(back) + 1.0
    # Back while the last contract still ran: the chain simply goes on to the horizon.
    goes_on = returned & (restart <= first_end)
    stays = np.ones(idx.size, dtype=bool)
    first = np.where(goes_on, _terms(acquired, np.full(idx.size, horizon), stays), first)
    again = returned & ~goes_on & (restart < horizon)
    second = _terms(restart[again], np.full(idx.size, horizon)[again], stays[again])
    who1, start1, year1 = _chain(idx, acquired, first)
    who2, start2, year2 = _chain(idx[again], restart[again], second)
    who = np.concatenate([who1, who2])
    start = np.concatenate([start1, start2])
    year = np.concatenate([year1, year2])
    order = np.lexsort((start, who))
    who, start, year = who[order], start[order], year[order]
    yearly = customers.rate[who] * customers.value[who] * UPLIFT**year
    value = np.maximum(np.round(yearly / 100.0), 1.0) * 100.0
    return Contracts(who, start, start + CONTRACT_DAYS, year > 0, value)
