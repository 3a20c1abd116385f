"""A small demo company shared by the churn-risk tests (trained and scored once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from keepwise import Workspace

AS_OF = dt.date(2026, 11, 1)


def make_demo(path: Path, customers: int, seed: int = 1) -> Workspace:
    ws = Workspace.init(path, lang="en")
    ws.imports.load_demo(customers=customers, seed=seed, as_of=AS_OF)
    ws.close()
    # Four training snapshots keep the suite quick; the default is six. The demo's 90-day
    # churn risk is low (mean about 4 %), so low cutoffs put customers in every band.
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write("\n[risk]\nsnapshots = 4\ncutoffs = [0.1, 0.3]\n")
    return Workspace.open(path)


@pytest.fixture(scope="session")
def demo_factory() -> Callable[..., Workspace]:
    """``make_demo`` as a fixture (test modules here are not a package)."""
    return make_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = make_demo(tmp_path_factory.mktemp("risk") / "demo", customers=800)
    yield ws
    ws.close()
