"""Initial canonical data model.

Revision ID: 0001
Revises:
"""

from alembic import op

from keepwise.store.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables as they stood at this revision; later revisions change them with op.* calls.
TABLES = [
    "owners",
    "customers",
    "orders",
    "usage",
    "interactions",
    "tickets",
    "surveys",
    "leads",
    "marketing_spend",
    "status_events",
    "reasons",
    "scores",
    "models",
    "alerts",
    "playbooks",
    "tasks",
    "users",
    "api_tokens",
    "import_batches",
    "audit_log",
]


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES])


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in TABLES])
