"""Deleting one run of results (the scores of a scoring run, the alerts of a rule run), for a
run made by mistake — on the wrong as-of date, say. Each deletion is written to the audit log."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from keepwise.store import schema


def delete_scores(
    conn: sa.Connection, *, kind: str, as_of: dt.date, model_version: str | None,
    actor: str, at: dt.datetime,
) -> int:  # fmt: skip
    """Delete the ``scores`` rows dated ``as_of`` written by models of ``kind`` (``churn`` or
    ``value``), only those of ``model_version`` when given; returns how many."""
    s, m = schema.scores, schema.models
    versions = sa.select(m.c.model_version).where(m.c.kind == kind)
    if model_version is not None:
        versions = versions.where(m.c.model_version == model_version)
    run = (s.c.as_of == as_of) & s.c.model_version.in_(versions)
    # Counted first: DuckDB reports no row count for a DELETE.
    count = int(conn.execute(sa.select(sa.func.count()).where(run)).scalar_one())
    conn.execute(sa.delete(s).where(run))
    if count:
        _audit(conn, f"scores.delete_run.{kind}", as_of, actor, at,
               {"model_version": model_version, "deleted": count})  # fmt: skip
    return count


def delete_alerts(
    conn: sa.Connection, *, as_of: dt.date, actor: str, at: dt.datetime
) -> tuple[int, int]:
    """Delete the still-open alerts a rule run dated ``as_of`` opened; alerts somebody has
    acknowledged or closed are work done and are kept. Returns (deleted, kept)."""
    a = schema.alerts
    run = a.c.as_of == as_of
    kept = conn.execute(sa.select(sa.func.count()).where(run, a.c.status != "open")).scalar_one()
    still_open = run & (a.c.status == "open")
    count = int(conn.execute(sa.select(sa.func.count()).where(still_open)).scalar_one())
    conn.execute(sa.delete(a).where(still_open))
    if count:
        _audit(conn, "alerts.delete_run", as_of, actor, at, {"deleted": count, "kept": kept})
    return count, int(kept)


def _audit(
    conn: sa.Connection, action: str, as_of: dt.date, actor: str, at: dt.datetime,
    detail: dict[str, object],
) -> None:  # fmt: skip
    conn.execute(
        sa.insert(schema.audit_log).values(
            occurred_at=at, actor=actor, action=action, entity="run",
            entity_id=as_of.isoformat(), detail=json.dumps(detail, ensure_ascii=False),
        )
    )  # fmt: skip
