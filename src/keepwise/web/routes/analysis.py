"""Churn analysis: the churn and void trend, reasons (avoidable or not, by segment), revenue
lost, the cohort retention heat map and survival curves. Twins: ``GET /api/kpis``,
``/api/reasons``, ``/api/impact``, ``/api/cohorts``, ``/api/survival`` with the parameters
the page links to."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter

from keepwise._core.i18n import register
from keepwise.api.params import AsOfQuery
from keepwise.api.routes import kpis as api
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

TREND = ("churn_rate", "churn_only_rate", "void_rate", "void_ratio")

register(
    {
        "web.churn.title": {"zh": "流失分析", "en": "Churn analysis"},
        "web.churn.trend": {"zh": "流失与作废趋势（按月）", "en": "Churn and void trend (monthly)"},
        "web.churn.avoidable": {"zh": "可避免与不可避免", "en": "Avoidable or not"},
        "web.churn.reasons": {"zh": "流失与作废原因", "en": "Reasons for churn and voids"},
        "web.churn.by_segment": {
            "zh": "原因 × 客户分类（客户数）",
            "en": "Reason × segment (customers)",
        },
        "web.churn.impact": {
            "zh": "流失的收入与价值（按月）",
            "en": "Revenue and value lost (monthly)",
        },
        "web.churn.cohorts": {
            "zh": "获客批次留存热力图（按月龄）",
            "en": "Cohort retention heat map (by age in months)",
        },
        "web.churn.survival": {
            "zh": "客户存活曲线（Kaplan-Meier，按客户分类）",
            "en": "Survival curves (Kaplan-Meier, by segment)",
        },
        "web.churn.days": {"zh": "获得后天数", "en": "Days since acquisition"},
        "web.churn.range": {"zh": "范围：{start} 至 {end}", "en": "Range: {start} to {end}"},
        "web.churn.avoidable_yes": {"zh": "可避免", "en": "avoidable"},
        "web.churn.avoidable_no": {"zh": "不可避免", "en": "unavoidable"},
        "web.churn.total": {"zh": "合计", "en": "Total"},
    }
)


def _series(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, list[Any]]:
    by: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by[r[key]].append(r[value])
    return dict(by)


def trend(page: PageDep, as_of: Any) -> dict[str, Any]:
    """The monthly churn and void KPIs: the stored answer, a chart and a table."""
    answer = api.kpis(page.ws, metric=list(TREND), as_of=as_of)  # type: ignore[arg-type]
    rows = [r for r in answer["data"] if r.get("dimension") is None]
    names = {c["id"]: c[f"name_{page.lang}"] for c in page.ws.metrics.catalogue(page.lang)}
    periods = sorted({r["period_start"] for r in rows})
    values = {(r["metric"], r["period_start"]): r["value"] for r in rows}
    chart = {"type": "line", "percent": True, "x": [p[:7] for p in periods],
             "series": [{"name": names[m], "data": [values.get((m, p)) for p in periods]}
                        for m in TREND]}  # fmt: skip
    table = [{"period": p, **{m: values.get((m, p)) for m in TREND}} for p in periods]
    return {"answer": answer, "chart": chart, "names": [(m, names[m]) for m in TREND],
            "rows": table}  # fmt: skip


def reasons_by_code(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Customers and revenue lost per reason and status over the whole range, most first."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["reason"] or "", r["status"])
        item = out.setdefault(key, {"reason": r["reason"], "label": r.get(f"reason_{lang}"),
                                    "status": r["status"], "avoidable": r["avoidable"],
                                    "customers": 0, "revenue_lost": 0.0})  # fmt: skip
        item["customers"] += r["customers"]
        item["revenue_lost"] += r["revenue_lost"] or 0.0
    return sorted(out.values(), key=lambda i: (-i["customers"], i["reason"] or ""))


def avoidable_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["avoidable"], r["status"])
        item = out.setdefault(key, {"avoidable": r["avoidable"], "status": r["status"],
                                    "customers": 0, "revenue_lost": 0.0})  # fmt: skip
        item["customers"] += r["customers"]
        item["revenue_lost"] += r["revenue_lost"] or 0.0
    return sorted(out.values(), key=lambda i: (i["avoidable"], i["status"]))


def reason_segment(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Customers lost per reason (rows) and segment (columns), over the whole range."""
    segments = sorted({str(r["dimension"]) for r in rows})
    cells: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(segments, 0))
    labels: dict[str, str] = {}
    for r in rows:
        code = r["reason"] or "—"
        labels[code] = r.get(f"reason_{lang}") or code
        cells[code][str(r["dimension"])] += r["customers"]
    order = sorted(cells, key=lambda c: -sum(cells[c].values()))
    return {"segments": segments,
            "rows": [{"reason": c, "label": labels[c], "cells": cells[c]} for c in order]}  # fmt: skip


