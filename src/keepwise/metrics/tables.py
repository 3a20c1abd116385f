"""What the KPI engine adds to the canonical tables (:mod:`keepwise.churn.tables`): the customer
dimensions a KPI can be cut by, and how null dimension values travel through pandas."""

from __future__ import annotations

from typing import Any

from keepwise.churn.tables import (
    LOST,
    Tables,
    customer_base,
    day,
    latest_scores,
    live_orders,
    shift_days,
)

__all__ = [
    "DIMENSIONS",
    "LOST",
    "NULL_KEY",
    "Tables",
    "customer_base",
    "day",
    "from_null_key",
    "latest_scores",
    "live_orders",
    "null_key",
    "shift_days",
]

#: Customer dimensions a KPI can be cut by → column of the customer base.
DIMENSIONS: dict[str, str] = {
    "segment": "segment",
    "industry": "industry",
    "region": "region",
    "channel": "channel",
    "owner": "owner_id",
    "tier": "tier",
}


#: Stands in for a null dimension while pandas groups or merges (pandas drops null keys, and
#: its string hashing stops at a NUL character, so neither None nor "\0" will do).
NULL_KEY = "\x1f(null)"


def null_key(values: Any) -> Any:
    """A pandas Series of dimension values with nulls as :data:`NULL_KEY`."""
    return values.astype(object).where(values.notna(), NULL_KEY)


def from_null_key(values: Any) -> Any:
    return values.map(lambda v: None if v == NULL_KEY else v).astype(object)
