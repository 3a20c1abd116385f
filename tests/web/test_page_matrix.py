"""Who may open which page: every page route of the app × role (admin, manager, a rep on a
customer they own, a rep on another rep's customer) → the status expected. The table is
checked against the app's routes, so a new page must be added here.

GET pages are all opened. A POST is sent only where it must be refused (403: the role may not;
404: another rep's customer or task, as if it did not exist) — with a valid form, so that the
refusal is the role's and not the form's; the allowed POSTs change data and are exercised by
the feature tests (test_workflows, test_pages, test_browser)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from keepwise.api import create_app
from keepwise.web import PAGE_MODULES, install
from web.conftest import Site
from web.test_pages import logged_in

ROLES = ("admin", "manager", "rep_own", "rep_other")
OK, ALL = 200, {r: 200 for r in ROLES}
#: A POST the role may make (a 303 back to a page; not sent here).
DONE = 303


def _only(allowed: tuple[str, ...], refused: int = 403, ok: int = DONE) -> dict[str, int]:
    return {r: ok if r in allowed else refused for r in ROLES}


MANAGERS = ("admin", "manager")
#: (method, route) → role → status. ``{customer_id}``: the rep's own customer for rep_own,
#: another rep's for rep_other; ``{task_id}`` likewise; ``{job_id}``: a manager's job.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/login"): {r: DONE for r in ROLES},  # logged in already: to the overview
    ("POST", "/login"): {r: DONE for r in ROLES},
    ("POST", "/logout"): {r: DONE for r in ROLES},
    ("POST", "/lang"): {r: DONE for r in ROLES},
    ("GET", "/"): ALL,
    ("GET", "/kpis/{metric}"): ALL,
    ("GET", "/churn"): ALL,
    ("GET", "/risk"): ALL,
    ("POST", "/alerts/{alert_id}/ack"): {r: DONE for r in ROLES},
    ("POST", "/risk/train"): _only(MANAGERS),
    ("POST", "/risk/score"): _only(MANAGERS),
    ("POST", "/risk/backtest"): _only(MANAGERS),
    ("POST", "/alerts/run"): _only(MANAGERS),
    ("GET", "/customers"): ALL,
    ("GET", "/customers/{customer_id}"): {**ALL, "rep_other": 404},
    ("POST", "/customers/{customer_id}/void"): _only(("admin", "manager", "rep_own"), 404),
    ("POST", "/customers/{customer_id}/revert"): _only(("admin", "manager", "rep_own"), 404),
    ("POST", "/customers/{customer_id}/follow-up"): _only(("admin", "manager", "rep_own"), 404),
    ("POST", "/customers/{customer_id}/reassign"): _only(MANAGERS),
    ("GET", "/value"): ALL,
    ("POST", "/value/no-value/{customer_id}/decide"): _only(MANAGERS),
    ("POST", "/value/no-value/{customer_id}/keep"): _only(MANAGERS),
    ("GET", "/playbooks"): ALL,
    ("POST", "/playbooks/run"): _only(MANAGERS),
    ("GET", "/tasks"): ALL,
    ("POST", "/tasks/{task_id}/done"): _only(("admin", "manager", "rep_own"), 404),
    ("POST", "/tasks/{task_id}/skip"): _only(("admin", "manager", "rep_own"), 404),
    ("GET", "/imports"): _only(MANAGERS, ok=OK),
    ("POST", "/imports"): _only(MANAGERS),
    ("GET", "/jobs/{job_id}"): {"admin": OK, "manager": OK, "rep_own": 404, "rep_other": 404},
    ("GET", "/settings"): ALL,
    ("POST", "/settings/users"): _only(("admin",)),
    ("POST", "/settings/users/{username}/disable"): _only(("admin",)),
    ("POST", "/settings/reasons"): _only(("admin",)),
}

#: A valid form per POST (files: the upload).
FORMS: dict[str, dict[str, Any]] = {
    "/customers/{customer_id}/void": {"reason": "duplicate"},
    "/customers/{customer_id}/follow-up": {"kind": "call"},
    "/customers/{customer_id}/reassign": {"to_owner": "{owner}"},
    "/value/no-value/{customer_id}/decide": {"treatment": "end_relationship"},
    "/tasks/{task_id}/done": {"outcome": "reached"},
    "/settings/users": {"username": "matrix_user", "role": "rep", "password": "long-enough-pw-1"},
    "/settings/reasons": {"code": "matrix_reason", "label_zh": "矩阵", "label_en": "matrix"},
}


def page_routes() -> set[tuple[str, str]]:
    """Every page route: (method, path) of each page module's router (read from the routers
    themselves: newer FastAPI versions no longer list included routes in ``app.routes``)."""
    return {(method, route.path) for module in PAGE_MODULES for route in module.router.routes
            for method in route.methods if method != "HEAD"}  # fmt: skip


@pytest.fixture(scope="module")
def app(site: Site) -> Iterator[TestClient]:
    application = create_app(site.ws, recover_jobs=False)
    install(application)
    yield TestClient(application, base_url="https://testserver")


@pytest.fixture(scope="module")
def ids(site: Site) -> dict[str, Any]:
    """A customer and a task of rep_a's (own) and of rep_b's (other), and a manager's job."""
    own = site.get("rep_a", "/api/customers", limit=1)["items"][0]["customer_id"]
    other = site.get("rep_b", "/api/customers", limit=1)["items"][0]["customer_id"]
    with site.api("manager") as client:  # tasks, and a job that is the manager's
        answer = client.post("/api/playbooks/run", json={})
        assert answer.status_code == 202, answer.text
        job = answer.json()["job_id"]
        deadline = time.monotonic() + 120
        while client.get(f"/api/jobs/{job}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    tasks = {rep: site.get(rep, "/api/tasks", status="open", limit=1)["items"]
             for rep in ("rep_a", "rep_b")}  # fmt: skip
    assert tasks["rep_a"] and tasks["rep_b"], "the playbooks made no task for a rep"
    return {"own": own, "other": other, "job": job, "task_own": tasks["rep_a"][0]["id"],
            "task_other": tasks["rep_b"][0]["id"], "owner": site.owners["rep_b"]}  # fmt: skip


