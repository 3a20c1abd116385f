"""A database of revision 0003 upgrades to the lifecycle tables (reverts, void requests, owner
changes) with its rows kept, on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from keepwise.store import schema
from keepwise.store.db import Store


def test_revision_0003_upgrades_to_the_lifecycle_tables(store_at: Callable[[str], Store]) -> None:
    store = store_at("0003")
    with store.begin() as conn:
        # 0001 builds status_events from today's metadata: without reverts, as 0003 had it.
        conn.exec_driver_sql("ALTER TABLE status_events DROP COLUMN reverts")
        conn.exec_driver_sql(
            "INSERT INTO status_events (customer_id, occurred_at, to_status, source)"
            " VALUES ('C1', '2024-01-02 10:00:00', 'voided', 'import')"
        )
    assert not {"status_requests", "owner_changes"} & set(
        sa.inspect(store.engine).get_table_names()
    )
    store.migrate()
    assert store.revision() == store.head_revision()
    with store.begin() as conn:
        kept = conn.execute(sa.select(schema.status_events.c.id, schema.status_events.c.reverts))
        ((undone, reverts),) = kept.all()
        assert reverts is None
        conn.execute(sa.insert(schema.status_events).values(
            customer_id="C1", occurred_at=dt.datetime(2024, 1, 3), to_status="active",
            source="user", reverts=undone))  # fmt: skip
        conn.execute(sa.insert(schema.owner_changes).values(
            customer_id="C1", to_owner="A", occurred_at=dt.datetime(2024, 1, 3),
            kind="reassign"))  # fmt: skip
        conn.execute(sa.insert(schema.status_requests).values(
            customer_id="C1", to_status="voided", requested_by="x",
            requested_at=dt.datetime(2024, 1, 3)))  # fmt: skip
        ids = conn.execute(sa.select(schema.owner_changes.c.id)).scalars().all()
    assert ids == [1]
