"""``ws.directory``: finding customers and the customer 360 view — search, filters and pages
over the customers the viewer may see, and everything known of one customer (profile, status
under the churn definition and its history, orders, follow-ups, tickets, surveys, scores over
time, alerts and tasks)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.store import schema
from keepwise.workspace.core import Service

register(
    {
        "directory.bad_sort": {
            "zh": "无法按 {sort} 排序（可用：{known}）",
            "en": "Cannot sort by {sort} (use {known})",
        },
    }
)

#: The filters of :meth:`DirectoryService.search`: customer columns compared for equality.
FILTERS = ("segment", "industry", "region", "channel", "owner_id")
SORTS = ("customer_id", "name", "acquired_at", "segment", "region", "owner_id")
PROFILE = ("customer_id", "name", "segment", "industry", "region", "channel", "owner_id",
           "acquired_at", "contract_end", "birthday", "acquisition_cost")  # fmt: skip


@dataclass(frozen=True)
class CustomerPage:
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset,
                "items": self.items}  # fmt: skip


def _like(text: str) -> str:
    """A substring pattern with LIKE's own characters taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class DirectoryService(Service):
    def search(
        self, *, q: str | None = None, filters: dict[str, str | None] | None = None,
        sort: str = "customer_id", descending: bool = False, limit: int = 50, offset: int = 0,
    ) -> CustomerPage:  # fmt: skip
        """Customers whose id or name contains ``q`` (any case), equal to ``filters`` on the
        :data:`FILTERS` columns, a page of them in ``sort`` order, with their latest scores."""
        if sort not in SORTS:
            raise InputError("directory.bad_sort", sort=sort, known=", ".join(SORTS))
        c = schema.customers
        where = []
        if q:
            pattern = _like(q.lower())
            where.append(sa.or_(sa.func.lower(c.c.customer_id).like(pattern, escape="\\"),
                                sa.func.lower(c.c.name).like(pattern, escape="\\")))  # fmt: skip
        for column, value in (filters or {}).items():
            if column in FILTERS and value is not None:
                where.append(c.c[column] == value)
        scope = self.viewer.owner_scope
        if scope is not None:
            where.append(c.c.owner_id == scope)
        order = c.c[sort].desc() if descending else c.c[sort].asc()
        query = (sa.select(*(c.c[k] for k in PROFILE)).where(*where)
                 .order_by(order, c.c.customer_id)
                 .limit(sa.literal(int(limit), literal_execute=True))
                 .offset(sa.literal(int(offset), literal_execute=True)))  # fmt: skip
        with self.store.begin() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(c).where(*where)
            ).scalar_one()
            items = [dict(r) for r in conn.execute(query).mappings()]
            latest = self._latest_scores(conn, [i["customer_id"] for i in items])
        for item in items:
            item.update(latest.get(item["customer_id"], {}))
        return CustomerPage(int(total), limit, offset, items)

    def profile(self, customer_id: str, *, as_of: dt.date, limit: int = 50) -> dict[str, Any]:
        """Everything known of one customer (the last ``limit`` of each kind of record)."""
        self.check_customer(customer_id)
        c = schema.customers
        with self.store.begin() as conn:
            row = conn.execute(sa.select(c).where(c.c.customer_id == customer_id)).mappings().one()
            out: dict[str, Any] = {"profile": {k: row[k] for k in PROFILE}}
            out["owner"] = self._owner(conn, row["owner_id"])
            orders = self._all(conn, schema.orders, customer_id, "ordered_at")
            live = [o for o in orders if not o["cancelled"]]
            out["order_totals"] = {
                "orders": len(live), "revenue": float(sum(o["amount"] for o in live)),
                "first_order": live[-1]["ordered_at"] if live else None,
                "last_order": live[0]["ordered_at"] if live else None,
            }  # fmt: skip
            out["orders"] = orders[:limit]
            for key, table, when in (
                ("status_history", schema.status_events, "occurred_at"),
                ("interactions", schema.interactions, "occurred_at"),
                ("tickets", schema.tickets, "opened_at"),
                ("surveys", schema.surveys, "answered_at"),
                ("contracts", schema.contracts, "start_date"),
                ("tasks", schema.tasks, "created_at"),
            ):
                out[key] = self._all(conn, table, customer_id, when)[:limit]
            out["scores"] = self._scores(conn, customer_id, limit)
        out["status"] = self.status(customer_id, as_of)
        out["alerts"] = [
            a.to_dict() for a in self.ws.alerts.find(customer=customer_id, limit=limit)
        ]
        out["as_of"] = as_of
        return out

    def status(self, customer_id: str, as_of: dt.date) -> dict[str, Any]:
        """The customer's status at ``as_of`` under the workspace's churn definition (the one
        every KPI reads): ``status``, ``status_since``, ``kept`` (None before acquisition).
        Read from the stored statuses of every customer (``ws.results``), computed once per
        data version."""
        self.check_customer(customer_id)
        found = self.ws.results.get("statuses", {"as_of": as_of.isoformat()}, unscoped=True)
        status, since, kept = found.payload.get(customer_id, (None, None, None))
        return {"status": status, "status_since": since, "kept": kept}

    def scores(self, customer_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The customer's score rows, the latest first (drivers parsed)."""
        self.check_customer(customer_id)
        with self.store.begin() as conn:
            return self._scores(conn, customer_id, limit)

    # --- inside ---------------------------------------------------------------------------

    @staticmethod
    def _all(
        conn: sa.Connection, table: sa.Table, customer_id: str, when: str
    ) -> list[dict[str, Any]]:
        """The customer's rows of ``table``, newest first. The query is the plain equality
        (no ORDER BY, LIMIT or other condition), which an index on ``customer_id`` answers
        on PostgreSQL and DuckDB alike (DuckDB's planner leaves its index for a scan as soon
        as the query sorts or limits); a customer's rows are few."""
        query = sa.select(table).where(table.c.customer_id == customer_id)
        rows = [dict(r) for r in conn.execute(query).mappings()]
        oldest = dt.datetime.min
        rows.sort(key=lambda r: _sortable(r[when], oldest), reverse=True)
        return rows

    @staticmethod
    def _owner(conn: sa.Connection, owner_id: str | None) -> dict[str, Any] | None:
        if owner_id is None:
            return None
        o = schema.owners
        row = conn.execute(sa.select(o).where(o.c.owner_id == owner_id)).mappings().first()
        return dict(row) if row else {"owner_id": owner_id}

    @staticmethod
    def _scores(conn: sa.Connection, customer_id: str, limit: int) -> list[dict[str, Any]]:
        s = schema.scores
        rows = [dict(r) for r in conn.execute(sa.select(s).where(s.c.customer_id == customer_id))
                .mappings()]  # fmt: skip
        rows.sort(key=lambda r: (r["as_of"], r["id"]), reverse=True)
        for item in rows:
            item["drivers"] = json.loads(item["drivers"]) if item["drivers"] else None
        return rows[:limit]

    @staticmethod
    def _latest_scores(conn: sa.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Per customer, the latest churn probability and band, and the latest value tier and
        predicted CLV (they come from different runs)."""
        if not ids:
            return {}
        s = schema.scores
        cols = ("churn_probability", "risk_band", "value_tier", "predicted_clv")
        query = (sa.select(s.c.customer_id, *(s.c[k] for k in cols))
                 .where(s.c.customer_id.in_(ids)).order_by(s.c.as_of, s.c.id))  # fmt: skip
        out: dict[str, dict[str, Any]] = {i: dict.fromkeys(cols) for i in ids}
        for r in conn.execute(query).mappings():
            for k in cols:
                if r[k] is not None:
                    out[r["customer_id"]][k] = r[k]
        return out


def _sortable(value: Any, oldest: dt.datetime) -> dt.datetime:
    """Dates and times as one comparable type (a missing one sorts oldest)."""
    if value is None:
        return oldest
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())
