"""Evaluate early-warning rules as of a date (按日期评估预警规则).

Each rule kind (:mod:`keepwise.rules.kinds`) is an Ibis expression over the canonical tables
that reads only rows dated strictly before ``as_of`` and returns one row per customer that
fires, with the numbers that fired it. Only customers kept at ``as_of`` (known then, and whose
status then under the workspace's churn definition is neither churned nor voided) are judged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables, statuses
from keepwise.rules.spec import Rule
from keepwise.store import Store

DAY_S = 86_400


@dataclass(frozen=True)
class Hit:
    """One customer for whom one rule fired, with the evidence (the numbers behind it)."""

    rule_id: str
    customer_id: str
    evidence: dict[str, Any]


class Context:
    """What every rule kind needs: the tables, the moment ``as_of`` and the active customers."""

    def __init__(self, store: Store, as_of: dt.date, churn: ChurnConfig) -> None:
        self.store = store
        self.as_of = as_of
        self.churn = churn
        self.t0 = dt.datetime.combine(as_of, dt.time())
        self._tables: dict[str, Any] = {}
        self._active: Any = None

    def table(self, name: str) -> Any:
        if name not in self._tables:
            self._tables[name] = self.store.table(name)
        return self._tables[name]

    def before(self, days: int) -> dt.datetime:
        """The moment ``days`` days before ``as_of`` (midnight)."""
        return self.t0 - dt.timedelta(days=days)

    def epoch(self, moment: dt.datetime) -> float:
        return (moment - dt.datetime(1970, 1, 1)).total_seconds()

    def active(self) -> Any:
        """Customers known at ``as_of`` whose status then, under the workspace's churn
        definition (:func:`keepwise.churn.statuses`), is neither churned nor voided: columns
        customer_id, owner_id, acquired_at (the acquisition day: the earlier of the CRM's date
        and the first order)."""
        if self._active is None:
            self._active = self._active_customers()
        return self._active

    def _active_customers(self) -> Any:
        s = statuses(Tables.from_backend(self.store.ibis()), self.churn, self.as_of)
        s = s.filter(s.kept)
        return s.select("customer_id", "owner_id", acquired_at=s.acq.cast("timestamp"))


KindFn = Callable[[Context, dict[str, Any]], Any]


def evaluate(
    store: Store,
    rules: Sequence[Rule],
    as_of: dt.date,
    *,
    churn: ChurnConfig,
    kinds: dict[str, KindFn] | None = None,
) -> list[Hit]:
    """The hits of every enabled rule as of ``as_of``, by rule then customer id."""
    from keepwise.rules.kinds import KIND_FUNCTIONS

    functions = kinds or KIND_FUNCTIONS
    ctx = Context(store, as_of, churn)
    hits: list[Hit] = []
    for rule in rules:
        if not rule.enabled:
            continue
        frame = functions[rule.kind](ctx, rule.params).order_by("customer_id").execute()
        evidence_cols = [c for c in frame.columns if c != "customer_id"]
        for row in frame.itertuples(index=False):
            values = row._asdict()
            evidence = {c: plain(values[c]) for c in evidence_cols}
            hits.append(Hit(rule.id, str(values["customer_id"]), evidence))
    return hits


def plain(value: object) -> object:
    """A JSON-ready Python value: numpy numbers to int/float, NaN/NaT to None, dates to ISO."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        try:
            if value != value:  # NaT
                return None
        except TypeError:
            pass
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 10 else text
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        return value
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return None
    if number.is_integer() and "int" in type(value).__name__:
        return int(number)
    return round(number, 6)  # single-precision columns: 0.056, not 0.0560000017
