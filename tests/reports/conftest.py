"""Workspaces of the report tests: a small demo company (value-scored, so the tier mix has
data) and the hand-built KPI company of tests/metrics (its churn rules in keepwise.toml), and
the command line run in-process. The demo company has run its playbooks since June; the
hand-built one has none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from report_support import DEMO_AS_OF, handbuilt, make_hand, run_cli

from keepwise import Workspace


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
