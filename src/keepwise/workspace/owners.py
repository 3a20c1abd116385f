"""``ws.owners``: account owners and the customer pool (docs/lifecycle.md) — an owner's
departure with the hand-over of their customers, and the pool (公海): customers not followed up
return to it, reps claim them, and what became of them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from keepwise._core.errors import ConfigError, PermissionDenied
from keepwise._core.i18n import register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.lifecycle import ManagerCheck
    from keepwise.lifecycle.owners import Departure, OwnerChange
    from keepwise.lifecycle.pool import PoolMember, PoolOutcome
    from keepwise.rules import Rule


register(
    {
        "owners.claim_for_self": {
            "zh": "销售代表只能为自己认领公海客户",
            "en": "A rep claims pool customers for themselves only",
        },
    }
)


class OwnersService(Service):
    def leave(
        self, owner_id: str, *, as_of: dt.date, actor: str, to: str | None = None,
        manager_check: ManagerCheck | None = None,
    ) -> Departure:  # fmt: skip
        """``owner_id`` leaves on ``as_of``: marked as left, their customers handed to ``to``
        or by round robin within region and segment, each change recorded, and the owner_left
        alert opened for those kept under the churn definition."""
        self.viewer.require("admin", "manager")
        from keepwise.churn import statuses
        from keepwise.lifecycle import owners
        from keepwise.lifecycle.records import check_manager, owner

        check_manager(manager_check, actor)
        self.ws.check_writable(as_of)
        with self.store.begin() as conn:
            owner(conn, owner_id)  # unknown: an error before any query
        s = statuses(self.ws.tables(), self.ws.config.churn, as_of)
        s = s.filter(s.kept, s.owner_id == owner_id).select("customer_id")
        kept = set(s.to_pyarrow().column("customer_id").to_pylist())
        at, now, rule = dt.datetime.combine(as_of, dt.time()), self.ws.now(), self._rule()
        return self.store.transact(lambda conn: owners.leave(
            conn, owner_id, at=at, actor=actor, to=to, kept=kept, rule=rule, now=now))  # fmt: skip

    def _rule(self) -> Rule | None:
        """The workspace's enabled owner_left rule (its severity and playbook), if any."""
        return next((r for r in self.ws.alerts.rules() if r.kind == "owner_left" and r.enabled),
                    None)  # fmt: skip

    # --- the customer pool ----------------------------------------------------------------------

    def _pool_days(self) -> int:
        import keepwise.lifecycle.pool  # noqa: F401  (its messages)

        days = self.ws.customers.settings().pool_after_days
        if days is None:
            raise ConfigError("lifecycle.pool_off")
        return days

    def pool_refresh(self, *, as_of: dt.date, actor: str) -> list[OwnerChange]:
        """Return the kept customers not followed up by their owner for ``pool_after_days``
        days before ``as_of`` to the pool, dated ``as_of``."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import pool

        days = self._pool_days()
        self.ws.check_writable(as_of)
        rows = pool.due(self.store.ibis(), self.ws.config.churn, as_of, days)
        at = dt.datetime.combine(as_of, dt.time())
        return self.store.transact(lambda conn: pool.return_to_pool(
            conn, rows, at=at, actor=actor, days=days))  # fmt: skip

    def pool(self) -> list[PoolMember]:
        """The customers in the pool, longest there first."""
        from keepwise.lifecycle import pool

        with self.store.begin() as conn:
            return pool.members(conn)

    def claim(
        self, customer_id: str, *, owner_id: str, at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> OwnerChange:  # fmt: skip
        """``owner_id`` takes a customer from the pool (at most ``pool_claim_limit`` held);
        ``actor``: who recorded it (the owner by default)."""
        if not self.viewer.sees_everyone and owner_id != self.viewer.owner_id:
            raise PermissionDenied("owners.claim_for_self")
        from keepwise.lifecycle import pool

        limit = self.ws.customers.settings().pool_claim_limit
        when = self.ws.customers.when(at)
        return self.store.transact(lambda conn: pool.claim(
            conn, customer_id, owner_id, at=when, actor=actor or owner_id,
            limit=limit))  # fmt: skip

    def pool_report(self, *, as_of: dt.date) -> list[PoolOutcome]:
        """Of the returns to the pool before ``as_of``: how many ordered again, were won back
        or were lost since; all, claimed later, not claimed."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import pool

        return pool.report(self.store.ibis(), self.ws.config.churn, as_of)
