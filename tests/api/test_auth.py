"""Logging in: argon2 password hashes, the session cookie's flags, CSRF on every change made
with the cookie, bearer tokens (stored as hashes, revocable), disabled users, rate limiting,
and the audit log naming the user who made each change."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from api_support import PASSWORD, Served
from fastapi.testclient import TestClient

from keepwise.store import schema


def _login(served: Served, user: str, password: str = PASSWORD) -> TestClient:
    client = served.as_(None)
    answer = client.post("/api/login", json={"username": user, "password": password})
    assert answer.status_code == 200, answer.text
    return client


def test_passwords_are_argon2_hashes(served: Served) -> None:
    with served.ws.store.begin() as conn:
        hashes = [r[0] for r in conn.execute(sa.select(schema.users.c.password_hash))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_session_cookie_flags_and_csrf(served: Served) -> None:
    client = served.as_(None)
    answer = client.post("/api/login", json={"username": "manager", "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    csrf = answer.json()["csrf_token"]
    assert client.get("/api/me").json()["user"]["username"] == "manager"
    # A change with the cookie but without the token (a forged cross-site form) is refused …
    alert = served.ws.alerts.find(status="open")[0].id
    refused = client.post(f"/api/alerts/{alert}/ack", json={"note": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.csrf"
    wrong = client.post(f"/api/alerts/{alert}/ack", json={}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert served.ws.alerts.get(alert).status == "open"
    # … and accepted with it, in a header or a form field.
    ok = client.post(f"/api/alerts/{alert}/ack", json={}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    out = client.post("/api/logout", data={"csrf_token": csrf})
    assert out.status_code == 204
    assert client.get("/api/me").status_code == 401


def test_bearer_tokens_need_no_csrf_and_can_be_revoked(served: Served) -> None:
    ws = served.ws
    token = ws.users.create_token("manager", label="script", actor="test")
    with ws.store.begin() as conn:
        stored = {r[0] for r in conn.execute(sa.select(schema.api_tokens.c.token_hash))}
    assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
    client = served.as_(None)
    client.headers["Authorization"] = f"Bearer {token}"
    alert = ws.alerts.find(status="open")[0].id
    assert client.post(f"/api/alerts/{alert}/ack", json={}).status_code == 200
    token_id = next(t["id"] for t in ws.users.tokens("manager") if t["label"] == "script")
    assert client.delete(f"/api/me/tokens/{token_id}").status_code == 204
    assert client.get("/api/me").status_code == 401


def test_wrong_password_and_rate_limit(served: Served) -> None:
    client = served.as_(None)
    served.ws.users.add("victim", role="manager", password=PASSWORD, actor="test")
    for _ in range(5):
        bad = client.post("/api/login", json={"username": "victim", "password": "guess-1234"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "auth.bad_login"
    # The sixth try is refused even with the right password, from this address …
    limited = client.post("/api/login", json={"username": "victim", "password": PASSWORD})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "auth.too_many"
    # … an unknown user gets the same answer as a wrong password.
    unknown = client.post("/api/login", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "auth.bad_login"


def test_disabled_users_are_locked_out(served: Served) -> None:
    ws = served.ws
    ws.users.add("leaver", role="manager", password=PASSWORD, actor="test")
    token = ws.users.create_token("leaver", actor="test")
    session = _login(served, "leaver")
    bearer = served.as_(None)
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("/api/me").status_code == 200
    admin = served.as_("admin")
    assert admin.post("/api/users/leaver/disable").json()["active"] is False
    assert bearer.get("/api/me").status_code == 401
    assert session.get("/api/me").status_code == 401
    again = served.as_(None).post("/api/login", json={"username": "leaver", "password": PASSWORD})
    assert again.status_code == 401


def test_changes_are_audited_with_the_user(served: Served) -> None:
    admin = served.as_("admin")
    made = admin.post("/api/users", json={"username": "auditme", "role": "rep",
                                          "owner_id": served.owners["rep_b"],
                                          "password": PASSWORD})  # fmt: skip
    assert made.status_code == 201, made.text
    admin.put(
        "/api/settings/reasons/budget_cut",
        json={"label_zh": "预算削减", "label_en": "Budget cut", "avoidable": False},
    )
    log = admin.get("/api/settings/audit", params={"actor": "admin"}).json()
    actions = {(e["action"], e["entity_id"]) for e in log}
    assert ("users.add", "auditme") in actions and ("reasons.set", "budget_cut") in actions
    assert served.as_("manager").get("/api/settings/audit").status_code == 403


def test_a_rep_needs_an_owner_and_roles_are_checked(served: Served) -> None:
    admin = served.as_("admin")
    no_owner = admin.post("/api/users", json={"username": "r9", "role": "rep",
                                              "password": PASSWORD})  # fmt: skip
    assert no_owner.status_code == 400
    assert no_owner.json()["error"]["code"] == "users.rep_needs_owner"
    short = admin.post("/api/users", json={"username": "r9", "role": "manager",
                                           "password": "short"})  # fmt: skip
    assert short.json()["error"]["code"] == "users.short_password"


def test_errors_in_the_callers_language(served: Served) -> None:
    """``?lang=`` first, then the user's own setting, then Accept-Language."""
    client = served.as_("rep_a")  # rep_a's own language is English
    other = served.ws.directory.search(filters={"owner_id": served.owners["rep_b"]}, limit=1)
    url = f"/api/customers/{other.items[0]['customer_id']}"
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
    asked = client.get(url, params={"lang": "zh"}).json()["error"]
    assert asked["code"] == "customers.not_found" and asked["message"].startswith("客户 ")
    own = client.get(url, headers=chinese).json()["error"]["message"]
    assert own.startswith("Unknown customer")
    anonymous = served.as_(None).get(url, headers=chinese).json()["error"]
    assert anonymous["code"] == "auth.required" and anonymous["message"].startswith("请先登录")
