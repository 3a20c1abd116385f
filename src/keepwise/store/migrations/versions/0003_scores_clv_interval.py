"""The interval beside each predicted CLV: nullable ``scores.clv_low`` and ``scores.clv_high``.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("clv_low", "clv_high")


def _present() -> set[str]:
    # (SQLAlchemy's inspector reads PostgreSQL catalogs that DuckDB lacks: ask the table.)
    return set(op.get_bind().execute(sa.text("SELECT * FROM scores WHERE 1 = 0")).keys())


def upgrade() -> None:
    # 0001 creates the tables from the current schema, so a database created since this
    # revision already has the columns; one created before it gets them here.
    present = _present()
    for name in COLUMNS:
        if name not in present:
            op.add_column("scores", sa.Column(name, sa.Double, nullable=True))


def downgrade() -> None:
    present = _present()
    for name in COLUMNS:
        if name in present:
            op.drop_column("scores", name)
