"""``keepwise playbooks``, ``tasks`` and ``evaluate voids`` from the command line: JSON,
tables in both languages, and clear errors (exit 2, nothing changed)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playbook_support import D, alert, customers, days, order, owners, status

from cli_support import cli
from keepwise import Workspace


@pytest.fixture
def folder(make_ws: Callable[..., Workspace]) -> Path:
    ws = make_ws()
    owners(ws)
    customers(ws, ["V1", "C1", "K1", "K2"])
    status(ws, "V1", "voided", days(-5), "no_value")
    status(ws, "C1", "churned", days(-3), "price")
    alert(ws, "K1", "contract_ending", days(-1))
    order(ws, "K2", days(-1))
    ws.close()
    return ws.path


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_init_list_run_tasks_evaluate(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ("-w", str(folder), "--lang", "en")
    code, out, _ = cli(capsys, *w, "playbooks", "init")
    assert code == 0 and "13 built-in playbooks" in out
    listed = cli_json(capsys, *w, "playbooks", "list")
    assert [p["id"] for p in listed][:2] == ["care_calendar", "complaint_fast_response"]
    assert {p["file"] for p in listed} == {f"{p['id']}.yaml" for p in listed}
    runs = cli_json(capsys, *w, "playbooks", "run", "--as-of", D.isoformat())
    counts = {r["playbook_id"]: r["targets"] for r in runs[0]["runs"] if r["targets"]}
    assert counts == {"contract_renewal": 1, "lost_remarketing": 1, "void_survey": 1}
    again = cli_json(capsys, *w, "playbooks", "run", "--as-of", D.isoformat())
    assert sum(r["tasks"] for r in again[0]["runs"]) == 0
    tasks = cli_json(capsys, *w, "tasks", "list", "--as-of", D.isoformat())
    treated = {r["playbook_id"]: r["targets"] - r["held_out"] for r in runs[0]["runs"]}
    assert len(tasks) == sum(treated.values())
    first = tasks[0]
    done = cli_json(capsys, *w, "tasks", "done", str(first["id"]), "--outcome", "reached",
                    "--on", days(2).isoformat(), "--note", "called")  # fmt: skip
    assert (done["status"], done["outcome"], done["note"]) == ("done", "reached", "called")
    code, out, _ = cli(capsys, *w, "tasks", "list", "--status", "done")
    assert code == 0 and first["customer_id"] in out and "reached" in out
    evaluation = cli_json(capsys, *w, "playbooks", "evaluate", "void_survey", "--days", "30",
                          "--as-of", days(40).isoformat())  # fmt: skip
    (e,) = evaluation["evaluations"]
    assert e["playbook_id"] == "void_survey" and e["days"] == 30
    assert e["verdict"]["code"] == "no_holdout" and e["verdict"]["zh"].startswith("无法判断")
    assert "Newcombe" in e["ci_method"]
    code, out, _ = cli(capsys, *w, "playbooks", "evaluate", "--as-of", days(40).isoformat())
    assert code == 0 and "Did the playbooks work" in out and "Newcombe" in out


def test_chinese_tables(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ("-w", str(folder), "--lang", "zh")
    code, out, _ = cli(capsys, *w, "playbooks", "run", "--as-of", D.isoformat())
    assert code == 0 and "目标客户" in out and "新建任务" in out
    code, out, _ = cli(capsys, *w, "tasks", "list", "--as-of", days(30).isoformat())
    assert code == 0 and "已逾期" in out and "高管访谈" in out
    code, out, _ = cli(capsys, *w, "evaluate", "voids", "--as-of", days(30).isoformat())
    assert code == 0
    for part in ("一、作废客户占比与趋势", "二、作废原因", "三、对业务的影响", "四、作废客户的后续跟进",
                 "五、措施前后的变化"):  # fmt: skip
        assert part in out


@pytest.mark.parametrize(
    ("args", "en", "zh"),
    [
        (("playbooks", "run", "--as-of", "2999-01-01"), "is in the future", "在未来"),
        (("playbooks", "run", "--only", "nope"), "There is no playbook nope", "没有编号为 nope"),
        (("playbooks", "evaluate", "nope"), "There is no playbook nope", "没有编号为 nope"),
        (("tasks", "done", "1", "--outcome", "feedback"), "needs --reason", "需要 --reason"),
        (("tasks", "done", "999", "--outcome", "reached"), "No task 999", "任务 999 不存在"),
        (("tasks", "list", "--status", "later"), "Invalid status later", "状态 later 无效"),
    ],
)
def test_errors_exit_2_in_both_languages(
    folder: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], en: str, zh: str
) -> None:
    cli(capsys, "-w", str(folder), "playbooks", "run", "--as-of", D.isoformat())
    for lang, text in (("en", en), ("zh", zh)):
        code, out, err = cli(capsys, "-w", str(folder), "--lang", lang, *args)
        assert code == 2, (out, err)
        assert text in err and "Traceback" not in err
    tasks = cli_json(capsys, "-w", str(folder), "tasks", "list", "--status", "done")
    assert tasks == []


def test_evaluate_voids_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ("-w", str(folder), "--lang", "en")
    cli(capsys, *w, "playbooks", "run", "--as-of", D.isoformat())
    report = cli_json(capsys, *w, "evaluate", "voids", "--as-of", days(30).isoformat(),
                      "--start", "2026-01-01")  # fmt: skip
    assert set(report) >= {"ratio", "trend", "reasons", "destinations", "impact", "followup",
                           "measures"}  # fmt: skip
    assert report["start"] == "2026-01-01" and report["followup"]["voided"] == 1
    assert [r["reason"] for r in report["reasons"]] == ["no_value"]
    assert dt.date.fromisoformat(report["measures"][0]["first_run"]) == D
