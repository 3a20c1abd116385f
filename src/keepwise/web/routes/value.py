"""Customer value: the RFM grid and segments (twin: ``GET /api/value/rfm``), value tiers
(``/api/value/tiers``), the predicted CLV distribution (``/api/value/clv``) and the no-value
review (``/api/value/no-value``) with its decisions (let go; undone from the customer's page), managers and admins."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form

from keepwise._core.i18n import register
from keepwise.api.common import as_of_day, stored
from keepwise.api.params import AsOfQuery, Id, LongText
from keepwise.api.routes import value as api
from keepwise.web.render import PageDep, fmt_money

router = APIRouter(include_in_schema=False)

register(
    {
        "web.value.title": {"zh": "客户价值", "en": "Customer value"},
        "web.value.rfm": {"zh": "RFM 分群", "en": "RFM segments"},
        "web.value.grid": {
            "zh": "RFM 网格：最近购买（R，行）× 购买频次（F，列）的客户数",
            "en": "RFM grid: customers by recency (R, rows) × frequency (F, columns)",
        },
        "web.value.tiers": {"zh": "价值分层", "en": "Value tiers"},
        "web.value.cutoffs": {
            "zh": "分层依据 {by}；高价值 ≥ {high}，中价值 ≥ {mid}；前 20% 客户贡献 {pareto} 的收入",
            "en": "Tiers by {by}; high ≥ {high}, mid ≥ {mid}; the top 20% of customers bring "
            "{pareto} of revenue",
        },
        "web.value.clv": {"zh": "预测生命周期价值分布", "en": "Predicted CLV distribution"},
        "web.value.clv_total": {
            "zh": "未来 {months} 个月预测总价值 {total}（{customers} 位客户）",
            "en": "Predicted value over the next {months} months: {total} ({customers} customers)",
        },
        "web.value.no_value": {"zh": "无价值客户审核", "en": "No-value review"},
        "web.value.approve": {"zh": "批准淘汰", "en": "Approve: let go"},
        "web.value.done.decide": {"zh": "已记录淘汰决定", "en": "The decision is recorded"},
        "web.value.done.keep": {
            "zh": "已记录保留决定：该客户不再被提议淘汰，除非出现新的无价值标准",
            "en": "Kept: the customer is not proposed again unless they meet a new criterion",
        },
        "web.value.keep": {"zh": "驳回：保留", "en": "Reject: keep"},
        "web.value.kept": {
            "zh": "已审核：保留（{who}，{when}）",
            "en": "Reviewed: kept ({who}, {when})",
        },
        "web.value.revert_hint": {
            "zh": "撤销淘汰：在客户页面撤销最近一次状态变化",
            "en": "To undo a decision, revert the last status change on the customer's page",
        },
        "web.value.segment": {"zh": "分群", "en": "Segment"},
    }
)


def rfm_grid(customers: list[dict[str, Any]]) -> dict[str, Any]:
    """Customers per recency score (rows, 5 = most recent first) and frequency score."""
    counts: dict[tuple[int, int], int] = {}
    for c in customers:
        if c.get("rfm_r") is None or c.get("rfm_f") is None:
            continue
        key = (int(c["rfm_r"]), int(c["rfm_f"]))
        counts[key] = counts.get(key, 0) + 1
    scores = [5, 4, 3, 2, 1]
    return {"rows": [{"r": r, "cells": [counts.get((r, f), 0) for f in scores[::-1]]}
                     for r in scores], "columns": scores[::-1],
            "max": max(counts.values(), default=0)}  # fmt: skip


def clv_histogram(customers: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Customers per predicted CLV band: 0, then 1-3-10 steps up to the largest value."""
    values = [float(c["predicted_clv"]) for c in customers
              if c.get("predicted_clv") is not None and math.isfinite(c["predicted_clv"])]  # fmt: skip
    top = max(values, default=0.0)
    edges = [0.0, 1.0]
    while edges[-1] <= top:
        edges.append(edges[-1] * (3 if str(int(edges[-1]))[0] == "1" else 10 / 3))
    edges = [round(e) for e in edges]
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(edges) - 1):
            if v < edges[i + 1] or i == len(edges) - 2:
                counts[i] += 1
                break
    names = [f"{fmt_money(edges[i])}–{fmt_money(edges[i + 1])}" for i in range(len(counts))]
    return {"type": "bar", "x": names, "series": [{"name": label, "data": counts}]}


@router.get("/value")
def value_page(page: PageDep, as_of: AsOfQuery = None, done: str | None = None) -> Any:
    ws = page.ws
    params = {"as_of": as_of_day(ws, as_of)}
    rfm = stored(ws, "value_rfm", params)
    tiers = api.tiers(ws, as_of=as_of, limit=1, offset=0)
    clv = stored(ws, "value_clv", params)
    no_value = api.no_value(ws, as_of=as_of)
    return page.render(
        "value.html", charts=True, rfm=rfm, grid=rfm_grid(rfm["data"]["customers"]),
        tiers=tiers, clv=clv, no_value=no_value, done=done,
        clv_chart=clv_histogram(clv["data"]["customers"], page.text("web.col.customers")),
    )  # fmt: skip


@router.post("/value/no-value/{customer_id}/decide")
def decide(
    page: PageDep, customer_id: Id, note: Annotated[LongText | None, Form()] = None,
    treatment: Annotated[api.Treatment, Form()] = "end_relationship",
) -> Any:  # fmt: skip
    api.decide(page.ws, page.auth, customer_id,
               api.Decision(note=note or None, treatment=treatment))  # fmt: skip
    return page.back("/value", done="decide")


@router.post("/value/no-value/{customer_id}/keep")
def keep(page: PageDep, customer_id: Id, note: Annotated[LongText | None, Form()] = None) -> Any:
    api.keep(page.ws, page.auth, customer_id, api.Keep(note=note or None))
    return page.back("/value", done="keep")
