"""Helpers for hand-built worlds of the early-warning rules: a few customers per rule kind, each placed so
that we know exactly who must fire and with which numbers (the arithmetic is in the tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from keepwise import Workspace
from keepwise.rules import KINDS, Rule
from keepwise.store import schema

AS_OF = dt.date(2026, 6, 1)
LONG_AGO = -800  # days before AS_OF: acquired well before every baseline period
_ids = itertools.count(1)


def at(days_before: float, hour: int = 0) -> dt.datetime:
    """Midnight (or ``hour``) ``days_before`` days before AS_OF; negative: after it."""
    return dt.datetime.combine(AS_OF, dt.time(hour)) - dt.timedelta(days=days_before)


def day(days_before: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_before)


_pending: dict[tuple[str, frozenset[str]], list[dict[str, Any]]] | None = None


def insert(ws: Workspace, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows now, or at the end of a :func:`batched` block."""
    if _pending is not None:
        for row in rows:
            _pending.setdefault((table, frozenset(row)), []).append(row)
    elif rows:
        with ws.store.begin() as conn:
            conn.execute(sa.insert(schema.metadata.tables[table]), rows)


@contextmanager
def batched(ws: Workspace) -> Iterator[None]:
    """Collect the inserts of a block and write them in one transaction (fast on PostgreSQL)."""
    global _pending
    _pending = {}
    try:
        yield
        pending, _pending = _pending, None
        with ws.store.begin() as conn:
            for (table, _), rows in pending.items():
                conn.execute(sa.insert(schema.metadata.tables[table]), rows)
    finally:
        _pending = None


def customer(ws: Workspace, cid: str, *, acquired: int = -LONG_AGO, **extra: Any) -> str:
    """A customer acquired ``acquired`` days before AS_OF."""
    insert(ws, "customers", [{"customer_id": cid, "name": cid, "acquired_at": at(acquired),
                              **extra}])  # fmt: skip
    return cid


def orders(ws: Workspace, cid: str, days: list[float], *, cancelled: bool = False) -> None:
    insert(ws, "orders", [{"order_id": f"O{next(_ids)}", "customer_id": cid,
                           "ordered_at": at(d, 12), "amount": 100.0, "cancelled": cancelled}
                          for d in days])  # fmt: skip


def usage(ws: Workspace, cid: str, visits_by_day: dict[int, int]) -> None:
    insert(ws, "usage", [{"customer_id": cid, "day": day(d), "feature": "", "visits": v,
                          "minutes": 10.0 * v} for d, v in visits_by_day.items()])  # fmt: skip


def tickets(ws: Workspace, cid: str, days: list[float], *, complaint: bool = True) -> None:
    insert(ws, "tickets", [{"ticket_id": f"T{next(_ids)}", "customer_id": cid,
                            "opened_at": at(d, 9), "is_complaint": complaint}
                           for d in days])  # fmt: skip


def surveys(ws: Workspace, cid: str, csat_by_day: dict[int, int]) -> None:
    insert(ws, "surveys", [{"survey_id": f"S{next(_ids)}", "customer_id": cid,
                            "answered_at": at(d, 10), "csat": c}
                           for d, c in csat_by_day.items()])  # fmt: skip


def interactions(ws: Workspace, cid: str, days: list[float], *, type: str = "routine",
                 hour: int = 0) -> None:  # fmt: skip
    insert(ws, "interactions", [{"interaction_id": f"I{next(_ids)}", "customer_id": cid,
                                 "occurred_at": at(d, hour), "type": type}
                                for d in days])  # fmt: skip


def status(ws: Workspace, cid: str, to: str, days_before: float) -> None:
    insert(ws, "status_events", [{"customer_id": cid, "occurred_at": at(days_before, 8),
                                  "to_status": to, "source": "import"}])  # fmt: skip


def scores(ws: Workspace, cid: str, bands: dict[int, tuple[str, float]],
           version: str = "test") -> None:  # fmt: skip
    insert(ws, "scores", [{"customer_id": cid, "model_version": version, "as_of": day(d),
                           "risk_band": band, "churn_probability": p}
                          for d, (band, p) in bands.items()])  # fmt: skip


def import_batch(ws: Workspace, batch_id: int, finished_days_before: float) -> int:
    """An import batch finished ``finished_days_before`` days before AS_OF (10:00 that day)."""
    done = at(finished_days_before, 10)
    insert(ws, "import_batches", [{"id": batch_id, "kind": "customers", "file_name": "x.csv",
                                   "checksum": "x", "rows_read": 1, "rows_loaded": 1,
                                   "rows_rejected": 0, "started_at": done,
                                   "finished_at": done}])  # fmt: skip
    return batch_id


def contracts(ws: Workspace, cid: str, bounds: list[tuple[int, int]],
              batch: int | None = None) -> None:  # fmt: skip
    """Back-to-back contracts (start, end in days before AS_OF), each renewing the one before;
    ``batch``: the import batch of the last one (None: not written by an import)."""
    rows = [{"contract_id": f"{cid}-{k}", "customer_id": cid, "start_date": day(start),
             "end_date": day(end), "renewed_from": f"{cid}-{k - 1}" if k else None,
             "import_batch_id": batch if k == len(bounds) - 1 else None}
            for k, (start, end) in enumerate(bounds)]  # fmt: skip
    insert(ws, "contracts", rows)


def rule(kind: str, rule_id: str | None = None, **params: Any) -> Rule:
    k = KINDS[kind]
    return Rule(rule_id or kind, kind, k.severity, k.playbook, {**k.defaults(), **params})
