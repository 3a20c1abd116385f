"""Storage: schema, migrations, connections and Ibis tables. Only the domain layer uses it."""

from keepwise.store.activity import activity_end, last_user_change
from keepwise.store.db import Store, database_url_for
from keepwise.store.versions import data_version

__all__ = ["Store", "activity_end", "data_version", "database_url_for", "last_user_change"]
