"""Dates past the data (issue 10): the default as-of is the day after the data ends, commands
that write refuse a future as-of, reports leave out periods after the data and say where it
ends; a run of scores or alerts made by mistake can be deleted, and the deletion is audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cli_support import run
from keepwise import Workspace
from keepwise._core import clock
from keepwise.store import schema

AS_OF = dt.date(2026, 11, 1)  # the demo's data ends on 2026-10-31


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path_factory.mktemp("dates") / "ws", lang="en")
    ws.imports.load_demo(customers=400, seed=5, as_of=AS_OF)
    ws.close()
    yield ws
    ws.close()


def test_default_as_of_is_the_day_after_the_data(demo: Workspace) -> None:
    assert demo.data_end() == dt.date(2026, 10, 31)
    assert demo.default_as_of() == min(AS_OF, clock.today())


def test_writes_refuse_the_future(demo: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    future = (clock.today() + dt.timedelta(days=30)).isoformat()
    for command in (["alerts", "run"], ["risk", "train"], ["risk", "score"],
                    ["value", "score"]):  # fmt: skip
        code, _out, err = run(demo, capsys, *command, "--as-of", future, lang="zh")
        assert code == 2 and "在未来" in err and "Traceback" not in err, command
    code, _, err = run(demo, capsys, "alerts", "run", "--as-of", future)
    assert code == 2 and "in the future" in err
    with demo.store.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.alerts)).scalar() == 0


def test_reports_past_the_data(demo: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    # Periods after the data are left out; the one it ends in is marked incomplete.
    code, out, err = run(demo, capsys, "metrics", "-m", "revenue", "--as-of", "2027-03-01",
                         "--start", "2026-09-01", "--end", "2027-03-01", "--json")  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["period_start"], r["complete"]) for r in rows] == [
        ("2026-09-01", True), ("2026-10-01", True)]  # fmt: skip
    assert "2026-10-31" in err and "leave out the periods" in err
    code, out, err = run(demo, capsys, "metrics", "-m", "revenue", "--as-of", "2027-06-01",
                         "--start", "2027-01-01", lang="zh")  # fmt: skip
    assert code == 2 and "数据截止于 2026-10-31" in err and "Traceback" not in err
    code, out, err = run(demo, capsys, "summary", "--as-of", "2027-02-01", "--json")
    assert code == 0 and "2026-10-31" in err
    assert json.loads(out)["revenue_12m"] > 0


def test_delete_a_run(demo: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(demo, capsys, "value", "score", "--as-of", "2026-10-01")
    assert code == 0, err
    code, out, err = run(demo, capsys, "alerts", "run", "--as-of", "2026-10-01", "--json")
    opened = json.loads(out)["opened"]
    assert code == 0 and opened > 1
    first = demo.alerts.find(limit=1)[0]
    demo.alerts.ack(first.id, actor="li.lei")
    code, out, err = run(demo, capsys, "alerts", "delete-run", "--as-of", "2026-10-01", "--json")
    assert code == 0 and json.loads(out) == {"as_of": "2026-10-01", "deleted": opened - 1,
                                             "kept": 1}  # fmt: skip
    assert [a.id for a in demo.alerts.find()] == [first.id]  # the acknowledged one stays
    code, out, err = run(demo, capsys, "value", "delete-scores", "--as-of", "2026-10-01")
    assert code == 0 and "Deleted" in out
    with demo.store.begin() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(schema.scores)).scalar()
        log = conn.execute(sa.select(schema.audit_log.c.action)
                           .where(schema.audit_log.c.entity == "run")).scalars().all()  # fmt: skip
    assert left == 0
    assert sorted(log) == ["alerts.delete_run", "scores.delete_run.value"]
    code, _, err = run(demo, capsys, "value", "delete-scores", "--as-of", "2026-10-01", lang="zh")
    assert code == 2 and "没有截止日期为 2026-10-01 的评分" in err
    code, _, err = run(demo, capsys, "alerts", "delete-run", "--as-of", "2026-13-01")
    assert code == 2 and "Invalid date" in err
    code, _, err = run(demo, capsys, "risk", "delete-scores")
    assert code == 2 and "--as-of" in err


def test_a_current_workspace_shows_todays_own_changes_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data through yesterday: the default as-of is today; a void recorded now moves the
    figures' default to tomorrow ("as of now": the void is counted, no note about missing
    data), while results written keep today. A workspace whose data stopped weeks ago keeps
    its default: a user's change there would put weeks without data into every figure."""
    now = dt.datetime(2026, 11, 1, 10, 30)  # the demo's data ends on 2026-10-31
    monkeypatch.setattr(Workspace, "now", lambda self: now)
    ws = Workspace.init(tmp_path / "live", lang="en")
    try:
        ws.imports.load_demo(customers=150, seed=2, as_of=AS_OF)
        assert ws.default_as_of() == AS_OF
        before = ws.metrics.headline(ws.default_as_of())
        customer = next(c for c, s in _statuses(ws, AS_OF).items() if s == "active")
        ws.customers.void(customer, reason="price", actor="t")
        chosen = ws.as_of(None)
        assert chosen.day == AS_OF + dt.timedelta(days=1) and chosen.note() is None
        assert ws.default_as_of(writing=True) == AS_OF
        after = ws.metrics.headline(chosen.day)
        assert after.statuses["voided"] == before.statuses["voided"] + 1
        # Weeks later with no new data, the default is back at the end of the data.
        now = dt.datetime(2026, 12, 1, 9)
        ws.customers.revert(customer, actor="t")
        assert ws.default_as_of() == AS_OF
    finally:
        ws.close()


def test_commands_that_write_keep_today_after_todays_own_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a void recorded today in a current workspace, the figures' default is tomorrow,
    but the daily refresh (it writes scores and alerts) and notify send run as of today: they
    refused "in the future" before."""
    now = dt.datetime(2026, 11, 1, 10, 30)
    monkeypatch.setattr(Workspace, "now", lambda self: now)
    ws = Workspace.init(tmp_path / "live", lang="en")
    ws.imports.load_demo(customers=150, seed=2, as_of=AS_OF)
    customer = next(c for c, s in _statuses(ws, AS_OF).items() if s == "active")
    ws.customers.void(customer, reason="price", actor="t")
    code, out, err = run(ws, capsys, "refresh", "--json")
    assert code == 0, err
    assert json.loads(out)["as_of"] == AS_OF.isoformat()
    code, _, err = run(ws, capsys, "notify", "send")
    assert code == 0 and "in the future" not in err


def _statuses(ws: Workspace, as_of: dt.date) -> dict[str, str]:
    from keepwise.churn import statuses

    frame = statuses(ws.tables(), ws.config.churn, as_of).execute()
    return dict(zip(frame["customer_id"], frame["status"], strict=True))
