"""What the API tests share (a module of its own name: ``conftest`` is a name every test folder
has, and the first one imported would win): the demo company the API serves, its users, the
clients."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from keepwise import Workspace

AS_OF = dt.date(2026, 11, 1)
PASSWORD = "correct-horse-9"


@dataclass
class Served:
    """The served workspace, its users' tokens, and the two reps' owners."""

    ws: Workspace
    client: TestClient
    tokens: dict[str, str]
    owners: dict[str, str]

    def as_(self, user: str | None) -> TestClient:
        """The app's client with ``user``'s token (None: no credentials)."""
        client = TestClient(self.client.app, base_url="https://testserver")
        if user is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return client


def make_demo(path: Path, customers: int = 400, *, models: bool = True) -> Workspace:
    ws = Workspace.init(path, lang="en")
    ws.imports.load_demo(customers=customers, seed=3, as_of=AS_OF)
    ws.close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(
            "\n[risk]\nsnapshots = 3\ncutoffs = [0.3, 0.6]\nsplits = 1\n"
            "\n[lifecycle]\npool_after_days = 90\npool_claim_limit = 2\n"
        )
    ws = Workspace.open(path)
    if models:
        ws.risk.train(AS_OF)
        ws.risk.score(AS_OF)
        ws.value.score(AS_OF)
        ws.alerts.run(AS_OF)
    return ws


def add_users(ws: Workspace) -> tuple[dict[str, str], dict[str, str]]:
    """admin, manager, rep_a, rep_b (owners: the two owners with most customers)."""
    counts = ws.store.table("customers").owner_id.value_counts().execute()
    counts = counts.sort_values(counts.columns[1], ascending=False)
    first, second = (str(v) for v in counts.iloc[:2, 0])
    owners = {"rep_a": first, "rep_b": second}
    for name, role in (("admin", "admin"), ("manager", "manager")):
        ws.users.add(name, role=role, password=PASSWORD, actor="test")
    for name, owner in owners.items():
        ws.users.add(name, role="rep", owner_id=owner, password=PASSWORD, actor="test", lang="en")
    tokens = {n: ws.users.create_token(n, actor="test") for n in ("admin", "manager", *owners)}
    return tokens, owners
