"""Notifications, survey links, the workspace's own keys and refresh runs (issue 14).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from keepwise.store.schema import metadata

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ["notifications", "notified_items", "survey_links", "workspace_keys", "refresh_runs"]


def upgrade() -> None:
    bind = op.get_bind()
    # checkfirst: 0001 creates these on a fresh database (it creates the current schema).
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
