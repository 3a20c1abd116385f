"""The overview (twin: ``GET /api/overview``) and a KPI value's drill-down to the customers
behind it (twin: ``GET /api/kpis/{metric}/drilldown``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from keepwise._core.i18n import register
from keepwise.api.params import AsOfQuery, Day, GrainQuery, Id, Offset
from keepwise.api.routes import kpis as api
from keepwise.web.render import PageDep, fmt_metric

router = APIRouter(include_in_schema=False)

register(
    {
        "web.drill.none": {
            "zh": "这个指标没有可下钻的客户名单",
            "en": "This KPI has no list of customers behind it",
        },
    }
)

#: Rows of a drill-down page.
DRILL_PAGE = 100


def kpi_cards(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The overview's KPIs with what a card shows: name, definition, latest complete value,
    change from the period before, the trend, and the current (incomplete) period."""
    cards = []
    for k in data["kpis"]:
        series = k["series"]
        current = series[-1] if series and not series[-1]["complete"] else None
        cards.append({
            **k, "name": k[f"name_{lang}"], "definition": k[f"definition_{lang}"],
            "current": current,
            "chart": {"type": "spark", "x": [s["period_start"][:7] for s in series],
                      "series": [{"name": k[f"name_{lang}"],
                                  "data": [s["value"] for s in series]}],
                      "percent": fmt_metric(1, k["metric"], k["kind"]).endswith("%")},
        })  # fmt: skip
    return cards


@router.get("/")
def overview(page: PageDep, as_of: AsOfQuery = None) -> Any:
    answer = api.overview(page.ws, as_of=as_of)
    data = answer["data"]
    statuses = data["headline"]["statuses"]
    status_chart = {"type": "pie", "series": [
        {"name": page.text(f"web.status.{s}"), "value": n} for s, n in statuses.items()]}  # fmt: skip
    return page.render("overview.html", answer=answer, data=data, head=data["headline"],
                       cards=kpi_cards(data, page.lang), status_chart=status_chart)  # fmt: skip


@router.get("/kpis/{metric}")
def drilldown(
    page: PageDep, metric: Id, period: Day, grain: GrainQuery = "month",
    as_of: AsOfQuery = None, offset: Offset = 0,
) -> Any:  # fmt: skip
    params = api._drill_params(page.ws, metric, period, grain=grain, as_of=as_of)
    answer = api.drilldown(page.ws, params, limit=DRILL_PAGE, offset=offset)
    catalogue = {c["id"]: c for c in page.ws.metrics.catalogue(page.lang)}
    entry = catalogue.get(metric, {"id": metric, f"name_{page.lang}": metric, "kind": "ratio"})
    value = _value_of(page, metric, period, grain, params["as_of"])
    return page.render("drilldown.html", answer=answer, rows=answer["data"], metric=metric,
                       entry=entry, name=entry[f"name_{page.lang}"], period=period,
                       grain=grain, value=value, page_size=DRILL_PAGE)  # fmt: skip


def _value_of(page: PageDep, metric: str, period: Any, grain: str, as_of: Any) -> Any:
    """The KPI's row for the period that holds ``period`` (the same stored KPI result as
    ``GET /api/kpis?metric=…&grain=…``)."""
    answer = api.kpis(page.ws, metric=[metric], grain=grain, as_of=as_of)  # type: ignore[arg-type]
    day = period.isoformat()
    for row in answer["data"]:
        if row["period_start"] <= day < row["period_end"] and row.get("dimension") is None:
            return row
    return None
