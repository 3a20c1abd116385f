"""Playbooks and tasks: the runs and targets of playbooks (treated or held out), the tasks'
run, day, cost, messages and reasons, and the source of interactions (import or task).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from keepwise.store.schema import metadata

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ["playbook_runs", "playbook_targets"]
#: Columns added to tables of 0001 (which a fresh database already has: 0001 creates its
#: tables from the current metadata).
COLUMNS = {
    "tasks": ["run_id", "as_of", "cost", "message_zh", "message_en", "reason", "closed_reason",
              "actor"],
    "interactions": ["source"],
}  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
    for table, names in COLUMNS.items():
        present = _columns(bind, table)
        for name in names:
            if name not in present:
                column = metadata.tables[table].c[name]
                default = getattr(column.server_default, "arg", None)
                op.add_column(table, sa.Column(name, column.type, server_default=default))


def _columns(bind: sa.Connection, table: str) -> set[str]:
    """The columns of a table (SQLAlchemy's inspector fails on DuckDB's catalogue)."""
    rows = bind.execute(
        sa.text("SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                "AND table_schema = current_schema()"),
        {"t": table},
    )  # fmt: skip
    return {r[0] for r in rows}


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES], checkfirst=True)
    for table, names in COLUMNS.items():
        for name in names:
            op.drop_column(table, name)