def _path(route: str, role: str, ids: dict[str, Any]) -> str:
    customer = ids["other"] if role == "rep_other" else ids["own"]
    task = ids["task_other"] if role == "rep_other" else ids["task_own"]
    values = {"customer_id": customer, "task_id": task, "job_id": ids["job"],
              "metric": "void_ratio", "alert_id": 1, "username": "rep_b"}  # fmt: skip
    path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), route)
    return path + ("?period=2026-10-01" if route == "/kpis/{metric}" else "")


def test_the_table_names_every_page_route() -> None:
    assert len(page_routes()) > 30
    assert page_routes() == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_page(
    app: TestClient, site: Site, ids: dict[str, Any], role: str
) -> None:
    user = role if role in ("admin", "manager") else "rep_a"
    client, csrf = logged_in(app, user)
    failures = []
    for (method, route), expected in sorted(EXPECTED.items()):
        status = expected[role]
        if method == "GET":
            got = client.get(_path(route, role, ids), follow_redirects=False).status_code
        elif status in (403, 404):
            form = {k: str(v).replace("{owner}", ids["owner"])
                    for k, v in FORMS.get(route, {}).items()}  # fmt: skip
            files = ({"file": ("x.csv", b"customer_id\nZ1\n", "text/csv")}
                     if route == "/imports" else None)  # fmt: skip
            if route == "/imports":
                form["kind"] = "customers"
            got = client.post(_path(route, role, ids), data={**form, "csrf_token": csrf},
                              files=files, follow_redirects=False).status_code  # fmt: skip
        else:
            continue  # allowed changes: the feature tests make them
        if got != status:
            failures.append((method, route, status, got))
    assert failures == []
    assert site.get("rep_b", f"/api/customers/{ids['other']}/status")["status"] != "voided"
