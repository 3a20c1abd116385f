"""The ``[lifecycle]`` section of ``keepwise.toml`` (docs/lifecycle.md).

```toml
[lifecycle]
void_needs_approval = false  # true: a void waits as a request until a manager approves it
pool_after_days = 90         # customers not followed up by their owner for this many days
                             # return to the customer pool (公海); absent: no pool
pool_claim_limit = 20        # a rep holds at most this many customers claimed from the pool
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keepwise._core.config import check_keys
from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Text, register

register(
    {
        "lifecycle.expect.bool": {"zh": "true 或 false", "en": "true or false"},
        "lifecycle.expect.whole": {"zh": "大于或等于 1 的整数", "en": "a whole number >= 1"},
    }
)

LIFECYCLE_KEYS = ("void_needs_approval", "pool_after_days", "pool_claim_limit")


@dataclass(frozen=True)
class LifecycleSettings:
    void_needs_approval: bool = False
    #: None: the customer pool is off.
    pool_after_days: int | None = None
    pool_claim_limit: int = 20


def parse_lifecycle_settings(raw: dict[str, Any]) -> LifecycleSettings:
    """The settings of ``[lifecycle]``: unknown keys and bad values are ConfigErrors."""
    check_keys(raw, "lifecycle", LIFECYCLE_KEYS)
    approval = raw.get("void_needs_approval", False)
    if not isinstance(approval, bool):
        raise ConfigError("config.value", key="lifecycle.void_needs_approval", value=approval,
                          expected=Text("lifecycle.expect.bool"))  # fmt: skip
    pool_days = raw.get("pool_after_days")
    if pool_days is not None:
        pool_days = _whole(raw, "pool_after_days")
    return LifecycleSettings(
        void_needs_approval=approval,
        pool_after_days=pool_days,
        pool_claim_limit=_whole(raw, "pool_claim_limit", 20),
    )


def _whole(raw: dict[str, Any], key: str, default: int | None = None) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError("config.value", key=f"lifecycle.{key}", value=value,
                          expected=Text("lifecycle.expect.whole"))  # fmt: skip
    return value
