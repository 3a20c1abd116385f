"""The API on a PostgreSQL workspace: figures equal the services', the rep rule holds, and
two server processes (two apps on the same database) share sessions and stored results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from small import AS_OF, PASSWORD, make_small

from keepwise import Workspace
from keepwise._core.jsondata import records
from keepwise.api import create_app


@pytest.mark.postgres
def test_api_on_postgres(tmp_path: Path, pg_database: Callable[[], str]) -> None:
    ws = make_small(tmp_path / "ws", db_url=pg_database())
    other = Workspace.open(tmp_path / "ws")  # a second server process's workspace
    try:
        first = TestClient(create_app(ws), base_url="https://testserver")
        second = TestClient(create_app(other), base_url="https://testserver")
        login = first.post("/api/login", json={"username": "manager", "password": PASSWORD})
        assert login.status_code == 200
        second.cookies.update(first.cookies)  # the same browser, answered by another process
        params = {"metric": "churn_rate", "as_of": AS_OF.isoformat()}
        answer = second.get("/api/kpis", params=params).json()
        assert answer["data"] == records(ws.metrics.compute(["churn_rate"], as_of=AS_OF))
        assert first.get("/api/kpis", params=params).json()["computed_at"] == answer["computed_at"]
        rep = TestClient(create_app(ws), base_url="https://testserver")
        rep.headers["Authorization"] = f"Bearer {ws.users.create_token('rep', actor='t')}"
        assert {c["customer_id"] for c in rep.get("/api/customers").json()["items"]} == {
            "C1", "C2", "C5"}  # fmt: skip
        assert rep.get("/api/customers/C3").status_code == 404
        csrf = login.json()["csrf_token"]
        out = second.post("/api/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        assert first.get("/api/me").status_code == 401  # the session ended everywhere
    finally:
        other.close()
        ws.close()
