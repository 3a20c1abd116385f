"""The tables the value domain reads, as Ibis tables of any backend."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import ibis.expr.types as ir


@dataclass(frozen=True)
class ValueTables:
    customers: ir.Table
    orders: ir.Table
    tickets: ir.Table
    interactions: ir.Table
    status_events: ir.Table
    scores: ir.Table

    @classmethod
    def from_backend(cls, con: Any) -> ValueTables:
        """The tables of the same names in an Ibis backend."""
        return cls(**{f.name: con.table(f.name) for f in fields(cls)})
