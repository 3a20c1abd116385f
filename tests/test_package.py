"""The public surface: every name in ``__all__`` exists and every public name is listed
(httpx style), and the layering contracts hold (import-linter)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PUBLIC_PACKAGES = ["keepwise", "keepwise.models", "keepwise.ingest", "keepwise.store"]


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_all_is_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported)
    public = {
        n for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, type(module)) and n != "annotations"
    }  # fmt: skip
    assert public <= exported | {"__version__"}, f"not in __all__: {public - exported}"


def test_layering_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "broken" in done.stdout and "0 broken" in done.stdout
