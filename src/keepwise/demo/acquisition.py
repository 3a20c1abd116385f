"""Leads and marketing spend, consistent with the customers' channels and acquisition costs.

Every customer acquired inside the history window comes from a converted lead of its channel;
unconverted leads are added at the channel's conversion rate. A month's spend on a channel is
the sum of the acquisition costs of the customers it brought in, and each lead of that month and
channel carries an equal share — so CAC computed from spend equals the mean acquisition cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import stream
from keepwise.demo.population import Customers
from keepwise.demo.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass
class Leads:
    created: F64
    channel: I64
    cost: F64
    customer: I64  # -1: not converted
    converted: F64  # nan: not converted


@dataclass
class Spend:
    month: F64  # day of the month's first day
    channel: I64
    amount: F64


def acquisition_costs(customers: Customers, seed: int) -> F64:
    rng = stream(seed, "acquisition-cost")
    typical = vocab.CHANNEL_CAC[customers.channel] * vocab.SEGMENT_CAC_FACTOR[customers.segment]
    return np.round(typical * rng.lognormal(-0.06, 0.35, customers.n), 2)


def month_starts(timeline: Timeline) -> F64:
    first = np.datetime64(timeline.start, "M")
    last = np.datetime64(timeline.as_of, "M")
    months = np.arange(first, last + 1).astype("datetime64[D]")
    days = (months - np.datetime64(timeline.start, "D")).astype(np.float64)
    return days[days < timeline.horizon]


def make_spend(customers: Customers, costs: F64, timeline: Timeline) -> Spend:
    starts = month_starts(timeline)
    inside = customers.acquired >= 0
    month = np.searchsorted(starts, customers.acquired[inside], side="right") - 1
    month = np.maximum(month, 0)
    n_ch = len(vocab.CHANNELS)
    cell = month * n_ch + customers.channel[inside]
    amount = np.bincount(cell, weights=costs[inside], minlength=starts.size * n_ch)
    grid_month = np.repeat(starts, n_ch)
    grid_channel = np.tile(np.arange(n_ch), starts.size)
    return Spend(grid_month, grid_channel, np.round(amount, 2))


def make_leads(customers: Customers, spend: Spend, timeline: Timeline, seed: int) -> Leads:
    rng = stream(seed, "leads")
    starts = month_starts(timeline)
    won = np.flatnonzero(customers.acquired >= 0)
    lead_age = np.maximum(np.floor(rng.gamma(2.0, 12.0, won.size)), 1.0)
    won_created = np.maximum(customers.acquired[won] - lead_age, 0.0) + rng.uniform(
        0.35, 0.5, won.size
    )
    won_at = customers.acquired[won] + rng.uniform(0.55, 0.75, won.size)
    # Unconverted leads: as many per converted one as the channel's conversion rate implies.
    n_ch = len(vocab.CHANNELS)
    converted = np.bincount(
        (np.searchsorted(starts, customers.acquired[won], side="right") - 1) * n_ch
        + customers.channel[won],
        minlength=starts.size * n_ch,
    )
    odds = (1 - vocab.CHANNEL_CONVERSION) / vocab.CHANNEL_CONVERSION
    lost_count = rng.poisson(converted * np.tile(odds, starts.size))
    cell = np.repeat(np.arange(starts.size * n_ch), lost_count)
    month_len = np.diff(np.append(starts, timeline.horizon))
    lost_created = starts[cell // n_ch] + np.floor(rng.random(cell.size) * month_len[cell // n_ch])
    lost_created += rng.uniform(0.35, 0.75, cell.size)
    created = np.concatenate([won_created, lost_created])
    channel = np.concatenate([customers.channel[won], cell % n_ch])
    customer = np.concatenate([won, np.full(cell.size, -1)])
    converted_at = np.concatenate([won_at, np.full(cell.size, np.nan)])
    month = np.searchsorted(starts, created, side="right") - 1
    leads_in_cell = np.bincount(month * n_ch + channel, minlength=starts.size * n_ch)
    share = spend.amount / np.maximum(leads_in_cell, 1)
    cost = np.round(share[month * n_ch + channel], 2)
    order = np.argsort(created, kind="stable")
    return Leads(created[order], channel[order], cost[order], customer[order], converted_at[order])
