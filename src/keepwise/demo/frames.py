"""From simulated arrays to import-contract DataFrames: customers, owners, leads and spend, and
the column helpers every frame uses.

Text columns are Arrow-backed pandas strings (compact at millions of rows); times are
datetime64[ns]; date columns hold midnight times; amounts are floats with two decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from keepwise.demo import names, vocab
from keepwise.demo.acquisition import Leads, Spend
from keepwise.demo.contracts import Contracts
from keepwise.demo.events import stream
from keepwise.demo.population import Customers, Owners
from keepwise.demo.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Canonical columns of each import kind (DESIGN.md, import contract), in contract order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "name", "segment", "industry", "region", "channel", "owner_id",
                  "acquired_at", "contract_end", "birthday", "acquisition_cost"),
    "contracts": ("contract_id", "customer_id", "start_date", "end_date", "value", "renewed_from"),
    "owners": ("owner_id", "name", "email", "role", "active", "left_at"),
    "orders": ("order_id", "customer_id", "ordered_at", "amount", "cost", "product", "cancelled"),
    "usage": ("customer_id", "day", "visits", "minutes", "feature"),
    "interactions": ("interaction_id", "customer_id", "owner_id", "occurred_at", "channel", "type",
                     "outcome", "note"),
    "tickets": ("ticket_id", "customer_id", "opened_at", "first_response_at", "resolved_at",
                "category", "is_complaint"),
    "surveys": ("survey_id", "customer_id", "answered_at", "csat", "recommend", "reason", "comment"),
    "leads": ("lead_id", "created_at", "source", "cost", "customer_id", "converted_at"),
    "spend": ("period_start", "channel", "amount"),
    "status-events": ("customer_id", "occurred_at", "to_status", "reason", "actor", "note",
                      "destination"),
}  # fmt: skip

#: Columns holding calendar dates (written as YYYY-MM-DD); the other time columns are moments.
DATE_COLUMNS = {
    "acquired_at",
    "contract_end",
    "birthday",
    "left_at",
    "day",
    "period_start",
    "start_date",
    "end_date",
}


class Ids:
    """Text ids of customers and owners, shared by every frame that references them."""

    def __init__(self, n_customers: int, n_owners: int) -> None:
        self.customers = names.text_ids(
            "C", np.arange(1, n_customers + 1), names.id_width(n_customers, 6)
        )
        self.owners = names.text_ids("E", np.arange(1, n_owners + 1), names.id_width(n_owners, 4))

    def customer(self, index: I64) -> pa.Array:
        """Customer ids by index; −1 gives null."""
        return self.customers.take(pa.array(index, mask=index < 0))

    def owner(self, index: I64) -> pa.Array:
        return self.owners.take(pa.array(index, mask=index < 0))


def serial(prefix: str, n: int, minimum: int = 7) -> pa.Array:
    return names.text_ids(prefix, np.arange(1, n + 1), names.id_width(n, minimum))


def text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return pd.Series(pd.arrays.ArrowStringArray(chunked.cast(pa.large_string())), copy=False)


def moments(timeline: Timeline, days: F64) -> pd.Series:
    return pd.Series(timeline.to_datetime64(days), copy=False)


def dates(timeline: Timeline, days: F64) -> pd.Series:
    return moments(timeline, np.floor(days))


def frame(kind: str, columns: dict[str, object]) -> pd.DataFrame:
    """Assemble a frame in contract order (and fail loudly if a column is missing or extra)."""
    if tuple(columns) != COLUMNS[kind]:
        raise AssertionError(f"{kind}: columns {tuple(columns)} differ from the contract")
    return pd.DataFrame(columns, copy=False)


def customers_frame(
    customers: Customers,
    contracts: Contracts,
    costs: F64,
    ids: Ids,
    timeline: Timeline,
    seed: int,
) -> pd.DataFrame:
    rng = stream(seed, "frame-customers")
    title = names.company_names(rng, customers.region, customers.industry)
    dup = customers.duplicate
    source = np.where(dup, customers.original, np.arange(customers.n))
    title = title.take(pa.array(source))
    shortened = pc.replace_substring_regex(
        title, "(股份)?有限(责任)?公司$", ""
    )  # 'same company, typed differently'
    title = pc.if_else(pa.array(dup & (rng.random(customers.n) < 0.4)), shortened, title)
    title = pc.if_else(pa.array(customers.invalid), names.junk_names(rng, customers.n), title)
    birthday = customers.birthday.astype("datetime64[ns]")
    return frame(
        "customers",
        {
            "customer_id": text(ids.customers),
            "name": text(title),
            "segment": text(names.pick(vocab.SEGMENTS, customers.segment)),
            "industry": text(names.pick(vocab.INDUSTRIES, customers.industry)),
            "region": text(names.pick(vocab.REGIONS, customers.region)),
            "channel": text(names.pick(vocab.CHANNELS, customers.channel)),
            "owner_id": text(ids.owner(customers.owner)),
            "acquired_at": dates(timeline, customers.acquired),
            # The current contract: the end of the customer's last one.
            "contract_end": dates(timeline, contracts.last_end(customers.n)),
            "birthday": pd.Series(birthday, copy=False),
            "acquisition_cost": pd.Series(costs, copy=False),
        },
    )


def contracts_frame(contracts: Contracts, ids: Ids, timeline: Timeline) -> pd.DataFrame:
    contract_ids = serial("K", contracts.n)
    previous = np.where(contracts.renews, np.arange(contracts.n) - 1, -1)
    return frame(
        "contracts",
        {
            "contract_id": text(contract_ids),
            "customer_id": text(ids.customer(contracts.customer)),
            "start_date": dates(timeline, contracts.start),
            "end_date": dates(timeline, contracts.end),
            "value": pd.Series(contracts.value, copy=False),
            "renewed_from": text(contract_ids.take(pa.array(previous, mask=previous < 0))),
        },
    )


def owners_frame(owners: Owners, ids: Ids, timeline: Timeline, seed: int) -> pd.DataFrame:
    rng = stream(seed, "frame-owners")
    name, email = names.person_names(rng, owners.n)
    return frame(
        "owners",
        {
            "owner_id": text(ids.owners),
            "name": text(name),
            "email": text(email),
            "role": text(names.pick(("sales", "manager"), owners.is_manager.astype(np.int64))),
            "active": pd.Series(np.isinf(owners.left), copy=False),
            "left_at": dates(timeline, owners.left),
        },
    )


def leads_frame(leads: Leads, ids: Ids, timeline: Timeline) -> pd.DataFrame:
    return frame(
        "leads",
        {
            "lead_id": text(serial("L", leads.created.size)),
            "created_at": moments(timeline, leads.created),
            "source": text(names.pick(vocab.CHANNELS, leads.channel)),
            "cost": pd.Series(leads.cost, copy=False),
            "customer_id": text(ids.customer(leads.customer)),
            "converted_at": moments(timeline, leads.converted),
        },
    )


def spend_frame(spend: Spend, timeline: Timeline) -> pd.DataFrame:
    return frame(
        "spend",
        {
            "period_start": dates(timeline, spend.month),
            "channel": text(names.pick(vocab.CHANNELS, spend.channel)),
            "amount": pd.Series(spend.amount, copy=False),
        },
    )
