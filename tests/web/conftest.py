"""The dashboard served for real: a small demo company (trained, scored, value-scored,
alerted; two customers with hostile names), one user per role and two reps, the API and the
pages on one uvicorn server on a free loopback port, and Debian's Chromium driven by
Playwright (``scripts/system-deps.sh`` installs it: Playwright's own browser download is not
available everywhere)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from keepwise import Workspace
from keepwise._core import clock
from keepwise._core.config import DEFAULT_TIMEZONE
from keepwise.api import create_app
from keepwise.web import install

#: The demo company's history ends yesterday (in the workspace's zone): a current workspace,
#: where a change a user records today counts in the figures at once.
AS_OF = clock.now_in(DEFAULT_TIMEZONE).date()
PASSWORD = "correct-horse-9"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
CHROMIUM = "/usr/bin/chromium"
#: Without the networking flags Chromium keeps trying to reach the internet (FACTS.md).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
#: Screenshots of every page in both languages (gitignored).
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "web"


@dataclass
class Site:
    """The served workspace: its address, users' tokens and the reps' owners and customers."""

    url: str
    ws: Workspace
    tokens: dict[str, str]
    owners: dict[str, str]

    def api(self, user: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60,
                            headers={"Authorization": f"Bearer {self.tokens[user]}"})  # fmt: skip

    def get(self, user: str, path: str, **params: Any) -> Any:
        with self.api(user) as client:
            answer = client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _hostile_customers(ws: Workspace, owner: str, folder: Path) -> None:
    """Two customers of ``owner`` named like an attack, with an order each, imported through
    the normal path."""
    quoted = FORMULA.replace('"', '""')
    (folder / "hostile.csv").write_text(
        "customer_id,name,segment,region,channel,owner_id,acquired_at\n"
        f'X1,"{SCRIPT}",smb,north,web,{owner},2025-01-05\n'
        f'X2,"{quoted}",smb,south,web,{owner},2025-02-10\n',
        encoding="utf-8",
    )  # fmt: skip
    (folder / "hostile-orders.csv").write_text(
        "order_id,customer_id,ordered_at,amount\nXO1,X1,2026-09-15,120\nXO2,X2,2026-10-02,80\n",
        encoding="utf-8",
    )
    ws.imports.load("customers", folder / "hostile.csv", today=AS_OF)
    ws.imports.load("orders", folder / "hostile-orders.csv", today=AS_OF)


def _users(ws: Workspace) -> tuple[dict[str, str], dict[str, str]]:
    counts = ws.store.table("customers").owner_id.value_counts().execute()
    counts = counts.sort_values(counts.columns[1], ascending=False)
    first, second = (str(v) for v in counts.iloc[:2, 0])
    owners = {"rep_a": first, "rep_b": second}
    ws.users.add("admin", role="admin", password=PASSWORD, actor="test", lang="en")
    ws.users.add("manager", role="manager", password=PASSWORD, actor="test", lang="zh")
    for name, owner in owners.items():
        ws.users.add(name, role="rep", owner_id=owner, password=PASSWORD, actor="test", lang="zh")
    tokens = {n: ws.users.create_token(n, actor="test") for n in ("admin", "manager", *owners)}
    return tokens, owners


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn

    path = tmp_path_factory.mktemp("web") / "ws"
    ws = Workspace.init(path, lang="zh")
    ws.imports.load_demo(customers=250, seed=5, as_of=AS_OF)
    ws.close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write("\n[risk]\nsnapshots = 3\ncutoffs = [0.3, 0.6]\nsplits = 1\n")
    ws = Workspace.open(path)
    tokens, owners = _users(ws)
    _hostile_customers(ws, owners["rep_a"], path)
    ws.risk.train(AS_OF)
    ws.risk.score(AS_OF)
    ws.value.score(AS_OF)
    ws.alerts.run(AS_OF)
    ws.playbooks.run(AS_OF, actor="test")  # tasks and runs for the pages to show
    app = create_app(ws)
    install(app)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield Site(f"http://127.0.0.1:{port}", ws, tokens, owners)
    server.should_exit = True
    thread.join(timeout=30)
    ws.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments: Debian's Chromium, with the flags that keep it
    off the network."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
