"""The pages over HTTP (no browser): who may open what, CSRF on every form, error pages in
the user's language without a traceback, the login's redirects, an upload followed on its job
page, the bundled chart library, and every word of the templates in both languages."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from keepwise._core.i18n import has, t
from keepwise._core.i18n import keys as registered
from keepwise.api import create_app
from keepwise.web import PAGE_MODULES, PUBLIC_PAGES, install
from keepwise.web.render import STATIC_DIR, TEMPLATES
from web.conftest import PASSWORD, Site

PAGE_GETS = ("/", "/churn", "/risk", "/customers", "/customers/X1", "/value", "/imports",
             "/settings", "/jobs/1", "/kpis/void_ratio?period=2026-10-01", "/playbooks",
             "/tasks")  # fmt: skip
PAGE_POSTS = ("/logout", "/lang", "/customers/X1/void", "/customers/X1/revert",
              "/customers/X1/reassign", "/alerts/1/ack", "/risk/train", "/risk/score",
              "/risk/backtest", "/alerts/run", "/value/no-value/X1/decide", "/imports",
              "/settings/users", "/settings/users/rep_a/disable", "/settings/reasons",
              "/customers/X1/follow-up", "/value/no-value/X1/keep", "/playbooks/run",
              "/tasks/1/done", "/tasks/1/skip")  # fmt: skip


@pytest.fixture(scope="module")
def app(site: Site) -> Iterator[TestClient]:
    application = create_app(site.ws, recover_jobs=False)
    install(application)
    yield TestClient(application, base_url="https://testserver")


def logged_in(app: TestClient, user: str) -> tuple[TestClient, str]:
    client = TestClient(app.app, base_url="https://testserver")
    answer = client.post("/login", data={"username": user, "password": PASSWORD},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    csrf = client.get("/api/me").json()["csrf_token"]
    return client, csrf


def test_every_page_but_login_needs_a_session(app: TestClient) -> None:
    pages = {r.path for module in PAGE_MODULES for r in module.router.routes}
    assert len(pages) > 25
    covered = {re.sub(r"/(X1|1|rep_a|void_ratio)(?=/|$)", "/{x}", p.split("?")[0])
               for p in PAGE_GETS + PAGE_POSTS}  # fmt: skip
    named = {re.sub(r"\{[^}]+\}", "{x}", p) for p in pages}
    assert named - set(PUBLIC_PAGES) <= covered, named - covered  # a new page joins this test
    for path in PAGE_GETS:
        answer = app.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2F")
    for path in PAGE_POSTS:
        answer = app.post(path, data={}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert app.get("/login").status_code == 200
    assert app.get("/static/app.css").status_code == 200


def test_forms_need_the_csrf_token(app: TestClient, site: Site) -> None:
    client, csrf = logged_in(app, "manager")
    before = site.get("manager", "/api/customers/X1/status")
    refused = client.post("/customers/X1/void", data={"reason": "duplicate"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "CSRF" in refused.text and "Traceback" not in refused.text
    wrong = client.post("/customers/X1/void", data={"reason": "duplicate", "csrf_token": "x"})
    assert wrong.status_code == 403
    assert site.get("manager", "/api/customers/X1/status") == before
    switched = client.post("/lang", data={"lang": "en", "csrf_token": csrf},
                           follow_redirects=False)  # fmt: skip
    assert switched.status_code == 303
    assert client.get("/api/me").json()["user"]["lang"] == "en"
    client.post("/lang", data={"lang": "zh", "csrf_token": csrf})


def test_error_pages_speak_the_users_language(app: TestClient) -> None:
    client, _ = logged_in(app, "manager")  # the manager reads Chinese
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "找不到这个页面或客户" in missing.text
    assert "<nav" in missing.text  # the error page keeps the navigation
    bad = client.get("/kpis/void_ratio", params={"period": "not-a-day"})
    assert bad.status_code == 422 and "period" in bad.text and "Traceback" not in bad.text
    unknown = client.get("/customers/NOBODY")
    assert unknown.status_code == 404 and "NOBODY" in unknown.text
    assert client.get("/api/customers/NOBODY").json()["error"]["code"] == "customers.not_found"
    english = client.get("/no/such/page", params={"lang": "en"})
    assert "No such page or customer" in english.text


def test_login_refuses_wrong_passwords_other_sites_and_open_redirects(app: TestClient) -> None:
    client = TestClient(app.app, base_url="https://testserver")
    wrong = client.post("/login", data={"username": "manager", "password": "nope-nope-nope"})
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    foreign = client.post("/login", headers={"Origin": "https://evil.example"},
                          data={"username": "manager", "password": PASSWORD})  # fmt: skip
    assert foreign.status_code == 403 and "kw_session" not in foreign.headers.get("set-cookie", "")
    away = client.post("/login", data={"username": "manager", "password": PASSWORD,
                                       "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert away.status_code == 303 and away.headers["location"] == "/"
    cookie = away.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    out = client.post("/logout", data={"csrf_token": client.get("/api/me").json()["csrf_token"]},
                      follow_redirects=False)  # fmt: skip
    assert out.status_code == 303 and client.get("/", follow_redirects=False).status_code == 303


def test_an_upload_runs_as_a_job_with_its_counts_and_rejects(
    app: TestClient, site: Site, tmp_path: Path
) -> None:
    client, csrf = logged_in(app, "manager")
    owner = site.owners["rep_a"]
    # Headers as a Chinese CRM exports them: the importer detects what each column is.
    text = ("Customer ID,客户名称,owner_id,acquired_at,颜色\n"
            f"U1,Upload One,{owner},2026-01-02,red\nU2,Upload Two,{owner},not-a-date,blue\n")  # fmt: skip
    answer = client.post("/imports", data={"kind": "customers", "csrf_token": csrf},
                         files={"file": ("new.csv", text.encode(), "text/csv")},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"].startswith("/jobs/")
    job_path = answer.headers["location"]
    job_id = int(job_path.rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job_id}").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    page = client.get(job_path)  # a reload finds the finished job
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["result"]["rows_loaded"] == 1
    assert job["result"]["rows_rejected"] == 1
    assert 'data-status="done"' in page.text
    mapping = {"Customer ID": "customer_id", "客户名称": "name", "owner_id": "owner_id",
               "acquired_at": "acquired_at"}  # fmt: skip
    assert job["result"]["mapping"] == mapping and job["result"]["ignored_columns"] == ["颜色"]
    for source, field in mapping.items():
        assert f'<tr data-source="{source}" data-field="{field}">' in page.text
    assert f"/api/imports/{job['result']['batch_id']}/rejects" in page.text
    rejects = client.get(f"/api/imports/{job['result']['batch_id']}/rejects?format=csv")
    assert rejects.status_code == 200 and "U2" in rejects.text
    imports = client.get("/imports")
    assert f'data-batch="{job["result"]["batch_id"]}"' in imports.text


def test_echarts_ships_inside_the_package_with_its_licence(app: TestClient) -> None:
    folder = STATIC_DIR / "echarts"
    assert (folder / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "Apache ECharts" in (folder / "NOTICE").read_text()
    served = app.get("/static/echarts/echarts.min.js")
    assert served.status_code == 200 and "Apache Software Foundation" in served.text[:2000]


def test_every_word_of_the_templates_is_in_both_languages() -> None:
    keys: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        keys |= set(re.findall(r"""_\(\s*["']([\w.]+)["']""", template.read_text()))
    prefixes = {k for k in keys if k.endswith(".")}  # _("web.status." ~ status)
    keys -= prefixes
    assert len(keys) > 100
    assert sorted(k for k in keys if not has(k)) == []
    assert all(any(k.startswith(p) for k in registered()) for p in prefixes), prefixes
    assert [k for k in keys if t(k, "zh") == t(k, "en")] == []
