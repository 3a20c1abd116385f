"""Hand-built worlds for the playbook tests: a few customers each placed so that we know who a
playbook must target, and what became of them."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from keepwise import Workspace
from keepwise.store import schema

D = dt.date(2026, 3, 2)  # the day of the runs
_ids = itertools.count(1)


def moment(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def days(n: int, base: dt.date = D) -> dt.date:
    """``n`` days after ``base`` (before it when negative)."""
    return base + dt.timedelta(days=n)


def insert(ws: Workspace, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        with ws.store.begin() as conn:
            conn.execute(sa.insert(schema.metadata.tables[table]), rows)


def customers(ws: Workspace, ids: list[str], *, owner: str = "E1", acquired: int = -700,
              **extra: Any) -> None:  # fmt: skip
    insert(ws, "customers", [{"customer_id": c, "name": f"Name {c}", "owner_id": owner,
                              "acquired_at": moment(days(acquired)), **extra} for c in ids])  # fmt: skip


def owners(ws: Workspace) -> None:
    insert(ws, "owners", [
        {"owner_id": "E1", "name": "Ann", "role": "sales", "active": True},
        {"owner_id": "E2", "name": "Bo", "role": "sales", "active": False,
         "left_at": moment(days(-60))},
        {"owner_id": "M1", "name": "Mei", "role": "manager", "active": True},
    ])  # fmt: skip


def status(ws: Workspace, cid: str, to: str, on: dt.date, reason: str | None = None) -> None:
    insert(ws, "status_events", [{"customer_id": cid, "occurred_at": moment(on, 10),
                                  "to_status": to, "reason": reason, "source": "import"}])  # fmt: skip


def order(ws: Workspace, cid: str, on: dt.date, amount: float = 100.0) -> None:
    insert(ws, "orders", [{"order_id": f"O{next(_ids)}", "customer_id": cid,
                           "ordered_at": moment(on), "amount": amount}])  # fmt: skip


def alert(ws: Workspace, cid: str, rule: str, as_of: dt.date) -> None:
    insert(ws, "alerts", [{"customer_id": cid, "rule": rule, "severity": "high",
                           "status": "open", "as_of": as_of, "opened_at": moment(as_of)}])  # fmt: skip


def playbook_file(ws: Workspace, name: str, text: str) -> Path:
    folder = ws.path / "playbooks"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def count(ws: Workspace, table: str, **where: Any) -> int:
    t = schema.metadata.tables[table]
    query = sa.select(sa.func.count()).select_from(t)
    for column, value in where.items():
        query = query.where(t.c[column] == value)
    with ws.store.begin() as conn:
        return int(conn.execute(query).scalar_one())
