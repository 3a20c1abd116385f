"""Fixtures of the lifecycle tests: the hand-built company on every backend, or on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_support import build

from keepwise import Workspace


@pytest.fixture
def company(workspace: Workspace) -> Iterator[Workspace]:
    """The company of lifecycle_support on DuckDB and on PostgreSQL."""
    ws = build(workspace)
    yield ws
    ws.close()


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Workspace]:
    """The company on DuckDB only."""
    ws = build(Workspace.init(tmp_path / "ws", lang="en"))
    yield ws
    ws.close()
