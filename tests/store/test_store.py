"""The store on both backends: migrations, upsert, derived statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core.errors import ConfigError
from keepwise.lifecycle import change_status
from keepwise.store import schema
from keepwise.store.bulk import upsert
from keepwise.store.db import Store


def test_migrations_create_every_table_of_the_data_model(workspace: Workspace) -> None:
    store = workspace.store
    assert store.revision() == store.head_revision()
    names = set(sa.inspect(store.engine).get_table_names())
    assert set(schema.metadata.tables) <= names
    # The reason taxonomy is seeded, with avoidable and unavoidable reasons.
    counts = {c.table: c.rows for c in workspace.imports.table_counts()}
    assert counts["reasons"] == 17


def test_a_database_of_revision_0001_upgrades_to_contract_history(
    store_at: Callable[[str], Store],
) -> None:
    store = store_at("0001")
    assert "contracts" not in sa.inspect(store.engine).get_table_names()
    with store.begin() as conn:
        conn.execute(sa.insert(schema.customers).values(customer_id="C1", contract_end=None))
    store.migrate()
    assert store.revision() == store.head_revision()
    assert "contracts" in sa.inspect(store.engine).get_table_names()
    with store.begin() as conn:
        assert conn.execute(sa.select(schema.customers.c.customer_id)).scalars().all() == ["C1"]
        conn.execute(sa.insert(schema.contracts).values(
            contract_id="K1", customer_id="C1", start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2026, 1, 1),
        ))  # fmt: skip


def score_columns(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT * FROM scores WHERE 1 = 0")).keys())


def test_scores_of_revision_0002_get_the_clv_interval_columns(
    store_at: Callable[[str], Store],
) -> None:
    store = store_at("0002")
    with store.engine.begin() as conn:
        # 0001 builds today's schema: take the columns away to get the scores table of a
        # database created before revision 0003.
        conn.execute(sa.text("ALTER TABLE scores DROP COLUMN clv_low"))
        conn.execute(sa.text("ALTER TABLE scores DROP COLUMN clv_high"))
        conn.execute(sa.text(
            "INSERT INTO scores (customer_id, model_version, as_of, predicted_clv, created_at)"
            " VALUES ('C1', 'value-20260101', DATE '2026-01-01', 12.5, TIMESTAMP '2026-01-01')"
        ))  # fmt: skip
    assert "clv_low" not in score_columns(store.engine)
    store.migrate()
    assert store.revision() == store.head_revision()
    assert {"clv_low", "clv_high"} <= score_columns(store.engine)
    s = schema.scores
    with store.begin() as conn:
        row = conn.execute(sa.select(s.c.predicted_clv, s.c.clv_low, s.c.clv_high)).one()
        assert tuple(row) == (12.5, None, None)
        conn.execute(sa.update(s).values(clv_low=10.0, clv_high=15.0))
        assert conn.execute(sa.select(s.c.clv_high)).scalar_one() == 15.0


def test_a_database_of_revision_0004_upgrades_to_playbook_runs_and_targets(
    store_at: Callable[[str], Store],
) -> None:
    """0001 creates its tables from the current metadata, so a database of 0004 as it really
    was is made by dropping what 0005 adds; the upgrade adds it back and keeps the rows, old
    follow-ups counting as imported."""
    store = store_at("0004")
    with store.begin() as conn:
        for table in ("playbook_runs", "playbook_targets"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        for column in ("run_id", "as_of", "cost", "message_zh", "message_en", "reason",
                       "closed_reason", "actor"):  # fmt: skip
            conn.exec_driver_sql(f"ALTER TABLE tasks DROP COLUMN {column}")
        conn.exec_driver_sql("ALTER TABLE interactions DROP COLUMN source")
        conn.exec_driver_sql(
            "INSERT INTO interactions (interaction_id, customer_id, occurred_at) "
            "VALUES ('I1', 'C1', '2025-01-02 10:00:00')"
        )
    store.migrate()
    assert store.revision() == store.head_revision()
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"playbook_runs", "playbook_targets"} <= names
    with store.begin() as conn:
        i = schema.interactions
        assert conn.execute(sa.select(i.c.source)).scalars().all() == ["import"]
        conn.execute(sa.insert(schema.tasks).values(
            customer_id="C1", type="survey", created_at=dt.datetime(2025, 1, 3),
            run_id=1, as_of=dt.date(2025, 1, 3), cost=30.0, reason="price",
        ))  # fmt: skip


def test_migrate_twice_is_a_no_op(workspace: Workspace) -> None:
    workspace.migrate()
    workspace.migrate()
    assert {c.table: c.rows for c in workspace.imports.table_counts()}["reasons"] == 17


def test_upsert_inserts_then_updates_by_key(workspace: Workspace) -> None:
    first = pa.table({"owner_id": ["a", "b"], "name": ["Ann", "Bo"], "active": [True, True]})
    second = pa.table({"owner_id": ["b", "c"], "name": ["Bob", "Cy"], "active": [False, True]})
    with workspace.store.begin() as conn:
        c1 = upsert(conn, schema.owners, first, ("owner_id",))
        c2 = upsert(conn, schema.owners, second, ("owner_id",))
        rows = conn.execute(
            sa.select(
                schema.owners.c.owner_id, schema.owners.c.name, schema.owners.c.active
            ).order_by(schema.owners.c.owner_id)
        ).all()
    assert (c1.inserted, c1.updated, c2.inserted, c2.updated) == (2, 0, 1, 1)
    assert [tuple(r) for r in rows] == [("a", "Ann", True), ("b", "Bob", False), ("c", "Cy", True)]


def test_reupsert_moves_a_record_to_another_customer(workspace: Workspace) -> None:
    """The upsert leaves the indexed customer_id alone on DuckDB (store/bulk.py) and sets it
    afterwards where it changed: a re-imported order that moved customer is found under its
    new customer, by the index, and under the old one no more."""
    orders = schema.orders
    day = dt.datetime(2025, 3, 1)
    first = pa.table({"order_id": ["o1", "o2", "o3"], "customer_id": ["c1", "c1", "c2"],
                      "ordered_at": [day] * 3, "amount": [10.0, 20.0, 30.0]})  # fmt: skip
    again = pa.table({"order_id": ["o2", "o3", "o4"], "customer_id": ["c2", "c2", "c3"],
                      "ordered_at": [day] * 3, "amount": [21.0, 30.0, 40.0]})  # fmt: skip
    with workspace.store.begin() as conn:
        upsert(conn, orders, first, ("order_id",))
        counts = upsert(conn, orders, again, ("order_id",))

    def of(customer: str) -> list[tuple[str, float]]:
        with workspace.store.begin() as conn:
            query = sa.select(orders.c.order_id, orders.c.amount).where(
                orders.c.customer_id == customer
            )
            return sorted((r[0], r[1]) for r in conn.execute(query))

    assert (counts.inserted, counts.updated) == (1, 2)
    assert of("c1") == [("o1", 10.0)]
    assert of("c2") == [("o2", 21.0), ("o3", 30.0)]
    assert of("c3") == [("o4", 40.0)]
    with workspace.store.begin() as conn:
        if workspace.store.is_duckdb:
            indexes = "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'orders'"
        else:
            indexes = "SELECT indexname FROM pg_indexes WHERE tablename = 'orders'"
        assert "ix_orders_customer" in set(conn.exec_driver_sql(indexes).scalars())


def test_status_changes_derive_current_status_and_from_status(workspace: Workspace) -> None:
    t0 = dt.datetime(2024, 1, 1)
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.customers).values(customer_id="c1", acquired_at=t0))
        change_status(conn, "c1", "voided", at=t0 + dt.timedelta(days=3), actor="ann",
                      reason="duplicate")  # fmt: skip
        change_status(conn, "c1", "active", at=t0 + dt.timedelta(days=5), actor="ann",
                      note="void reverted")  # fmt: skip
        events = conn.execute(
            sa.select(
                schema.status_events.c.from_status, schema.status_events.c.to_status
            ).order_by(schema.status_events.c.occurred_at)
        ).all()
        status = conn.execute(sa.select(schema.customers.c.status)).scalar_one()
    assert [tuple(e) for e in events] == [("active", "voided"), ("voided", "active")]
    assert status == "active"


def test_void_needs_a_reason(workspace: Workspace) -> None:
    from keepwise._core.errors import InputError

    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.customers).values(customer_id="c1"))
        with pytest.raises(InputError) as err:
            change_status(conn, "c1", "voided", at=dt.datetime(2024, 1, 1), actor="x")
    assert "reason" in err.value.message("en")
    assert "原因" in err.value.message("zh")


def test_bad_database_url_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        Workspace.init(tmp_path / "x", db_url="mysql://nobody@localhost/db")
    assert "postgresql" in err.value.message("en")


def test_ibis_sees_writes_made_through_sqlalchemy(workspace: Workspace) -> None:
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.owners).values(owner_id="o1", name="Ann"))
    assert workspace.store.table("owners").count().execute() == 1


def test_a_database_of_revision_0003_gets_the_notification_survey_and_refresh_tables(
    store_at: Callable[[str], Store],
) -> None:
    new = {"notifications", "notified_items", "survey_links", "workspace_keys", "refresh_runs"}
    store = store_at("0003")
    assert not new & set(sa.inspect(store.engine).get_table_names())
    store.migrate()
    assert new <= set(sa.inspect(store.engine).get_table_names())
    with store.begin() as conn:
        conn.execute(sa.insert(schema.refresh_runs).values(
            as_of=dt.date(2026, 1, 1), started_at=dt.datetime(2026, 1, 1), status="done"))  # fmt: skip
        assert conn.execute(sa.select(schema.refresh_runs.c.id)).scalar_one() >= 1


def test_an_older_workspace_is_upgraded_when_opened(tmp_path: Path) -> None:
    """A workspace made by an older Keepwise (here: schema 0001, before contracts) is upgraded
    by the first command that opens it, and its data stays."""
    from keepwise.store.db import schema_head

    path = tmp_path / "old"
    Workspace.init(path, lang="en").close()
    (tmp_path / "c.csv").write_text("customer_id,acquired_at\nA,2024-01-01\n")
    with Workspace.open(path) as ws:
        ws.imports.load("customers", tmp_path / "c.csv", today=dt.date(2024, 6, 1))
        with ws.store.engine.begin() as conn:  # as an older Keepwise left it
            conn.exec_driver_sql("DROP TABLE contracts")
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert ws.store.behind()
    with Workspace.open(path) as ws:
        counts = {c.table: c.rows for c in ws.imports.table_counts()}
        assert ws.store.revision() == schema_head() == ws.store.head_revision()
    assert counts["customers"] == 1 and counts["contracts"] == 0


def test_a_database_of_revision_0005_gets_the_servers_tables(
    store_at: Callable[[str], Store],
) -> None:
    store = store_at("0005")
    server = {"sessions", "login_failures", "report_results", "jobs"}
    assert not server & set(sa.inspect(store.engine).get_table_names())
    store.migrate()
    assert server <= set(sa.inspect(store.engine).get_table_names())
    with store.begin() as conn:
        ids = [conn.execute(sa.insert(schema.jobs).values(kind="k", created_at=dt.datetime(
            2026, 1, 1)).returning(schema.jobs.c.id)).scalar_one() for _ in range(2)]  # fmt: skip
    assert ids[1] == ids[0] + 1
