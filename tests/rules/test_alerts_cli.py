"""``keepwise alerts``: JSON output, life cycle from the command line, clear errors in the
user's language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules_support import AS_OF, customer, insert, interactions, tickets

from cli_support import cli
from keepwise import Workspace


@pytest.fixture
def folder(make_ws: Callable[..., Workspace]) -> Path:
    """A closed workspace: K1 (owner E1) and K2 (E2) complain; N1 (E1) is never followed up."""
    ws = make_ws()
    insert(ws, "owners", [{"owner_id": "E1", "name": "甲"}, {"owner_id": "E2", "name": "乙"}])
    for cid, owner in (("K1", "E1"), ("K2", "E2")):
        customer(ws, cid, owner_id=owner)
        tickets(ws, cid, [10, 20, 30])
        interactions(ws, cid, [5])
    customer(ws, "N1", acquired=200, owner_id="E1")
    ws.close()
    return ws.path


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_run_list_ack_close_history(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ("-w", str(folder), "--lang", "en")
    run = cli_json(capsys, *w, "alerts", "run", "--as-of", AS_OF.isoformat())
    assert run["as_of"] == "2026-06-01" and run["opened"] == 3 and run["already_open"] == 0
    # complaints_rising: K1, K2; no_followup (120 days): N1 (200 days); the other rules: nobody.
    assert run["fired"] == {"complaints_rising": 2, "no_followup": 1}
    again = cli_json(capsys, *w, "alerts", "run", "--as-of", AS_OF.isoformat())
    assert (again["opened"], again["already_open"]) == (0, run["opened"])
    mine = cli_json(capsys, *w, "alerts", "list", "--owner", "E1", "--status", "open")
    assert {(a["customer_id"], a["rule"]) for a in mine} >= {("K1", "complaints_rising"),
                                                             ("N1", "no_followup")}  # fmt: skip
    k1 = next(a for a in mine if a["customer_id"] == "K1" and a["rule"] == "complaints_rising")
    assert k1["evidence"] == {"complaints_90d": 3, "norm_90d": 0.0, "rise_pct": None}
    assert k1["severity"] == "high" and k1["suggested_playbook"] == "care_call"
    acked = cli_json(capsys, *w, "alerts", "ack", str(k1["id"]), "--note", "on it",
                     "--actor", "lin")  # fmt: skip
    assert (acked["status"], acked["actor"], acked["note"]) == ("acknowledged", "lin", "on it")
    closed = cli_json(capsys, *w, "alerts", "close", str(k1["id"]), "--note", "fixed")
    assert closed["status"] == "closed" and closed["closed_at"]
    steps = cli_json(capsys, *w, "alerts", "history", str(k1["id"]))
    assert [s["to"] for s in steps] == ["open", "acknowledged", "closed"]
    # The table names the rule in the user's language (its id is for --rule and JSON).
    code, out, _ = cli(capsys, *w, "alerts", "list", "--status", "closed")
    assert code == 0 and "K1" in out and "Complaints rising" in out
    code, out, _ = cli(capsys, "-w", str(folder), "--lang", "zh", "alerts", "list", "--status",
                       "closed")  # fmt: skip
    assert code == 0 and "K1" in out and "投诉增多" in out and "complaints_rising" not in out


def test_errors_in_both_languages(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "-w", str(folder), "alerts", "run", "--as-of", AS_OF.isoformat())
    for lang, text in (("en", "needs a note"), ("zh", "关闭预警需要填写说明")):
        code, _, err = cli(capsys, "-w", str(folder), "--lang", lang, "alerts", "close", "1")
        assert code == 2 and text in err and "Traceback" not in err
    code, _, err = cli(capsys, "-w", str(folder), "--lang", "zh", "alerts", "ack", "999")
    assert code == 2 and "预警 999 不存在" in err


def test_init_rules_then_a_broken_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-w", str(folder), "--lang", "en", "alerts", "init-rules")
    assert code == 0 and "rules.yaml" in out
    rules = cli_json(capsys, "-w", str(folder), "alerts", "rules")
    assert len(rules) == 8 and rules[0]["id"] == "purchase_drop"
    path = folder / "rules.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[6].startswith("    kind: purchase_drop")
    lines[6] = "   " + lines[6].lstrip()  # line 7 loses one space of indentation
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli(capsys, "-w", str(folder), "--lang", "zh", "alerts", "run")
    assert code == 2 and "rules.yaml 第 7 行" in err and "YAML 语法错误" in err, err
    # The real command line: exit status 2, the line, no traceback.
    done = subprocess.run(
        [sys.executable, "-m", "keepwise", "-w", str(folder), "--lang", "en", "alerts", "run"],
        capture_output=True, text=True, env={**os.environ, "KEEPWISE_LANG": "en"}, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "rules.yaml, line 7" in done.stderr and "Traceback" not in done.stderr, done.stderr
