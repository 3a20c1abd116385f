"""``ws.customers``: one customer's lifecycle (docs/lifecycle.md) — the profile at a glance, void
(with a manager's approval when ``[lifecycle] void_needs_approval``), churn, reactivate, revert,
reassign and the history. Each change is a status event or an owner change, audited, in one
transaction; an error changes nothing.

Every method works for the workspace's viewer (docs/api.md, "Roles"): a rep acts only on the
customers they own (another's is not found); approvals and reassignments need the manager or
admin role. ``manager_check`` (keepwise.lifecycle.ManagerCheck) is a further check
a caller may pass."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.lifecycle import LifecycleSettings, ManagerCheck
    from keepwise.lifecycle.actions import StatusChange
    from keepwise.lifecycle.approvals import StatusRequest
    from keepwise.lifecycle.owners import OwnerChange


register(
    {
        "customers.future_at": {
            "zh": "时间 {at} 在未来（现在是 {now}）：只能记录已经发生的变更",
            "en": "{at} is in the future (it is now {now}): only what has happened is recorded",
        },
    }
)


class CustomersService(Service):
    def settings(self) -> LifecycleSettings:
        """The ``[lifecycle]`` section of keepwise.toml."""
        from keepwise.lifecycle import parse_lifecycle_settings

        return parse_lifecycle_settings(self.ws.config.section("lifecycle"))

    def when(self, at: dt.datetime | None) -> dt.datetime:
        """The time of a change: now (in the workspace's zone), or ``at`` (converted to that
        zone when it has one), never in the future."""
        now = self.ws.now()
        if at is None:
            return now
        if at.tzinfo is not None:  # a moment given with its zone: as stored, in the workspace's
            from zoneinfo import ZoneInfo

            at = at.astimezone(ZoneInfo(self.ws.config.timezone)).replace(tzinfo=None)
        if at > now:
            raise InputError("customers.future_at", at=at.isoformat(sep=" ", timespec="minutes"),
                             now=now.isoformat(sep=" ", timespec="minutes"))  # fmt: skip
        return at

    # --- reading ------------------------------------------------------------------------------

    def show(self, customer_id: str, *, as_of: dt.date | None = None) -> dict[str, Any]:
        """Profile, status under the churn definition as of ``as_of`` (default: the workspace's
        default as-of), history, latest scores, open alerts, open tasks, pending requests."""
        self.check_scope(customer_id)
        from keepwise.churn import statuses
        from keepwise.lifecycle import approvals, profile
        from keepwise.lifecycle.actions import one_customer

        with self.store.begin() as conn:
            out: dict[str, Any] = {"customer": profile.profile(conn, customer_id)}
            history = profile.history(conn, customer_id)
            scores = profile.latest_scores(conn, customer_id)
            alerts = profile.open_alerts(conn, customer_id)
            tasks = profile.open_tasks(conn, customer_id)
            requests = approvals.find(conn, customer_id=customer_id)
        day = as_of or self.ws.default_as_of()
        s = statuses(one_customer(self.ws.tables(), customer_id), self.ws.config.churn, day)
        rows = s.select("status", "status_since", "kept").to_pyarrow().to_pylist()
        out["status"] = {"as_of": day, **(rows[0] if rows else
                         {"status": None, "status_since": None, "kept": None})}  # fmt: skip
        out.update(history=history, churn_score=scores["churn"], value_score=scores["value"],
                   alerts=alerts, tasks=tasks,
                   pending_requests=[r.to_dict() for r in requests])  # fmt: skip
        return out

    def reason_labels(self) -> dict[str, tuple[str, str]]:
        """Every reason code (built-in and the workspace's own) with its labels (zh, en)."""
        from keepwise.lifecycle.records import reason_labels

        with self.store.begin() as conn:
            return reason_labels(conn)

    def history(self, customer_id: str) -> list[dict[str, Any]]:
        """Status events (reverted ones marked), owner changes and void requests, oldest first."""
        self.check_scope(customer_id)
        from keepwise.lifecycle import profile

        with self.store.begin() as conn:
            return profile.history(conn, customer_id)

    def follow_up(
        self, customer_id: str, kind: str, note: str | None, actor: str,
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Record a follow-up of the customer (a call, a visit … :data:`keepwise.lifecycle.
        followups.FOLLOW_UP_KINDS`) at ``at`` (default now, never in the future); a rep only of
        their own customers. Audited; it does not move where the data ends."""
        self.check_scope(customer_id)
        from keepwise.lifecycle.followups import follow_up

        now, when = self.ws.now(), self.when(at)
        return self.store.transact(lambda conn: follow_up(
            conn, customer_id, kind=kind, note=note, at=when, actor=actor, now=now))  # fmt: skip

    # --- status changes -------------------------------------------------------------------------

    def void(
        self, customer_id: str, *, reason: str | None, actor: str, note: str | None = None,
        destination: str | None = None, at: dt.datetime | None = None,
    ) -> StatusChange | StatusRequest:  # fmt: skip
        """Void a customer with a reason (code or label of the taxonomy, or of the workspace's
        own reasons); with ``void_needs_approval`` a pending request instead."""
        self.check_scope(customer_id)
        from keepwise.lifecycle import actions, approvals

        now = self.ws.now()
        when = self.when(at)
        if self.settings().void_needs_approval:
            return self.store.transact(lambda conn: approvals.request_void(
                conn, customer_id, reason=reason, at=when, actor=actor, note=note,
                destination=destination))  # fmt: skip
        return self.store.transact(lambda conn: actions.void(
            conn, customer_id, reason=reason, at=when, actor=actor, note=note,
            destination=destination, now=now))  # fmt: skip

    def churn(
        self, customer_id: str, *, actor: str, reason: str | None = None, note: str | None = None,
        destination: str | None = None, at: dt.datetime | None = None,
    ) -> StatusChange:  # fmt: skip
        """Record that a customer churned; one already lost under the churn definition is
        refused."""
        self.check_scope(customer_id)
        from keepwise.lifecycle import actions

        now, when = self.ws.now(), self.when(at)
        status = self._defined_status(customer_id, when)
        return self.store.transact(lambda conn: actions.churn(
            conn, customer_id, status_then=status, at=when, actor=actor, reason=reason,
            note=note, destination=destination, now=now))  # fmt: skip

    def reactivate(
        self, customer_id: str, *, actor: str, note: str | None = None,
        at: dt.datetime | None = None,
    ) -> StatusChange:  # fmt: skip
        """Win a churned or voided customer back (status won_back)."""
        self.check_scope(customer_id)
        from keepwise.lifecycle import actions

        now, when = self.ws.now(), self.when(at)
        status = self._defined_status(customer_id, when)
        return self.store.transact(lambda conn: actions.reactivate(
            conn, customer_id, status_then=status, at=when, actor=actor, note=note, now=now))  # fmt: skip

    def revert(
        self, customer_id: str, *, actor: str, note: str | None = None,
        at: dt.datetime | None = None,
    ) -> StatusChange:  # fmt: skip
        """Undo the customer's status change recorded last (a mistake): every figure is then as
        if it had never been recorded; both events stay in the history."""
        self.check_scope(customer_id)
        from keepwise.lifecycle import actions

        when = self.when(at)
        return self.store.transact(lambda conn: actions.revert(
            conn, customer_id, at=when, actor=actor, note=note))  # fmt: skip

    def _defined_status(self, customer_id: str, at: dt.datetime) -> str | None:
        from keepwise.lifecycle import actions
        from keepwise.lifecycle.records import customer

        with self.store.begin() as conn:  # an unknown customer: NotFoundError before any query
            customer(conn, customer_id)
        return actions.defined_status(self.ws.tables(), self.ws.config.churn, customer_id, at)

    # --- approvals ------------------------------------------------------------------------------

    def approvals(self, *, state: str | None = "pending") -> list[StatusRequest]:
        """Void requests, oldest first (the pending ones by default; None: all)."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import approvals

        with self.store.begin() as conn:
            return approvals.find(conn, state=state)

    def approve(
        self, request_id: int, *, actor: str, note: str | None = None,
        manager_check: ManagerCheck | None = None,
    ) -> tuple[StatusRequest, StatusChange]:  # fmt: skip
        """Approve a pending void: the void is recorded now, the requester its actor."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import approvals
        from keepwise.lifecycle.records import check_manager

        check_manager(manager_check, actor)
        at = self.ws.now()
        return self.store.transact(lambda conn: approvals.approve(
            conn, request_id, actor=actor, at=at, note=note))  # fmt: skip

    def reject(
        self, request_id: int, *, actor: str, note: str | None,
        manager_check: ManagerCheck | None = None,
    ) -> StatusRequest:  # fmt: skip
        """Reject a pending void with a note; the customer is not changed."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import approvals
        from keepwise.lifecycle.records import check_manager

        check_manager(manager_check, actor)
        at = self.ws.now()
        return self.store.transact(lambda conn: approvals.reject(
            conn, request_id, actor=actor, at=at, note=note))  # fmt: skip

    # --- owner ----------------------------------------------------------------------------------

    def reassign(
        self, customer_id: str, to_owner: str, *, actor: str, note: str | None = None,
        as_manager: bool = False, manager_check: ManagerCheck | None = None,
        at: dt.datetime | None = None,
    ) -> OwnerChange:  # fmt: skip
        """Give the customer to another active owner. A customer in the pool is claimed
        (``ws.owners.claim``) or reassigned ``as_manager``, recorded as such. Managers and
        admins only: a rep hands no customer on (nor takes one but from the pool)."""
        self.viewer.require("admin", "manager")
        from keepwise.lifecycle import owners
        from keepwise.lifecycle.records import check_manager

        if as_manager:
            check_manager(manager_check, actor)
        when = self.when(at)
        return self.store.transact(lambda conn: owners.reassign(
            conn, customer_id, to_owner, at=when, actor=actor, note=note,
            as_manager=as_manager))  # fmt: skip
