"""The pages that change things, over HTTP (no browser): a follow-up recorded from the
customer's page, a no-value customer kept, the playbooks run as a job, their evaluation and the
void-effect evaluation as the API computes them, and tasks done or skipped (a rep: their own)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from keepwise.api import create_app
from keepwise.api.routes.lifecycle import FollowUpKind
from keepwise.lifecycle.followups import FOLLOW_UP_KINDS
from keepwise.store import audit
from keepwise.value.reviews import still_kept
from keepwise.web import install
from web.conftest import AS_OF, Site
from web.test_pages import logged_in


@pytest.fixture(scope="module")
def app(site: Site) -> Iterator[TestClient]:
    application = create_app(site.ws, recover_jobs=False)
    install(application)
    yield TestClient(application, base_url="https://testserver")


def wait(client: Any, job: int) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while (found := client.get(f"/api/jobs/{job}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return dict(found)


def test_a_follow_up_is_recorded_audited_and_does_not_move_the_data_end(
    app: TestClient, site: Site
) -> None:
    assert set(get_args(FollowUpKind)) == set(FOLLOW_UP_KINDS)
    client, csrf = logged_in(app, "rep_a")
    own = site.get("rep_a", "/api/customers", limit=1)["items"][0]["customer_id"]
    theirs = site.get("rep_b", "/api/customers", limit=1)["items"][0]["customer_id"]
    end = site.ws.data_end()
    answer = client.post(f"/customers/{own}/follow-up", follow_redirects=False,
                         data={"kind": "call", "note": "asked about renewal", "csrf_token": csrf})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"].endswith("done=follow_up")
    found = [i for i in site.get("rep_a", f"/api/customers/{own}")["interactions"]
             if i["note"] == "asked about renewal"]  # fmt: skip
    assert len(found) == 1 and found[0]["type"] == "call" and found[0]["source"] == "user"
    assert found[0]["interaction_id"].startswith("user-")
    page = client.get(f"/customers/{own}")
    assert f'data-interaction="{found[0]["interaction_id"]}"' in page.text
    assert site.ws.data_end() == end  # a user's follow-up is not imported data
    with site.ws.store.begin() as conn:
        entry = audit.entries(conn, entity="customer", entity_id=own, limit=1)[0]
    assert entry["action"] == "follow_up" and entry["actor"] == "rep_a"
    refused = client.post(f"/customers/{theirs}/follow-up", data={"kind": "call",
                                                                  "csrf_token": csrf})  # fmt: skip
    assert refused.status_code == 404
    with site.api("manager") as api:
        made = api.post(f"/api/customers/{own}/follow-ups", json={"kind": "visit"})
        assert made.status_code == 201 and made.json()["kind"] == "visit"
        assert api.post(f"/api/customers/{own}/follow-ups", json={"kind": "fax"}).status_code == 422
        # A time with its zone is stored in the workspace's (Asia/Shanghai: 02:00 UTC is 10:00).
        day = site.ws.today() - dt.timedelta(days=1)
        zoned = api.post(f"/api/customers/{own}/follow-ups",
                         json={"kind": "call", "at": f"{day}T02:00:00+00:00"})  # fmt: skip
        assert zoned.status_code == 201 and zoned.json()["occurred_at"] == f"{day}T10:00:00"


def test_a_kept_no_value_customer_is_listed_as_reviewed_until_a_new_criterion(
    app: TestClient, site: Site
) -> None:
    assert still_kept({"criteria": ["low_profit"]}, ["low_profit"])
    assert not still_kept({"criteria": ["low_profit"]}, ["low_profit", "low_revenue"])
    assert not still_kept(None, ["low_profit"])
    candidates = site.get("manager", "/api/value/no-value")["data"]
    proposed = [r for r in candidates if r["review"] is None]
    assert proposed, "the demo has no no-value candidate"
    customer = proposed[0]["customer_id"]
    status = site.get("manager", f"/api/customers/{customer}/status")
    with site.api("rep_a") as rep:
        assert rep.post(f"/api/value/no-value/{customer}/keep", json={}).status_code == 403
    client, csrf = logged_in(app, "manager")
    answer = client.post(f"/value/no-value/{customer}/keep", follow_redirects=False,
                         data={"note": "key account's subsidiary", "csrf_token": csrf})  # fmt: skip
    assert answer.status_code == 303
    row = next(r for r in site.get("manager", "/api/value/no-value")["data"]
               if r["customer_id"] == customer)  # fmt: skip
    assert row["review"] == "kept" and row["reviewed_by"] == "manager"
    assert row["review_note"] == "key account's subsidiary"
    assert site.get("manager", f"/api/customers/{customer}/status") == status  # still kept
    page = client.get("/value").text
    kept_row = re.search(rf'<tr data-customer="{re.escape(customer)}" data-review="kept">(.*?)</tr>',
                         page, re.S)  # fmt: skip
    assert kept_row and "/decide" not in kept_row.group(1)
    listed = {r["customer_id"] for r in candidates}
    other = next(c["customer_id"] for c in site.get("manager", "/api/customers", limit=200)["items"]
                 if c["customer_id"] not in listed)  # fmt: skip
    with site.api("manager") as api:
        nobody = api.post(f"/api/value/no-value/{other}/keep", json={})
        assert nobody.status_code == 400
        assert nobody.json()["error"]["code"] == "value.keep_not_candidate"


def test_playbooks_run_as_a_job_and_their_evaluations_are_the_apis(
    app: TestClient, site: Site
) -> None:
    manager, csrf = logged_in(app, "manager")
    answer = manager.post("/playbooks/run", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/jobs/")
    job = wait(manager, int(answer.headers["location"].rsplit("/", 1)[1]))
    assert job["status"] == "done" and job["params"]["as_of"] == AS_OF.isoformat()  # today
    page = manager.get("/playbooks").text
    evaluation = site.get("manager", "/api/playbooks/evaluation")["data"]["evaluations"]
    shown = re.findall(r'<tr data-playbook="([^"]+)">\s*<td>[^<]*<br><span class="small">\d+ d',
                       page)  # fmt: skip
    assert shown == [e["playbook_id"] for e in evaluation] and shown
    verdicts = re.findall(r'data-verdict="(\w+)">([^<]*)</td>', page)
    assert verdicts == [(e["verdict"]["code"], e["verdict"]["zh"]) for e in evaluation]
    effect = site.get("manager", "/api/playbooks/void-effect")["data"]
    for part in ("part-ratio", "part-reasons", "part-impact", "part-followup", "part-measures"):
        assert f'id="{part}"' in page
    ratios = re.findall(r'<td class="n" data-v="([^"]*)">', page.split('id="void-ratio-table"')[1]
                        .split("</table>")[0])  # fmt: skip
    assert [float(v) if v else None for v in ratios] == [r["void_ratio"] for r in effect["ratio"]]
    rep, _ = logged_in(app, "rep_a")
    rep_page = rep.get("/playbooks")
    assert rep_page.status_code == 200 and 'id="evaluation-table"' not in rep_page.text
    assert 'id="playbook-table"' in rep_page.text


def test_tasks_a_rep_sees_their_own_marks_the_overdue_and_records_outcomes(
    app: TestClient, site: Site
) -> None:
    with site.api("manager") as api:  # a run a month ago (its tasks are due by now) and today's
        for body in ({"as_of": "2026-11-01"}, {}):
            started = api.post("/api/playbooks/run", json=body)
            assert started.status_code == 202
            assert wait(api, started.json()["job_id"])["status"] == "done"
    overdue = site.get("manager", "/api/tasks", status="overdue", limit=1000)
    assert overdue["total"] > 0
    manager, _ = logged_in(app, "manager")
    page = manager.get("/tasks", params={"status": "overdue"}).text
    rows = re.findall(r'<tr data-task="(\d+)" data-status="(\w+)"( class="overdue")?>', page)
    assert [int(r[0]) for r in rows] == [t["id"] for t in overdue["items"][:50]]
    assert all(r[1] == "overdue" and r[2] for r in rows)
    rep, csrf = logged_in(app, "rep_a")
    mine = [t for t in site.get("rep_a", "/api/tasks", limit=1000)["items"]
            if t["status"] in ("open", "overdue")]  # fmt: skip
    assert len(mine) >= 2
    shown = {int(x) for x in re.findall(r'<tr data-task="(\d+)"', rep.get("/tasks").text)}
    every = {t["id"] for t in site.get("manager", "/api/tasks", limit=1000)["items"]}
    own = {t["id"] for t in site.get("rep_a", "/api/tasks", limit=1000)["items"]}
    assert shown and shown <= own < every
    assert {t["owner_id"] for t in mine} <= {site.owners["rep_a"]}
    first, second = mine[0]["id"], mine[1]["id"]
    done = rep.post(f"/tasks/{first}/done", follow_redirects=False,
                    data={"outcome": "reached", "note": "called back", "csrf_token": csrf})  # fmt: skip
    assert done.status_code == 303
    task = site.get("rep_a", f"/api/tasks/{first}")
    assert task["status"] == "done" and task["outcome"] == "reached"
    assert rep.post(f"/tasks/{second}/skip", data={"csrf_token": csrf}).status_code == 200
    assert site.get("rep_a", f"/api/tasks/{second}")["status"] == "skipped"
    theirs = next(t for t in site.get("manager", "/api/tasks", status="open", limit=1000)["items"]
                  if t["id"] not in own)  # fmt: skip
    refused = rep.post(f"/tasks/{theirs['id']}/done", data={"outcome": "reached",
                                                            "csrf_token": csrf})  # fmt: skip
    assert refused.status_code == 404
