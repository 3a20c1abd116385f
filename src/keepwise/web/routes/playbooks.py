"""Playbooks: the playbooks in force (twin: ``GET /api/playbooks``); for managers and admins
also a run as a background job (``POST /api/playbooks/run``), the recorded runs
(``/api/playbooks/runs``), whether each playbook worked — treated against hold-out with the
difference's 95 % interval, its p-value and a verdict in the user's language
(``/api/playbooks/evaluation``) — and seed 000's evaluation of voided customers in five parts
(``/api/playbooks/void-effect``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from keepwise._core.i18n import register
from keepwise.api.params import AsOfQuery
from keepwise.api.routes import playbooks as api
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

#: Recorded runs shown (the twin has them all).
RUNS_SHOWN = 20

register(
    {
        "web.playbooks.title": {"zh": "挽留方案", "en": "Playbooks"},
        "web.playbooks.list": {"zh": "生效的挽留方案", "en": "Playbooks in force"},
        "web.playbooks.builtin": {"zh": "内置", "en": "built-in"},
        "web.playbooks.run": {"zh": "运行挽留方案", "en": "Run the playbooks"},
        "web.playbooks.run_hint": {
            "zh": "按今天的数据选出目标客户、留出对照组并生成任务（同一天重复运行不会重复生成）",
            "en": "Targets, hold-out and tasks as of today (running again the same day adds "
            "nothing)",
        },
        "web.playbooks.runs": {"zh": "运行记录", "en": "Runs"},
        "web.playbooks.evaluation": {
            "zh": "效果评估：执行组 vs 对照组",
            "en": "Did it work: treated against hold-out",
        },
        "web.playbooks.ci_method": {
            "zh": "区间与检验方法：{method}",
            "en": "Interval and test: {method}",
        },
        "web.playbooks.void_effect": {"zh": "作废客户评估", "en": "Evaluation of voided customers"},
        "web.playbooks.part1": {"zh": "一、作废率与趋势", "en": "1. Void ratio and trend"},
        "web.playbooks.part2": {"zh": "二、作废原因与去向", "en": "2. Reasons and destinations"},
        "web.playbooks.part3": {"zh": "三、业务影响", "en": "3. Business impact"},
        "web.playbooks.part4": {"zh": "四、跟进情况", "en": "4. Follow-up"},
        "web.playbooks.part5": {
            "zh": "五、措施之后的变化",
            "en": "5. What changed after the playbooks",
        },
        "web.playbooks.trend": {
            "zh": "作废占比从 {first} 到 {last}（{change}）；作废率前半段 {early}，后半段 {late}",
            "en": "Void ratio from {first} to {last} ({change}); void rate {early} in the first "
            "half, {late} in the second",
        },
        "web.playbooks.followup": {
            "zh": "作废客户 {voided} 位，其中 {targeted} 位（{share}）被挽留方案跟进；跟进覆盖率 {coverage}",
            "en": "{voided} voided customers, {targeted} of them ({share}) followed up by a "
            "playbook; follow-up coverage {coverage}",
        },
        "web.playbooks.only_managers": {
            "zh": "运行与效果评估仅限经理和管理员",
            "en": "Runs and evaluations are for managers and admins",
        },
        "web.pb.col.playbook": {"zh": "方案", "en": "Playbook"},
        "web.pb.col.trigger": {"zh": "触发条件", "en": "Trigger"},
        "web.pb.col.actions": {"zh": "任务", "en": "Actions"},
        "web.pb.col.holdout": {"zh": "对照组比例", "en": "Hold-out"},
        "web.pb.col.measure": {"zh": "衡量", "en": "Measure"},
        "web.pb.col.enabled": {"zh": "启用", "en": "Enabled"},
        "web.pb.col.as_of": {"zh": "日期", "en": "As of"},
        "web.pb.col.targets": {"zh": "目标客户", "en": "Targets"},
        "web.pb.col.held_out": {"zh": "对照组", "en": "Held out"},
        "web.pb.col.tasks": {"zh": "任务数", "en": "Tasks"},
        "web.pb.col.treated": {"zh": "执行组（成功/人数）", "en": "Treated (successes / judged)"},
        "web.pb.col.holdout_arm": {
            "zh": "对照组（成功/人数）",
            "en": "Hold-out (successes / judged)",
        },
        "web.pb.col.difference": {"zh": "差异 [95% 区间]", "en": "Difference [95% CI]"},
        "web.pb.col.p_value": {"zh": "p 值", "en": "p-value"},
        "web.pb.col.pending": {"zh": "未到期", "en": "Pending"},
        "web.pb.col.revenue_retained": {"zh": "保住的收入", "en": "Revenue retained"},
        "web.pb.col.cost": {"zh": "成本", "en": "Cost"},
        "web.pb.col.verdict": {"zh": "结论", "en": "Verdict"},
        "web.pb.col.period": {"zh": "期间", "en": "Period"},
        "web.pb.col.void_ratio": {"zh": "作废占比", "en": "Void ratio"},
        "web.pb.col.void_rate": {"zh": "作废率", "en": "Void rate"},
        "web.pb.col.churn_rate": {"zh": "流失率", "en": "Churn rate"},
        "web.pb.col.reason": {"zh": "原因", "en": "Reason"},
        "web.pb.col.share": {"zh": "占比", "en": "Share"},
        "web.pb.col.destination": {"zh": "去向", "en": "Destination"},
        "web.pb.col.voided": {"zh": "作废客户", "en": "Voided"},
        "web.pb.col.all_lost": {"zh": "全部流失", "en": "All lost"},
        "web.pb.col.before": {"zh": "之前", "en": "Before"},
        "web.pb.col.after": {"zh": "之后", "en": "After"},
        "web.pb.impact.lost_customers": {"zh": "流失客户", "en": "Customers lost"},
        "web.pb.impact.revenue_lost": {
            "zh": "流失收入（近 12 个月）",
            "en": "Revenue lost (12 months)",
        },
        "web.pb.impact.clv_lost": {"zh": "流失的预测价值", "en": "Predicted CLV lost"},
        "web.pb.impact.acquisition_cost_unrecovered": {
            "zh": "未收回的获客成本",
            "en": "Acquisition cost not recovered",
        },
        "web.pb.treated_rate": {"zh": "执行组", "en": "Treated"},
        "web.pb.holdout_rate": {"zh": "对照组", "en": "Hold-out"},
    }
)


def uplift_chart(evaluations: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Treated and hold-out rates per playbook, side by side."""
    from keepwise._core.i18n import t

    return {"type": "bar", "percent": True, "x": [e["playbook_id"] for e in evaluations],
            "series": [{"name": t("web.pb.treated_rate", lang),
                        "data": [e["uplift"]["rate1"] for e in evaluations]},
                       {"name": t("web.pb.holdout_rate", lang),
                        "data": [e["uplift"]["rate0"] for e in evaluations]}]}  # fmt: skip


