"""A small demo company served by the API: trained, scored, value-scored, alerted, with one
user per role — an admin, a manager and two reps, each owning customers — and a logged-in
test client per user (bearer tokens; the session and CSRF tests log in themselves)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_support import Served, add_users, make_demo
from fastapi.testclient import TestClient

from keepwise import Workspace
from keepwise.api import create_app


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    ws = make_demo(tmp_path_factory.mktemp("api") / "ws")
    tokens, owners = add_users(ws)
    client = TestClient(create_app(ws), base_url="https://testserver")
    yield Served(ws, client, tokens, owners)
    ws.close()


@pytest.fixture(scope="session")
def demo_factory() -> Callable[..., Workspace]:
    return make_demo
