"""Keepwise: open-source customer retention — churn KPIs, reasons, risk, value and playbooks.

The public names are imported on first use (PEP 562), so that ``import keepwise`` — and with it
every CLI command, ``keepwise --help`` included — does not pay for pandas, Ibis and SQLAlchemy.
"""

from __future__ import annotations

import importlib
import typing

__version__ = "0.1.0"

if typing.TYPE_CHECKING:
    from keepwise._core.config import WorkspaceConfig
    from keepwise._core.errors import KeepwiseError
    from keepwise.ingest import ImportResult
    from keepwise.workspace import Workspace

_LAZY = {
    "ImportResult": "keepwise.ingest",
    "KeepwiseError": "keepwise._core.errors",
    "Workspace": "keepwise.workspace",
    "WorkspaceConfig": "keepwise._core.config",
}

__all__ = ["ImportResult", "KeepwiseError", "Workspace", "WorkspaceConfig", "__version__"]


def __getattr__(name: str) -> typing.Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keepwise' has no attribute {name!r}")
