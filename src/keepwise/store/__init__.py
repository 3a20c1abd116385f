"""Storage: schema, migrations, connections and Ibis tables. Only the domain layer uses it."""

from keepwise.store.db import Store, database_url_for

__all__ = ["Store", "database_url_for"]
