"""The churn definition: one function of the workspace's ``[churn]`` settings (workspace-wide,
per segment, P(alive) rule) gives every customer's status timeline, and every consumer —
KPIs, summary, cohorts and survival, risk labels and features, no-value criteria, alert rules —
reads customers' statuses through this package (DESIGN.md, "When is a customer churned?")."""

from keepwise.churn.contracts import contracts_at
from keepwise.churn.status import first_losses, latest_event, lifetimes, losses, statuses
from keepwise.churn.tables import LOST, Tables, customer_base, day, live_orders
from keepwise.churn.timeline import (
    intervals,
    recorded_events,
    status_at,
    status_at_bounds,
    timeline,
)

__all__ = [
    "LOST",
    "Tables",
    "contracts_at",
    "customer_base",
    "day",
    "first_losses",
    "intervals",
    "latest_event",
    "lifetimes",
    "live_orders",
    "losses",
    "recorded_events",
    "status_at",
    "status_at_bounds",
    "statuses",
    "timeline",
]
