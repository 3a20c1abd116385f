"""The server's tables: web sessions, failed logins, stored report results, background jobs.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from keepwise.store.schema import metadata

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ["sessions", "login_failures", "report_results", "jobs"]
#: Tables a customer's own rows are read from by the customer view (one lookup by customer).
BY_CUSTOMER = ["orders", "interactions", "tickets", "surveys", "status_events", "scores",
               "contracts", "tasks", "alerts"]  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    # checkfirst: 0001 creates its tables from the current metadata, not these; a database
    # upgraded from 0002 has none of them.
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
    # PostgreSQL only: on DuckDB an index on customer_id makes an import's upsert of a million
    # orders take minutes instead of seconds (docs/benchmarks.md), so the customer view scans.
    if bind.dialect.name == "postgresql":
        for table in BY_CUSTOMER:
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_customer ON {table} (customer_id)")


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
