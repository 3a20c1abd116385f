"""Alembic environment: Keepwise always runs migrations programmatically on a live connection."""

from alembic import context
from alembic.ddl.impl import DefaultImpl

from keepwise.store.schema import metadata


class DuckDBImpl(DefaultImpl):  # Alembic has no DuckDB dialect implementation of its own.
    __dialect__ = "duckdb"


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
