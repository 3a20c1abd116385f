"""The public survey page served by the API's app (``/s/{token}``, no login): a link's form in
its language, answered once (stored, counted by the csat and nps KPIs), then refused; expired,
forged and altered links and bad values get a clear page and store nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from keepwise import Workspace
from keepwise._core import clock
from keepwise.api import create_app
from keepwise.store import schema

NOW = dt.datetime(2026, 3, 10, 8, 0)


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, TestClient]]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    ws = Workspace.init(tmp_path / "ws", lang="zh", name="<b>Acme</b>")
    with (tmp_path / "ws" / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write('\n[surveys]\nbase_url = "https://keep.example.com/"\n')
    ws.close()
    ws = Workspace.open(tmp_path / "ws")
    with ws.store.begin() as conn:
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": "C1", "name": "甲", "owner_id": "O1",
             "acquired_at": dt.datetime(2025, 1, 1)},
            {"customer_id": "C2", "name": "乙", "owner_id": "O2",
             "acquired_at": dt.datetime(2025, 1, 1)}])  # fmt: skip
    # No credentials anywhere: the page is public.
    yield ws, TestClient(create_app(ws, recover_jobs=False), base_url="https://testserver")
    ws.close()


def _surveys(ws: Workspace) -> list[dict[str, object]]:
    with ws.store.begin() as conn:
        return [dict(r) for r in conn.execute(sa.select(schema.surveys)).mappings()]


def _path(ws: Workspace, token: str) -> str:
    url = ws.surveys.url(token)
    assert url == f"https://keep.example.com/s/{token}"  # [surveys] base_url names this route
    return url.removeprefix("https://keep.example.com")


def test_answer_once_stored_and_counted(page: tuple[Workspace, TestClient]) -> None:
    ws, client = page
    path = _path(ws, ws.surveys.create("C1", lang="en").token)
    form = client.get(path)
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert "How satisfied are you" in form.text and 'name="recommend" value="10"' in form.text
    assert "&lt;b&gt;Acme&lt;/b&gt;" in form.text and "<b>Acme" not in form.text  # escaped
    assert 'value="price"' in form.text and "no-store" in form.headers["cache-control"]
    version = ws.data_version()
    sent = client.post(path, data={"csat": "2", "recommend": "9", "reason": "price",
                                   "comment": "<script>x</script>"})  # fmt: skip
    assert sent.status_code == 200 and "Thank you" in sent.text
    (row,) = _surveys(ws)
    assert (row["customer_id"], row["csat"], row["recommend"], row["reason"], row["comment"],
            row["answered_at"]) == ("C1", 2, 9, "price", "<script>x</script>", NOW)  # fmt: skip
    assert ws.data_version() != version  # stored results of csat and nps are stale now
    kpis = ws.metrics.compute(["csat", "nps"], as_of=dt.date(2026, 4, 1), grain="month",
                              start=dt.date(2026, 3, 1))  # fmt: skip
    # One answer: csat 2; a 9 is a promoter, so nps (1 - 0) / 1 × 100.
    assert dict(zip(kpis["metric"], kpis["value"], strict=True)) == {"csat": 2.0, "nps": 100.0}
    # Reused: refused, nothing more stored.
    again = client.post(path, data={"csat": "5", "recommend": "10"})
    assert again.status_code == 409 and "has been used already" in again.text
    assert client.get(path).status_code == 409
    assert len(_surveys(ws)) == 1


def test_expired(page: tuple[Workspace, TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    ws, client = page
    path = _path(ws, ws.surveys.create("C1", days=3).token)  # the workspace's language
    assert "您对我们的产品和服务满意吗" in client.get(path).text
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=3))
    shown = client.get(path)
    assert shown.status_code == 410 and "链接已过期" in shown.text
    sent = client.post(path, data={"csat": "5", "recommend": "10"})
    assert sent.status_code == 410 and not _surveys(ws)


def test_forged_and_altered(page: tuple[Workspace, TestClient]) -> None:
    ws, client = page
    token = ws.surveys.create("C1").token
    token_id, expires, mac = token.split(".")
    for bad in (f"{token_id}.{int(expires) + 86400}.{mac}", f"x{token_id}.{expires}.{mac}",
                "nonsense", "a.b.c", "%00", "a..b", "²"):  # fmt: skip
        for answer in (client.get(f"/s/{bad}"), client.post(f"/s/{bad}", data={"csat": "1"})):
            assert answer.status_code == 404, bad
            assert "链接无效" in answer.text
    assert not _surveys(ws)
    assert client.get(f"/s/{token}").status_code == 200  # the real one still works


@pytest.mark.parametrize("form, message", [
    ({"csat": "6"}, "满意度须为 1 到 5 分"), ({"recommend": "-1"}, "推荐意愿须为 0 到 10 分"),
    ({"csat": "²"}, "满意度须为 1 到 5 分"), ({"csat": "3", "reason": "<i>no</i>"}, "&lt;i&gt;"),
    ({}, "请至少给出"), ({"comment": "only words"}, "请至少给出"),
])  # fmt: skip
def test_bad_values(page: tuple[Workspace, TestClient], form: dict[str, str], message: str) -> None:
    ws, client = page
    path = _path(ws, ws.surveys.create("C1").token)
    sent = client.post(path, data=form)
    assert sent.status_code == 422 and message in sent.text and "<form" in sent.text
    assert "<i>no" not in sent.text
    assert not _surveys(ws)
    # The link stays open: a corrected answer is stored.
    assert client.post(path, data={"csat": "4", "comment": "a\x00b"}).status_code == 200
    assert [(r["csat"], r["comment"]) for r in _surveys(ws)] == [(4, "ab")]


def test_a_json_body_is_no_answer(page: tuple[Workspace, TestClient]) -> None:
    ws, client = page
    path = _path(ws, ws.surveys.create("C1").token)
    sent = client.post(path, json={"csat": 5})
    assert sent.status_code == 422 and not _surveys(ws)
