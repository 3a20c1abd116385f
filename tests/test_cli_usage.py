"""Usage mistakes and bad values on the command line (issue 11): click's usage line and its
suggestion, our words in the user's language, exit status 2 — never "Internal error"; the global
options after the command; the language the CLI speaks; values refused before anything runs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import cli
from keepwise import Workspace, __version__


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KEEPWISE_LANG", "LC_ALL", "LC_MESSAGES", "KEEPWISE_WORKSPACE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    Workspace.init(tmp_path / "ws", lang="en").close()
    return tmp_path / "ws"


MISTAKES = [
    (["frobnicate"], "No such command 'frobnicate'"),
    (["metrix"], "Did you mean 'metrics'?"),
    (["metrics", "--bogus"], "No such option: --bogus"),
    (["drilldown"], "Missing argument"),
    (["alerts", "ack", "abc"], "must be a whole number"),
    (["-w", "demo"], "Missing command"),
    (["summary", "extra"], "unexpected extra argument"),
]


@pytest.mark.parametrize(("args", "says"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_usage_mistakes_exit_2_with_the_usage_line(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, *args)
    assert code == 2, err
    assert says in err
    assert "Usage: keepwise" in err and "--help' for help" in err
    assert "Internal error" not in err and "Traceback" not in err


def test_an_option_without_its_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "metrics", "--grain")  # click knows no command here: no usage line
    assert code == 2 and "Option '--grain' requires an argument" in err
    assert "Internal error" not in err


def test_usage_mistakes_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--lang", "zh", "metrix")
    assert code == 2 and "没有命令 'metrix'" in err and "您是不是要用 'metrics'" in err
    assert "运行 'keepwise --help' 查看帮助" in err
    code, _, err = cli(capsys, "alerts", "list", "--limit", "-1", "--lang", "zh")
    assert code == 2 and "'--limit' 的值无效：应大于或等于 1" in err


def test_a_group_without_its_command_shows_its_help() -> None:
    env = {**os.environ, "KEEPWISE_LANG": "en", "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "keepwise", "value"], capture_output=True,
                          text=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 2
    assert "rfm" in done.stdout + done.stderr and "Internal error" not in done.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--version")
    assert code == 0 and out.strip() == f"keepwise {__version__}"


def test_global_options_after_the_command(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "summary", "--as-of", "2026-11-01", "--lang", "zh", "-w", str(ws))
    assert code == 0, err
    assert out.startswith("截至 2026-11-01")
    code, out, _ = cli(capsys, "alerts", "rules", "--workspace", str(ws), "--lang", "en")
    assert code == 0 and "purchase_drop" in out


def test_unsupported_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--lang", "fr", "status"], ["status", "--lang", "fr"]):
        code, _, err = cli(capsys, *args)
        assert code == 2 and "unsupported language 'fr': use zh or en" in err


def test_language_precedence(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--lang > KEEPWISE_LANG > [workspace] language > locale > English."""
    config = ws / "keepwise.toml"
    config.write_text(config.read_text().replace('language = "en"', 'language = "zh"'))
    status = ["-w", str(ws), "status"]
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "行数" in cli(capsys, *status)[1]  # the workspace beats the locale
    monkeypatch.setenv("KEEPWISE_LANG", "en")
    assert "rows" in cli(capsys, *status)[1]  # the environment beats the workspace
    assert "行数" in cli(capsys, *status, "--lang", "zh")[1]  # --lang beats everything
    monkeypatch.delenv("KEEPWISE_LANG")
    config.write_text(config.read_text().replace('language = "zh"', 'language = "en"'))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "rows" in cli(capsys, *status)[1]


BAD_LIMITS = [
    ["alerts", "list"], ["risk", "list"], ["value", "clv"], ["value", "no-value"],
    ["drilldown", "churn_rate", "2026-09-01"], ["cohorts", "--km"],
]  # fmt: skip


@pytest.mark.parametrize("args", BAD_LIMITS, ids=[" ".join(a) for a in BAD_LIMITS])
@pytest.mark.parametrize("limit", ["0", "-3"])
def test_limits_below_one_are_refused(
    args: list[str], limit: str, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "-w", str(ws), *args, "--limit", limit)
    assert code == 2 and "Invalid value for '--limit': must be at least 1" in err
    assert out == ""


def test_demo_with_no_customers_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "demo", str(tmp_path / "d"), "--customers", "0")
    assert code == 2 and "must be at least 1" in err
    assert not (tmp_path / "d").exists()


