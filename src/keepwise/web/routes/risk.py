"""Risk: the risk list by value at risk with each customer's drivers in words (twin:
``GET /api/risk``), the open alerts to acknowledge (``GET /api/alerts?status=open``), the
model's back-test (``GET /api/risk/backtest``), and training, scoring, the back-test and a
rule run as background jobs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form

from keepwise._core.errors import NotFoundError
from keepwise._core.i18n import register
from keepwise._core.words import LEVELS, messages
from keepwise.api.params import AsOfQuery, Band, LongText, Offset, TextQuery
from keepwise.api.routes import alerts as api_alerts
from keepwise.api.routes import risk as api
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

#: Rows of the risk list per page.
RISK_PAGE = 50

register(
    {
        "web.risk.title": {"zh": "流失风险", "en": "Churn risk"},
        "web.risk.list": {
            "zh": "风险名单（按风险价值 = 流失概率 × 客户价值 排序）",
            "en": "Risk list (by value at risk = P(churn) × customer value)",
        },
        "web.risk.none": {
            "zh": "还没有评分：先训练模型并评分",
            "en": "No scores yet: train the model and score the customers",
        },
        "web.risk.alerts": {"zh": "待处理预警", "en": "Open alerts"},
        "web.risk.ack": {"zh": "确认", "en": "Acknowledge"},
        "web.risk.backtest": {"zh": "模型回测", "en": "The model's back-test"},
        "web.risk.no_backtest": {
            "zh": "还没有回测结果",
            "en": "No back-test has been run yet",
        },
        "web.risk.stale": {
            "zh": "数据已在回测后变化；可重新运行",
            "en": "The data has changed since this back-test; run it again",
        },
        "web.risk.jobs": {"zh": "后台任务", "en": "Background work"},
        "web.risk.train": {"zh": "训练模型", "en": "Train the model"},
        "web.risk.score": {"zh": "为客户评分", "en": "Score the customers"},
        "web.risk.run_backtest": {"zh": "运行回测", "en": "Run the back-test"},
        "web.risk.run_rules": {"zh": "运行预警规则", "en": "Run the alert rules"},
        "web.risk.value_basis.predicted_clv": {"zh": "预测价值", "en": "predicted CLV"},
        "web.risk.value_basis.revenue_12m": {"zh": "近 12 个月收入", "en": "12-month revenue"},
        **messages("web.band", LEVELS),
    }
)


def _drivers(item: dict[str, Any], lang: str) -> list[str]:
    raw = item.get("drivers")
    found = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [d.get(f"text_{lang}") or d.get("feature", "") for d in found]


def _backtest(page: PageDep) -> dict[str, Any] | None:
    if not page.manages:
        return None
    try:
        return api.backtest(page.ws)
    except NotFoundError:
        return None


@router.get("/risk")
def risk_page(
    page: PageDep, band: Band | None = None, owner_id: TextQuery = None,
    as_of: AsOfQuery = None, offset: Offset = 0,
) -> Any:  # fmt: skip
    answer = api.risk_list(page.ws, band=band, owner_id=owner_id, as_of=as_of,
                           limit=RISK_PAGE, offset=offset)  # fmt: skip
    items = [{**i, "driver_texts": _drivers(i, page.lang)} for i in answer["data"]["items"]]
    alerts = api_alerts.alerts(page.ws, status="open", limit=100)
    return page.render("risk.html", answer=answer, items=items, total=answer["data"]["total"],
                       band=band, owner_id=owner_id, offset=offset, page_size=RISK_PAGE,
                       alerts=alerts, backtest=_backtest(page))  # fmt: skip


@router.post("/alerts/{alert_id}/ack")
def ack(
    page: PageDep, alert_id: api_alerts.AlertId,
    note: Annotated[LongText | None, Form()] = None,
) -> Any:  # fmt: skip
    api_alerts.ack(page.ws, page.auth, alert_id, api_alerts.Ack(note=note or None))
    return page.back("/risk")


def _job_answer(page: PageDep, answer: dict[str, Any]) -> Any:
    return page.back(f"/jobs/{answer['job_id']}")


@router.post("/risk/train")
def train(page: PageDep) -> Any:
    return _job_answer(page, api.train(page.ws, api.TrainRun()))


@router.post("/risk/score")
def score(page: PageDep) -> Any:
    return _job_answer(page, api.score(page.ws, api.ScoreRun()))


@router.post("/risk/backtest")
def backtest(page: PageDep) -> Any:
    return _job_answer(page, api.run_backtest(page.ws, api.BacktestRun()))


@router.post("/alerts/run")
def run_rules(page: PageDep) -> Any:
    return _job_answer(page, api_alerts.run(page.ws, api_alerts.RuleRun()))
