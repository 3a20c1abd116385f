"""Customer status lifecycle: active → at risk → churned / voided → won back, as events."""

from keepwise.lifecycle.status import change_status, refresh_statuses

__all__ = ["change_status", "refresh_statuses"]
