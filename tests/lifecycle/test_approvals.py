"""Voids approved by a manager (``[lifecycle] void_needs_approval = true``), on both backends:
a void waits as a request; approving records it then, with the requester as actor; rejecting
changes nothing; the seam for the manager role refuses before anything changes."""

from __future__ import annotations

import pytest
from lifecycle_support import configure, rows

from keepwise import Workspace
from keepwise._core.errors import InputError, NotFoundError, PermissionDenied
from keepwise.lifecycle.approvals import StatusRequest


def test_a_void_waits_for_approval_then_is_recorded_at_approval(company: Workspace) -> None:
    ws = configure(company, "[lifecycle]\nvoid_needs_approval = true")
    try:
        request = ws.customers.void("N1", reason="duplicate", actor="rep1", note="same as N2",
                                    destination="—")  # fmt: skip
        assert isinstance(request, StatusRequest)
        assert (request.state, request.requested_by, request.reason) == (
            "pending",
            "rep1",
            "duplicate",
        )
        assert rows(ws, "SELECT count(*) FROM status_events WHERE customer_id = 'N1'") == [(0,)]
        assert [r.id for r in ws.customers.approvals()] == [request.id]
        with pytest.raises(InputError) as err:  # one pending request per customer
            ws.customers.void("N1", reason="invalid", actor="rep2")
        assert f"void request #{request.id}" in err.value.message("en")
        decided, change = ws.customers.approve(request.id, actor="boss", note="ok")
        assert (decided.state, decided.decided_by, decided.event_id) == (
            "approved",
            "boss",
            change.event_id,
        )
        assert (change.to_status, change.actor, change.reason, change.note) == (
            "voided",
            "rep1",
            "duplicate",
            "same as N2",
        )
        assert decided.decided_at is not None and change.at == decided.decided_at
        assert ws.customers.approvals() == []
        void = next(i for i in ws.customers.history("N1") if i["kind"] == "status")
        assert void["approved_by"] == "boss"
        actions = rows(ws, "SELECT action, actor FROM audit_log WHERE entity_id = 'N1' ORDER BY id")
        assert actions == [("customer.void_requested", "rep1"), ("customer.void", "rep1"),
                           ("customer.void_approved", "boss")]  # fmt: skip
        with pytest.raises(InputError) as err:
            ws.customers.approve(request.id, actor="boss")
        assert err.value.message("en") == f"The void request #{request.id} is already approved"
        assert "已经批准" in err.value.message("zh")
    finally:
        ws.close()


def test_a_rejected_void_changes_nothing_and_needs_a_note(company: Workspace) -> None:
    ws = configure(company, "[lifecycle]\nvoid_needs_approval = true")
    try:
        request = ws.customers.void("S1", reason="price", actor="rep1")
        assert isinstance(request, StatusRequest)
        with pytest.raises(InputError) as err:
            ws.customers.reject(request.id, actor="boss", note=" ")
        assert "needs a note" in err.value.message("en")
        rejected = ws.customers.reject(request.id, actor="boss", note="still ordering")
        assert (rejected.state, rejected.decision_note, rejected.event_id) == (
            "rejected",
            "still ordering",
            None,
        )
        assert rows(ws, "SELECT count(*) FROM status_events WHERE customer_id = 'S1'") == [(0,)]
        assert rows(ws, "SELECT status FROM customers WHERE customer_id = 'S1'") == [("active",)]
        assert [r.state for r in ws.customers.approvals(state=None)] == ["rejected"]
        with pytest.raises(NotFoundError):
            ws.customers.approve(99, actor="boss")
    finally:
        ws.close()


def test_approval_checks_the_customer_again_and_the_manager_seam(company: Workspace) -> None:
    ws = configure(company, "[lifecycle]\nvoid_needs_approval = true")
    try:
        request = ws.customers.void("X1", reason="price", actor="rep1")
        assert isinstance(request, StatusRequest)

        def managers_only(actor: str) -> None:
            if actor != "boss":
                raise PermissionDenied("lifecycle.unknown_owner", owner_id=actor)

        with pytest.raises(PermissionDenied):
            ws.customers.approve(request.id, actor="rep1", manager_check=managers_only)
        assert ws.customers.approvals()[0].state == "pending"
        # Meanwhile X1 is voided by an imported event: the approval is refused, still pending.
        with ws.store.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO status_events (customer_id, occurred_at, to_status, reason, source)"
                " VALUES ('X1', '2024-06-20 10:00:00', 'voided', 'invalid', 'import')"
            )
        with pytest.raises(InputError) as err:
            ws.customers.approve(request.id, actor="boss", manager_check=managers_only)
        assert err.value.message("en") == "Customer X1 is already voided"
        assert ws.customers.approvals()[0].state == "pending"
    finally:
        ws.close()


def test_the_lifecycle_settings_are_checked(duck: Workspace) -> None:
    from keepwise._core.errors import ConfigError

    path = duck.path
    duck.close()
    for text, says in (("void_needs_aproval = true", "did you mean lifecycle.void_needs_approval"),
                       ("void_needs_approval = 1", "true or false"),
                       ("pool_after_days = 0", "a whole number >= 1")):  # fmt: skip
        original = (path / "keepwise.toml").read_text(encoding="utf-8")
        (path / "keepwise.toml").write_text(original + f"\n[lifecycle]\n{text}\n", "utf-8")
        with pytest.raises(ConfigError) as err:
            Workspace.open(path)
        assert says in err.value.message("en")
        (path / "keepwise.toml").write_text(original, "utf-8")
    Workspace.open(path).close()  # the file as it was opens again
