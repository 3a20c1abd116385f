"""Notifications to local receivers (127.0.0.1): WeCom, DingTalk and Feishu robots that check
the payloads and signatures as the real ones do, an SMTP sink, and a robot that fails twice
before it succeeds. Each recipient hears about its own customers, in its language, once;
failures are retried with back-off, logged, and sent by a later run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from receivers import Robot, start_mail_sink, start_robot

from keepwise import Workspace
from keepwise._core.errors import ConfigError
from keepwise.store import schema

AS_OF = dt.date(2026, 3, 2)
OVERDUE = dt.date(2026, 2, 20)


@pytest.fixture
def receivers() -> Iterator[dict[str, Any]]:
    r: dict[str, Any] = {
        "wecom": start_robot(Robot("wecom")),
        "ding": start_robot(Robot("dingtalk", secret="SEC-ding")),
        "feishu": start_robot(Robot("feishu", secret="fs-secret")),
        "flaky": start_robot(Robot("wecom", fail_first=2)),
        "mail": start_mail_sink(),
    }
    yield r
    for item in r.values():
        assert item.server is not None
        item.server.shutdown()
        item.server.server_close()


def _config(r: dict[str, Any], ding_secret: str = "SEC-ding") -> str:
    return f"""
[notify]
retries = 3
backoff_seconds = 0.5
timeout_seconds = 5

[notify.smtp]
host = "127.0.0.1"
port = {r["mail"].port}
security = "none"
sender = "Keepwise <kw@example.test>"

[notify.channels.wecom-east]
type = "wecom"
webhook = "{r["wecom"].url}"
owners = ["O1"]
lang = "zh"

[notify.channels.ding]
type = "dingtalk"
webhook_env = "KW_TEST_DING"
secret = "{ding_secret}"
lang = "en"
send = ["alerts"]

[notify.channels.feishu]
type = "feishu"
webhook = "{r["feishu"].url}"
secret_env = "KW_TEST_FEISHU_SECRET"

[notify.channels.reps]
type = "email"
per_owner = true
lang = "en"

