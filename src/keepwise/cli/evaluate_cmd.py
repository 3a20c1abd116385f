"""``keepwise evaluate voids``: seed 000's evaluation of voided customers in five parts, as
tables or JSON (rendering to HTML, XLSX and PDF belongs to the reports)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

register(
    {
        "cli.ev.part1": {"zh": "一、作废客户占比与趋势", "en": "1. Void ratio and its trend"},
        "cli.ev.part2": {"zh": "二、作废原因", "en": "2. Why customers were voided"},
        "cli.ev.part2b": {"zh": "流失客户去向", "en": "Where lost customers went"},
        "cli.ev.part3": {"zh": "三、对业务的影响", "en": "3. Business impact"},
        "cli.ev.part4": {"zh": "四、作废客户的后续跟进", "en": "4. Follow-up of voided customers"},
        "cli.ev.part5": {"zh": "五、措施前后的变化", "en": "5. What changed after the measures"},
        "cli.ev.period": {"zh": "周期", "en": "period"},
        "cli.ev.void_ratio": {"zh": "作废客户占比", "en": "void ratio"},
        "cli.ev.voided": {"zh": "作废客户", "en": "voided"},
        "cli.ev.void_rate": {"zh": "作废率", "en": "void rate"},
        "cli.ev.churn_rate": {"zh": "流失率", "en": "churn rate"},
        "cli.ev.trend": {
            "zh": "趋势：作废客户占比从 {first} 变为 {last}（{direction}）；作废率前半段 {early}，"
            "后半段 {late}",
            "en": "Trend: the void ratio went from {first} to {last} ({direction}); the void "
            "rate was {early} in the first half, {late} in the second",
        },
        "cli.ev.rising": {"zh": "上升", "en": "rising"},
        "cli.ev.falling": {"zh": "下降", "en": "falling"},
        "cli.ev.flat": {"zh": "持平", "en": "flat"},
        "cli.ev.reason": {"zh": "原因", "en": "reason"},
        "cli.ev.avoidable": {"zh": "可避免", "en": "avoidable"},
        "cli.ev.customers": {"zh": "客户数", "en": "customers"},
        "cli.ev.share": {"zh": "占比", "en": "share"},
        "cli.ev.revenue_lost": {"zh": "流失收入", "en": "revenue lost"},
        "cli.ev.status": {"zh": "状态", "en": "status"},
        "cli.ev.destination": {"zh": "去向", "en": "destination"},
        "cli.ev.unknown": {"zh": "未知", "en": "unknown"},
        "cli.ev.revenue_12m": {"zh": "流失前 12 个月收入", "en": "revenue, 12 months before"},
        "cli.ev.what": {"zh": "项目", "en": "figure"},
        "cli.ev.of_voided": {"zh": "作废客户", "en": "voided"},
        "cli.ev.of_all": {"zh": "全部流失客户", "en": "all lost"},
        "cli.ev.lost_customers": {"zh": "客户数", "en": "customers"},
        "cli.ev.clv_lost": {"zh": "预测生命周期价值损失", "en": "predicted CLV lost"},
        "cli.ev.cac": {"zh": "未收回的获客成本", "en": "acquisition cost not paid back"},
        "cli.ev.followed": {
            "zh": "作废客户 {n} 个，其中 {targeted} 个（{share}）被行动方案跟进；"
            "流失与作废客户的跟进覆盖率 {coverage}",
            "en": "{n} voided customers, {targeted} of them ({share}) reached by a playbook; "
            "follow-up coverage of churned and voided customers {coverage}",
        },
        "cli.ev.task": {"zh": "任务", "en": "task"},
        "cli.ev.task_status": {"zh": "状态", "en": "status"},
        "cli.ev.outcome": {"zh": "结果", "en": "outcome"},
        "cli.ev.tasks": {"zh": "任务数", "en": "tasks"},
        "cli.ev.feedback": {"zh": "反馈原因：{items}", "en": "Feedback reasons: {items}"},
        "cli.ev.playbook": {"zh": "行动方案", "en": "playbook"},
        "cli.ev.first_run": {"zh": "首次运行", "en": "first run"},
        "cli.ev.before": {"zh": "之前", "en": "before"},
        "cli.ev.after": {"zh": "之后", "en": "after"},
        "cli.ev.uplift": {"zh": "执行组 − 对照组", "en": "treated − hold-out"},
        "cli.ev.none": {"zh": "（无）", "en": "(none)"},
    }
)

evaluate_app = typer.Typer(
    help="Evaluations: the void-effect evaluation of seed 000. (评估：作废客户效果评估。)",
    no_args_is_help=True,
)
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("voids")
def voids_cmd(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option(help="First day (default: 12 months back) / 开始日期")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Day after the last (default: this month) / 结束日期")
    ] = None,
    grain: Annotated[str, typer.Option(help="week, month, quarter or year / 周期粒度")] = "month",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Figures as of this date (default: the day after the data ends) / 截止日期",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Evaluate voided customers in five parts: ratio and trend, reasons and destinations,
    business impact, follow-up, what changed after the playbooks. / 作废客户五方面评估。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        report = ws.playbooks.void_effect(
            as_of=day, start=parse_day(start) if start else None,
            end=parse_day(end) if end else None, grain=grain,
        )  # fmt: skip
    if as_json:
        echo_json(report)
        return
    _part1(report, lang)
    _part2(report, lang)
    _part3(report, lang)
    _part4(report, lang)
    _part5(report, lang)


def _part1(r: dict[str, Any], lang: Lang) -> None:
    cols = [Col(t("cli.ev.period", lang), "word", True), Col(t("cli.ev.void_ratio", lang), "num"),
            Col(t("cli.ev.voided", lang), "num"), Col(t("cli.ev.void_rate", lang), "num"),
            Col(t("cli.ev.churn_rate", lang), "num")]  # fmt: skip
    rows = [[fmt.day(p["period_start"]) + ("" if p["complete"] else " *"),
             fmt.pct(p["void_ratio"], 2), fmt.count(p["voided"]), fmt.pct(p["void_rate"], 2),
             fmt.pct(p["churn_rate"])] for p in r["ratio"]]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, title=t("cli.ev.part1", lang))
    tr = r["trend"]
    if tr["first"] is not None:
        typer.echo(t("cli.ev.trend", lang, first=fmt.pct(tr["first"], 2), last=fmt.pct(tr["last"], 2),
                     direction=t(f"cli.ev.{tr['direction']}", lang),
                     early=fmt.pct(tr["void_rate_first_half"], 2),
                     late=fmt.pct(tr["void_rate_second_half"], 2)))  # fmt: skip


def _part2(r: dict[str, Any], lang: Lang) -> None:
    zh = lang == "zh"
    cols = [Col(t("cli.ev.reason", lang), "text", True), Col(t("cli.ev.avoidable", lang)),
            Col(t("cli.ev.customers", lang), "num"), Col(t("cli.ev.share", lang), "num"),
            Col(t("cli.ev.revenue_lost", lang), "num")]  # fmt: skip
    rows = [[x["reason_zh"] if zh else x["reason_en"],
             fmt.EMPTY if x["avoidable"] is None else ("✓" if x["avoidable"] else "✗"),
             fmt.count(x["customers"]), fmt.pct(x["share"]), fmt.amount(x["revenue_lost"])]
            for x in r["reasons"]]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, title=t("cli.ev.part2", lang))
    cols = [Col(t("cli.ev.status", lang)), Col(t("cli.ev.destination", lang), "text", True),
            Col(t("cli.ev.customers", lang), "num"), Col(t("cli.ev.revenue_12m", lang), "num")]  # fmt: skip
    rows = [[fmt.label("status", x["status"], lang), x["destination"] or t("cli.ev.unknown", lang),
             fmt.count(x["customers"]), fmt.amount(x["revenue_12m"])]
            for x in r["destinations"]]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, title=t("cli.ev.part2b", lang))


def _part3(r: dict[str, Any], lang: Lang) -> None:
    v, a = r["impact"]["voided"], r["impact"]["all_lost"]
    cols = [Col(t("cli.ev.what", lang), "text", True), Col(t("cli.ev.of_voided", lang), "num"),
            Col(t("cli.ev.of_all", lang), "num")]  # fmt: skip
    keys = [("lost_customers", "cli.ev.lost_customers", fmt.count),
            ("revenue_lost", "cli.ev.revenue_lost", fmt.amount),
            ("clv_lost", "cli.ev.clv_lost", fmt.amount),
            ("acquisition_cost_unrecovered", "cli.ev.cac", fmt.amount)]  # fmt: skip
    rows = [[t(label, lang), f(v[k]), f(a[k])] for k, label, f in keys]
    fmt.print_table(cols, rows, lang=lang, title=t("cli.ev.part3", lang))


def _part4(r: dict[str, Any], lang: Lang) -> None:
    from keepwise.playbooks.catalogue import word

    f = r["followup"]
    typer.echo(t("cli.ev.part4", lang))
    typer.echo(t("cli.ev.followed", lang, n=fmt.count(f["voided"]), targeted=fmt.count(f["targeted"]),
                 share=fmt.pct(f.get("targeted_share")),
                 coverage=fmt.pct(f["followup_coverage"])))  # fmt: skip
    if f["tasks"]:
        cols = [Col(t("cli.ev.task", lang), "text", True), Col(t("cli.ev.task_status", lang)),
                Col(t("cli.ev.outcome", lang)), Col(t("cli.ev.tasks", lang), "num"),
                Col(t("cli.ev.customers", lang), "num")]  # fmt: skip
        rows = [[word("task", x["type"], lang), word("task_status", x["status"], lang),
                 word("outcome", x["outcome"], lang), fmt.count(x["tasks"]),
                 fmt.count(x["customers"])] for x in f["tasks"]]  # fmt: skip
        fmt.print_table(cols, rows, lang=lang)
    if f["feedback"]:
        items = fmt.join([f"{x['reason']} {x['tasks']}" for x in f["feedback"]], lang)
        typer.echo(t("cli.ev.feedback", lang, items=items))


def _part5(r: dict[str, Any], lang: Lang) -> None:
    if not r["measures"]:
        typer.echo(t("cli.ev.part5", lang) + " " + t("cli.ev.none", lang))
        return
    before, after = t("cli.ev.before", lang), t("cli.ev.after", lang)
    cols = [Col(t("cli.ev.playbook", lang), "word", True), Col(t("cli.ev.first_run", lang), "word"),
            Col(f"{t('cli.ev.churn_rate', lang)} {before}", "num"),
            Col(f"{t('cli.ev.churn_rate', lang)} {after}", "num"),
            Col(f"{t('cli.ev.void_rate', lang)} {before}", "num"),
            Col(f"{t('cli.ev.void_rate', lang)} {after}", "num"),
            Col(t("cli.ev.uplift", lang), "num"), Col("p", "num")]  # fmt: skip
    rows = [[m["playbook_id"], fmt.day(m["first_run"]), fmt.pct(m["churn_rate_before"]),
             fmt.pct(m["churn_rate_after"]), fmt.pct(m["void_rate_before"], 2),
             fmt.pct(m["void_rate_after"], 2),
             fmt.EMPTY if m["difference"] is None else f"{m['difference'] * 100:+.1f}",
             fmt.score(m["p_value"])] for m in r["measures"]]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, title=t("cli.ev.part5", lang))
