"""``keepwise customer``, ``keepwise owner`` and ``keepwise pool`` from the command line: every
command in both languages, JSON that says what was done, and every error a message in the
user's language with exit status 2 and nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lifecycle_support import cli, cli_json, configure

from keepwise import Workspace

Capsys = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no cell wraps (80 columns are tested with the demo)."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def folder(duck: Workspace) -> Path:
    """The company, closed (the command line opens it), with the pool and approvals off."""
    duck.close()
    return duck.path


@pytest.mark.parametrize(
    ("lang", "cid", "words"),
    [
        ("en", "N1", {"show": "Customer N1", "void": "Customer N1: active → voided",
                      "history": "status (reverted)", "revert": "Reverted event #",
                      "churn": "Customer N1: active → churned",
                      "reactivate": "Customer N1: churned → won back",
                      "reassign": "Customer N1's owner: A → B (reassigned)"}),
        ("zh", "N2", {"show": "客户档案：N2", "void": "客户 N2：活跃 → 作废",
                      "history": "状态变更（已撤销）", "revert": "已撤销事件 #",
                      "churn": "客户 N2：活跃 → 流失", "reactivate": "客户 N2：流失 → 已挽回",
                      "reassign": "客户 N2 的负责人：A → B（重新分配）"}),
    ],
)  # fmt: skip
def test_every_customer_command_in_both_languages(
    folder: Path, capsys: Capsys, lang: str, cid: str, words: dict[str, str]
) -> None:
    steps = [
        ("show", ["customer", "show", cid, "--as-of", "2024-07-01"]),
        ("void", ["customer", "void", cid, "--reason", "price", "--at", "2024-03-01T10:00",
                  "--note", "n", "--destination", "RivalCo", "--actor", "lin"]),
        ("revert", ["customer", "revert", cid, "--actor", "lin"]),
        ("history", ["customer", "history", cid]),
        ("churn", ["customer", "churn", cid, "--reason", "service", "--at", "2024-06-20"]),
        ("reactivate", ["customer", "reactivate", cid, "--at", "2024-06-25"]),
        ("reassign", ["customer", "reassign", cid, "--to", "B", "--note", "territory"]),
    ]  # fmt: skip
    for name, args in steps:
        code, out, err = cli(capsys, folder, *args, lang=lang)
        assert code == 0, (name, err)
        assert words[name] in out, (name, out)
    code, out, _ = cli(capsys, folder, "customer", "show", cid, lang=lang)
    assert code == 0
    assert ("Price" if lang == "en" else "价格因素") in out  # the reverted void's reason, labelled


def test_json_says_what_was_done(folder: Path, capsys: Capsys) -> None:
    void = cli_json(capsys, folder, "customer", "void", "S1", "--reason", "duplicate",
                    "--at", "2024-04-01")  # fmt: skip
    assert void["pending"] is False and void["to_status"] == "voided"
    assert void["reason"] == "duplicate" and void["at"] == "2024-04-01T00:00:00"
    undo = cli_json(capsys, folder, "customer", "revert", "S1")
    assert undo["reverts"] == void["event_id"]
    shown = cli_json(capsys, folder, "customer", "show", "S1", "--as-of", "2024-07-01")
    assert shown["customer"]["owner_id"] == "A" and shown["status"]["status"] == "active"
    assert [i["reverted_by"] for i in shown["history"]] == [undo["event_id"], None]
    assert shown["churn_score"] is None and shown["alerts"] == [] and shown["tasks"] == []
    moved = cli_json(capsys, folder, "customer", "reassign", "S1", "--to", "C")
    assert (moved["from_owner"], moved["to_owner"], moved["kind"]) == ("A", "C", "reassign")
    history = cli_json(capsys, folder, "customer", "history", "S1")
    assert [i["kind"] for i in history][-1] == "owner"
    left = cli_json(capsys, folder, "owner", "leave", "A", "--as-of", "2024-07-01", "--to", "B")
    assert left["rule"] == "to" and {c["to_owner"] for c in left["changes"]} == {"B"}
    assert left["not_alerted"] == ["N3"] and left["alerts_opened"] == 4


def test_a_follow_up_from_the_command_line(folder: Path, capsys: Capsys) -> None:
    """``customer follow-up`` records what the dashboard's "add a follow-up" records: an
    interaction under the customer's owner, dated --at (in both languages; a bad kind is a
    usage error that changes nothing)."""
    done = cli_json(capsys, folder, "customer", "follow-up", "B1", "--kind", "visit",
                    "--note", "王经理", "--at", "2024-05-02T10:30", "--actor", "lin")  # fmt: skip
    assert (done["customer_id"], done["kind"], done["owner_id"]) == ("B1", "visit", "B")
    assert done["occurred_at"] == "2024-05-02T10:30:00" and done["note"] == "王经理"
    code, out, _ = cli(capsys, folder, "customer", "follow-up", "B1", "--at", "2024-05-03",
                       lang="zh")  # fmt: skip
    assert code == 0 and "已记录对客户 B1 的跟进（电话，2024-05-03 00:00）" in out
    code, _, err = cli(capsys, folder, "customer", "follow-up", "B1", "--kind", "fax", lang="zh")
    assert code == 2 and "未知的跟进方式 fax" in err
    code, _, err = cli(capsys, folder, "customer", "follow-up", "B1", "--at", "2023-12-31",
                       lang="zh")  # fmt: skip
    assert code == 2 and "2023-12-31 早于客户 B1 的获客日期 2024-01-01" in err
    code, _, err = cli(capsys, folder, "customer", "follow-up", "B1", "--at", "2999-01-01")
    assert code == 2 and "2999-01-01 00:00 is in the future (it is now " in err
    # A time with its zone is stored in the workspace's (Asia/Shanghai): 02:00 UTC is 10:00.
    at_utc = cli_json(capsys, folder, "customer", "follow-up", "B1", "--at",
                      "2024-05-04T02:00+00:00")  # fmt: skip
    assert at_utc["occurred_at"] == "2024-05-04T10:00:00"
    with Workspace.open(folder) as ws:
        rows = ws.store.table("interactions").execute()
    mine = rows[rows["customer_id"] == "B1"].sort_values("occurred_at")
    assert list(mine["type"]) == ["visit", "call", "call"] and set(mine["source"]) == {"user"}


def test_approvals_and_the_pool_from_the_command_line(duck: Workspace, capsys: Capsys) -> None:
    ws = configure(duck, "[lifecycle]\nvoid_needs_approval = true\npool_after_days = 60\n"
                         "pool_claim_limit = 1")  # fmt: skip
    ws.close()
    folder = ws.path
    code, out, _ = cli(capsys, folder, "customer", "void", "X1", "--reason", "invalid", lang="zh")
    assert code == 0 and "已提交作废申请 #1（客户 X1），等待经理审批" in out
    code, out, _ = cli(capsys, folder, "customer", "approvals")
    assert code == 0 and "X1" in out and "pending" in out
    assert [r["id"] for r in cli_json(capsys, folder, "customer", "approvals")] == [1]
    code, out, _ = cli(capsys, folder, "customer", "approve", "1", "--actor", "boss")
    assert code == 0 and "Approved the void request #1." in out and "active → voided" in out
    request = cli_json(capsys, folder, "customer", "void", "Y1", "--reason", "price")
    assert request["pending"] is True and request["state"] == "pending"
    code, out, _ = cli(capsys, folder, "customer", "reject", str(request["id"]), "--note", "no",
                       lang="zh")  # fmt: skip
    assert code == 0 and "已驳回作废申请 #2（客户 Y1），客户未作改动" in out
    code, out, _ = cli(capsys, folder, "customer", "approvals", lang="zh")
    assert "没有待审批的作废申请" in out
    assert len(cli_json(capsys, folder, "customer", "approvals", "--all")) == 2
    # The pool: nobody is followed up in this company, so every customer kept on 2024-07-01
    # with an owner returns (X1's void is dated at its approval, today; N3 churned in April and
    # keeps its owner).
    code, out, _ = cli(capsys, folder, "pool", "refresh", "--as-of", "2024-07-01", lang="zh")
    assert code == 0 and "截至 2024-07-01：9 个客户超过 60 天未被负责人跟进，已退回公海" in out
    members = cli_json(capsys, folder, "pool", "list")
    assert [m["customer_id"] for m in members] == [
        "B1",
        "C1",
        "D1",
        "F1",
        "N1",
        "N2",
        "S1",
        "X1",
        "Y1",
    ]
    code, out, _ = cli(capsys, folder, "pool", "list", lang="zh")
    assert "原负责人" in out and "B1" in out
    claim = cli_json(capsys, folder, "pool", "claim", "B1", "--actor", "B")
    assert (claim["kind"], claim["to_owner"]) == ("claim", "B")
    code, _, err = cli(capsys, folder, "pool", "claim", "C1", "--actor", "B", lang="zh")
    assert code == 2 and "B 已持有 1 个从公海认领的客户，达到上限 1" in err
    code, out, _ = cli(capsys, folder, "customer", "reassign", "C1", "--to", "C", "--as-manager")
    assert code == 0 and "(reassigned by a manager)" in out
    # The claim is dated now: a report as of a day after it counts it.
    after = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    report = cli_json(capsys, folder, "pool", "report", "--as-of", after)
    assert [(g["group"], g["returns"]) for g in report["groups"]] == [
        ("all", 9),
        ("claimed", 1),
        ("unclaimed", 8),
    ]
    code, out, _ = cli(capsys, folder, "pool", "report", "--as-of", after, lang="zh")
    assert code == 0 and "后被认领" in out and f"公海客户的后续（截至 {after}）" in out
    code, out, _ = cli(capsys, folder, "owner", "leave", "C", "--as-of", "2024-07-01", lang="zh")
    assert code == 0 and "负责人 C 已于 2024-07-01 离职" in out


ERRORS = [
    (["customer", "void", "N1"], "Voiding a customer needs a reason", "作废客户必须填写原因"),
    (["customer", "void", "N1", "--reason", "cheap"], "Unknown reason cheap", "未知原因 cheap"),
    (["customer", "void", "C1", "--reason", "price"], "Customer C1 is already voided",
     "客户 C1 已经是作废状态"),
    (["customer", "revert", "B1"], "Customer B1 has no status change to revert",
     "客户 B1 没有可撤销的状态变更"),
    (["customer", "churn", "N3"], "Customer N3 is already churned", "客户 N3 已经是流失状态"),
    (["customer", "reactivate", "B1"], "there is nothing to win back", "没有可挽回的流失"),
    (["customer", "show", "ZZ"], "Unknown customer ZZ", "客户 ZZ 不存在"),
    (["customer", "history", "ZZ"], "Unknown customer ZZ", "客户 ZZ 不存在"),
    (["customer", "void", "ZZ", "--reason", "price"], "Unknown customer ZZ", "客户 ZZ 不存在"),
    (["customer", "reassign", "B1", "--to", "Q"], "Unknown owner Q", "负责人 Q 不存在"),
    (["customer", "void", "N1", "--reason", "price", "--at", "yesterday"],
     "Invalid time yesterday", "无效的时间 yesterday"),
    (["customer", "approve", "7"], "There is no void request #7", "作废申请 #7 不存在"),
    (["customer", "reject", "7", "--note", "x"], "There is no void request #7",
     "作废申请 #7 不存在"),
    (["owner", "leave", "Q"], "Unknown owner Q", "负责人 Q 不存在"),
    (["owner", "leave", "E"], "Owner E already left on 2023-12-01", "负责人 E 已于 2023-12-01 离职"),
    (["owner", "leave", "A", "--to", "B", "--rule", "round-robin"], "either --to or --rule",
     "--to 与 --rule 只能选一个"),
    (["owner", "leave", "A", "--rule", "random"], "Unknown rule random", "未知的分配规则 random"),
    (["pool", "refresh"], "The customer pool is off", "公海未启用"),
    (["pool", "claim", "B1", "--actor", "B"], "Customer B1 is not in the customer pool",
     "客户 B1 不在公海中"),
]  # fmt: skip


def _everything(folder: Path, capsys: Capsys) -> list[object]:
    return [cli_json(capsys, folder, "customer", "history", cid) for cid in ("N1", "C1", "B1")]


@pytest.mark.parametrize(("args", "en", "zh"), ERRORS, ids=[" ".join(e[0]) for e in ERRORS])
def test_errors_exit_2_in_both_languages_and_change_nothing(
    duck: Workspace, capsys: Capsys, args: list[str], en: str, zh: str
) -> None:
    duck.customers.void("C1", reason="duplicate", actor="setup")
    duck.close()
    folder = duck.path
    before = _everything(folder, capsys)
    for lang, text, prefix in (("en", en, "Error: "), ("zh", zh, "错误：")):
        code, out, err = cli(capsys, folder, *args, lang=lang)
        assert code == 2 and out == "", (lang, out, err)
        assert err.startswith(prefix) and text in err, (lang, err)
    assert _everything(folder, capsys) == before
