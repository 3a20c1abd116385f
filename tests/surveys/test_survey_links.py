"""The life of a survey link: answered once (the answer is a survey row that the csat and nps
KPIs count, and a detractor or a customer thinking of leaving gets an alert for the owner);
used again, expired, altered or forged, it stores nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core import clock
from keepwise._core.errors import InputError, NotFoundError
from keepwise.store import schema
from keepwise.surveys import sign

NOW = dt.datetime(2026, 3, 10, 8, 0)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    workspace = Workspace.init(tmp_path / "ws", lang="zh")
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": "C1", "name": "甲", "owner_id": "O1",
             "acquired_at": dt.datetime(2025, 1, 1)},
            {"customer_id": "C2", "name": "乙", "owner_id": "O2",
             "acquired_at": dt.datetime(2025, 1, 1)}])  # fmt: skip
        conn.execute(sa.insert(schema.surveys).values(
            survey_id="U0", customer_id="C2", answered_at=dt.datetime(2026, 3, 2), csat=5,
            recommend=10))  # fmt: skip
    yield workspace
    workspace.close()


def _rows(ws: Workspace, table: sa.Table) -> list[dict[str, object]]:
    with ws.store.begin() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_answer_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    link = ws.surveys.create("C1", days=14)
    assert link.lang == "zh" and link.expires_at == dt.datetime(2026, 3, 24, 8, 0)
    assert ws.surveys.url(link.token) == f"http://127.0.0.1:8000/s/{link.token}"
    assert ws.surveys.state(link.token)[0] == "open"
    where, alerts = ws.surveys.answer(link.token, {"csat": "2", "recommend": "3",
                                                   "reason": "price", "leaving": "yes",
                                                   "comment": "太贵了"})  # fmt: skip
    assert where == "open" and len(alerts) == 2
    survey = next(r for r in _rows(ws, schema.surveys) if r["customer_id"] == "C1")
    assert (survey["csat"], survey["recommend"], survey["reason"], survey["comment"]) == (
        2, 3, "price", "太贵了")  # fmt: skip
    assert survey["answered_at"] == NOW
    opened = {r["rule"]: r for r in _rows(ws, schema.alerts)}
    assert set(opened) == {"survey_detractor", "survey_leaving"}
    assert opened["survey_leaving"]["severity"] == "high"
    assert all(r["customer_id"] == "C1" and r["status"] == "open" for r in opened.values())
    # The KPIs count the answer: March's csat is (5 + 2) / 2 and its nps (1 - 1) / 2 × 100.
    kpis = ws.metrics.compute(["csat", "nps"], as_of=dt.date(2026, 4, 1), grain="month",
                              start=dt.date(2026, 3, 1))  # fmt: skip
    values = dict(zip(kpis["metric"], kpis["value"], strict=True))
    assert values == {"csat": 3.5, "nps": 0.0}
    # The same link again: nothing stored, no alert.
    assert ws.surveys.state(link.token)[0] == "used"
    assert ws.surveys.answer(link.token, {"csat": "5", "recommend": "10"}) == ("used", [])
    assert len(_rows(ws, schema.surveys)) == 2 and len(_rows(ws, schema.alerts)) == 2


def test_a_promoter_raises_no_alert_and_alerts_are_not_repeated(ws: Workspace) -> None:
    happy = ws.surveys.create("C2")
    assert ws.surveys.answer(happy.token, {"csat": "5", "recommend": "9"}) == ("open", [])
    first, second = ws.surveys.create("C1"), ws.surveys.create("C1")
    assert first.token != second.token
    assert len(ws.surveys.answer(first.token, {"recommend": "0"})[1]) == 1
    # A second detractor answer while the first alert is open adds no alert.
    assert ws.surveys.answer(second.token, {"recommend": "1"}) == ("open", [])
    assert len(_rows(ws, schema.alerts)) == 1 and len(_rows(ws, schema.surveys)) == 4


def test_expired(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    link = ws.surveys.create("C1", days=1)
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=1))
    assert ws.surveys.state(link.token)[0] == "expired"
    assert ws.surveys.answer(link.token, {"csat": "1", "recommend": "0"}) == ("expired", [])
    assert len(_rows(ws, schema.surveys)) == 1 and not _rows(ws, schema.alerts)


def test_forged_and_altered(ws: Workspace) -> None:
    link = ws.surveys.create("C1")
    token_id, expires, signature = link.token.split(".")
    later = str(int(expires) + 86400 * 30)
    other_key = sign("not the workspace key", token_id, link.expires_at)
    for bad in (f"{token_id}.{later}.{signature}",  # expiry pushed back
                f"{token_id}.{expires}.{signature[:-2]}AA",  # signature altered
                f"x{token_id[1:]}.{expires}.{signature}",  # another id
                other_key,  # signed with another key
                "nonsense", "", f"{token_id}.{expires}"):  # fmt: skip
        assert ws.surveys.state(bad)[0] == "invalid", bad
        assert ws.surveys.answer(bad, {"csat": "1", "recommend": "0"}) == ("invalid", [])
    assert len(_rows(ws, schema.surveys)) == 1 and not _rows(ws, schema.alerts)
    assert ws.surveys.state(link.token)[0] == "open"


def test_bad_answers_and_customers(ws: Workspace) -> None:
    link = ws.surveys.create("C1")
    for form, message in (({"csat": "6"}, "满意度须为 1 到 5 分"),
                          ({"recommend": "11"}, "推荐意愿"), ({}, "至少"),
                          ({"csat": "3", "reason": "<b>x</b>"}, "未知的原因")):  # fmt: skip
        with pytest.raises(InputError) as err:
            ws.surveys.answer(link.token, form)
        assert message in err.value.message("zh")
    assert ws.surveys.state(link.token)[0] == "open" and len(_rows(ws, schema.surveys)) == 1
    with pytest.raises(NotFoundError):
        ws.surveys.create("C9")
    with pytest.raises(InputError):
        ws.surveys.create("C1", days=0)


def test_pages_in_the_customers_language(ws: Workspace) -> None:
    from keepwise.surveys.page import form_page, state_page

    zh = form_page("zh", "<Acme>", ws.surveys.reasons("zh"))
    assert "&lt;Acme&gt; 邀请您评价我们的服务" in zh and "价格因素" in zh and "<Acme>" not in zh
    assert 'value="duplicate"' not in zh
    en = state_page("en", "expired")
    assert "This link has expired" in en and "nothing was saved" in en