[notify.channels.flaky]
type = "wecom"
webhook = "{r["flaky"].url}"
owners = ["O2"]
"""


def _seed(ws: Workspace) -> None:
    at = dt.datetime(2026, 3, 1, 9)
    with ws.store.begin() as conn:
        conn.execute(sa.insert(schema.owners), [
            {"owner_id": "O1", "name": "王芳", "email": "o1@example.test", "active": True},
            {"owner_id": "O2", "name": "Bob", "email": "o2@example.test", "active": True},
            {"owner_id": "O3", "name": "No Mail", "email": None, "active": True}])  # fmt: skip
        conn.execute(sa.insert(schema.customers), [
            {"customer_id": "C1", "name": "上海甲公司", "owner_id": "O1"},
            {"customer_id": "C2", "name": "Beta Ltd", "owner_id": "O2"},
            {"customer_id": "C3", "name": "Gamma", "owner_id": "O3"}])  # fmt: skip
        conn.execute(sa.insert(schema.users).values(username="wang", role="rep", owner_id="O1",
                                                    lang="zh"))  # fmt: skip
        conn.execute(sa.insert(schema.alerts), [
            {"customer_id": c, "rule": rule, "severity": sev, "suggested_playbook": pb,
             "status": "open", "as_of": AS_OF, "opened_at": at, "evidence": "{}"}
            for c, rule, sev, pb in (("C1", "purchase_drop", "high", "care_call"),
                                     ("C2", "no_followup", "medium", "care_call"),
                                     ("C3", "contract_ending", "low", "exec_visit"))])  # fmt: skip
        conn.execute(sa.insert(schema.tasks), [
            {"customer_id": "C2", "type": "care_call", "owner_id": "O2", "due": AS_OF,
             "status": "open", "holdout": False, "created_at": at},
            {"customer_id": "C2", "type": "survey", "owner_id": "O2", "due": OVERDUE,
             "status": "open", "holdout": False, "created_at": at},
            {"customer_id": "C2", "type": "exec_visit", "owner_id": "O2", "due": AS_OF,
             "status": "skipped", "holdout": False, "created_at": at},
            {"customer_id": "C1", "type": "survey", "owner_id": "O1", "due": AS_OF,
             "status": "done", "holdout": False, "created_at": at}])  # fmt: skip


@pytest.fixture
def ws(
    tmp_path: Path, receivers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    monkeypatch.setenv("KW_TEST_DING", receivers["ding"].url)
    monkeypatch.setenv("KW_TEST_FEISHU_SECRET", "fs-secret")
    Workspace.init(tmp_path / "ws", lang="en").close()
    with (tmp_path / "ws" / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(_config(receivers))
    workspace = Workspace.open(tmp_path / "ws")
    _seed(workspace)
    yield workspace
    workspace.close()


def _text(body: dict[str, Any]) -> str:
    if "markdown" in body:
        return str(body["markdown"].get("content") or body["markdown"].get("text"))
    post = body["content"]["post"]
    (locale,) = post
    return (
        locale
        + "\n"
        + post[locale]["title"]
        + "\n"
        + "\n".join(e["text"] for line in post[locale]["content"] for e in line)
    )


def test_each_channel_gets_its_digest(ws: Workspace, receivers: dict[str, Any]) -> None:
    ws.surveys.for_tasks(task_ids=[k.id for k in ws.tasks.find(as_of=AS_OF)], create=True)
    waits: list[float] = []
    sent = ws.notify.send(AS_OF, sleep=waits.append)
    assert {(s.channel, s.status) for s in sent} == {
        ("wecom-east", "sent"), ("ding", "sent"), ("feishu", "sent"), ("flaky", "sent"),
        ("reps", "sent")}  # fmt: skip
    # WeCom, team east (O1's customers), in Chinese.
    (wecom,) = receivers["wecom"].received
    text = _text(wecom)
    assert "1 条新预警" in text and "上海甲公司（C1）" in text and "关怀回访" in text
    assert "C2" not in text and "C3" not in text
    # DingTalk, signed, everyone's alerts and no tasks, in English.
    (ding,) = receivers["ding"].received
    assert not receivers["ding"].rejected
    text = _text(ding)
    assert "3 new alerts, 0 open tasks" in ding["markdown"]["title"]
    assert text.index("[high]") < text.index("[medium]") < text.index("[low]")
    # Feishu, signed, the workspace's language (en), alerts and the open tasks as ws.tasks
    # lists them (not the done or skipped ones), the overdue survey first with its link.
    (feishu,) = receivers["feishu"].received
    text = _text(feishu)
    assert text.startswith("en_us") and "3 new alerts, 2 open tasks" in text
    survey_id = next(k.id for k in ws.tasks.find(as_of=AS_OF) if k.type == "survey"
                     and k.customer_id == "C2")  # fmt: skip
    link = ws.surveys.for_tasks(task_ids=[survey_id])[survey_id]
    survey = (f"survey · Beta Ltd (C2), due 2026-02-20, owner O2 (overdue) · survey link: "
              f"http://127.0.0.1:8000/s/{link.token}")  # fmt: skip
    care = "care call · Beta Ltd (C2), due 2026-03-02, owner O2"
    assert survey in text and care in text and text.index(survey) < text.index(care)
    tasks = text[text.index("Open tasks") :]
    assert "executive interview" not in tasks and "C1" not in tasks
    # The robot that failed twice got it on the third attempt, after waits of 0.5 s and 1 s.
    assert receivers["flaky"].calls == 3 and len(receivers["flaky"].received) == 1
    flaky = next(s for s in sent if s.channel == "flaky")
    assert flaky.attempts == 3 and waits == [0.5, 1.0]
    # E-mail to each owner with an address, in the language of their user account.
    mails = {rcpts[0]: msg for _, rcpts, msg in receivers["mail"].messages}
    assert set(mails) == {"o1@example.test", "o2@example.test"}
    assert mails["o1@example.test"]["Subject"].startswith("Keepwise 客户提醒")
    assert "上海甲公司" in mails["o1@example.test"].get_body(("plain",)).get_content()
    o2 = mails["o2@example.test"]
    assert o2["Subject"] == "Keepwise (2026-03-02): 1 new alerts, 2 open tasks"
    assert "Beta Ltd (C2)" in o2.get_body(("html",)).get_content()


def test_nothing_is_sent_twice(ws: Workspace, receivers: dict[str, Any]) -> None:
    ws.notify.send(AS_OF, sleep=lambda s: None)
    counts = {k: len(v.received) if isinstance(v, Robot) else len(v.messages)
              for k, v in receivers.items()}  # fmt: skip
    assert ws.notify.send(AS_OF, sleep=lambda s: None) == []
    again = {k: len(v.received) if isinstance(v, Robot) else len(v.messages)
             for k, v in receivers.items()}  # fmt: skip
    assert again == counts
    # A new alert reaches only those who should hear about it, alone.
    with ws.store.begin() as conn:
        conn.execute(sa.insert(schema.alerts).values(
            customer_id="C1", rule="complaints_rising", severity="high", status="open",
            as_of=AS_OF, opened_at=dt.datetime(2026, 3, 2, 8), evidence="{}"))  # fmt: skip
    sent = ws.notify.send(AS_OF, sleep=lambda s: None)
    assert sorted(s.channel for s in sent) == ["ding", "feishu", "reps", "wecom-east"]
    last = _text(receivers["wecom"].received[-1])
    assert "1 条新预警" in last and "上海甲公司" in last


def test_a_failure_is_logged_and_sent_by_a_later_run(
    tmp_path: Path, receivers: dict[str, Any], ws: Workspace
) -> None:
    bad = tmp_path / "ws" / "keepwise.toml"
    bad.write_text(bad.read_text(encoding="utf-8").replace('secret = "SEC-ding"',
                                                           'secret = "SEC-wrong"'), "utf-8")  # fmt: skip
    wrong = Workspace.open(tmp_path / "ws")
    sent = wrong.notify.send(AS_OF, sleep=lambda s: None)
    wrong.close()
    ding = next(s for s in sent if s.channel == "ding")
    assert ding.status == "failed" and ding.attempts == 3 and "sign not match" in (ding.error or "")
    assert receivers["ding"].rejected == ["sign not match"] * 3
    log = ws.notify.log(status="failed")
    assert [(r["channel"], r["attempts"]) for r in log] == [("ding", 3)]
    # With the right secret the next run sends it (and nothing else again).
    bad.write_text(bad.read_text(encoding="utf-8").replace("SEC-wrong", "SEC-ding"), "utf-8")
    fixed = Workspace.open(tmp_path / "ws")
    again = fixed.notify.send(AS_OF, sleep=lambda s: None)
    fixed.close()
    assert [(s.channel, s.status, s.attempts) for s in again] == [("ding", "sent", 4)]
    assert len(receivers["ding"].received) == 1


def test_probe_and_settings(ws: Workspace, receivers: dict[str, Any],
                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # fmt: skip
    (sent,) = ws.notify.test("feishu", sleep=lambda s: None)
    assert sent.status == "sent" and "test message" in _text(receivers["feishu"].received[0])
    with pytest.raises(ConfigError, match="No notification channel nope"):
        ws.notify.test("nope")
    monkeypatch.delenv("KW_TEST_DING")
    (missing,) = ws.notify.test("ding", sleep=lambda s: None)
    assert missing.status == "failed"
    assert "environment variable KW_TEST_DING is not set" in (missing.error or "")
    toml = tmp_path / "ws" / "keepwise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('owners = ["O2"]', 'owner = ["O2"]'),
                    "utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match=r"notify.channels.flaky.owner.*owners"):
        Workspace.open(tmp_path / "ws")


def test_the_digest_names_tasks_as_the_task_list_does() -> None:
    """A task's type in the digest is the word the task list and pages use (the digest had
    its own copy, which named a re-marketing offer a "win-back offer")."""
    from keepwise.notify.digest import TaskItem, digest
    from keepwise.playbooks.catalogue import TASK_TYPES, word

    for lang in ("zh", "en"):
        tasks = [TaskItem(i, "C1", "Acme", kind, dt.date(2026, 3, 1), "O1")
                 for i, kind in enumerate(TASK_TYPES)]  # fmt: skip
        message = digest(AS_OF, [], 0, tasks, len(tasks), lang, {})
        lines = [line for _, section in message.sections for line in section]
        assert [line.split(" · ")[0] for line in lines] == [word("task", k, lang)
                                                            for k in TASK_TYPES]  # fmt: skip
