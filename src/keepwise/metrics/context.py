"""What one KPI request shares: the tables, ``as_of``, the periods and the churn definition,
with the Ibis expressions every KPI family builds on (built once, lazily)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.churn.timeline import intervals, timeline
from keepwise.metrics import periods as pr
from keepwise.metrics.tables import DIMENSIONS, Tables, customer_base

register(
    {
        "metrics.bad_dimension": {
            "zh": "未知的维度 {dimension}；可用：{dimensions}",
            "en": "Unknown dimension {dimension}; use one of {dimensions}",
        },
    }
)

_UNITS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
#: Days after a follow-up within which an order counts as a win-back (winback_rate).
DEFAULT_WINBACK_DAYS = 90


def check_dimension(by: str | None) -> str | None:
    if by is not None and by not in DIMENSIONS:
        raise InputError("metrics.bad_dimension", dimension=by, dimensions=", ".join(DIMENSIONS))
    return by


@dataclass
class Context:
    tables: Tables
    as_of: dt.date
    grain: pr.Grain
    periods: list[pr.Period]
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    by: str | None = None
    winback_days: int = DEFAULT_WINBACK_DAYS
    #: Keep the shared intermediate results (customers, timeline) in temporary tables: every
    #: KPI family reads them, and Spark would otherwise recompute them in every reference.
    materialize: bool = True
    #: Whether the periods are whole periods of the grain (then a day's period is found by
    #: truncating it, an equality join, rather than by a range join).
    aligned: bool = True
    _cleanup: list[Callable[[], object]] = field(default_factory=list, repr=False)

    @classmethod
    def make(
        cls,
        tables: Tables,
        *,
        as_of: dt.date,
        grain: str = "month",
        start: dt.date | None = None,
        end: dt.date | None = None,
        by: str | None = None,
        churn: ChurnConfig | None = None,
        winback_days: int = DEFAULT_WINBACK_DAYS,
        trailing: bool = False,
    ) -> Context:
        """``trailing``: one window, the ``grain`` before ``as_of`` (e.g. the last 12 months),
        instead of whole calendar periods."""
        g = pr.check_grain(grain)
        if trailing:
            items = [pr.trailing(g, as_of)]
        else:
            items = pr.periods(g, as_of=as_of, start=start, end=end)
        return cls(tables, as_of, g, items, churn or ChurnConfig(), check_dimension(by),
                   winback_days, aligned=not trailing)  # fmt: skip

    @property
    def dim_column(self) -> str | None:
        return DIMENSIONS[self.by] if self.by else None

    def dim(self, t: ir.Table) -> ir.StringValue:
        """The cut's value on a table carrying the customer dimensions (null when uncut)."""
        col = self.dim_column
        return t[col].cast("string") if col else ibis.null("string")

    @cached_property
    def period_table(self) -> ir.Table:
        return self.small_table(pr.period_frame(self.periods, self.grain))

    @cached_property
    def flags(self) -> ir.Table:
        """Per customer and period: the status events in it (see grid.period_flags)."""
        from keepwise.metrics.grid import period_flags

        return self.keep(period_flags(self))

    def in_periods(self, t: ir.Table, day_column: str, periods: ir.Table | None = None) -> ir.Table:
        """The rows of ``t`` whose ``day_column`` (a date) falls in a period, with the period's
        columns (``periods``: the request's periods unless given)."""
        p = self.period_table if periods is None else periods
        if self.aligned:
            t = t.mutate(kw_bucket=t[day_column].truncate(_UNITS[self.grain]).cast("date"))
            return t.join(p, t.kw_bucket == p.period_start).drop("kw_bucket")
        return t.join(p, [t[day_column] >= p.period_start, t[day_column] < p.period_end])

    def small_table(self, frame: pd.DataFrame) -> ir.Table:
        """A few rows of dates and integers (periods, windows) as a table on the backend."""
        con = self.tables.backend
        if not self.materialize or con is None or frame.empty:
            return ibis.memtable(frame)
        return _values_table(con, frame, self._cleanup)

    @cached_property
    def base(self) -> ir.Table:
        return self._shared("base", lambda: customer_base(self.tables, self.as_of))

    @cached_property
    def events(self) -> ir.Table:
        return self._shared(
            "events", lambda: timeline(self.tables, self.base, self.churn, self.as_of)
        )

    @cached_property
    def spans(self) -> ir.Table:
        return self._shared("spans", lambda: intervals(self.events))

    def _shared(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """A result that depends only on the tables, as_of and the churn definition: kept in
        the Tables for later calls when they allow it (Tables.keep), else for this request."""
        return self._in_session(f"{name}|{self.as_of}|{self.churn!r}", build, self.keep)

    def reused(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """A result bound to this request's periods, kept for later calls over the same
        periods when the Tables allow it (uncut and cut reports share every customer fact;
        only their last grouping differs); otherwise the expression itself, inlined."""
        key = f"{name}|{self.as_of}|{self.churn!r}|{self.grain}|{self.aligned}|{self.periods!r}"
        return self._in_session(key, build, lambda expr: expr)

    def _in_session(
        self,
        key: str,
        build: Callable[[], ir.Table],
        otherwise: Callable[[ir.Table], ir.Table],
    ) -> ir.Table:
        """``build()`` kept under ``key`` in the Tables' session (Tables.keep), or handed to
        ``otherwise`` when the Tables keep nothing."""
        t = self.tables
        if not t.keep or t.backend is None or not self.materialize:
            return otherwise(build())
        if key not in t._kept:
            t._kept[key] = _materialize(t.backend, build(), t._release)
        return t._kept[key]  # type: ignore[no-any-return]

    def with_periods(self, items: list[pr.Period]) -> Context:
        """The same request over other periods, sharing the customers and the timeline."""
        other = dataclasses.replace(self, periods=items, aligned=False)
        for name in ("base", "events", "spans"):  # not the period-bound tables
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    def keep(self, expr: ir.Table) -> ir.Table:
        """``expr`` computed once into a temporary table (dropped by :meth:`close`)."""
        con = self.tables.backend
        if not self.materialize or con is None:
            return expr
        return _materialize(con, expr, self._cleanup)

    def close(self) -> None:
        while self._cleanup:
            self._cleanup.pop()()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _materialize(con: Any, expr: ir.Table, cleanup: list[Callable[[], object]]) -> ir.Table:
    """``expr`` computed once into a temporary table of the backend, dropped at cleanup. Not
    Ibis's ``cache()`` on SQL backends: it shares one table among equal expressions, so one
    request's release would drop another's (sqlglot is pinned below 30.18, whose DDL for
    DuckDB Ibis 12 cannot use)."""
    if con.name == "pyspark":
        cached = expr.cache()
        cleanup.append(cached.release)
        return cached
    name = f"kw_tmp_{uuid.uuid4().hex[:12]}"
    table = con.create_table(name, expr, temp=True)
    cleanup.append(lambda: con.drop_table(name, force=True))
    return table


def _values_table(con: Any, frame: pd.DataFrame, cleanup: list[Callable[[], object]]) -> ir.Table:
    """A temporary table (a view on Spark) holding ``frame``, written as SQL literals: an
    in-memory table could not be referenced by the SQL that materializes other results."""
    name = f"kw_tmp_{uuid.uuid4().hex[:12]}"
    rows = ", ".join(
        "(" + ", ".join(_sql_literal(v) for v in row) + ")" for row in frame.itertuples(index=False)
    )
    columns = ", ".join(frame.columns)
    if con.name == "pyspark":
        _run(con, f"CREATE OR REPLACE TEMPORARY VIEW {name} AS "
                  f"SELECT * FROM VALUES {rows} AS t({columns})")  # fmt: skip
        cleanup.append(lambda: _run(con, f"DROP VIEW IF EXISTS {name}"))
    else:
        _run(con, f"CREATE TEMPORARY TABLE {name} AS "
                  f"SELECT * FROM (VALUES {rows}) AS t({columns})")  # fmt: skip
        cleanup.append(lambda: _run(con, f"DROP TABLE IF EXISTS {name}"))
    return con.table(name)


def _sql_literal(value: object) -> str:
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    raise TypeError(f"not a date or an integer: {value!r}")


def _run(con: Any, sql: str) -> None:
    result = con.raw_sql(sql)
    if con.name == "postgres":  # a cursor; DuckDB returns its connection, which must stay open
        result.close()
