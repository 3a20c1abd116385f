"""The demo company: a deterministic, realistic customer base with three years of history.

``generate_company`` simulates in dependency order — people, service and follow-ups (whose
troubles cause churn), the lifecycle (who leaves, when, why), then the activity that the
lifecycle shapes (orders, usage, surveys) — and returns one DataFrame per import kind with the
contract's canonical columns. ``write_company`` writes them as UTF-8 CSV files.

Everything is vectorised NumPy; each component draws from its own seeded stream, so a seed
always gives the same company, whichever kinds are asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from keepwise.demo import frames as fr
from keepwise.demo import frames_activity as fa
from keepwise.demo.acquisition import acquisition_costs, make_leads, make_spend
from keepwise.demo.contracts import Contracts, make_contracts
from keepwise.demo.engagement import make_surveys, make_usage
from keepwise.demo.export import write_frames
from keepwise.demo.followups import Contacts, make_contacts
from keepwise.demo.lifecycle import Lifecycle, decide
from keepwise.demo.orders import make_orders
from keepwise.demo.population import Customers, Owners, make_customers, make_owners
from keepwise.demo.service import Tickets, make_tickets
from keepwise.demo.statuses import make_status_events
from keepwise.demo.timeline import Scenario, Season, Timeline, scenario, seasons

F64 = NDArray[np.float64]

#: The import kinds, in the order of the import contract.
KINDS: tuple[str, ...] = tuple(fr.COLUMNS)


@dataclass
class _World:
    """The simulated company before it is written out as frames."""

    seed: int
    timeline: Timeline
    plot: Scenario
    season: dict[str, Season]
    owners: Owners
    customers: Customers
    tickets: Tickets
    contacts: Contacts
    life: Lifecycle
    contracts: Contracts
    ids: fr.Ids
    costs: F64


def generate_company(
    n_customers: int = 5000,
    seed: int = 0,
    as_of: dt.date = dt.date(2026, 11, 1),
    years: int = 3,
    kinds: Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """One DataFrame per import kind (all eleven, or only ``kinds``), keyed by kind name.

    The history covers ``years`` years before ``as_of`` (exclusive); some customers were
    acquired up to two years earlier. The same arguments always give identical frames.
    """
    wanted = _check(n_customers, seed, years, kinds)
    world = _simulate(n_customers, seed, as_of, years)
    out = _people(world, wanted) | _activity(world, wanted) | _marketing(world, wanted)
    return {kind: out[kind] for kind in KINDS if kind in out}


def _simulate(n_customers: int, seed: int, as_of: dt.date, years: int) -> _World:
    """Everything that causes churn, and the lifecycle it produces (see lifecycle.py)."""
    timeline = Timeline(as_of, years)
    plot = scenario(as_of, years)
    season = seasons(timeline)
    owners = make_owners(n_customers, timeline, seed)
    customers = make_customers(n_customers, owners, timeline, season, seed)
    tickets = make_tickets(customers, timeline, plot, season["business"], seed)
    contacts = make_contacts(customers, owners, tickets, timeline, season["business"], seed)
    triggers = (tickets.trigger, tickets.trigger_reason)
    ids = fr.Ids(customers.n, owners.n)
    life = decide(customers, owners, triggers, contacts.neglect, timeline, plot, seed,
                  ids.customers.to_pylist())  # fmt: skip
    contracts = make_contracts(customers, life, float(timeline.horizon))
    costs = acquisition_costs(customers, seed)
    return _World(
        seed, timeline, plot, season, owners, customers, tickets, contacts, life, contracts, ids,
        costs,
    )  # fmt: skip


def _people(w: _World, wanted: set[str]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if "customers" in wanted:
        out["customers"] = fr.customers_frame(
            w.customers, w.contracts, w.costs, w.ids, w.timeline, w.seed
        )
    if "contracts" in wanted:
        out["contracts"] = fr.contracts_frame(w.contracts, w.ids, w.timeline)
    if "owners" in wanted:
        out["owners"] = fr.owners_frame(w.owners, w.ids, w.timeline, w.seed)
    if wanted & {"interactions", "status-events"}:
        horizon = w.timeline.horizon
        events, farewell = make_status_events(w.customers, w.owners, w.life, horizon, w.seed)
        if "interactions" in wanted:
            out["interactions"] = fa.interactions_frame(
                w.customers, w.owners, w.life, (w.contacts, farewell), w.ids, w.timeline, w.seed
            )
        if "status-events" in wanted:
            out["status-events"] = fa.status_frame(events, w.ids, w.timeline, w.seed)
    return out


def _activity(w: _World, wanted: set[str]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if "orders" in wanted:
        orders = make_orders(w.customers, w.life, w.timeline, w.plot, w.season["orders"], w.seed)
        out["orders"] = fa.orders_frame(orders, w.ids, w.timeline)
        del orders  # the arrays are as big as the frame: free them before the next kind
    if "usage" in wanted:
        usage = make_usage(w.customers, w.life, w.timeline, w.season["business"], w.seed)
        out["usage"] = fa.usage_frame(usage, w.ids, w.timeline)
        del usage
    if "tickets" in wanted:
        out["tickets"] = fa.tickets_frame(w.tickets, w.life, w.ids, w.timeline)
    if "surveys" in wanted:
        rise = w.timeline.day(w.plot.price_rise)
        surveys = make_surveys(
            w.customers, w.life, w.tickets, w.timeline, w.season["flat"], rise, w.seed
        )
        out["surveys"] = fa.surveys_frame(surveys, w.ids, w.timeline, w.seed)
    return out


def _marketing(w: _World, wanted: set[str]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if wanted & {"leads", "spend"}:
        spend = make_spend(w.customers, w.costs, w.timeline)
        if "leads" in wanted:
            leads = make_leads(w.customers, spend, w.timeline, w.seed)
            out["leads"] = fr.leads_frame(leads, w.ids, w.timeline)
        if "spend" in wanted:
            out["spend"] = fr.spend_frame(spend, w.timeline)
    return out


def write_company(frames: dict[str, pd.DataFrame], folder: str | Path) -> dict[str, Path]:
    """Write each frame as ``<kind>.csv`` (UTF-8) in ``folder``; returns the paths by kind."""
    return write_frames(frames, Path(folder), fr.DATE_COLUMNS)


def _check(n_customers: int, seed: int, years: int, kinds: Iterable[str] | None) -> set[str]:
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if not 1 <= years <= 20:
        raise ValueError("years must be between 1 and 20")
    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}; known: {', '.join(KINDS)}")
    return wanted
