"""The data version: a short text that changes with every write the reports read."""

from __future__ import annotations

import sqlalchemy as sa

from keepwise.store import schema
from keepwise.store.audit import NOT_DATA

#: Tables whose largest id grows with every change that can move a report: imports (one batch
#: per file), status events (every lifecycle action, never deleted), scores (every scoring
#: run) and the audit log (every other change: deletions of runs, reassignments, decisions;
#: not the entries of alerts, users, tokens and jobs, which no report reads).
VERSIONED = (schema.import_batches, schema.status_events, schema.scores)


def data_version(conn: sa.Connection) -> str:
    """The largest ids of the versioned tables, in one query (a primary key's maximum is cheap
    on both backends; deleting a run of scores is audited, so it moves the version too)."""
    parts = [sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)).scalar_subquery()
             for t in VERSIONED]  # fmt: skip
    log = schema.audit_log
    data_changes = sa.select(sa.func.coalesce(sa.func.max(log.c.id), 0)).where(
        sa.or_(log.c.entity.is_(None), log.c.entity.not_in(NOT_DATA))
    )
    parts.append(data_changes.scalar_subquery())
    row = conn.execute(sa.select(*parts)).one()
    return ".".join(str(int(v)) for v in row)
