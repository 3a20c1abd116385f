"""Background jobs: their state by id (progress, result, error), so a page reload finds them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from keepwise.api.deps import ViewerWs, current_session
from keepwise.workspace import Workspace
from keepwise.workspace.jobs import Work

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[Depends(current_session)])


def start_job(ws: Workspace, kind: str, params: dict[str, Any], work: Work) -> dict[str, Any]:
    """Start ``work`` in the background; the answer (202) names the job to follow."""
    job_id = ws.jobs.start(kind, params, work)
    return {"job_id": job_id, "status": "queued", "url": f"/api/jobs/{job_id}"}


@router.get("")
def jobs(ws: ViewerWs, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
    """The latest jobs, newest first (a rep: their own)."""
    return ws.jobs.find(limit=limit)


@router.get("/{job_id}")
def job(ws: ViewerWs, job_id: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
    """One job: status (queued, running, done, failed, interrupted), stage, progress (0-1),
    result or error."""
    return ws.jobs.get(job_id)
