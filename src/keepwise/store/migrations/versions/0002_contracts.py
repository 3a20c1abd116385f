"""Contract history: the ``contracts`` table (a renewal is a new row).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from keepwise.store.schema import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["contracts"]


def upgrade() -> None:
    bind = op.get_bind()
    # checkfirst: a database created by 0001 has no contracts table; nothing else is touched.
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