def test_a_failed_demo_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    from keepwise.workspace.imports import ImportsService

    monkeypatch.setattr(ImportsService, "load_demo", fail)
    code, _, _ = cli(capsys, "demo", str(tmp_path / "new"), "--customers", "5")
    assert code == 130 and not (tmp_path / "new").exists()
    # Into an existing folder: only what the demo made goes; what was there stays.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    code, _, _ = cli(capsys, "demo", str(tmp_path / "mine"), "--customers", "5")
    assert code == 130
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_drilldown_value_needs_a_known_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    Workspace.init(ws, lang="en").close()
    (tmp_path / "c.csv").write_text(
        "customer_id,name,segment,acquired_at\nC1,a,smb,2025-01-01\nC2,b,enterprise,2025-01-01\n"
    )
    assert cli(capsys, "-w", str(ws), "import", "customers", str(tmp_path / "c.csv"))[0] == 0
    drill = ["-w", str(ws), "drilldown", "customers_at_end", "2026-09-01", "--as-of", "2026-11-01"]
    code, _, err = cli(capsys, *drill, "--value", "smb")
    assert code == 2 and "--value needs --by" in err
    code, _, err = cli(capsys, *drill, "--by", "segment", "--value", "smbb")
    assert code == 2 and "smbb is not a value of segment; its values: enterprise, smb" in err
    code, out, err = cli(capsys, *drill, "--by", "segment", "--value", "smb", "--json")
    assert code == 0, err
    assert [r["customer_id"] for r in json.loads(out)] == ["C1"]


def test_help_texts_are_not_eaten_by_markup(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "value", "no-value", "--help")
    assert code == 0 and "by the value.no_value criteria" in " ".join(out.split())


def test_init_and_demo_create_the_workspace_named_by_w(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keepwise -w DIR demo`` builds DIR (it built ./demo and ignored -w); ``init`` takes -w
    instead of its argument; two different folders or none are usage errors."""
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "-w", "built", "demo", "--customers", "20")
    assert code == 0, err
    assert (tmp_path / "built" / "keepwise.toml").exists() and not (tmp_path / "demo").exists()
    assert "The demo workspace built is ready" in out
    code, _, err = cli(capsys, "init", "-w", "empty")
    assert code == 0 and (tmp_path / "empty" / "keepwise.toml").exists()
    code, _, err = cli(capsys, "--lang", "zh", "-w", "a", "init", "b")
    assert code == 2 and "两个不同的目录" in err and "Usage: keepwise init" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    code, _, err = cli(capsys, "init")
    assert code == 2 and "Missing argument DIRECTORY" in err


def test_a_value_above_the_range_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--lang", "zh", "serve", "--port", "99999")
    assert code == 2 and "应小于或等于 65535" in err and "Input should" not in err


def test_empty_lists_say_so(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty users list or notification log is a sentence, not a bare table header."""
    code, out, _ = cli(capsys, "-w", str(ws), "users", "list")
    assert code == 0 and out.startswith("No users yet: keepwise users add")
    code, out, _ = cli(capsys, "-w", str(ws), "--lang", "zh", "notify", "log")
    assert code == 0 and out.startswith("还没有发送记录")


def test_refresh_and_training_speak_chinese(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On an empty workspace in Chinese: the refresh table names its steps in Chinese and the
    training refusal has no English left in it ("training snapshots: 0 customers")."""
    code, _, err = cli(capsys, "--lang", "zh", "-w", str(ws), "risk", "train")
    assert code == 2 and "训练快照中有 0 个客户，其中 0 个流失" in err
    assert "training" not in err and "customers" not in err
    code, out, _ = cli(capsys, "--lang", "zh", "-w", str(ws), "refresh")
    steps = ("导入", "价值评分", "风险评分", "预警", "挽留行动", "存储结果", "通知")
    assert all(step in out for step in steps), out
    assert not re.search(r"│ (import|value|risk|alerts|playbooks|results|notify) ", out)


def test_users_list_names_roles_in_the_users_language(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    code, _, err = cli(capsys, "-w", str(ws), "users", "add", "ann", "--role", "manager",
                       "--password-stdin")  # fmt: skip
    assert code == 0, err
    code, out, _ = cli(capsys, "--lang", "zh", "-w", str(ws), "users", "list")
    assert code == 0 and "│ ann  │ 经理 │" in out and "manager" not in out
