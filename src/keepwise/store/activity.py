"""Where a workspace's data ends: the last day with imported activity."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from keepwise.store import schema

#: The dated activity of customers, by table and column.
ACTIVITY = (
    (schema.orders, "ordered_at"),
    (schema.usage, "day"),
    (schema.tickets, "opened_at"),
    (schema.surveys, "answered_at"),
)


def activity_end(conn: sa.Connection) -> dt.date | None:
    """The last day of imported activity: orders, product use, tickets, surveys, and imported
    follow-ups and status events (not the ones users record in Keepwise); None when there is
    none."""
    e = schema.status_events
    queries = [sa.select(sa.func.max(table.c[column])) for table, column in ACTIVITY]
    queries.append(sa.select(sa.func.max(e.c.occurred_at)).where(e.c.source == "import"))
    # Follow-ups recorded as the outcome of a task are a user's action, not imported data.
    i = schema.interactions
    queries.append(sa.select(sa.func.max(i.c.occurred_at)).where(i.c.source == "import"))
    days = [_day(conn.execute(q).scalar()) for q in queries]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def last_user_change(conn: sa.Connection) -> dt.date | None:
    """The day of the latest status change a user recorded in Keepwise (a void, a churn, a
    win-back, a revert); None when there is none."""
    e = schema.status_events
    return _day(conn.execute(sa.select(sa.func.max(e.c.occurred_at))
                             .where(e.c.source != "import")).scalar())  # fmt: skip


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
