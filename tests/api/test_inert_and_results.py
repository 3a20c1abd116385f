"""Hostile customer names come back inert (JSON escaping; CSV and XLSX cells never run as
formulas); stored results say when they were computed, a write makes them stale and the next
read equals a fresh computation; an upload is imported in the background, its progress and
counts followed by job id, its rejected rows downloadable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from small import AS_OF, FORMULA, PASSWORD, SCRIPT, make_small

from keepwise import Workspace
from keepwise._core import clock
from keepwise._core.jsondata import records
from keepwise.api import create_app


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, TestClient]]]:
    ws = make_small(tmp_path / "ws")
    app = create_app(ws)
    clients = {}
    for user in ("admin", "manager", "rep"):
        client = TestClient(app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {ws.users.create_token(user, actor='t')}"
        clients[user] = client
    yield ws, clients
    ws.close()


def test_names_are_inert_in_json(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    _, clients = small
    answer = clients["rep"].get("/api/customers", params={"q": "script"})
    assert b"<script>" not in answer.content and b"\\u003cscript\\u003e" in answer.content
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert [c["name"] for c in answer.json()["items"]] == [SCRIPT]
    view = clients["rep"].get("/api/customers/C1")
    assert b"<script>" not in view.content and view.json()["profile"]["name"] == SCRIPT


def test_names_are_inert_in_exports(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    _, clients = small
    text = clients["manager"].get("/api/customers/export").content.decode("utf-8-sig")
    names = {r["customer_id"]: r["name"] for r in csv.DictReader(io.StringIO(text))}
    assert names["C2"] == "'" + FORMULA and names["C4"].startswith("'+cmd")
    assert names["C1"] == SCRIPT and names["C3"] == "Plain & Co"
    book = load_workbook(
        io.BytesIO(
            clients["manager"].get("/api/customers/export", params={"format": "xlsx"}).content
        )
    )
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("name")
    cells = {row[0].value: row[column] for row in sheet.iter_rows(min_row=2)}
    formula = cells["C2"]
    assert formula.value == FORMULA and formula.data_type == "s" and formula.quotePrefix
    drill = clients["manager"].get(
        "/api/kpis/churn_rate/drilldown/export",
        params={"period": "2024-03-01", "as_of": AS_OF.isoformat()},
    )
    rows = list(csv.DictReader(io.StringIO(drill.content.decode("utf-8-sig"))))
    assert any(r["name"] == "'" + FORMULA for r in rows), rows


def test_a_write_makes_stored_results_stale(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    ws, clients = small
    params = {"metric": ["void_ratio", "churn_rate"], "as_of": AS_OF.isoformat()}
    first = clients["manager"].get("/api/kpis", params=params).json()
    again = clients["manager"].get("/api/kpis", params=params).json()
    assert again["computed_at"] == first["computed_at"]  # read, not computed again
    assert again["data_version"] == first["data_version"]
    # A write: an import of a void dated in the data's time (a decision made today would be
    # dated after this workspace's data and move no figure of it).
    void = ws.path / "void.csv"
    void.write_text("customer_id,occurred_at,to_status,reason\nC5,2024-05-20,voided,no_value\n")
    ws.imports.load("status-events", void, today=AS_OF)
    after = clients["manager"].get("/api/kpis", params=params).json()
    assert after["data_version"] != first["data_version"]
    assert after["computed_at"] > first["computed_at"]
    fresh = records(ws.metrics.compute(["void_ratio", "churn_rate"], as_of=AS_OF))
    assert after["data"] == json.loads(json.dumps(fresh))
    may = [r for r in after["data"] if r["metric"] == "void_ratio" and r["period_start"] ==
           "2024-05-01"]  # fmt: skip
    before = [r for r in first["data"] if r["metric"] == "void_ratio" and r["period_start"] ==
              "2024-05-01"]  # fmt: skip
    assert may[0]["numerator"] == before[0]["numerator"] + 1
    # refresh() recomputes what a write made stale, so the next reader finds it ready.
    back = ws.path / "back.csv"
    back.write_text("customer_id,occurred_at,to_status\nC5,2024-05-25,active\n")
    ws.imports.load("status-events", back, today=AS_OF)
    assert ws.results.refresh() >= 1
    refreshed_by = clock.now()
    ready = clients["manager"].get("/api/kpis", params=params).json()
    assert dt.datetime.fromisoformat(ready["computed_at"]) < refreshed_by  # ready, not computed
    assert ready["data_version"] == ws.data_version()
    assert ready["data"] == json.loads(
        json.dumps(records(ws.metrics.compute(["void_ratio", "churn_rate"], as_of=AS_OF)))
    )


def test_upload_runs_as_a_job(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    ws, clients = small
    quoted = FORMULA.replace('"', '""')
    body = (
        "customer_id,name,owner_id,acquired_at\nC6,New One,O1,2024-05-01\n"
        f'C7,"{quoted}",O1,not-a-date\n'
    )
    started = clients["manager"].post(
        "/api/imports", data={"kind": "customers"},
        files={"file": ("more customers.csv", body.encode(), "text/csv")},
    )  # fmt: skip
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    ws.jobs.wait(job_id)
    job = clients["manager"].get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["progress"] == 1.0, job
    assert job["result"]["rows_loaded"] == 1 and job["result"]["rows_rejected"] == 1
    assert clients["rep"].get(f"/api/jobs/{job_id}").status_code == 404  # not the rep's job
    batch = clients["manager"].get("/api/imports").json()[0]
    assert batch["file_name"] == "more_customers.csv" and batch["rows_rejected"] == 1
    rejects = clients["manager"].get(f"/api/imports/{batch['id']}/rejects")
    rows = list(csv.DictReader(io.StringIO(rejects.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["name"] == "'" + FORMULA
    assert clients["rep"].get("/api/customers/C6").json()["profile"]["name"] == "New One"


def test_login_with_the_password(small: tuple[Workspace, dict[str, TestClient]]) -> None:
    _, clients = small
    client = TestClient(clients["rep"].app, base_url="https://testserver")
    assert (
        client.post("/api/login", json={"username": "rep", "password": PASSWORD}).status_code == 200
    )
    assert client.get("/api/customers").json()["total"] == 3  # O1 owns C1, C2, C5


def test_the_server_reuses_reads_until_a_write(
    small: tuple[Workspace, dict[str, TestClient]],
) -> None:
    """The server reuses the data version it read for a second (Workspace.reuse_reads): any
    write of its own process makes it stale at once; another process's write (here another
    store on the same database) shows when it expires. Sessions are read on every request: a
    logout made through another server ends the session at once."""
    import sqlalchemy as sa

    from keepwise.store import Store, schema

    ws, clients = small
    manager = clients["manager"]
    ws.reuse_reads(3600.0)  # a long memory: what expires it is then the write alone
    manager.get("/api/overview")  # computed and stored: a write of this process
    first = manager.get("/api/overview").json()["data_version"]
    other = Store(ws.store.url)
    try:
        with other.begin() as conn:  # another writer: an audited change of data
            conn.execute(sa.insert(schema.audit_log).values(
                occurred_at=clock.now(), actor="elsewhere", action="test.write",
                entity="customer",
                entity_id="C1"))  # fmt: skip
        assert manager.get("/api/overview").json()["data_version"] == first  # remembered
        ws.reuse_reads(0.0)
        second = manager.get("/api/overview").json()["data_version"]
        assert second != first  # read again: the other writer's change
        ws.reuse_reads(3600.0)
        manager.get("/api/overview")
        manager.get("/api/overview")
        ws.customers.void("C5", reason="no_value", actor="t")  # this process writes
        assert manager.get("/api/overview").json()["data_version"] != second
    finally:
        other.close()
    first_server = TestClient(create_app(ws), base_url="https://testserver")
    login = first_server.post("/api/login", json={"username": "rep", "password": PASSWORD})
    assert login.status_code == 200 and first_server.get("/api/me").status_code == 200
    cookie = first_server.cookies.get("kw_session")
    other = Workspace.open(ws.path)  # another server process's workspace (its own memory)
    try:
        second_server = TestClient(create_app(other), base_url="https://testserver")
        second_server.cookies.set("kw_session", cookie)
        out = second_server.post("/api/logout",
                                 headers={"X-CSRF-Token": login.json()["csrf_token"]})  # fmt: skip
        assert out.status_code == 204
    finally:
        other.close()
    assert first_server.get("/api/me").status_code == 401
