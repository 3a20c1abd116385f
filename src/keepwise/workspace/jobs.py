"""``ws.jobs``: long work (an import, training, scoring, a rule run) run in the background by
the server, with its progress and outcome in the ``jobs`` table — so a page reload, another
browser or another server process can follow it by id.

A job runs in a thread of the process that started it, on the same workspace as the viewer
who started it; when it ends, the stored report results it made stale are recomputed
(``ws.results.refresh``) so the pages find them ready. A job whose process ended before it did
is reported ``interrupted`` (:meth:`JobsService.recover`, called when a server starts).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.errors import KeepwiseError, NotFoundError
from keepwise._core.i18n import register
from keepwise._core.jsondata import jsonable
from keepwise.store import schema
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.workspace.core import Workspace

log = logging.getLogger("keepwise.jobs")

register(
    {
        "jobs.not_found": {"zh": "没有编号为 {job_id} 的任务", "en": "There is no job {job_id}"},
        "jobs.failed": {
            "zh": "任务因内部错误失败；数据未被部分修改。详情见服务器日志。",
            "en": "The job failed with an internal error; nothing was half-changed. The "
            "server's log has the details.",
        },
        "jobs.interrupted": {
            "zh": "任务在完成前服务器已停止；请重新运行",
            "en": "The server stopped before the job finished; run it again",
        },
    }
)

#: What a job does: given the workspace (as the viewer who started it), its parameters and a
#: progress callback (stage, done, total), it returns JSON data.
Work = Callable[["Workspace", dict[str, Any], Callable[[str, float], None]], Any]
#: Progress is written at most this often (seconds).
_PROGRESS_EVERY = 1.0
#: The threads of the jobs this process runs, by job id (joined by :meth:`JobsService.wait`
#: and when the server stops).
_threads: dict[int, threading.Thread] = {}


class JobsService(Service):
    def start(self, kind: str, params: dict[str, Any], work: Work) -> int:
        """Record a queued job and start it in a background thread; returns its id."""
        j = schema.jobs
        with self.store.begin() as conn:
            job_id = conn.execute(sa.insert(j).values(
                kind=kind, status="queued", progress=0.0, params=json.dumps(jsonable(params)),
                created_by=self.viewer.username, owner_scope=self.viewer.owner_scope,
                created_at=clock.now(),
            ).returning(j.c.id)).scalar_one()  # fmt: skip
        view = self.ws.as_user(self.viewer)
        thread = threading.Thread(target=_run, args=(view, int(job_id), params, work),
                                  name=f"keepwise-job-{job_id}", daemon=True)  # fmt: skip
        _threads[int(job_id)] = thread
        thread.start()
        return int(job_id)

    def get(self, job_id: int) -> dict[str, Any]:
        """A job's state; a rep sees only the jobs they started."""
        j = schema.jobs
        query = sa.select(j).where(j.c.id == job_id)
        if not self.viewer.sees_everyone:
            query = query.where(j.c.created_by == self.viewer.username)
        with self.store.begin() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError("jobs.not_found", job_id=job_id)
        return _job(row)

    def find(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The latest jobs, newest first (a rep: their own)."""
        j = schema.jobs
        query = sa.select(j).order_by(j.c.id.desc()).limit(sa.literal(int(limit),
                                                                      literal_execute=True))  # fmt: skip
        if not self.viewer.sees_everyone:
            query = query.where(j.c.created_by == self.viewer.username)
        with self.store.begin() as conn:
            return [_job(r) for r in conn.execute(query).mappings()]

    def wait(self, job_id: int, *, timeout: float = 600.0) -> dict[str, Any]:
        """Wait until the job has ended (tests, scripts) — its thread too, when it runs in
        this process (the stored results it refreshes after its work included); its state."""
        thread = _threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
            return self.get(job_id)
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job["status"] in ("done", "failed", "interrupted") or time.monotonic() > deadline:
                return job
            time.sleep(0.1)

    def recover(self) -> int:
        """Mark the jobs left queued or running by a process that has ended as interrupted
        (a server calls this when it starts); returns how many."""
        j = schema.jobs
        unfinished = j.c.status.in_(("queued", "running"))
        with self.store.begin() as conn:
            count = conn.execute(sa.select(sa.func.count()).where(unfinished)).scalar_one()
            conn.execute(
                sa.update(j)
                .where(unfinished)
                .values(
                    status="interrupted", error_code="jobs.interrupted", finished_at=clock.now()
                )
            )
        return int(count)


def join_all(timeout: float = 30.0) -> int:
    """Wait for this process's running jobs (a server stopping); how many still run."""
    deadline = time.monotonic() + timeout
    for thread in list(_threads.values()):
        thread.join(max(0.0, deadline - time.monotonic()))
    return sum(t.is_alive() for t in _threads.values())


def _run(ws: Workspace, job_id: int, params: dict[str, Any], work: Work) -> None:
    j = schema.jobs
    last = [0.0]

    def update(**values: Any) -> None:
        with ws.store.begin() as conn:
            conn.execute(sa.update(j).where(j.c.id == job_id).values(**values))

    def progress(stage: str, share: float) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY or share >= 1.0:
            last[0] = now
            update(stage=stage, progress=max(0.0, min(1.0, float(share))))

    update(status="running", started_at=clock.now())
    try:
        result = work(ws, params, progress)
    except KeepwiseError as exc:
        update(status="failed", error_code=exc.key, finished_at=clock.now(),
               error_params=json.dumps(jsonable(exc.params), ensure_ascii=False))  # fmt: skip
        return
    except Exception:
        log.exception("job %s failed", job_id)
        update(status="failed", error_code="jobs.failed", finished_at=clock.now())
        return
    update(status="done", progress=1.0, finished_at=clock.now(),
           result=json.dumps(jsonable(result), ensure_ascii=False))  # fmt: skip
    try:
        ws.results.refresh()
    except Exception:  # the results are recomputed on the next read instead
        log.exception("refreshing stored results after job %s", job_id)


def _job(row: Any) -> dict[str, Any]:
    from keepwise._core.i18n import t

    out = dict(row)
    for key in ("params", "result", "error_params"):
        out[key] = json.loads(out[key]) if out[key] else None
    for key in ("created_at", "started_at", "finished_at"):
        value = out[key]
        out[key] = value.isoformat() if isinstance(value, dt.datetime) else value
    code = out["error_code"]
    params = out.pop("error_params") or {}
    out["error"] = None if code is None else {
        "code": code, "message_zh": t(code, "zh", **params), "message_en": t(code, "en", **params)
    }  # fmt: skip
    return out
