"""Lifecycle actions, approvals, the pool, playbooks and tasks through the API, on the small
workspace of ``small.py`` (C1, C2, C5 owned by O1 — the rep's —, C3, C4 by O2; C2 churned in
March 2024, C4 voided in April): the numbers after each change are the services' own, every
write is audited with the user and makes the stored results stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from small import make_small

from keepwise import Workspace
from keepwise._core.jsondata import jsonable, records
from keepwise.api import create_app

JUNE = {"metric": "void_ratio", "grain": "month", "start": "2024-06-01", "end": "2024-07-01",
        "as_of": "2024-07-01"}  # fmt: skip
OWNERS = "owner_id,name,active\nO1,Rep One,true\nO2,Rep Two,true\n"
PLAYBOOK = """playbooks:
  - id: survey_lost
    trigger: {status: [churned, voided], within_days: 120}
    actions: [{type: survey, due_days: 7}]
    holdout: 0
"""


def _served(path: Path, lifecycle: str = "") -> tuple[Workspace, dict[str, TestClient]]:
    ws = make_small(path)
    (path / "owners.csv").write_text(OWNERS, encoding="utf-8")
    ws.imports.load("owners", path / "owners.csv", today=dt.date(2024, 7, 1))
    if lifecycle:
        ws.close()
        with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
            f.write(f"\n[lifecycle]\n{lifecycle}\n")
        ws = Workspace.open(path)
    app = create_app(ws)
    clients = {}
    for user in ("admin", "manager", "rep"):
        client = TestClient(app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {ws.users.create_token(user, actor='t')}"
        clients[user] = client
    return ws, clients


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, TestClient]]]:
    ws, clients = _served(tmp_path / "ws")
    yield ws, clients
    ws.close()


def _void_ratio(client: TestClient) -> tuple[float, str]:
    answer = client.get("/api/kpis", params=JUNE).json()
    (row,) = answer["data"]
    return row["value"], answer["data_version"]


def _service_void_ratio(ws: Workspace) -> float:
    df = ws.metrics.compute(["void_ratio"], as_of=dt.date(2024, 7, 1), grain="month",
                            start=dt.date(2024, 6, 1), end=dt.date(2024, 7, 1))  # fmt: skip
    return float(records(df)[0]["value"])


def test_a_void_moves_void_ratio_as_the_metrics_service_says(
    small: tuple[Workspace, dict[str, TestClient]],
) -> None:
    ws, clients = small
    manager, rep = clients["manager"], clients["rep"]
    before, version = _void_ratio(manager)
    assert before == _service_void_ratio(ws) == 1 / 5  # C4 of five customers
    done = rep.post("/api/customers/C5/void", json={"reason": "duplicate", "note": "twin of C1",
                                                    "at": "2024-06-05T10:00:00"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert (done.json()["kind"], done.json()["to_status"], done.json()["actor"]) == (
        "change", "voided", "rep")  # fmt: skip
    after, new_version = _void_ratio(manager)
    assert new_version != version  # the stored result was stale, and recomputed
    assert after == _service_void_ratio(ws) == 2 / 5
    audit = clients["admin"].get("/api/settings/audit", params={"entity": "customer"}).json()
    assert (audit[0]["action"], audit[0]["actor"], audit[0]["entity_id"]) == (
        "customer.void", "rep", "C5")  # fmt: skip
    # Revert: back to the figure before, both events in the history.
    assert rep.post("/api/customers/C5/revert", json={"note": "not a twin"}).status_code == 200
    assert _void_ratio(manager)[0] == _service_void_ratio(ws) == 1 / 5
    history = rep.get("/api/customers/C5/history").json()
    assert [(h["to_status"], h["actor"]) for h in history if h["kind"] == "status"] == [
        ("voided", "rep"), ("active", "rep")]  # fmt: skip


def test_what_a_rep_may_not_do_changes_nothing(
    small: tuple[Workspace, dict[str, TestClient]],
) -> None:
    ws, clients = small
    rep = clients["rep"]
    version = ws.data_version()
    refused = {
        "/api/customers/C3/void": ({"reason": "duplicate"}, 404, "customers.not_found"),
        "/api/customers/C3/churn": ({}, 404, "customers.not_found"),
        "/api/customers/C5/reassign": ({"to_owner": "O2"}, 403, "auth.forbidden"),
        "/api/customers/C5/void": ({"reason": "no-such-reason"}, 400, None),
        "/api/owners/O2/leave": ({}, 403, "auth.forbidden"),
        "/api/playbooks/run": ({}, 403, "auth.forbidden"),
    }
    for url, (body, status, code) in refused.items():
        answer = rep.post(url, json=body, params={"lang": "en"})
        assert answer.status_code == status, (url, answer.text)
        assert code is None or answer.json()["error"]["code"] == code
        zh = rep.post(url, json=body, params={"lang": "zh"}).json()["error"]["message"]
        assert zh != answer.json()["error"]["message"]  # both languages
    assert rep.post("/api/customers/C5/void", json={}).status_code == 422  # a reason is required
    assert ws.data_version() == version


def test_approvals_and_the_pool(tmp_path: Path) -> None:
    """With ``void_needs_approval`` a rep's void waits for a manager; the pool returns the
    customers nobody followed up, and a rep claims at most ``pool_claim_limit`` of them."""
    ws, clients = _served(tmp_path / "ws", "void_needs_approval = true\npool_after_days = 30\n"
                                           "pool_claim_limit = 1")  # fmt: skip
    try:
        manager, rep = clients["manager"], clients["rep"]
        asked = rep.post("/api/customers/C5/void", json={"reason": "duplicate",
                                                         "at": "2024-06-05T10:00:00"})  # fmt: skip
        assert asked.json()["kind"] == "request" and asked.json()["state"] == "pending"
        assert _void_ratio(manager)[0] == 1 / 5  # nothing voided yet
        assert rep.get("/api/approvals").status_code == 403
        (pending,) = manager.get("/api/approvals").json()
        approved = manager.post(f"/api/approvals/{pending['id']}/approve", json={}).json()
        assert approved["request"]["decided_by"] == "manager"
        assert approved["change"]["to_status"] == "voided"
        assert manager.post(f"/api/approvals/{pending['id']}/reject",
                            json={"note": "late"}).status_code == 400  # fmt: skip
        assert manager.get("/api/approvals", params={"state": "all"}).json()[0]["state"] == (
            "approved"
        )
        # The pool: C1, C3 and C5 (kept on 1 July 2024 — the approved void is dated when it
        # was approved —, never followed up) return to it.
        returned = manager.post("/api/pool/refresh", json={"as_of": "2024-07-01"}).json()
        assert {c["customer_id"] for c in returned["returned"]} == {"C1", "C3", "C5"}
        assert {m["customer_id"] for m in rep.get("/api/pool").json()} == {"C1", "C3", "C5"}
        assert rep.post("/api/pool/claim", json={"customer_id": "C1"}).status_code == 200
        limit = rep.post("/api/pool/claim", json={"customer_id": "C3"})
        assert (limit.status_code, limit.json()["error"]["code"]) == (400, "lifecycle.claim_limit")
        other = rep.post("/api/pool/claim", json={"customer_id": "C3", "owner_id": "O2"})
        assert other.status_code == 403
        assert rep.get("/api/customers/C1").status_code == 200  # the rep's own now
        claimed = manager.post("/api/pool/claim", json={"customer_id": "C3", "owner_id": "O2"})
        assert claimed.json()["to_owner"] == "O2" and claimed.json()["actor"] == "manager"
    finally:
        ws.close()


def test_playbooks_tasks_and_evaluations(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    ws, clients = small
    manager, rep = clients["manager"], clients["rep"]
    (ws.path / "playbooks").mkdir()
    (ws.path / "playbooks" / "mine.yaml").write_text(PLAYBOOK, encoding="utf-8")
    assert [p["id"] for p in rep.get("/api/playbooks").json()] == ["survey_lost"]
    started = manager.post("/api/playbooks/run", json={"as_of": "2024-05-01"})
    assert started.status_code == 202, started.text
    job = ws.as_user(ws.users.get("manager").viewer()).jobs.wait(started.json()["job_id"])
    assert job["status"] == "done" and job["result"]["runs"][0]["tasks"] == 2  # C2 and C4
    everyone = manager.get("/api/tasks").json()
    assert {x["customer_id"] for x in everyone["items"]} == {"C2", "C4"}
    mine = rep.get("/api/tasks").json()
    assert [x["customer_id"] for x in mine["items"]] == ["C2"] and mine["total"] == 1
    theirs = next(x["id"] for x in everyone["items"] if x["customer_id"] == "C4")
    assert rep.post(f"/api/tasks/{theirs}/done", json={"outcome": "reached"}).status_code == 404
    version = ws.data_version()
    done = rep.post(f"/api/tasks/{mine['items'][0]['id']}/done",
                    json={"outcome": "reached", "on": "2024-05-03"})  # fmt: skip
    assert (done.status_code, done.json()["status"], done.json()["outcome"]) == (
        200, "done", "reached")  # fmt: skip
    assert ws.data_version() != version  # the follow-up moves the stored results
    assert rep.post(f"/api/tasks/{theirs}/skip", json={}).status_code == 404
    assert rep.get("/api/tasks", params={"status": "done"}).json()["total"] == 1
    # Evaluations: the services' numbers, for managers only.
    assert rep.get("/api/playbooks/evaluation").status_code == 403
    one = manager.get("/api/playbooks/survey_lost/evaluation", params={"days": 30,
                                                                       "as_of": "2024-07-01"})  # fmt: skip
    expected = ws.playbooks.evaluate(as_of=dt.date(2024, 7, 1), ids=["survey_lost"], days=30)
    assert one.json()["data"]["evaluations"] == jsonable([e.to_dict() for e in expected])
    assert one.json()["data"]["evaluations"][0]["days"] == 30
    voids = manager.get("/api/playbooks/void-effect", params={"as_of": "2024-07-01"}).json()
    assert voids["data"] == jsonable(ws.playbooks.void_effect(as_of=dt.date(2024, 7, 1)))
    runs = manager.get("/api/playbooks/runs").json()
    assert [(r["playbook_id"], r["actor"]) for r in runs] == [("survey_lost", "manager")]


def test_the_routes_choices_are_the_engines() -> None:
    """The request types list the grains, cuts, task statuses and outcomes by name (for the
    OpenAPI document); they must be the engine's."""
    from typing import get_args

    from keepwise.api.params import Dimension, Grain
    from keepwise.api.routes.tasks import Outcome, Status
    from keepwise.metrics.periods import GRAINS
    from keepwise.metrics.tables import DIMENSIONS
    from keepwise.playbooks.catalogue import OUTCOMES, TASK_STATUSES

    assert set(get_args(Grain)) == set(GRAINS)
    assert set(get_args(Dimension)) == set(DIMENSIONS)
    assert set(get_args(Status)) == set(TASK_STATUSES)
    assert set(get_args(Outcome)) == set(OUTCOMES)
