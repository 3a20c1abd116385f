"""Vectorised random building blocks: named random streams, Poisson processes over per-customer
windows, piecewise-constant hazards, and 'first event per customer' reductions.

Everything works on whole arrays — one entry per customer or per event — so that a million
customers cost a few NumPy passes, never a Python loop over customers.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

from keepwise.demo.timeline import Season

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
YEAR = 365.25


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so that generating only some kinds (or
    changing one component) leaves the others' numbers unchanged."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def categorical(rng: np.random.Generator, probs: F64, rows: I64 | None = None, n: int = 0) -> I64:
    """Draw a category per item; ``probs`` is one distribution, or a matrix indexed by ``rows``."""
    cum = np.cumsum(probs, axis=-1)
    cum = cum / cum[..., -1:]
    if rows is None:
        return np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)
    u = rng.random(rows.size)
    out = np.zeros(rows.size, dtype=np.int64)
    for k in range(cum.shape[1] - 1):  # a few categories: loop over them, not over items
        out += u >= cum[rows, k]
    return out


def poisson_times(
    rng: np.random.Generator,
    start: F64,
    end: F64,
    rate_per_day: F64,
    season: Season,
) -> tuple[I64, F64]:
    """Event times of independent Poisson processes, one per window [start, end).

    Returns (window index, time) sorted by window index. The intensity follows ``season``.
    """
    lo, hi = season.at(start), season.at(end)
    mass = np.maximum(hi - lo, 0.0) * rate_per_day
    counts = rng.poisson(mass)
    owner = np.repeat(np.arange(start.size), counts)
    levels = lo[owner] + rng.random(owner.size) * (hi - lo)[owner]
    times = season.inverse(levels)
    # np.interp can land a hair outside the window at its edges: keep strictly inside.
    times = np.clip(times, start[owner], np.nextafter(end[owner], -np.inf))
    return owner, times


def time_of_day(rng: np.random.Generator, days: F64, first: float = 8.5, last: float = 19.0) -> F64:
    """Keep the day, move the time within office hours (customers call in business hours)."""
    return np.floor(days) + (first + (last - first) * rng.random(days.size)) / 24.0


def piecewise_exponential(rng: np.random.Generator, start: F64, breaks: F64, rates: F64) -> F64:
    """First event time of a hazard that is constant between breakpoints.

    ``breaks`` has shape (n, k) with non-decreasing columns; ``rates`` (n, k+1) are per day:
    rates[:, 0] before breaks[:, 0], rates[:, j] between breaks j-1 and j, the last one after.
    Returns inf where the hazard never fires.
    """
    need = rng.exponential(size=start.size)
    edges = np.column_stack(
        [start, np.maximum(breaks, start[:, None]), np.full(start.size, np.inf)]
    )
    out = np.full(start.size, np.inf)
    for j in range(rates.shape[1]):
        lo, hi, rate = edges[:, j], edges[:, j + 1], rates[:, j]
        live = (hi > lo) & (rate > 0)  # also false for an empty [inf, inf) piece
        mass = np.zeros(start.size)
        mass[live] = rate[live] * (hi[live] - lo[live])
        hit = live & (need <= mass) & np.isinf(out)
        out[hit] = lo[hit] + need[hit] / rate[hit]
        need = need - mass
    return out


def first_per_owner(owner: I64, times: F64, n: int) -> tuple[F64, I64]:
    """Earliest time per owner (inf if none) and the position of that event (-1 if none)."""
    order = np.lexsort((times, owner))
    owners_sorted = owner[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = owners_sorted[1:] != owners_sorted[:-1]
    best = np.full(n, np.inf)
    where = np.full(n, -1, dtype=np.int64)
    best[owners_sorted[first]] = times[order[first]]
    where[owners_sorted[first]] = order[first]
    return best, where


def sort_by_owner_time(owner: I64, times: F64) -> I64:
    """Permutation ordering events by owner, then time (one float sort, not a lexsort)."""
    span = float(np.max(times, initial=0.0)) - float(np.min(times, initial=0.0)) + 1.0
    key = owner.astype(np.float64) * span + (times - float(np.min(times, initial=0.0)))
    return np.argsort(key, kind="stable")


def fade(times: F64, churn: F64, depth: float, days: float) -> F64:
    """Activity multiplier before a churn: 1 far before, 1 − depth at the churn moment, and 1
    again after it (a won-back customer starts afresh)."""
    out = np.ones(times.size)
    gap = churn - times
    near = (gap >= 0) & (gap < 12.0 * days)  # further away the multiplier is 1 to six decimals
    out[near] = 1.0 - depth * np.exp(-gap[near] / days)
    return out
