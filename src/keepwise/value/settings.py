"""The ``[value]`` and ``[value.no_value]`` sections of ``keepwise.toml``.

```toml
[value]
horizon_months = 12          # predicted CLV horizon
discount_rate = 0.01         # per month
time_unit = "weeks"          # unit of the RFM summary the models are fitted on
transaction_model = "bgnbd"  # or "pareto_nbd": the repeat-purchase model of P(alive) and CLV
window_months = 12           # trailing window of revenue and profit contribution
margin = 0.3                 # gross margin of orders without a cost
ticket_cost = 0.0            # cost to serve per service ticket
followup_cost = 0.0          # cost to serve per follow-up (interaction)
tier_by = "predicted_clv"    # or "revenue" (trailing window)
tier_cutoffs = "quantile"    # or "absolute"
tier_high = 0.8              # quantile (or amount) at or above which a customer is "high"
tier_mid = 0.5               # ... "mid"; below it "low"
no_value_at_most = 0.0       # value at or below this: tier "no_value"
new_customer_days = 90       # acquired fewer days ago than this: tier "new" (0: no new tier)
rfm_high_score = 3           # an R/F/M score at or above this counts as high in the segments

[value.no_value]
grain = "quarter"            # month | quarter | year
periods = 2                  # N consecutive complete periods
orders_below = 1             # fewer orders than this in a period
spend_below = 1000.0         # less spend than this in a period
profit_below = 0.0           # less profit contribution than this in a period
p_alive_below = 0.2          # latest P(alive) below this; false switches a criterion off
```
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from keepwise._core.errors import ConfigError

TierBy = Literal["predicted_clv", "revenue"]
Cutoffs = Literal["quantile", "absolute"]
Grain = Literal["month", "quarter", "year"]


@dataclass(frozen=True)
class NoValueSettings:
    grain: Grain = "quarter"
    periods: int = 2
    orders_below: float | None = 1
    spend_below: float | None = 1000.0
    profit_below: float | None = 0.0
    p_alive_below: float | None = 0.2


@dataclass(frozen=True)
class ValueSettings:
    horizon_months: int = 12
    discount_rate: float = 0.01
    time_unit: Literal["days", "weeks"] = "weeks"
    transaction_model: Literal["bgnbd", "pareto_nbd"] = "bgnbd"
    window_months: int = 12
    margin: float = 0.3
    ticket_cost: float = 0.0
    followup_cost: float = 0.0
    tier_by: TierBy = "predicted_clv"
    tier_cutoffs: Cutoffs = "quantile"
    tier_high: float = 0.8
    tier_mid: float = 0.5
    no_value_at_most: float = 0.0
    new_customer_days: int = 90
    rfm_high_score: int = 3
    no_value: NoValueSettings = NoValueSettings()


_CHOICES: dict[str, tuple[str, ...]] = {
    "time_unit": ("days", "weeks"),
    "transaction_model": ("bgnbd", "pareto_nbd"),
    "tier_by": ("predicted_clv", "revenue"),
    "tier_cutoffs": ("quantile", "absolute"),
    "grain": ("month", "quarter", "year"),
}
_POSITIVE_INT = {"horizon_months", "window_months", "periods"}
_OPTIONAL = {"orders_below", "spend_below", "profit_below", "p_alive_below"}


def _bad(key: str, value: object, expected: str) -> ConfigError:
    return ConfigError("config.value", key=key, value=value, expected=expected)


def _check(prefix: str, name: str, value: Any, default: Any) -> Any:
    key = f"{prefix}.{name}"
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            raise _bad(key, value, " | ".join(f'"{c}"' for c in _CHOICES[name]))
        return value
    if value is False and name in _OPTIONAL:
        return None  # a no-value criterion switched off
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key, value, "a number")
    if name == "new_customer_days":
        if int(value) != value or value < 0:
            raise _bad(key, value, "a whole number >= 0")
        return int(value)
    if name in _POSITIVE_INT or name == "rfm_high_score":
        if int(value) != value or value < 1:
            raise _bad(key, value, "a whole number >= 1")
        return int(value)
    if name == "margin" and not 0 <= value <= 1:
        raise _bad(key, value, "0 <= margin <= 1")
    if name in ("ticket_cost", "followup_cost") and value < 0:
        raise _bad(key, value, ">= 0")
    if name == "discount_rate" and not -1 < value < 1:
        raise _bad(key, value, "-1 < rate < 1")
    if name == "p_alive_below" and not 0 < value < 1:
        raise _bad(key, value, "0 < p < 1")
    return float(value) if isinstance(default, float) else value


def _parse(cls: type, raw: dict[str, Any], prefix: str, skip: set[str]) -> dict[str, Any]:
    known = {f.name: f.default for f in fields(cls)}
    unknown = set(raw) - set(known) - skip
    if unknown:
        raise _bad(f"{prefix}.{sorted(unknown)[0]}", raw[sorted(unknown)[0]], "a known setting")
    return {
        name: _check(prefix, name, raw[name], default)
        for name, default in known.items()
        if name in raw and name not in skip
    }


def parse_value_settings(section: dict[str, Any]) -> ValueSettings:
    """Settings from the ``[value]`` table (a dict); missing keys take the defaults."""
    nv_raw = section.get("no_value", {})
    if not isinstance(nv_raw, dict):
        raise _bad("value.no_value", nv_raw, "a table")
    no_value = NoValueSettings(**_parse(NoValueSettings, nv_raw, "value.no_value", set()))
    settings = ValueSettings(
        **_parse(ValueSettings, section, "value", {"no_value"}), no_value=no_value
    )
    if settings.tier_cutoffs == "quantile" and not (
        0 < settings.tier_mid <= settings.tier_high < 1
    ):
        raise _bad("value.tier_high", settings.tier_high, "0 < tier_mid <= tier_high < 1")
    if settings.tier_mid > settings.tier_high:
        raise _bad("value.tier_mid", settings.tier_mid, "tier_mid <= tier_high")
    return settings
