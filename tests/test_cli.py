"""The command line: JSON output, errors in the user's language without a traceback, and the
generated CLI reference kept in step with the code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from keepwise.cli.docgen import render

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, lang: str = "en", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEEPWISE_LANG": lang}
    return subprocess.run([sys.executable, "-m", "keepwise", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, check=False)  # fmt: skip


def test_cli_reference_matches_the_code() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run python -m keepwise.cli.docgen > docs/cli.md"
    )


def test_init_import_status_json(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "ws")).returncode == 0
    (tmp_path / "c.csv").write_text("客户编号,客户名称\nC1,甲\nC2,乙\nC2,重复\n", encoding="utf-8")
    done = run("-w", str(tmp_path / "ws"), "import", "customers", str(tmp_path / "c.csv"), "--json")
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    assert (counts["rows_read"], counts["rows_loaded"], counts["rows_rejected"]) == (3, 2, 1)
    status = json.loads(run("-w", str(tmp_path / "ws"), "status", "--json").stdout)
    assert status["tables"]["customers"] == 2
    assert status["imports"][0]["file_name"] == "c.csv"


def test_errors_are_clear_and_in_the_users_language(tmp_path: Path) -> None:
    zh = run("-w", str(tmp_path / "nowhere"), "status", lang="zh_CN.UTF-8")
    en = run("-w", str(tmp_path / "nowhere"), "--lang", "en", "status", lang="zh")
    assert zh.returncode == en.returncode == 2
    assert "不是 Keepwise 工作区" in zh.stderr and "is not a Keepwise workspace" in en.stderr
    for out in (zh, en):
        assert "Traceback" not in out.stderr + out.stdout


def test_bad_config_reports_the_line(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "ws")).returncode == 0
    cfg = tmp_path / "ws" / "keepwise.toml"
    cfg.write_text(cfg.read_text() + '\n[churn]\nmode = "sometimes"\n')
    out = run("-w", str(tmp_path / "ws"), "status")
    assert out.returncode == 2 and "syntax error" in out.stderr and "line" in out.stderr
    cfg.write_text('[churn]\nmode = "sometimes"\n')
    out = run("-w", str(tmp_path / "ws"), "status")
    assert out.returncode == 2 and "churn.mode" in out.stderr and "Traceback" not in out.stderr
