"""Lifecycle actions: reverts of status events, void requests, owner changes (and the pool).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from keepwise.store.schema import metadata

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ["status_requests", "owner_changes"]


def upgrade() -> None:
    bind = op.get_bind()
    # A fresh database got status_events from the current metadata (0001): reverts is there.
    # (information_schema: DuckDB's SQLAlchemy dialect cannot reflect columns.)
    columns = bind.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'status_events' AND table_schema = current_schema()"
    ).scalars()
    if "reverts" not in set(columns):
        op.add_column("status_events", sa.Column("reverts", sa.BigInteger))
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
    op.drop_column("status_events", "reverts")
