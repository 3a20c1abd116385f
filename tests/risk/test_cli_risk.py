"""``keepwise risk``: snapshot mode and the survival view on IBM Telco, and the workspace
commands on a copy of the demo company — all through the real command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keepwise import Workspace

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TELCO = DATA / "telco_customer_churn.csv"


def run(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEEPWISE_LANG": lang}
    return subprocess.run([sys.executable, "-m", "keepwise", *args], capture_output=True,
                          text=True, env=env, check=False)  # fmt: skip


def _json(*args: str) -> object:
    done = run(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_telco_snapshot_evaluation_through_the_cli() -> None:
    assert TELCO.is_file(), f"reference data missing: {TELCO}"
    report = _json("risk", "evaluate", str(TELCO), "--label", "Churn", "--id", "customerID",
                   "--json")  # fmt: skip
    assert isinstance(report, dict)
    keepwise = next(r for r in report["summary"] if r["model"] == "keepwise")
    assert keepwise["roc_auc"] >= 0.845
    assert keepwise["cv_auc_mean"] >= 0.845
    assert keepwise["brier"] <= 0.14
    assert report["rows"] == 7043 and "customerID" not in report["dropped_columns"]


def test_telco_survival_through_the_cli() -> None:
    view = _json("risk", "survival", str(TELCO), "--duration", "tenure", "--event", "Churn",
                 "--times", "12,24,48,72", "--id", "customerID", "--json")  # fmt: skip
    assert isinstance(view, dict)
    km = {row["time"]: row["survival"] for row in view["survival"]}
    expected = {12.0: 0.843, 24.0: 0.789, 48.0: 0.709, 72.0: 0.593}
    for t, s in expected.items():
        assert km[t] == pytest.approx(s, abs=0.0005)
    ratios = {row["covariate"]: row["hazard_ratio"] for row in view["hazard_ratios"]}
    assert ratios["Contract=Two year"] < ratios["Contract=One year"] < 1
    grouped = _json("risk", "survival", str(TELCO), "--duration", "tenure", "--event", "Churn",
                    "--by", "Contract", "--times", "12", "--json")  # fmt: skip
    assert isinstance(grouped, dict)
    assert {row["group"] for row in grouped["survival"]} == {"Month-to-month", "One year",
                                                            "Two year"}  # fmt: skip


def test_cli_errors_are_bilingual(tmp_path: Path) -> None:
    missing = run("risk", "evaluate", str(TELCO), "--label", "Nope", "--json", lang="zh")
    assert missing.returncode == 2 and "没有列 Nope" in missing.stderr
    assert "Traceback" not in missing.stderr
    run("init", str(tmp_path / "ws"))
    no_model = run("-w", str(tmp_path / "ws"), "risk", "score", "--as-of", "2026-11-01")
    assert no_model.returncode == 2 and "risk train" in no_model.stderr


def test_workspace_commands(demo: Workspace, tmp_path: Path) -> None:
    demo.close()  # let another process open a copy of the database file
    copy = tmp_path / "ws"
    shutil.copytree(demo.path, copy)
    w = ("-w", str(copy))
    trained = _json(*w, "risk", "train", "--as-of", "2026-11-01", "--json")
    assert isinstance(trained, dict) and trained["model_version"].startswith("churn-2026")
    scored = _json(*w, "risk", "score", "--as-of", "2026-11-01", "--json")
    assert isinstance(scored, dict) and sum(scored["bands"].values()) == scored["customers"]
    listed = _json(*w, "risk", "list", "--band", "high", "--limit", "5", "--json")
    assert isinstance(listed, list) and 0 < len(listed) <= 5
    assert {r["risk_band"] for r in listed} == {"high"}
    assert listed[0]["drivers"][0]["text_zh"] and listed[0]["as_of"] == "2026-11-01"
    table = run(*w, "risk", "list", "--limit", "3", lang="zh")
    assert table.returncode == 0 and "流失概率" in table.stdout
    survival = _json(*w, "risk", "survival", "--as-of", "2026-11-01", "--by", "segment", "--json")
    assert isinstance(survival, dict) and survival["duration"] == "tenure_days"
