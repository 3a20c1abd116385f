"""Customers: search, filters and pages, the customer 360 view, and exports (a rep: only
their own customers, everywhere; another's customer is not found)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from keepwise.api.common import as_of_day
from keepwise.api.deps import ViewerWs, current_session
from keepwise.api.exports import download
from keepwise.api.params import AsOfQuery, Id, Limit, Offset, TextQuery
from keepwise.workspace.directory import PROFILE

router = APIRouter(prefix="/customers", tags=["customers"],
                   dependencies=[Depends(current_session)])  # fmt: skip

Sort = Literal["customer_id", "name", "acquired_at", "segment", "region", "owner_id"]
#: Rows an export holds at most.
EXPORT_LIMIT = 1_000_000


def _filters(
    segment: TextQuery = None, industry: TextQuery = None, region: TextQuery = None,
    channel: TextQuery = None, owner_id: TextQuery = None,
) -> dict[str, str | None]:  # fmt: skip
    return {"segment": segment, "industry": industry, "region": region, "channel": channel,
            "owner_id": owner_id}  # fmt: skip


Filters = Annotated[dict[str, str | None], Depends(_filters)]


@router.get("")
def search(
    ws: ViewerWs, filters: Filters, q: TextQuery = None, sort: Sort = "customer_id",
    desc: bool = False, limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Customers whose id or name contains ``q``, filtered, a page at a time, with their
    latest churn probability, risk band, value tier and predicted CLV."""
    page = ws.directory.search(q=q, filters=filters, sort=sort, descending=desc, limit=limit,
                               offset=offset)  # fmt: skip
    return page.to_dict()


@router.get("/export")
def export(
    ws: ViewerWs, filters: Filters, q: TextQuery = None,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:  # fmt: skip
    """The customers of a search as CSV or XLSX (text cells never run as formulas)."""
    page = ws.directory.search(q=q, filters=filters, limit=EXPORT_LIMIT)
    columns = [*PROFILE, "churn_probability", "risk_band", "value_tier", "predicted_clv"]
    return download(columns, page.items, name="customers", fmt=format)


@router.get("/{customer_id}")
def customer_360(
    ws: ViewerWs, customer_id: Id, as_of: AsOfQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:  # fmt: skip
    """Everything about one customer: profile, owner, status (under the churn definition)
    and its history, orders, follow-ups, tickets, surveys, contracts, scores over time,
    alerts and tasks (the last ``limit`` of each)."""
    return ws.directory.profile(customer_id, as_of=as_of_day(ws, as_of), limit=limit)


@router.get("/{customer_id}/status")
def customer_status(ws: ViewerWs, customer_id: Id, as_of: AsOfQuery = None) -> dict[str, Any]:
    """The customer's status at ``as_of`` as every KPI counts it."""
    day = as_of_day(ws, as_of)
    return {"customer_id": customer_id, "as_of": day, **ws.directory.status(customer_id, day)}
