"""A background job's page (twin: ``GET /api/jobs/{id}``): its status, stage and progress,
followed by the page's script until it ends (or by reloading: the state is in the database,
so a reload or another browser finds it), then its result or error."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from keepwise._core.i18n import register
from keepwise.api.routes import jobs as api
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

register(
    {
        "web.job.title": {"zh": "后台任务 #{id}", "en": "Background job #{id}"},
        "web.job.kind": {"zh": "类型：{kind}", "en": "Kind: {kind}"},
        "web.job.status.queued": {"zh": "排队中", "en": "queued"},
        "web.job.status.running": {"zh": "运行中", "en": "running"},
        "web.job.status.done": {"zh": "已完成", "en": "done"},
        "web.job.status.failed": {"zh": "失败", "en": "failed"},
        "web.job.status.interrupted": {"zh": "已中断", "en": "interrupted"},
        "web.job.result": {"zh": "结果", "en": "Result"},
        "web.job.mapping": {"zh": "识别出的列对应关系", "en": "The columns as detected"},
        "web.job.source_column": {"zh": "文件中的列", "en": "Column in the file"},
        "web.job.field": {"zh": "对应字段", "en": "Field"},
        "web.job.reload": {
            "zh": "此页面会自动更新；关闭或刷新页面不会中断任务",
            "en": "This page updates itself; closing or reloading it does not stop the job",
        },
    }
)


@router.get("/jobs/{job_id}")
def job_page(page: PageDep, job_id: Annotated[int, Path(ge=1, le=2**62)]) -> Any:
    job = api.job(page.ws, job_id)
    return page.render("job.html", job=job)
