from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from keepwise import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.init(tmp_path / "ws", lang="en")
    yield w
    w.close()
