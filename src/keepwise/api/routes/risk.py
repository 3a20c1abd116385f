"""Churn risk: the risk list ordered by value at risk, a customer's drivers in words, the
back-test, and training and scoring (background jobs)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from keepwise._core.errors import NotFoundError
from keepwise._core.i18n import register
from keepwise._core.jsondata import jsonable, records
from keepwise.api.common import as_of_day, iso, stored
from keepwise.api.deps import ViewerWs, current_session
from keepwise.api.exports import download
from keepwise.api.params import AsOfQuery, Band, Day, Id, Limit, Offset, TextQuery
from keepwise.api.routes.jobs import start_job

register(
    {
        "api.no_backtest": {
            "zh": "还没有这些参数的回测结果：先运行 POST /api/risk/backtest",
            "en": "No back-test with these parameters yet: run POST /api/risk/backtest first",
        },
    }
)

router = APIRouter(prefix="/risk", tags=["risk"], dependencies=[Depends(current_session)])

EXPORT_COLUMNS = ["customer_id", "name", "owner_id", "segment", "churn_probability",
                  "risk_band", "value", "value_basis", "value_at_risk", "model_version",
                  "as_of"]  # fmt: skip


class TrainRun(BaseModel):
    as_of: Day | None = None
    horizon: Annotated[int | None, Field(ge=7, le=730)] = None


class ScoreRun(BaseModel):
    as_of: Day | None = None


@router.get("")
def risk_list(
    ws: ViewerWs, band: Band | None = None, owner_id: TextQuery = None,
    as_of: AsOfQuery = None, limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Scored customers by expected value at risk (P(churn) × CLV, or × 12-month revenue
    without a CLV), highest first, each with its drivers in both languages."""
    params = {"as_of": iso(as_of), "band": band, "owner": owner_id, "limit": limit,
              "offset": offset}  # fmt: skip
    return stored(ws, "risk_list", params)


@router.get("/export")
def export(
    ws: ViewerWs, band: Band | None = None, owner_id: TextQuery = None,
    as_of: AsOfQuery = None, format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:  # fmt: skip
    """The whole risk list as CSV or XLSX (text cells never run as formulas)."""
    rows = ws.risk.risk_list(as_of=as_of, band=band, owner=owner_id)
    return download(EXPORT_COLUMNS, records(rows), name="risk", fmt=format)


class BacktestRun(BaseModel):
    as_of: Day | None = None
    horizon: Annotated[int | None, Field(ge=7, le=730)] = None
    splits: Annotated[int | None, Field(ge=1, le=6)] = None


@router.get("/backtest")
def backtest(
    ws: ViewerWs, as_of: AsOfQuery = None,
    horizon: Annotated[int | None, Query(ge=7, le=730)] = None,
    splits: Annotated[int | None, Query(ge=1, le=6)] = None,
) -> dict[str, Any]:  # fmt: skip
    """The model's last time-split back-test against baselines for these parameters
    (managers and admins), with ``current``: whether the data has changed since. It takes
    minutes on a large workspace, so it is run by ``POST /api/risk/backtest`` (a job)."""
    ws.viewer.require("admin", "manager")
    params = {"as_of": as_of_day(ws, as_of), "horizon": horizon, "splits": splits}
    found = ws.results.latest("backtest", jsonable(params))
    if found is None:
        raise NotFoundError("api.no_backtest")
    result, current = found
    return {**result.meta(), "current": current, "data": result.payload}


@router.post("/backtest", status_code=202)
def run_backtest(ws: ViewerWs, body: BacktestRun) -> dict[str, Any]:
    """Run the back-test in the background and store its result (managers and admins)."""
    ws.viewer.require("admin", "manager")
    params = {"as_of": as_of_day(ws, body.as_of), "horizon": body.horizon,
              "splits": body.splits}  # fmt: skip

    def work(job_ws: Any, p: dict[str, Any], progress: Any) -> Any:
        return job_ws.results.get("backtest", jsonable(params)).meta()

    return start_job(ws, "risk.backtest", params, work)


@router.get("/{customer_id}")
def customer_risk(ws: ViewerWs, customer_id: Id) -> dict[str, Any]:
    """The customer's churn scores over time, the latest first, with drivers in words."""
    scores = [s for s in ws.directory.scores(customer_id, limit=50)
              if s.get("churn_probability") is not None]  # fmt: skip
    return {"customer_id": customer_id, "latest": scores[0] if scores else None,
            "history": scores}  # fmt: skip


@router.post("/train", status_code=202)
def train(ws: ViewerWs, body: TrainRun) -> dict[str, Any]:
    """Train the churn model (a background job; managers and admins)."""
    ws.viewer.require("admin", "manager")
    day = ws.check_writable(as_of_day(ws, body.as_of, writing=True))

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        return job_ws.risk.train(day, horizon=body.horizon).to_dict()

    return start_job(ws, "risk.train", {"as_of": day, "horizon": body.horizon}, work)


@router.post("/score", status_code=202)
def score(ws: ViewerWs, body: ScoreRun) -> dict[str, Any]:
    """Score every kept customer with the latest model (a background job; managers, admins)."""
    ws.viewer.require("admin", "manager")
    day = ws.check_writable(as_of_day(ws, body.as_of, writing=True))

    def work(job_ws: Any, params: dict[str, Any], progress: Any) -> Any:
        return job_ws.risk.score(day).to_dict()

    return start_job(ws, "risk.score", {"as_of": day}, work)
