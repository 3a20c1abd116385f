"""KPIs: the catalogue, values for any grain, range, cut or trailing window, drill-down to the
customers behind a value, the overview, cohorts, survival, reasons and business impact — all
read from stored results (``ws.results``), computed when the data changed. A rep's figures
are computed over their own customers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from keepwise.api.common import as_of_day, iso, stored
from keepwise.api.deps import LangDep, ViewerWs, current_session
from keepwise.api.exports import download
from keepwise.api.params import (
    AsOfQuery,
    ByQuery,
    Day,
    EndQuery,
    GrainQuery,
    Id,
    Limit,
    Offset,
    StartQuery,
    TextQuery,
)

router = APIRouter(tags=["kpis"], dependencies=[Depends(current_session)])
WinbackQuery = Annotated[int | None, Query(ge=1, le=3650, description="winback_rate's days")]


@router.get("/kpis/catalogue")
def catalogue(ws: ViewerWs, lang: LangDep) -> list[dict[str, Any]]:
    """Every KPI: id, names in both languages, kind and definition."""
    return ws.metrics.catalogue(lang)


@router.get("/kpis")
def kpis(
    ws: ViewerWs,
    metric: Annotated[list[Id] | None, Query(description="KPI ids (default: all)")] = None,
    grain: GrainQuery = "month", start: StartQuery = None, end: EndQuery = None,
    by: ByQuery = None, trailing: bool = False, as_of: AsOfQuery = None,
    winback_days: WinbackQuery = None,
) -> dict[str, Any]:  # fmt: skip
    """KPI values per period (and dimension value): the rows of ``keepwise metrics --json``."""
    params = {"metrics": sorted(set(metric)) if metric else None, "grain": grain,
              "start": iso(start), "end": iso(end), "by": by, "trailing": trailing,
              "as_of": as_of_day(ws, as_of), "winback_days": winback_days}  # fmt: skip
    return stored(ws, "kpis", params)


def _drill_params(
    ws: ViewerWs, metric: Id, period: Annotated[Day, Query(description="A day in the period")],
    grain: GrainQuery = "month", by: ByQuery = None, value: TextQuery = None,
    as_of: AsOfQuery = None, winback_days: WinbackQuery = None,
) -> dict[str, Any]:  # fmt: skip
    return {"metric": metric, "period": period, "grain": grain, "by": by, "value": value,
            "as_of": as_of_day(ws, as_of), "winback_days": winback_days}  # fmt: skip


DrillParams = Annotated[dict[str, Any], Depends(_drill_params)]


@router.get("/kpis/{metric}/drilldown")
def drilldown(
    ws: ViewerWs, params: DrillParams, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """The customers in one KPI value's numerator and denominator, a page at a time."""
    answer = stored(ws, "drilldown", params)
    rows = answer.pop("data")
    answer["data"] = {"total": len(rows), "limit": limit, "offset": offset,
                      "items": rows[offset : offset + limit]}  # fmt: skip
    return answer


@router.get("/kpis/{metric}/drilldown/export")
def drilldown_export(
    ws: ViewerWs, params: DrillParams,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:  # fmt: skip
    """The drill-down's rows as CSV or XLSX."""
    rows = stored(ws, "drilldown", params)["data"]
    columns = list(rows[0]) if rows else ["customer_id", "name"]
    return download(columns, rows, name=f"drilldown-{params['metric']}", fmt=format)


@router.get("/overview")
def overview(ws: ViewerWs, as_of: AsOfQuery = None) -> dict[str, Any]:
    """The overview page's data: headline figures (customers by status, the last 12 months)
    and the headline KPIs' monthly trend with the last complete value and its change."""
    return stored(ws, "overview", {"as_of": as_of_day(ws, as_of)})


@router.get("/cohorts")
def cohorts(
    ws: ViewerWs, grain: GrainQuery = "month", start: StartQuery = None, end: EndQuery = None,
    by: ByQuery = None, as_of: AsOfQuery = None,
) -> dict[str, Any]:  # fmt: skip
    """Acquisition-cohort retention (long form) and the retention curves by age."""
    params = {"grain": grain, "start": iso(start), "end": iso(end), "by": by,
              "as_of": as_of_day(ws, as_of)}  # fmt: skip
    return stored(ws, "cohorts", params)


@router.get("/survival")
def survival(ws: ViewerWs, by: ByQuery = None, as_of: AsOfQuery = None) -> dict[str, Any]:
    """Kaplan-Meier retention curves with 95 % bands by ``by`` (default segment)."""
    return stored(ws, "survival", {"by": by or "segment", "as_of": as_of_day(ws, as_of)})


@router.get("/reasons")
def reasons(
    ws: ViewerWs, grain: GrainQuery = "month", start: StartQuery = None, end: EndQuery = None,
    by: ByQuery = None, as_of: AsOfQuery = None, avoidable: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Churn and void counts and revenue lost by reason (or avoidable / unavoidable)."""
    params = {"grain": grain, "start": iso(start), "end": iso(end), "by": by,
              "as_of": as_of_day(ws, as_of), "avoidable": avoidable}  # fmt: skip
    return stored(ws, "reasons", params)


@router.get("/impact")
def impact(
    ws: ViewerWs, grain: GrainQuery = "month", start: StartQuery = None, end: EndQuery = None,
    by: ByQuery = None, as_of: AsOfQuery = None,
) -> dict[str, Any]:  # fmt: skip
    """Revenue lost, CLV lost, acquisition cost not paid back, revenue at risk."""
    params = {"grain": grain, "start": iso(start), "end": iso(end), "by": by,
              "as_of": as_of_day(ws, as_of)}  # fmt: skip
    return stored(ws, "impact", params)
