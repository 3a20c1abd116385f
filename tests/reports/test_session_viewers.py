"""A report's session (``ws.session()``) shares the viewer's own tables: a rep's session holds
only their customers, and neither the workspace's session nor a rep's reaches another view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise.store import schema
from keepwise.workspace import Viewer

REP = Viewer("rep", role="rep", owner_id="O1")
MANAGER = Viewer("boss", role="manager")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws", lang="en")
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": f"C{i}", "name": f"c{i}", "owner_id": "O1" if i < 3 else "O2",
             "acquired_at": dt.datetime(2025, 1, 1)} for i in range(1, 6)])  # fmt: skip
    yield workspace
    workspace.close()


def _ids(ws: Workspace) -> list[str]:
    return sorted(ws.tables().customers.customer_id.execute())


def test_a_reps_session_holds_their_customers_only(ws: Workspace) -> None:
    rep = ws.as_user(REP)
    with rep.session():
        assert rep.in_session and _ids(rep) == ["C1", "C2"]
        # The same view's calls share the one set of tables.
        assert rep.tables() is rep.tables()
        # Another view, and the workspace itself, are not in the rep's session.
        manager = ws.as_user(MANAGER)
        assert not manager.in_session and not ws.in_session
        assert _ids(manager) == _ids(ws) == ["C1", "C2", "C3", "C4", "C5"]
    assert not rep.in_session and _ids(rep) == ["C1", "C2"]


def test_the_workspaces_session_does_not_reach_a_rep(ws: Workspace) -> None:
    with ws.session():
        rep = ws.as_user(REP)
        assert not rep.in_session and _ids(rep) == ["C1", "C2"]
        with rep.session():
            assert rep.tables() is not ws.tables() and _ids(rep) == ["C1", "C2"]
        assert _ids(ws) == ["C1", "C2", "C3", "C4", "C5"]
