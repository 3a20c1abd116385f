"""Running playbooks on a day: targets chosen (:mod:`keepwise.playbooks.targets`), a share held
out by the deterministic draw (:mod:`keepwise.playbooks.holdout`), every target recorded, and
one task per treated target and action, with its owner, due date, cost and message.

A customer is targeted by a playbook at most once within its ``cooldown_days`` (an occasion of
the care calendar once only), so running twice on the same day adds nothing. Before the
playbooks run, the open tasks of customers who were churned or voided since the task was
created are closed with that status as the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from keepwise._core.config import ChurnConfig
from keepwise.churn import Tables
from keepwise.playbooks import holdout
from keepwise.playbooks.assign import active_owners, assign_owners, render
from keepwise.playbooks.spec import Action, Playbook
from keepwise.playbooks.targets import RunState, candidates, mark_new
from keepwise.store import Store, schema
from keepwise.store.bulk import STAGED, stage, unstage

#: Tables a run reads besides the churn definition's.
READ = ("alerts", "customers", "contracts", "import_batches", "playbook_targets", "tasks",
        "owners")  # fmt: skip


@dataclass(frozen=True)
class PlaybookRun:
    """What one playbook did on one day."""

    playbook_id: str
    run_id: int | None
    measure: str
    targets: int
    held_out: int
    tasks: int
    already_targeted: int


@dataclass(frozen=True)
class RunResult:
    as_of: dt.date
    runs: list[PlaybookRun]
    closed_tasks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "runs": [asdict(r) for r in self.runs],
                "closed_tasks": self.closed_tasks}  # fmt: skip


def run_playbooks(
    store: Store, playbooks: Sequence[Playbook], as_of: dt.date, *, churn: ChurnConfig,
    actor: str, at: dt.datetime, rule_kinds: dict[str, str] | None = None,
) -> RunResult:  # fmt: skip
    """Run the enabled ``playbooks`` as of ``as_of`` (see the module's docstring). Every
    playbook's targets and tasks are written in one transaction: a run happens whole or not
    at all. ``rule_kinds`` (alert rule id → kind) lets an alert trigger name a kind."""
    con = store.ibis()
    tables = {name: con.table(name) for name in READ}
    t = Tables.from_backend(con)
    with RunState(t, churn, as_of, con, rule_kinds) as state:
        closed = _close_lost_tasks(store, state, tables, at)
        owners = active_owners(tables["owners"].execute(), as_of)
        plans = [_plan(state, p, tables, owners) for p in playbooks if p.enabled]

    def write(conn: sa.Connection) -> list[PlaybookRun]:
        return [_write(conn, plan, as_of, actor, at) for plan in plans]

    return RunResult(as_of, store.transact(write), closed)


@dataclass
class _Plan:
    playbook: Playbook
    targets: pd.DataFrame
    tasks: pd.DataFrame
    already: int


def _plan(state: RunState, p: Playbook, tables: dict[str, Any], owners: pd.DataFrame) -> _Plan:
    """The new targets of one playbook, the hold-out draw, and the tasks of the treated."""
    found = mark_new(candidates(state, p, tables), tables["playbook_targets"], p, state.as_of)
    every = found.select("customer_id", "name", "owner_id", "detail", "key", "first").execute()
    frame = every[every["first"] == 1].drop(columns="first")
    already = every["customer_id"].nunique() - len(frame)
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    draws = holdout.draws(p.seed, frame["customer_id"])
    frame["draw"], frame["holdout"] = draws, draws < p.holdout
    treated = frame[~frame["holdout"]]
    tasks = pd.concat([_tasks(treated, p, a, state.as_of, owners) for a in p.actions],
                      ignore_index=True)  # fmt: skip
    return _Plan(p, frame, tasks, already)


def _write(conn: sa.Connection, plan: _Plan, as_of: dt.date, actor: str,
           at: dt.datetime) -> PlaybookRun:  # fmt: skip
    p, frame, tasks = plan.playbook, plan.targets, plan.tasks
    held = int(frame["holdout"].sum())
    run_id = _record_run(conn, p, as_of, actor, at, len(frame), held, len(tasks), plan.already)
    if len(frame):
        _insert(conn, "playbook_targets", _target_table(frame, p, as_of, run_id))
    if len(tasks):
        _insert(conn, "tasks", _task_table(tasks, p, as_of, run_id, at))
    _upsert_playbook(conn, p, at)
    return PlaybookRun(p.id, run_id, p.measure, len(frame), held, len(tasks), plan.already)


def _tasks(treated: pd.DataFrame, p: Playbook, a: Action, as_of: dt.date,
           owners: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    out = treated[["customer_id", "name", "detail"]].copy()
    out["type"], out["cost"] = a.type, a.cost
    due = as_of + dt.timedelta(days=a.due_days)
    out["due"] = due
    out["owner_id"] = assign_owners(treated["customer_id"], treated["owner_id"], a.owner,
                                    owners, p.seed)  # fmt: skip
    names = dict(zip(owners["owner_id"], owners["name"], strict=True))
    for lang in ("zh", "en"):
        out[f"message_{lang}"] = render(getattr(a, f"message_{lang}"), lang, p, out, due, names)
    return out


# --- writing ----------------------------------------------------------------------------------


def _record_run(conn: sa.Connection, p: Playbook, as_of: dt.date, actor: str, at: dt.datetime,
                targets: int, held: int, tasks: int, already: int) -> int:  # fmt: skip
    r = schema.playbook_runs
    values = {"playbook_id": p.id, "as_of": as_of, "run_at": at, "actor": actor,
              "measure": p.measure, "definition": json.dumps(p.to_dict(), ensure_ascii=False),
              "targets": targets, "held_out": held, "tasks": tasks,
              "already_targeted": already}  # fmt: skip
    return int(conn.execute(sa.insert(r).values(**values).returning(r.c.id)).scalar_one())


def _insert(conn: sa.Connection, table: str, data: pa.Table) -> None:
    stage(conn, data, table)
    try:
        cols = ", ".join(data.column_names)
        conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {STAGED}")
    finally:
        unstage(conn)


def _target_table(frame: pd.DataFrame, p: Playbook, as_of: dt.date, run_id: int) -> pa.Table:
    n = len(frame)
    details = [json.dumps({"detail": d}, ensure_ascii=False) if isinstance(d, str) else None
               for d in frame["detail"]]  # fmt: skip
    return pa.table({
        "run_id": pa.array([run_id] * n, pa.int64()),
        "playbook_id": pa.array([p.id] * n, pa.string()),
        "customer_id": pa.array(frame["customer_id"].astype(str), pa.string()),
        "as_of": pa.array([as_of] * n, pa.date32()),
        "measure": pa.array([p.measure] * n, pa.string()),
        "holdout": pa.array(frame["holdout"].astype(bool), pa.bool_()),
        "draw": pa.array(frame["draw"].astype(float), pa.float64()),
        "trigger_key": pa.array(frame["key"].where(frame["key"].notna(), None), pa.string()),
        "detail": pa.array(details, pa.string()),
    })  # fmt: skip


def _task_table(tasks: pd.DataFrame, p: Playbook, as_of: dt.date, run_id: int,
                at: dt.datetime) -> pa.Table:  # fmt: skip
    n = len(tasks)
    owner = tasks["owner_id"].where(tasks["owner_id"].notna(), None)
    return pa.table({
        "customer_id": pa.array(tasks["customer_id"].astype(str), pa.string()),
        "playbook_id": pa.array([p.id] * n, pa.string()),
        "type": pa.array(tasks["type"], pa.string()),
        "owner_id": pa.array(owner.tolist(), pa.string()),
        "due": pa.array(tasks["due"], pa.date32()),
        "status": pa.array(["open"] * n, pa.string()),
        "holdout": pa.array([False] * n, pa.bool_()),
        "created_at": pa.array([at] * n, pa.timestamp("us")),
        "run_id": pa.array([run_id] * n, pa.int64()),
        "as_of": pa.array([as_of] * n, pa.date32()),
        "cost": pa.array(tasks["cost"].astype(float), pa.float64()),
        "message_zh": pa.array(tasks["message_zh"], pa.string()),
        "message_en": pa.array(tasks["message_en"], pa.string()),
    })  # fmt: skip


def _upsert_playbook(conn: sa.Connection, p: Playbook, at: dt.datetime) -> None:
    from sqlalchemy.dialects.postgresql import insert

    t = schema.playbooks
    trigger = {"trigger": asdict(p.trigger), "filter": p.filter, "measure": p.measure}
    values = {"playbook_id": p.id, "name_zh": p.name_zh, "name_en": p.name_en,
              "trigger": json.dumps(trigger, ensure_ascii=False), "task_type": p.actions[0].type,
              "due_days": p.actions[0].due_days, "holdout_share": p.holdout,
              "active": p.enabled, "created_at": at}  # fmt: skip
    stmt = insert(t).values(**values)
    keep = [c for c in values if c not in ("playbook_id", "created_at")]
    conn.execute(stmt.on_conflict_do_update(index_elements=["playbook_id"],
                                            set_={c: stmt.excluded[c] for c in keep}))  # fmt: skip


# --- tasks of customers lost meanwhile -------------------------------------------------------


def _close_lost_tasks(store: Store, state: RunState, tables: dict[str, Any],
                      at: dt.datetime) -> dict[str, int]:  # fmt: skip
    """Close the open tasks (created for a day up to the state's) whose customer moved to
    churned or voided since: the status is the reason. Counts by that status."""
    tk = tables["tasks"]
    s = state.table.select(scid="customer_id", now="status", since="status_since", kept="kept")
    made = tk.as_of.fill_null(tk.created_at.cast("date"))
    open_ = tk.filter(tk.status == "open", made <= state.as_of).mutate(made=made)
    j = open_.join(s, open_.customer_id == s.scid)
    j = j.filter(j.kept == 0, j.since >= j.made)
    found = j.select("id", reason=j.now).execute()
    if found.empty:
        return {}

    def write(conn: sa.Connection) -> None:
        data = pa.table({"id": pa.array(found["id"].astype("int64"), pa.int64()),
                         "closed_reason": pa.array(found["reason"], pa.string())})  # fmt: skip
        stage(conn, data, "tasks")
        try:
            conn.execute(sa.text(
                "UPDATE tasks SET status = 'closed', closed_reason = s.closed_reason, "
                f"completed_at = :at FROM {STAGED} s WHERE tasks.id = s.id AND tasks.status = "
                "'open'"
            ), {"at": at})  # fmt: skip
        finally:
            unstage(conn)

    store.transact(write)
    return {str(k): int(v) for k, v in found["reason"].value_counts().items()}
