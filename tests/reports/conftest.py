"""Workspaces of the report tests: a small demo company (value-scored, so the tier mix has
data) and the hand-built KPI company of tests/metrics (its churn rules in keepwise.toml), and
the command line run in-process. The demo company has run its playbooks since June; the
hand-built one has none."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "metrics"))

import kpi_fixture as handbuilt
from kpi_engines import load_workspace

from keepwise import Workspace
from keepwise.cli.app import main

DEMO_AS_OF = dt.date(2026, 11, 1)
HAND_CHURN = """
[churn.segments.retail]
mode = "inactivity"
inactivity_days = 30
"""


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def cli_json(*args: str) -> Any:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KEEPWISE_LANG", "LC_ALL", "LC_MESSAGES", "KEEPWISE_WORKSPACE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports-demo") / "ws"
    with Workspace.init(path, lang="en") as ws:
        ws.imports.load_demo(customers=300, seed=3, as_of=DEMO_AS_OF)
        ws.value.score(DEMO_AS_OF)
        # Playbooks run since June (part 5 of the void-effect report has them to show); the
        # voided customers surveyed answer with a reason.
        ws.playbooks.replay(since=dt.date(2026, 6, 1), until=dt.date(2026, 8, 1), every=30,
                            actor="test", alerts=True)  # fmt: skip
        for task in ws.tasks.find(as_of=DEMO_AS_OF, playbook="void_survey"):
            ws.tasks.done(task.id, outcome="feedback", reason="price", on=task.due, actor="rep")
    return path


def make_hand(path: Path, rename: dict[str, str] | None = None) -> Path:
    """The hand-built company in a DuckDB workspace, customers renamed as asked."""
    data = handbuilt.data()
    for row in data["customers"]:
        row["name"] = (rename or {}).get(row["customer_id"], row["name"])
    load_workspace(path, data).close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(HAND_CHURN)
    return path


@pytest.fixture(scope="session")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hand(tmp_path_factory.mktemp("reports-hand") / "ws")


@pytest.fixture(scope="session")
def companies(demo_dir: Path, hand_dir: Path) -> dict[str, tuple[Path, dt.date]]:
    return {"demo": (demo_dir, DEMO_AS_OF), "hand": (hand_dir, handbuilt.AS_OF)}


@pytest.fixture(scope="session")
def report_file(
    companies: dict[str, tuple[Path, dt.date]], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Path]:
    """``keepwise report`` run once per company, type, format, language and grain."""
    made: dict[tuple[str, ...], Path] = {}
    out_dir = tmp_path_factory.mktemp("reports-out")

    def make(company: str, kind: str, ext: str, lang: str = "en", grain: str = "month") -> Path:
        key = (company, kind, ext, lang, grain)
        if key not in made:
            path, as_of = companies[company]
            out = out_dir / f"{company}-{kind}-{grain}-{lang}.{ext}"
            code, _, err = run_cli("-w", str(path), "report", kind, "--out", str(out),
                                   "--as-of", as_of.isoformat(), "--grain", grain,
                                   "--lang", lang)  # fmt: skip
            assert code == 0, err
            made[key] = out
        return made[key]

    return make
