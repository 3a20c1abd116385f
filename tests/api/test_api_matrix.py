"""The authorization matrix, generated from the OpenAPI document: every operation × every role
(admin, manager, rep) × a customer (or alert, or job) the rep owns and one they do not →
the expected status. Every operation must be classified below, so a new route fails this test
until someone decides who may call it. And no route but login, health, the docs and static
files, and the survey page (its signed link is the capability), answers without a session or
token."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import AS_OF, PASSWORD, Served

from keepwise.churn import statuses
from keepwise.lifecycle import approvals, owners
from keepwise.store import schema
from keepwise.workspace import Viewer

ROLES = ("admin", "manager", "rep_a")
#: The survey page is public on purpose: its signed, expiring, single-use link is the
#: capability (tests/api/test_survey_page.py checks what it refuses).
PUBLIC = {("GET", "/api/health"), ("POST", "/api/login"), ("GET", "/s/{token}"),
          ("POST", "/s/{token}")}  # fmt: skip
PUBLIC_OTHER = {"/api/openapi.json", "/api/docs", "/api/docs/static"}

# Who may call an operation: any logged-in user, managers and admins, or admins only.
ANY, MANAGER, ADMIN = "any", "manager", "admin"
#: Operations whose path names a customer, an alert or a job: a rep sees only their own
#: (another's is not found, 404, exactly as one that does not exist).
SCOPED = ("{customer_id}", "{alert_id}", "{job_id}", "{task_id}")

RULES: dict[tuple[str, str], str] = {
    ("POST", "/api/logout"): ANY,
    ("GET", "/api/me"): ANY,
    ("PUT", "/api/me/password"): ANY,
    ("PUT", "/api/me/lang"): ANY,
    ("GET", "/api/me/tokens"): ANY,
    ("POST", "/api/me/tokens"): ANY,
    ("DELETE", "/api/me/tokens/{token_id}"): ANY,
    ("GET", "/api/customers"): ANY,
    ("GET", "/api/customers/export"): ANY,
    ("GET", "/api/customers/{customer_id}"): ANY,
    ("GET", "/api/customers/{customer_id}/status"): ANY,
    ("POST", "/api/customers/{customer_id}/void"): ANY,
    ("POST", "/api/customers/{customer_id}/churn"): ANY,
    ("POST", "/api/customers/{customer_id}/reactivate"): ANY,
    ("POST", "/api/customers/{customer_id}/revert"): ANY,
    ("POST", "/api/customers/{customer_id}/reassign"): MANAGER,
    ("POST", "/api/customers/{customer_id}/follow-ups"): ANY,
    ("GET", "/api/customers/{customer_id}/history"): ANY,
    ("GET", "/api/approvals"): MANAGER,
    ("POST", "/api/approvals/{request_id}/approve"): MANAGER,
    ("POST", "/api/approvals/{request_id}/reject"): MANAGER,
    ("POST", "/api/owners/{owner_id}/leave"): MANAGER,
    ("GET", "/api/pool"): ANY,
    ("POST", "/api/pool/claim"): ANY,
    ("POST", "/api/pool/refresh"): MANAGER,
    ("GET", "/api/pool/report"): MANAGER,
    ("GET", "/api/playbooks"): ANY,
    ("POST", "/api/playbooks/init"): MANAGER,
    ("POST", "/api/playbooks/run"): MANAGER,
    ("GET", "/api/playbooks/runs"): MANAGER,
    ("GET", "/api/playbooks/evaluation"): MANAGER,
    ("GET", "/api/playbooks/void-effect"): MANAGER,
    ("GET", "/api/playbooks/{playbook_id}/evaluation"): MANAGER,
    ("GET", "/api/tasks"): ANY,
    ("GET", "/api/tasks/{task_id}"): ANY,
    ("POST", "/api/tasks/{task_id}/done"): ANY,
    ("POST", "/api/tasks/{task_id}/skip"): ANY,
    ("GET", "/api/kpis/catalogue"): ANY,
    ("GET", "/api/kpis"): ANY,
    ("GET", "/api/kpis/{metric}/drilldown"): ANY,
    ("GET", "/api/kpis/{metric}/drilldown/export"): ANY,
    ("GET", "/api/overview"): ANY,
    ("GET", "/api/cohorts"): ANY,
    ("GET", "/api/survival"): ANY,
    ("GET", "/api/reasons"): ANY,
    ("GET", "/api/impact"): ANY,
    ("GET", "/api/value/rfm"): ANY,
    ("GET", "/api/value/tiers"): ANY,
    ("GET", "/api/value/clv"): ANY,
    ("GET", "/api/value/no-value"): ANY,
    ("POST", "/api/value/no-value/{customer_id}/decide"): MANAGER,
    ("POST", "/api/value/no-value/{customer_id}/revert"): MANAGER,
    ("POST", "/api/value/no-value/{customer_id}/keep"): MANAGER,
    ("POST", "/api/value/score"): MANAGER,
    ("GET", "/api/risk"): ANY,
    ("GET", "/api/risk/export"): ANY,
    ("GET", "/api/risk/backtest"): MANAGER,
    ("POST", "/api/risk/backtest"): MANAGER,
    ("GET", "/api/risk/{customer_id}"): ANY,
    ("POST", "/api/risk/train"): MANAGER,
    ("POST", "/api/risk/score"): MANAGER,
    ("GET", "/api/alerts"): ANY,
    ("GET", "/api/alerts/rules"): ANY,
    ("GET", "/api/alerts/{alert_id}"): ANY,
    ("POST", "/api/alerts/{alert_id}/ack"): ANY,
    ("POST", "/api/alerts/{alert_id}/close"): ANY,
    ("POST", "/api/alerts/run"): MANAGER,
    ("GET", "/api/imports"): MANAGER,
    ("POST", "/api/imports"): MANAGER,
    ("GET", "/api/imports/counts"): MANAGER,
    ("GET", "/api/imports/{batch_id}"): MANAGER,
    ("GET", "/api/imports/{batch_id}/rejects"): MANAGER,
    ("GET", "/api/jobs"): ANY,
    ("GET", "/api/jobs/{job_id}"): ANY,
    ("GET", "/api/settings"): ANY,
    ("GET", "/api/settings/churn"): ANY,
    ("GET", "/api/settings/rules"): ANY,
    ("GET", "/api/settings/reasons"): ANY,
    ("PUT", "/api/settings/reasons/{code}"): ADMIN,
    ("GET", "/api/settings/thresholds"): ANY,
    ("GET", "/api/settings/audit"): ADMIN,
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("POST", "/api/users/{username}/disable"): ADMIN,
    ("PUT", "/api/users/{username}/password"): ADMIN,
    ("GET", "/api/users/{username}/tokens"): ADMIN,
    ("POST", "/api/users/{username}/tokens"): ADMIN,
    ("DELETE", "/api/users/{username}/tokens/{token_id}"): ADMIN,
}


@dataclass
class Fixtures:
    """Fresh objects for requests that change them (each call gets its own): kept customers
    and alerts per owner, tasks of their customers, pending void requests, customers in the
    pool, throwaway users and owners."""

    served: Served
    customers: dict[str, list[str]] = field(default_factory=dict)
    alerts: dict[str, list[int]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    job_id: int = 0
    batch_id: int = 0
    kept: set[str] = field(default_factory=set)

    def customer(self, owner: str, *, keep: bool = False) -> str:
        """A customer of ``owner`` kept under the churn definition (``keep``: left for the
        next request, which only reads it)."""
        return self.customers[owner][-1] if keep else self.customers[owner].pop()

    def no_value_candidate(self, owner: str) -> str:
        """A no-value candidate of ``owner`` at AS_OF not kept yet."""
        ws = self.served.ws.as_user(Viewer("t", "rep", owner_id=owner))
        rows = ws.value.no_value(AS_OF)
        left = [c for c in rows[rows["review"].isna()]["customer_id"] if c not in self.kept]
        assert left, f"no no-value candidate of {owner} left"
        self.kept.add(left[0])
        return str(left[0])

    def task(self, owner: str) -> int:
        """An open task of a customer of ``owner``."""
        customer = self.customer(owner)
        with self.served.ws.store.begin() as conn:
            return int(conn.execute(sa.insert(schema.tasks).values(
                customer_id=customer, type="care_call", owner_id=owner, due=AS_OF, as_of=AS_OF,
                status="open", created_at=dt.datetime(2026, 11, 1),
            ).returning(schema.tasks.c.id)).scalar_one())  # fmt: skip

    def void_request(self) -> int:
        """A pending void request (as with ``[lifecycle] void_needs_approval``)."""
        customer = self.customer(self.served.owners["rep_b"])
        request = self.served.ws.store.transact(lambda conn: approvals.request_void(
            conn, customer, reason="duplicate", at=self.served.ws.now(), actor="test"))  # fmt: skip
        return request.id

    def in_pool(self) -> str:
        """A customer of rep_b's owner returned to the pool."""
        owner = self.served.owners["rep_b"]
        customer = self.customer(owner)
        self.served.ws.store.transact(lambda conn: owners.change_owner(
            conn, customer, owner, None, at=self.served.ws.now(), kind="pool", actor="test"))  # fmt: skip
        return customer

    def leaver(self) -> str:
        """An active owner (with no customers) who can leave."""
        owner = f"LEAVER{next(self.counter)}"
        with self.served.ws.store.begin() as conn:
            conn.execute(sa.insert(schema.owners).values(owner_id=owner, name=owner,
                                                         active=True))  # fmt: skip
        return owner

    def alert(self, owner: str) -> int:
        return self.alerts[owner].pop()

    def user(self) -> str:
        name = f"throwaway{next(self.counter)}"
        self.served.ws.users.add(name, role="manager", password=PASSWORD, actor="test")
        return name


