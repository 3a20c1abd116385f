"""Import: upload a CRM export (imported in a background job: follow it on its job page), the
recent imports with their counts and rejected rows, and the rows per table (managers and
admins). Twins: ``POST /api/imports``, ``GET /api/imports``, ``GET /api/imports/counts``."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, File, Form, UploadFile

from keepwise._core.i18n import register
from keepwise.api.params import Text
from keepwise.api.routes import imports as api
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

register(
    {
        "web.imports.title": {"zh": "数据导入", "en": "Import"},
        "web.imports.upload": {"zh": "上传文件", "en": "Upload a file"},
        "web.imports.kind": {"zh": "数据类型", "en": "Kind of data"},
        "web.imports.file": {
            "zh": "文件（CSV、XLSX 或 Parquet）",
            "en": "File (CSV, XLSX or Parquet)",
        },
        "web.imports.encoding": {"zh": "编码（留空自动识别）", "en": "Encoding (empty: detected)"},
        "web.imports.submit": {"zh": "导入", "en": "Import"},
        "web.imports.recent": {"zh": "最近的导入", "en": "Recent imports"},
        "web.imports.counts": {"zh": "各表行数", "en": "Rows per table"},
        "web.imports.rejects": {"zh": "被拒绝的行", "en": "Rejected rows"},
        "web.imports.jobs": {"zh": "最近的后台任务", "en": "Recent background work"},
    }
)


@router.get("/imports")
def imports_page(page: PageDep) -> Any:
    ws = page.ws
    ws.viewer.require("admin", "manager")
    return page.render("imports.html", recent=api.recent(ws), counts=api.counts(ws),
                       kinds=get_args(api.Kind), jobs=ws.jobs.find(limit=10))  # fmt: skip


@router.post("/imports")
def upload(
    page: PageDep, kind: Annotated[api.Kind, Form()], file: Annotated[UploadFile, File()],
    encoding: Annotated[Text | None, Form()] = None,
) -> Any:  # fmt: skip
    answer = api.upload(page.ws, page.auth, kind, file, encoding=encoding or None)
    return page.back(f"/jobs/{answer['job_id']}")
