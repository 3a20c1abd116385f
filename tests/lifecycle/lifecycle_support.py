"""A small hand-built company for the lifecycle tests, as of 2024-07-01 (data January-June).

Owners A, B, C, D, F are with the company; E left on 2023-12-01. Customers (acquired
2024-01-01, ordering 100 on the 10th of every month January-June):

========  =====  ======  =======  ==========================================
customer  owner  region  segment  notes
========  =====  ======  =======  ==========================================
N1 N2 N3  A      north   smb      N3 churned on 2024-04-15 (imported event)
S1        A      south   smb
X1        A      west    ent
Y1        A      east    retail   retail infers churn after 30 days without an order
B1        B      north   smb
F1        F      north   smb
C1        C      south   smb
D1        D      south   ent
========  =====  ======  =======  ==========================================
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cli_support import cli as run_cli
from keepwise import Workspace
from keepwise.store import schema

AS_OF = dt.date(2024, 7, 1)
START = dt.date(2024, 1, 1)
ACQUIRED = dt.datetime(2024, 1, 1)
OWNERS = ("A", "B", "C", "D", "F")
CUSTOMERS: dict[str, tuple[str, str, str]] = {
    "N1": ("A", "north", "smb"), "N2": ("A", "north", "smb"), "N3": ("A", "north", "smb"),
    "S1": ("A", "south", "smb"), "X1": ("A", "west", "ent"), "Y1": ("A", "east", "retail"),
    "B1": ("B", "north", "smb"), "F1": ("F", "north", "smb"), "C1": ("C", "south", "smb"),
    "D1": ("D", "south", "ent"),
}  # fmt: skip
CHURN_TOML = '\n[churn.segments.retail]\nmode = "inactivity"\ninactivity_days = 30\n'


def insert(ws: Workspace, table: str, rows: list[dict[str, Any]]) -> None:
    with ws.store.begin() as conn:
        conn.execute(sa.insert(schema.metadata.tables[table]), rows)


def build(ws: Workspace) -> Workspace:
    """The company in ``ws``; returns the workspace reopened with the retail churn rule."""
    insert(ws, "owners", [{"owner_id": o, "name": f"Owner {o}", "active": True, "left_at": None}
                          for o in OWNERS]
           + [{"owner_id": "E", "name": "Owner E", "active": False,
               "left_at": dt.datetime(2023, 12, 1)}])  # fmt: skip
    insert(ws, "customers", [
        {"customer_id": cid, "name": f"Customer {cid}", "owner_id": owner, "region": region,
         "segment": segment, "acquired_at": ACQUIRED}
        for cid, (owner, region, segment) in CUSTOMERS.items()
    ])  # fmt: skip
    insert(ws, "orders", [
        {"order_id": f"{cid}-{m}", "customer_id": cid, "ordered_at": dt.datetime(2024, m, 10, 9),
         "amount": 100.0}
        for cid in CUSTOMERS for m in range(1, 7)
    ])  # fmt: skip
    insert(ws, "status_events", [
        {"customer_id": "N3", "occurred_at": dt.datetime(2024, 4, 15, 10), "to_status": "churned",
         "from_status": "active", "reason": "price", "source": "import"}
    ])  # fmt: skip
    with ws.store.begin() as conn:
        conn.exec_driver_sql("UPDATE customers SET status = 'churned' WHERE customer_id = 'N3'")
    path, url = ws.path, ws.config.database_url
    ws.close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(CHURN_TOML)
    reopened = Workspace.open(path)
    assert reopened.config.database_url == url
    return reopened


def configure(ws: Workspace, text: str) -> Workspace:
    """Add ``text`` (a [lifecycle] section) to keepwise.toml and reopen the workspace."""
    path = ws.path
    ws.close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write("\n" + text + "\n")
    return Workspace.open(path)


def rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with ws.store.begin() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).all()]


def cli(capsys: pytest.CaptureFixture[str], folder: Path, *args: str,
        lang: str = "en") -> tuple[int, str, str]:  # fmt: skip
    """``keepwise -w FOLDER --lang LANG ARGS``: (exit code, out, err)."""
    return run_cli(capsys, "-w", str(folder), "--lang", lang, *args)


def cli_json(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> Any:
    code, out, err = cli(capsys, folder, *args, "--json")
    assert code == 0, err
    return json.loads(out)