def ratio_chart(ratio: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Void ratio and void rate per period."""
    from keepwise._core.i18n import t

    return {"type": "line", "percent": True,
            "x": [str(r["period_start"])[:7] for r in ratio],
            "series": [{"name": t("web.pb.col.void_ratio", lang),
                        "data": [r["void_ratio"] for r in ratio]},
                       {"name": t("web.pb.col.void_rate", lang),
                        "data": [r["void_rate"] for r in ratio]}]}  # fmt: skip


@router.get("/playbooks")
def playbooks_page(page: PageDep, as_of: AsOfQuery = None, days: api.Days = None) -> Any:
    ws = page.ws
    books = api.playbooks(ws)
    context: dict[str, Any] = {"books": books, "runs": None, "evaluation": None, "effect": None}
    if page.manages:
        evaluation = api.evaluation(ws, as_of=as_of, days=days)
        effect = api.void_effect(ws, as_of=as_of, start=None, end=None, grain="month")
        evaluations = evaluation["data"]["evaluations"]
        context.update(
            runs=api.runs(ws)[:RUNS_SHOWN], evaluation=evaluation, effect=effect,
            uplift_chart=uplift_chart(evaluations, page.lang) if evaluations else None,
            ratio_chart=ratio_chart(effect["data"]["ratio"], page.lang),
        )  # fmt: skip
    return page.render("playbooks.html", charts=page.manages, **context)


@router.post("/playbooks/run")
def run(page: PageDep) -> Any:
    answer = api.run(page.ws, page.auth, api.Run(as_of=None, playbooks=None))
    return page.back(f"/jobs/{answer['job_id']}")
