"""Keepwise: open-source customer retention — churn KPIs, reasons, risk, value and playbooks."""

from keepwise._core.config import WorkspaceConfig
from keepwise._core.errors import KeepwiseError
from keepwise.ingest import ImportResult
from keepwise.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["ImportResult", "KeepwiseError", "Workspace", "WorkspaceConfig", "__version__"]