#: Alerts set aside per owner (the alert routes × roles × own/other use fewer).
ALERTS_USED = 12


@pytest.fixture(scope="module")
def fixtures(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    ws = served.ws
    f = Fixtures(served)
    s = statuses(ws.tables(), ws.config.churn, ws.default_as_of())
    kept = set(s.filter(s.kept).select("customer_id").to_pyarrow().column(0).to_pylist())
    for owner in served.owners.values():
        alerts = ws.alerts.find(owner=owner, status="open")[:ALERTS_USED]
        f.alerts[owner] = [a.id for a in alerts]
        # The customers of these alerts are left alone: reassigned, their alerts would move.
        alerted = {a.customer_id for a in alerts}
        theirs = ws.as_user(Viewer("t", "rep", owner_id=owner)).directory.search(limit=1000)
        f.customers[owner] = [c["customer_id"] for c in theirs.items
                              if c["customer_id"] in kept - alerted]  # fmt: skip
    bad = tmp_path_factory.mktemp("rejects") / "owners.csv"
    bad.write_text("owner_id,name,active\nX1,Ok,true\nX2,Bad,maybe\n", encoding="utf-8")
    f.batch_id = ws.imports.load("owners", bad, today=AS_OF).batch_id
    manager = ws.as_user(ws.users.get("manager").viewer())
    # The back-test runs as a job (minutes on a large workspace); its stored result is read.
    started = served.as_("manager").post("/api/risk/backtest", json={})
    assert started.status_code == 202, started.text
    f.job_id = started.json()["job_id"]
    job = manager.jobs.wait(f.job_id)
    assert job["status"] == "done", job
    return f


def _request(
    f: Fixtures, method: str, path: str, role: str, mine: bool
) -> tuple[str, dict[str, Any]]:
    """The URL and keyword arguments of one request: ``mine`` picks the rep's own customer
    (alert) or the other rep's."""
    owner = f.served.owners["rep_a" if mine else "rep_b"]
    ws = f.served.ws
    values: dict[str, Any] = {"metric": "churn_rate", "code": "matrix_reason",
                              "batch_id": f.batch_id, "job_id": f.job_id, "role": role,
                              "playbook_id": "void_survey",
                              "other_owner": f.served.owners["rep_b" if mine else "rep_a"],
                              "rep_owner": f.served.owners["rep_a"]}  # fmt: skip
    kwargs: dict[str, Any] = {}
    if path == "/api/value/no-value/{customer_id}/keep" and not role.startswith("rep"):
        values["customer_id"] = f.no_value_candidate(owner)  # a rep is refused before
    elif "{customer_id}" in path:
        values["customer_id"] = f.customer(owner, keep=method == "GET")
    if "{task_id}" in path:
        values["task_id"] = f.task(owner)
    if "{request_id}" in path:
        values["request_id"] = f.void_request()
    if "{owner_id}" in path:
        values["owner_id"] = f.leaver()
    if "{alert_id}" in path:
        values["alert_id"] = f.alert(owner)
    if "{job_id}" in path and not mine:
        values["job_id"] = f.job_id  # a manager's job: not the rep's own
    if "{username}" in path:
        values["username"] = f.user()
    if "{token_id}" in path:
        user = values.get("username", role)
        token = ws.users.create_token(user, actor="test")
        values["token_id"] = ws.users.tokens(user)[0]["id"]
        assert token
    body = BODIES.get((method, path))
    if body is not None:
        kwargs.update(body(f, values))
    if path == "/api/value/no-value/{customer_id}/revert":
        ws.value.decide(values["customer_id"], as_of=AS_OF, actor="test", note="x", force=True)
    if path in ("/api/customers/{customer_id}/revert", "/api/customers/{customer_id}/reactivate"):
        ws.customers.void(values["customer_id"], reason="duplicate", actor="test")
    params = QUERIES.get((method, path))
    if params:
        kwargs["params"] = params
    return path.format(**values), kwargs


BODIES: dict[tuple[str, str], Callable[[Fixtures, dict[str, Any]], dict[str, Any]]] = {
    ("PUT", "/api/me/password"): lambda f, v: {"json": {"password": PASSWORD}},
    ("PUT", "/api/me/lang"): lambda f, v: {"json": {"lang": "en"}},
    ("POST", "/api/me/tokens"): lambda f, v: {"json": {"label": "matrix"}},
    ("POST", "/api/value/no-value/{customer_id}/decide"):
        lambda f, v: {"json": {"as_of": AS_OF.isoformat(), "note": "matrix", "force": True}},
    ("POST", "/api/value/no-value/{customer_id}/revert"): lambda f, v: {"json": {"note": "m"}},
    ("POST", "/api/value/no-value/{customer_id}/keep"):
        lambda f, v: {"json": {"as_of": AS_OF.isoformat(), "note": "keep"}},
    ("POST", "/api/customers/{customer_id}/follow-ups"): lambda f, v: {"json": {"kind": "call"}},
    # Background jobs dated before the data: accepted (202), they fail quickly on their own.
    ("POST", "/api/value/score"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/risk/train"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/risk/score"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/risk/backtest"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/alerts/run"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/alerts/{alert_id}/ack"): lambda f, v: {"json": {"note": "seen"}},
    ("POST", "/api/alerts/{alert_id}/close"): lambda f, v: {"json": {"note": "called"}},
    ("POST", "/api/imports"): lambda f, v: {
        "data": {"kind": "owners"},
        "files": {"file": ("owners.csv", io.BytesIO(b"owner_id,name\nM9,Matrix\n"), "text/csv")}},
    ("POST", "/api/customers/{customer_id}/void"): lambda f, v: {"json": {"reason": "duplicate"}},
    ("POST", "/api/customers/{customer_id}/churn"): lambda f, v: {"json": {"reason": "price"}},
    ("POST", "/api/customers/{customer_id}/reactivate"): lambda f, v: {"json": {}},
    ("POST", "/api/customers/{customer_id}/revert"): lambda f, v: {"json": {"note": "oops"}},
    ("POST", "/api/customers/{customer_id}/reassign"):
        lambda f, v: {"json": {"to_owner": v["other_owner"]}},
    ("POST", "/api/approvals/{request_id}/approve"): lambda f, v: {"json": {}},
    ("POST", "/api/approvals/{request_id}/reject"): lambda f, v: {"json": {"note": "no"}},
    ("POST", "/api/owners/{owner_id}/leave"): lambda f, v: {"json": {"to": v["rep_owner"]}},
    # A rep claims for themselves; a manager names the owner.
    ("POST", "/api/pool/claim"): lambda f, v: {"json": {"customer_id": f.in_pool()} | (
        {} if v["role"].startswith("rep") else {"owner_id": v["other_owner"]})},
    ("POST", "/api/pool/refresh"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/playbooks/init"): lambda f, v: {"json": {"force": True}},
    ("POST", "/api/playbooks/run"): lambda f, v: {"json": {"as_of": "2001-01-01"}},
    ("POST", "/api/tasks/{task_id}/done"): lambda f, v: {"json": {"outcome": "reached"}},
    ("POST", "/api/tasks/{task_id}/skip"): lambda f, v: {"json": {"note": "not now"}},
    ("PUT", "/api/settings/reasons/{code}"):
        lambda f, v: {"json": {"label_zh": "测试", "label_en": "Test", "avoidable": True}},
    ("POST", "/api/users"): lambda f, v: {"json": {
        "username": f"new{next(f.counter)}", "role": "manager", "password": PASSWORD}},
    ("PUT", "/api/users/{username}/password"): lambda f, v: {"json": {"password": PASSWORD}},
    ("POST", "/api/users/{username}/tokens"): lambda f, v: {"json": {"label": "m"}},
}  # fmt: skip
QUERIES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/kpis/{metric}/drilldown"): {"period": "2026-10-01"},
    ("GET", "/api/kpis/{metric}/drilldown/export"): {"period": "2026-10-01"},
    ("GET", "/api/kpis"): {"metric": "churn_rate"},
}


def _operations(served: Served) -> list[tuple[str, str, str]]:
    """(method, path, success status) of every operation of the OpenAPI document."""
    spec = served.client.get("/api/openapi.json").json()
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            success = next(code for code in op["responses"] if code.startswith("2"))
            out.append((method.upper(), path, success))
    return out


def _expected(rule: str, role: str, path: str, mine: bool, success: str) -> int:
    if rule == ADMIN and role != "admin":
        return 403
    if rule == MANAGER and role == "rep_a":
        return 403
    if role == "rep_a" and not mine and any(k in path for k in SCOPED):
        return 404
    if role == "rep_a" and "{job_id}" in path:
        return 404  # the job is the manager's
    return int(success)


def test_every_operation_is_classified(served: Served) -> None:
    ops = {(m, p) for m, p, _ in _operations(served)}
    assert ops - PUBLIC == set(RULES), "classify the new routes in RULES"


def test_the_matrix(served: Served, fixtures: Fixtures) -> None:
    failures = []
    # Reads first: each write moves the data version, and the reads after it recompute.
    operations = sorted(_operations(served), key=lambda op: op[0] != "GET")
    for (method, path, success), role, mine in itertools.product(operations, ROLES, (True, False)):
        if (method, path) in PUBLIC:
            continue
        scoped = any(k in path for k in SCOPED)
        if not mine and not scoped:
            continue  # the same request as with ``mine``
        url, kwargs = _request(fixtures, method, path, role, mine)
        answer = served.as_(role).request(method, url, **kwargs)
        want = _expected(RULES[(method, path)], role, path, mine, success)
        if answer.status_code != want:
            failures.append(f"{method} {url} as {role} ({'own' if mine else 'other'}): "
                            f"{answer.status_code} != {want}: {answer.text[:200]}")  # fmt: skip
        elif want >= 400:
            error = answer.json()["error"]
            assert error["code"] and error["message"], answer.text
    manager = served.ws.as_user(served.ws.users.get("manager").viewer())
    for job in manager.jobs.find():
        manager.jobs.wait(job["id"])  # the jobs started above end before other tests run
    assert not failures, "\n".join(failures)


def test_nothing_answers_without_credentials(served: Served) -> None:
    anonymous = served.as_(None)
    wrong = served.as_(None)
    wrong.headers["Authorization"] = "Bearer kw_not-a-token"
    for method, path, _ in _operations(served):
        if (method, path) in PUBLIC:
            continue
        url = path.format(customer_id="C1", alert_id=1, metric="churn_rate", batch_id=1,
                          job_id=1, username="admin", token_id="abcdef", code="x",
                          request_id=1, owner_id="E1", playbook_id="p", task_id=1)  # fmt: skip
        for client in (anonymous, wrong):
            answer = client.request(method, url)
            assert answer.status_code == 401, f"{method} {url}: {answer.status_code}"
            assert answer.json()["error"]["code"] == "auth.required"


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, route) of every route, those of included routers too."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included router
        if inner is not None:
            context = getattr(route, "include_context", None)
            out += _routes(inner.routes, prefix + getattr(context, "prefix", ""))
        else:
            out.append((prefix + getattr(route, "path", ""), route))
    return out


def test_only_public_routes_outside_the_schema(served: Served) -> None:
    """Every route is in the OpenAPI document (and so probed above), but for the docs and
    their files, which are public."""
    listed = {p for _, p, _ in _operations(served)}
    paths = [path for path, _ in _routes(served.client.app.routes)]
    assert len(paths) > len(listed) // 2
    for path in paths:
        if path not in listed:
            assert path in PUBLIC_OTHER, path
    assert served.as_(None).get("/api/docs").status_code == 200
    assert served.as_(None).get("/api/openapi.json").status_code == 200
    css = served.as_(None).get("/api/docs/static/swagger-ui.css")
    assert css.status_code == 200 and b"swagger" in css.content


def test_every_route_is_documented(served: Served) -> None:
    """docs/api.md names every operation's path (parameters written as ``{…}``)."""
    doc = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    doc = re.sub(r"\{[^}]*\}", "{}", doc)
    missing = []
    for _, path, _ in _operations(served):
        short = re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api"))
        if not re.search(re.escape(short) + r"(?![\w/-])", doc):
            missing.append(path)
    assert not missing, f"document these routes in docs/api.md: {missing}"
