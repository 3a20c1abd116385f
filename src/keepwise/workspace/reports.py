"""The reports whose results are stored (``ws.results``): each a function of the workspace (as
its viewer sees it) and JSON parameters — dates as ISO text, so that a stored result can be
recomputed from its stored parameters — returning JSON data.

Each calls the same service method as the CLI and the API's direct routes, so a stored result
equals a fresh computation of the same parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keepwise._core.jsondata import jsonable, records

if TYPE_CHECKING:
    from keepwise.workspace.core import Workspace

#: The KPIs of the overview, with their trend over the last 12 months.
OVERVIEW_KPIS = (
    "active_customers", "new_customers", "churn_rate", "retention_rate", "void_ratio",
    "revenue", "net_revenue_retention", "revenue_lost", "followup_coverage", "winback_rate",
    "csat", "nps",
)  # fmt: skip


def _day(text: Any) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text))


def _as_of(params: dict[str, Any]) -> dt.date:
    day = _day(params.get("as_of"))
    assert day is not None, "stored reports are keyed by an explicit as_of"
    return day


def kpis(ws: Workspace, p: dict[str, Any]) -> Any:
    df = ws.metrics.compute(
        p.get("metrics") or None, as_of=_as_of(p), grain=p.get("grain", "month"),
        start=_day(p.get("start")), end=_day(p.get("end")), by=p.get("by"),
        winback_days=p.get("winback_days"), trailing=bool(p.get("trailing")),
    )  # fmt: skip
    return records(df)


def overview_start(as_of: dt.date) -> dt.date:
    """The overview's trend: the 12 complete months before ``as_of``'s month, then that month
    so far (``end=as_of``: the current month, where today's changes show at once)."""
    from keepwise.metrics import periods as pr

    return pr.add_months(pr.floor(as_of, "month"), -12)


def overview(ws: Workspace, p: dict[str, Any]) -> Any:
    """The dashboard's first page: the headline figures and each overview KPI's monthly trend
    with its last complete value and the change from the period before."""
    as_of = _as_of(p)
    lang = p.get("lang", "en")
    head = ws.metrics.headline(as_of)
    df = ws.metrics.compute(list(OVERVIEW_KPIS), as_of=as_of, grain="month",
                            start=overview_start(as_of), end=as_of)  # fmt: skip
    catalogue = {r["id"]: r for r in ws.metrics.catalogue(lang)}
    out = []
    for metric in OVERVIEW_KPIS:
        rows = records(df[df["metric"] == metric])
        complete = [r for r in rows if r["complete"]]
        latest = complete[-1] if complete else None
        previous = complete[-2] if len(complete) > 1 else None
        change = None
        if latest and previous and latest["value"] is not None and previous["value"] is not None:
            change = latest["value"] - previous["value"]
        entry = catalogue[metric]
        out.append({
            "metric": metric, "name_zh": entry["name_zh"], "name_en": entry["name_en"],
            "kind": entry["kind"], "definition_zh": entry["definition_zh"],
            "definition_en": entry["definition_en"], "latest": latest, "previous": previous,
            "change": change,
            "series": [{k: r[k] for k in ("period_start", "period_end", "value", "numerator",
                                          "denominator", "complete")} for r in rows],
        })  # fmt: skip
    return {"as_of": as_of, "headline": head.to_dict(), "kpis": out}


def drilldown(ws: Workspace, p: dict[str, Any]) -> Any:
    period = _day(p["period"])
    assert period is not None
    df = ws.metrics.drilldown(
        p["metric"], period, as_of=_as_of(p), grain=p.get("grain", "month"), by=p.get("by"),
        value=p.get("value"), winback_days=p.get("winback_days"),
    )  # fmt: skip
    return records(df)


def cohorts(ws: Workspace, p: dict[str, Any]) -> Any:
    df = ws.metrics.cohorts(as_of=_as_of(p), grain=p.get("grain", "month"),
                            start=_day(p.get("start")), end=_day(p.get("end")),
                            by=p.get("by"))  # fmt: skip
    return {"cohorts": records(df), "curves": records(ws.metrics.cohort_curves(df))}


def survival(ws: Workspace, p: dict[str, Any]) -> Any:
    return records(ws.metrics.survival(as_of=_as_of(p), by=p.get("by") or "segment"))


def reasons(ws: Workspace, p: dict[str, Any]) -> Any:
    df = ws.metrics.reasons(as_of=_as_of(p), grain=p.get("grain", "month"),
                            start=_day(p.get("start")), end=_day(p.get("end")), by=p.get("by"),
                            avoidable=bool(p.get("avoidable")))  # fmt: skip
    return records(df)


def impact(ws: Workspace, p: dict[str, Any]) -> Any:
    df = ws.metrics.impact(as_of=_as_of(p), grain=p.get("grain", "month"),
                           start=_day(p.get("start")), end=_day(p.get("end")),
                           by=p.get("by"))  # fmt: skip
    return records(df)


def risk_list(ws: Workspace, p: dict[str, Any]) -> Any:
    df = ws.risk.risk_list(as_of=_day(p.get("as_of")), band=p.get("band"), owner=p.get("owner"),
                           limit=p.get("limit"), offset=p.get("offset", 0))  # fmt: skip
    total = ws.risk.risk_count(as_of=_day(p.get("as_of")), band=p.get("band"),
                               owner=p.get("owner"))  # fmt: skip
    return {"total": total, "items": records(df)}


def value_rfm(ws: Workspace, p: dict[str, Any]) -> Any:
    return ws.value.rfm(_as_of(p)).to_dict()


def value_tiers(ws: Workspace, p: dict[str, Any]) -> Any:
    return ws.value.tiers(_as_of(p)).to_dict()


def value_clv(ws: Workspace, p: dict[str, Any]) -> Any:
    return ws.value.clv(_as_of(p)).to_dict()


def value_no_value(ws: Workspace, p: dict[str, Any]) -> Any:
    return records(ws.value.no_value(_as_of(p)))


def backtest(ws: Workspace, p: dict[str, Any]) -> Any:
    report = ws.risk.backtest(_as_of(p), horizon=p.get("horizon"), splits=p.get("splits"))
    return jsonable(report.to_dict() if hasattr(report, "to_dict") else report)


def statuses(ws: Workspace, p: dict[str, Any]) -> Any:
    """Every customer's status at ``as_of`` under the churn definition: ``{customer_id:
    [status, status_since, kept]}`` (read one customer at a time, by the customer view)."""
    from keepwise.churn import statuses as churn_statuses

    frame = churn_statuses(ws.tables(), ws.config.churn, _as_of(p))
    frame = frame.select("customer_id", "status", "status_since", "kept").execute()
    return {str(r[0]): [r[1], jsonable(r[2]), bool(r[3])]
            for r in frame.itertuples(index=False)}  # fmt: skip


def playbook_evaluation(ws: Workspace, p: dict[str, Any]) -> Any:
    """Treated against hold-out per playbook (those named, else all), over ``days``."""
    as_of = _as_of(p)
    found = ws.playbooks.evaluate(as_of=as_of, ids=p.get("playbooks") or None, days=p.get("days"))
    return {"as_of": as_of, "evaluations": [e.to_dict() for e in found]}


def void_effect(ws: Workspace, p: dict[str, Any]) -> Any:
    """Seed 000's five parts of the evaluation of voided customers."""
    return ws.playbooks.void_effect(as_of=_as_of(p), start=_day(p.get("start")),
                                    end=_day(p.get("end")), grain=p.get("grain", "month"))  # fmt: skip


REPORTS: dict[str, Callable[[Workspace, dict[str, Any]], Any]] = {
    "kpis": kpis,
    "overview": overview,
    "drilldown": drilldown,
    "cohorts": cohorts,
    "survival": survival,
    "reasons": reasons,
    "impact": impact,
    "risk_list": risk_list,
    "value_rfm": value_rfm,
    "value_tiers": value_tiers,
    "value_clv": value_clv,
    "value_no_value": value_no_value,
    "backtest": backtest,
    "statuses": statuses,
    "playbook_evaluation": playbook_evaluation,
    "void_effect": void_effect,
}
