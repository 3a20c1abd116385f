"""A small workspace written from CSV text through the normal import path: a handful of
customers (some with hostile names), their orders and status events, and an admin, a
manager and a rep (owner O1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from keepwise import Workspace

AS_OF = dt.date(2024, 7, 1)
PASSWORD = "correct-horse-9"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'

CUSTOMERS = f"""customer_id,name,segment,region,channel,owner_id,acquired_at
C1,"{SCRIPT}",smb,north,web,O1,2023-01-05
C2,"{FORMULA.replace('"', '""')}",smb,south,web,O1,2023-02-10
C3,Plain & Co,ent,north,partner,O2,2023-03-01
C4,+cmd|' /C calc'!A0,ent,south,partner,O2,2023-03-15
C5,Keeper Ltd,smb,north,web,O1,2023-04-01
"""
ORDERS = (
    "order_id,customer_id,ordered_at,amount\n"
    + "\n".join(
        f"O{c}{m},{c},2023-{m:02d}-15,{100 * (i + 1)}"
        for i, c in enumerate(["C1", "C2", "C3", "C4", "C5"])
        for m in range(5, 13)
    )
    + "\n"
    + "\n".join(f"P{c}{m},{c},2024-{m:02d}-10,50" for c in ("C1", "C3", "C5") for m in range(1, 7))
    + "\n"
)
EVENTS = """customer_id,occurred_at,to_status,reason
C2,2024-03-02,churned,price
C4,2024-04-20,voided,duplicate
"""


def make_small(path: Path, db_url: str | None = None) -> Workspace:
    ws = Workspace.init(path, db_url=db_url, lang="en")
    files = {"customers": CUSTOMERS, "orders": ORDERS, "status-events": EVENTS}
    for kind, text in files.items():
        file = path / f"{kind}.csv"
        file.write_text(text, encoding="utf-8")
        ws.imports.load(kind, file, today=AS_OF)
    ws.users.add("admin", role="admin", password=PASSWORD, actor="test")
    ws.users.add("manager", role="manager", password=PASSWORD, actor="test")
    ws.users.add("rep", role="rep", owner_id="O1", password=PASSWORD, actor="test")
    return ws
