"""The server's tables: web sessions, failed logins, stored report results, background jobs.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from keepwise.store.schema import metadata

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ["sessions", "login_failures", "report_results", "jobs"]


def upgrade() -> None:
    bind = op.get_bind()
    # checkfirst: 0001 creates its tables from the current metadata, not these; a database
    # upgraded from 0002 has none of them.
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
