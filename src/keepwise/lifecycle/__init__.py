"""Customer lifecycle (客户生命周期): statuses active → at risk → churned / voided → won back as
events, the actions on them (void, churn, reactivate, revert; voids optionally approved by a
manager), owners (reassignment, departure) and the customer pool (公海). docs/lifecycle.md."""

from keepwise.lifecycle.records import ManagerCheck
from keepwise.lifecycle.settings import LIFECYCLE_KEYS, LifecycleSettings, parse_lifecycle_settings
from keepwise.lifecycle.status import change_status, refresh_statuses

__all__ = [
    "LIFECYCLE_KEYS",
    "LifecycleSettings",
    "ManagerCheck",
    "change_status",
    "parse_lifecycle_settings",
    "refresh_statuses",
]
