"""The daily refresh on a demo company: the chain runs in order with a time per step, the
inbox's new file is imported once, and a second run the same day changes nothing and sends
nothing (identical scores, models, alerts and notifications); a running refresh and a busy
DuckDB file are refused with a clear message."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))

from receivers import Robot, start_robot

from cli_support import run_cli
from keepwise import Workspace
from keepwise.store import schema

AS_OF = dt.date(2026, 11, 1)
SNAPSHOT = ("scores", "models", "alerts", "surveys", "notifications", "notified_items",
            "import_batches", "status_events", "playbook_runs", "playbook_targets", "tasks",
            "survey_links")  # fmt: skip


@pytest.fixture(scope="module")
def robot() -> Any:
    r = start_robot(Robot("wecom"))
    yield r
    assert r.server is not None
    r.server.shutdown()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, robot: Robot) -> Path:
    path = tmp_path_factory.mktemp("refresh") / "ws"
    with Workspace.init(path, lang="en") as ws:
        ws.imports.load_demo(customers=300, seed=4, as_of=AS_OF)
        with ws.store.begin() as conn:
            query = sa.select(schema.customers.c.customer_id).order_by("customer_id").limit(2)
            customers = list(conn.execute(query).scalars())
    (path / "inbox").mkdir()
    (path / "inbox" / "surveys-2026-10.csv").write_text(
        "survey_id,customer_id,answered_at,csat,recommend\n"
        f"R1,{customers[0]},2026-10-20,2,3\nR2,{customers[1]},2026-10-21,5,10\n",
        "utf-8",
    )
    (path / "inbox" / "notes.csv").write_text("a,b\n1,2\n", "utf-8")
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(
            f'\n[refresh]\ninbox = "inbox"\nretrain_days = 30\n\n[notify]\nbackoff_seconds = 0\n'
            f'[notify.channels.team]\ntype = "wecom"\nwebhook = "{robot.url}"\nlang = "zh"\n'
        )
    return path


def _snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with Workspace.open(path) as ws, ws.store.begin() as conn:
        return {name: sorted(tuple(map(str, r)) for r in conn.execute(
            sa.select(schema.metadata.tables[name]))) for name in SNAPSHOT}  # fmt: skip


def test_twice_the_same_day(demo: Path, robot: Robot) -> None:
    code, out, err = run_cli("-w", str(demo), "refresh", "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0, err + out
    first = json.loads(out)
    steps = {s["step"]: s for s in first["steps"]}
    assert list(steps) == ["import", "value", "risk", "alerts", "playbooks", "results", "notify"]
    assert all(s["seconds"] >= 0 for s in steps.values())
    assert [f["file"] for f in steps["import"]["detail"]["imported"]] == ["surveys-2026-10.csv"]
    assert "notes.csv" in steps["import"]["note"]
    assert steps["value"]["status"] == steps["risk"]["status"] == "done"
    assert steps["risk"]["detail"]["trained"]  # no model yet: trained, then scored
    assert steps["alerts"]["status"] == "done" and steps["alerts"]["detail"]["opened"] > 0
    # The playbooks ran after the alerts: tasks, and a link for each survey task.
    playbooks = steps["playbooks"]
    assert playbooks["status"] == "done" and playbooks["detail"]["tasks"] > 0
    (message,) = steps["notify"]["detail"]["messages"]
    assert message["status"] == "sent" and len(robot.received) == 1
    content = robot.received[0]["markdown"]["content"]
    assert f"{playbooks['detail']['tasks']} 项待办任务" in content and "条新预警" in content
    before = _snapshot(demo)
    assert len(before["surveys"]) > 2 and len(before["notifications"]) == 1
    surveys = [r for r in before["tasks"] if r[3] == "survey"]  # (id, customer, playbook, type)
    assert surveys and len(before["survey_links"]) == len(surveys)
    assert playbooks["detail"]["survey_links"] == len(surveys)

    code, out, err = run_cli("-w", str(demo), "refresh", "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0, err + out
    second = {s["step"]: s for s in json.loads(out)["steps"]}
    assert second["import"]["status"] == "skipped"
    assert second["import"]["detail"]["already_imported"] == ["surveys-2026-10.csv"]
    assert {second[s]["status"] for s in ("value", "risk", "alerts", "playbooks")} == {"skipped"}
    assert second["notify"]["detail"]["messages"] == []
    assert _snapshot(demo) == before
    assert len(robot.received) == 1

    # The log of both runs, newest first.
    with Workspace.open(demo) as ws:
        runs = ws.refresh.runs()
    assert [r["status"] for r in runs[:2]] == ["done", "done"]
    code, out, _ = run_cli("-w", str(demo), "--lang", "zh", "refresh", "--as-of",
                           AS_OF.isoformat())  # fmt: skip
    assert code == 0 and "每日刷新" in out and "跳过" in out


def test_a_running_refresh_is_refused(demo: Path) -> None:
    with Workspace.open(demo) as ws, ws.store.begin() as conn:
        conn.execute(sa.insert(schema.refresh_runs).values(
            as_of=AS_OF, started_at=dt.datetime.now(), status="running", steps="[]"))  # fmt: skip
    code, _, err = run_cli("-w", str(demo), "refresh", "--as-of", AS_OF.isoformat())
    assert code == 2 and "Another keepwise refresh is running" in err
    with Workspace.open(demo) as ws, ws.store.begin() as conn:
        conn.execute(
            sa.delete(schema.refresh_runs).where(schema.refresh_runs.c.status == "running")
        )


HOLD = """
import sys, time
from pathlib import Path
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
ws.imports.table_counts()
print("holding", flush=True)
time.sleep(8)
ws.close()
"""


def test_busy_duckdb_says_what_to_do(demo: Path) -> None:
    env = {**os.environ, "KEEPWISE_BUSY_TIMEOUT": "1", "KEEPWISE_LANG": "en"}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(demo)], stdout=subprocess.PIPE,
                              text=True, env=env)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        done = subprocess.run([sys.executable, "-m", "keepwise", "-w", str(demo), "refresh"],
                              capture_output=True, text=True, env=env, check=False)  # fmt: skip
    finally:
        holder.wait(timeout=30)
    assert done.returncode == 2, done.stderr
    assert "DuckDB lets one process write" in done.stderr and "PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr
