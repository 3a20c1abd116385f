"""Retention playbooks (docs/playbooks.md): the playbooks in force, writing the built-ins for
editing, a run (a background job: targets, hold-out, tasks), the recorded runs, whether each
worked (treated against hold-out over a window of days) and seed 000's evaluation of voided
customers in five parts. Anyone may read the playbooks; the rest is for managers and admins.

The evaluations are stored results (``ws.results``): a run, a task's outcome, a lifecycle
action or an import moves the data version, and the next read recomputes them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from keepwise.api.common import as_of_day, stored
from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import AsOfQuery, Day, EndQuery, GrainQuery, Id, StartQuery, TextQuery
from keepwise.api.routes.jobs import start_job
from keepwise.workspace.playbooks import MANAGERS

router = APIRouter(prefix="/playbooks", tags=["playbooks"],
                   dependencies=[Depends(current_session)])  # fmt: skip

Days = Annotated[int | None, Query(ge=1, le=3650, description="Judge over this many days "
                                   "after targeting (default: each playbook's evaluate_days)")]  # fmt: skip


class Init(BaseModel):
    force: bool = Field(False, description="Overwrite the playbook files already there")


class Run(BaseModel):
    as_of: Day | None = None
    playbooks: list[Id] | None = Field(None, max_length=200, description="Only these "
                                       "(default: every enabled playbook)")  # fmt: skip


@router.get("")
def playbooks(ws: ViewerWs) -> list[dict[str, Any]]:
    """The playbooks in force (``playbooks/*.yaml``, else the built-ins)."""
    return [p.to_dict() | {"file": p.file or None} for p in ws.playbooks.find()]


@router.post("/init")
def init(ws: ViewerWs, auth: CurrentSession, body: Init) -> dict[str, Any]:
    """Write the built-in playbooks to the workspace's ``playbooks/`` folder for editing
    (managers and admins; an existing file is kept unless ``force``)."""
    paths = ws.playbooks.init(force=body.force, actor=auth.viewer.username)
    return {"files": [f"{p.parent.name}/{p.name}" for p in paths]}


@router.post("/run", status_code=202)
def run(ws: ViewerWs, auth: CurrentSession, body: Run) -> dict[str, Any]:
    """Run the enabled playbooks (or those named) as of ``as_of``: targets, hold-out and
    tasks, as a background job (managers and admins); running again on the same day adds
    nothing."""
    ws.viewer.require(*MANAGERS)
    day = ws.check_writable(as_of_day(ws, body.as_of, writing=True))
    ids = list(body.playbooks) if body.playbooks else None
    ws.playbooks.chosen(ids)  # an unknown id: 404 now, not a failed job
    actor = auth.viewer.username

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        progress("run", 0.0)
        return job_ws.playbooks.run(day, actor=actor, ids=ids).to_dict()

    return start_job(ws, "playbooks.run", {"as_of": day, "playbooks": ids}, work)


@router.get("/runs")
def runs(ws: ViewerWs, playbook: TextQuery = None) -> list[dict[str, Any]]:
    """The recorded runs, newest first (managers and admins)."""
    return ws.playbooks.runs(playbook)


@router.get("/evaluation")
def evaluation(ws: ViewerWs, as_of: AsOfQuery = None, days: Days = None) -> dict[str, Any]:
    """Every playbook treated against its hold-out: rates, the difference with its 95 %
    interval and p-value, revenue retained, cost, a verdict (managers and admins)."""
    ws.viewer.require(*MANAGERS)
    return stored(ws, "playbook_evaluation", {"as_of": as_of_day(ws, as_of), "days": days})


@router.get("/void-effect")
def void_effect(
    ws: ViewerWs, as_of: AsOfQuery = None, start: StartQuery = None, end: EndQuery = None,
    grain: GrainQuery = "month",
) -> dict[str, Any]:  # fmt: skip
    """Voided customers in five parts (seed 000): void ratio and trend, reasons and
    destinations, business impact, follow-up, what changed after the playbooks (managers and
    admins)."""
    ws.viewer.require(*MANAGERS)
    return stored(ws, "void_effect", {"as_of": as_of_day(ws, as_of), "start": start,
                                      "end": end, "grain": grain})  # fmt: skip


@router.get("/{playbook_id}/evaluation")
def playbook_evaluation(
    ws: ViewerWs, playbook_id: Id, as_of: AsOfQuery = None, days: Days = None
) -> dict[str, Any]:
    """One playbook treated against its hold-out (a playbook no longer in the files is judged
    from its recorded targets; managers and admins)."""
    ws.viewer.require(*MANAGERS)
    return stored(ws, "playbook_evaluation", {"as_of": as_of_day(ws, as_of), "days": days,
                                              "playbooks": [playbook_id]})  # fmt: skip