def cohort_heat(data: dict[str, Any]) -> dict[str, Any]:
    rows = [r for r in data["cohorts"] if r.get("dimension") is None]
    cohorts = sorted({r["cohort"] for r in rows})
    ages = sorted({int(r["age"]) for r in rows})
    cells = [[ages.index(int(r["age"])), cohorts.index(r["cohort"]), r["retention"]]
             for r in rows if r["retention"] is not None]  # fmt: skip
    return {"type": "heatmap", "x": [str(a) for a in ages], "y": [c[:7] for c in cohorts],
            "data": cells}  # fmt: skip


def survival_chart(rows: list[dict[str, Any]], x_name: str) -> dict[str, Any]:
    groups = _series(rows, "group", "survival")
    days = _series(rows, "group", "days")
    return {"type": "step", "xType": "value", "xName": x_name, "percent": True, "yMin": 0,
            "series": [{"name": g, "data": [[d, s] for d, s in zip(days[g], groups[g], strict=True)]}
                       for g in groups]}  # fmt: skip


@router.get("/churn")
def churn(page: PageDep, as_of: AsOfQuery = None) -> Any:
    ws = page.ws
    kpis = trend(page, as_of)
    reasons = api.reasons(ws, as_of=as_of)
    avoidable = api.reasons(ws, as_of=as_of, avoidable=True)
    by_segment = api.reasons(ws, as_of=as_of, by="segment")
    impact = api.impact(ws, as_of=as_of)
    cohorts = api.cohorts(ws, as_of=as_of)
    survival = api.survival(ws, as_of=as_of)
    impact_chart = {"type": "bar", "x": [r["period_start"][:7] for r in impact["data"]],
                    "series": [{"name": page.text(f"web.col.{k}"),
                                "data": [r[v] for r in impact["data"]]}
                               for k, v in (("revenue_lost", "revenue_lost"),
                                            ("clv_lost", "clv_lost"),
                                            ("cac_unrecovered", "acquisition_cost_unrecovered"))]}  # fmt: skip
    by_code = reasons_by_code(reasons["data"], page.lang)
    reason_chart = {"type": "bar", "x": [i["label"] or "—" for i in by_code],
                    "series": [{"name": page.text("web.col.customers"),
                                "data": [i["customers"] for i in by_code]}]}  # fmt: skip
    return page.render(
        "churn.html", charts=True, trend=kpis, reasons=reasons,
        by_code=by_code, reason_chart=reason_chart, avoidable=avoidable,
        avoidable_rows=avoidable_totals(avoidable["data"]), by_segment=by_segment,
        segment_table=reason_segment(by_segment["data"], page.lang), impact=impact,
        impact_chart=impact_chart, cohorts=cohorts, cohort_chart=cohort_heat(cohorts["data"]),
        survival=survival,
        survival_chart=survival_chart(survival["data"], page.text("web.churn.days")),
    )  # fmt: skip
