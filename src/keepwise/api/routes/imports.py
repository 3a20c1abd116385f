"""Imports: upload a CRM export (imported in a background job with progress), the recent
imports with their counts, the table counts, and an import's rejected rows (managers and
admins)."""

from __future__ import annotations

import csv
import re
import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile
from fastapi.responses import Response

from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.exports import download
from keepwise.api.params import Text
from keepwise.api.routes.jobs import start_job

router = APIRouter(prefix="/imports", tags=["imports"], dependencies=[Depends(current_session)])

Kind = Literal["owners", "customers", "contracts", "orders", "usage", "interactions",
               "tickets", "surveys", "leads", "spend", "status-events"]  # fmt: skip
BatchId = Annotated[int, Path(ge=1, le=2**62)]
_SAFE = re.compile(r"[^\w.\-]+")
#: Uploads are copied in pieces of this size.
_CHUNK = 1 << 20


@router.get("")
def recent(ws: ViewerWs) -> list[dict[str, Any]]:
    """The last imports, newest first: file, rows read, loaded, rejected."""
    return ws.imports.recent(50)


@router.get("/counts")
def counts(ws: ViewerWs) -> list[dict[str, Any]]:
    """Rows per table."""
    return [{"table": c.table, "rows": c.rows} for c in ws.imports.table_counts()]


@router.post("", status_code=202)
def upload(
    ws: ViewerWs, auth: CurrentSession, kind: Annotated[Kind, Form()],
    file: Annotated[UploadFile, File()],
    encoding: Annotated[Text | None, Form()] = None,
    delimiter: Annotated[Text | None, Form()] = None,
) -> dict[str, Any]:  # fmt: skip
    """Upload a file of ``kind`` (CSV, XLSX or Parquet) and import it in the background;
    follow the job for progress and the counts."""
    ws.viewer.require("admin", "manager")
    name = _SAFE.sub("_", (file.filename or "upload").rsplit("/", 1)[-1])[-120:] or "upload"
    folder = ws.path / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with target.open("wb") as out:
        while chunk := file.file.read(_CHUNK):
            out.write(chunk)
    actor = auth.viewer.username

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        shares = {"read": (0.0, 0.6), "validate": (0.6, 0.8), "load": (0.8, 1.0)}

        def on_progress(stage: str, done: int, total: int) -> None:
            low, high = shares.get(stage, (0.0, 1.0))
            progress(stage, low + (high - low) * (done / total if total else 1.0))

        result = job_ws.imports.load(kind, target, today=job_ws.today(), encoding=encoding,
                                     delimiter=delimiter, actor=actor, progress=on_progress)  # fmt: skip
        return result.to_dict()

    return start_job(ws, "import", {"kind": kind, "file": name}, work)


@router.get("/{batch_id}")
def batch(ws: ViewerWs, batch_id: BatchId) -> dict[str, Any]:
    return ws.imports.batch(batch_id)


@router.get("/{batch_id}/rejects")
def rejects(ws: ViewerWs, batch_id: BatchId, format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The rejected rows of an import with the reason of each, as CSV or XLSX (cells that a
    spreadsheet would run as formulas are made inert)."""
    path = ws.imports.rejects_file(batch_id)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0]) if rows else []
    return download(columns, rows, name=f"rejects-{batch_id}", fmt=format)
