"""Fixtures of the playbook tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from keepwise import Workspace


@pytest.fixture
def make_ws(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """Fresh workspaces on DuckDB (``db_url`` for another backend)."""
    opened: list[Workspace] = []

    def make(name: str = "ws", db_url: str | None = None) -> Workspace:
        ws = Workspace.init(tmp_path / name, db_url=db_url, lang="en")
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()
