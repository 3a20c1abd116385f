"""The void-effect report (作废效果评估, seed 000) in its five parts: 1. the void ratio and its
trend; 2. void reasons and where lost customers went; 3. the business impact; 4. the follow-up
of voided customers; 5. what changed after the measures (each playbook's churn and void rates
before and after its first run, and its treated-against-hold-out comparison), or a note saying
the workspace has no evaluation yet.

Every figure is a value of the evaluation ``ws.playbooks.void_effect`` computes — the data
``keepwise evaluate voids --json`` prints — only laid out and labelled here: the report and the
command have one source and cannot disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from keepwise._core.i18n import Lang, register, t
from keepwise._core.taxonomy import REASONS_BY_CODE
from keepwise.playbooks.catalogue import word
from keepwise.reports.common import kpi_name, meta_lines, period_label
from keepwise.reports.document import Chart, Column, Document, Fact, Kind, Section, Table, Val

register(
    {
        "report.void.title": {"zh": "作废客户效果评估", "en": "Voided customers: evaluation"},
        "report.void.ratio": {"zh": "一、作废客户占比与趋势", "en": "1. Void ratio and trend"},
        "report.void.ratio.intro": {
            "zh": "作废客户占比 = 期末状态为作废的客户数 ÷ 期末前获得的客户数；作废率 = 期初客户中"
            "本期被作废的比例。趋势比较第一个与最后一个完整周期的作废客户占比，以及前后两半周期"
            "合并计算的作废率。",
            "en": "Void ratio = customers voided at the period end ÷ customers acquired before "
            "it; void rate = the share of the customers at the start voided during the period. "
            "The trend compares the void ratio of the first and last complete periods, and the "
            "void rate of the first and second half of them, pooled.",
        },
        "report.void.reasons": {"zh": "二、作废原因与去向", "en": "2. Reasons and destinations"},
        "report.void.reasons.intro": {
            "zh": "统计周期内作废的期初客户按作废原因统计；去向为流失或作废事件记录的去处"
            "（如竞争对手），附流失前 12 个月的收入。",
            "en": "Customers at a period's start voided during it, by reason; the destination is "
            "where the churn or void event says the customer went (a competitor, say), with "
            "their revenue in the 12 months before.",
        },
        "report.void.destinations": {"zh": "流失与作废客户的去向", "en": "Where lost customers went"},
        "report.void.unrecorded": {"zh": "未记录", "en": "not recorded"},
        "report.void.impact": {"zh": "三、对业务的影响", "en": "3. Business impact"},
        "report.void.impact.intro": {
            "zh": "统计周期内作废客户与全部流失客户（含作废）的客户数、流失前 12 个月收入、"
            "流失的预测生命周期价值与未收回的获客成本。",
            "en": "For the customers voided in the periods and for every lost customer (voids "
            "included): how many, their revenue in the 12 months before, the predicted lifetime "
            "value lost and the acquisition cost not paid back.",
        },
        "report.void.followup": {"zh": "四、作废客户的后续跟进", "en": "4. Follow-up of voided customers"},
        "report.void.followup.intro": {
            "zh": "统计周期内作废的客户中，作废后被行动方案选中（执行组或对照组）的客户，他们的"
            "任务与结果，以及反馈的原因；跟进覆盖率：流失或作废后至少跟进一次的客户占比。",
            "en": "Of the customers voided in the periods: those a playbook targeted after the "
            "void (treated or held out), their tasks and outcomes, and the reasons they gave; "
            "follow-up coverage: the share of customers churned or voided followed up at least "
            "once after it.",
        },
        "report.void.measures": {"zh": "五、改进措施的效果", "en": "5. What changed after the measures"},
        "report.void.measures.intro": {
            "zh": "每个已运行的行动方案：首次运行前（最多 12 个完整月）与之后各完整月合并计算的"
            "流失率和作废率，以及执行组与对照组的比较（差异、95% 置信区间、p 值与结论）。",
            "en": "Each playbook that has run: the churn and void rates of up to 12 whole months "
            "before its first run and of the whole months after, pooled, and its treated "
            "against hold-out comparison (difference, 95% interval, p-value, verdict).",
        },
        "report.void.measures.missing": {
            "zh": "本工作区还没有作废改进措施的评估数据（尚无行动方案运行），因此本报告只包含"
            "前四部分。",
            "en": "This workspace has no evaluation of the measures taken on voids yet (no "
            "playbook has run), so this report has the first four parts only.",
        },
        "report.col.destination": {"zh": "去向", "en": "destination"},
        "report.col.voided": {"zh": "期末作废客户", "en": "voided at end"},
        "report.col.customers_before_end": {"zh": "期末前获得客户", "en": "customers acquired"},
        "report.col.voided_in_period": {"zh": "本期作废", "en": "voided in period"},
        "report.col.share": {"zh": "占比", "en": "share"},
        "report.col.revenue_12m": {"zh": "流失前 12 个月收入", "en": "revenue, 12 months before"},
        "report.col.figure": {"zh": "项目", "en": "figure"},
        "report.col.of_voided": {"zh": "作废客户", "en": "voided"},
        "report.col.of_all_lost": {"zh": "全部流失客户", "en": "all lost"},
        "report.col.lost_customers": {"zh": "客户数", "en": "customers"},
        "report.col.clv_lost": {"zh": "流失预测价值", "en": "predicted value lost"},
        "report.col.acquisition_cost": {"zh": "未收回获客成本", "en": "acquisition cost not paid back"},
        "report.col.task": {"zh": "任务", "en": "task"},
        "report.col.task_status": {"zh": "任务状态", "en": "task status"},
        "report.col.outcome": {"zh": "结果", "en": "outcome"},
        "report.col.tasks": {"zh": "任务数", "en": "tasks"},
        "report.col.playbook": {"zh": "行动方案", "en": "playbook"},
        "report.col.first_run": {"zh": "首次运行", "en": "first run"},
        "report.col.months_before": {"zh": "之前月数", "en": "months before"},
        "report.col.months_after": {"zh": "之后月数", "en": "months after"},
        "report.col.churn_before": {"zh": "流失率（之前）", "en": "churn rate before"},
        "report.col.churn_after": {"zh": "流失率（之后）", "en": "churn rate after"},
        "report.col.void_before": {"zh": "作废率（之前）", "en": "void rate before"},
        "report.col.void_after": {"zh": "作废率（之后）", "en": "void rate after"},
        "report.col.measure": {"zh": "衡量", "en": "measure"},
        "report.col.treated_rate": {"zh": "执行组", "en": "treated"},
        "report.col.holdout_rate": {"zh": "对照组", "en": "hold-out"},
        "report.col.difference": {"zh": "差异", "en": "difference"},
        "report.col.ci_low": {"zh": "置信区间下限", "en": "95% CI low"},
        "report.col.ci_high": {"zh": "置信区间上限", "en": "95% CI high"},
        "report.col.p_value": {"zh": "p 值", "en": "p-value"},
        "report.col.verdict": {"zh": "结论", "en": "verdict"},
        "report.fact.ratio_first": {"zh": "首个完整周期的作废客户占比", "en": "void ratio, first complete period"},
        "report.fact.ratio_last": {"zh": "最后完整周期的作废客户占比", "en": "void ratio, last complete period"},
        "report.fact.ratio_change": {"zh": "变化", "en": "change"},
        "report.fact.direction": {"zh": "趋势", "en": "direction"},
        "report.fact.rate_first_half": {"zh": "作废率（前半段）", "en": "void rate, first half"},
        "report.fact.rate_second_half": {"zh": "作废率（后半段）", "en": "void rate, second half"},
        "report.fact.voided": {"zh": "作废客户", "en": "voided customers"},
        "report.fact.targeted": {"zh": "被行动方案选中", "en": "targeted by a playbook"},
        "report.fact.targeted_share": {"zh": "选中占比", "en": "share targeted"},
        "report.fact.followup_coverage": {"zh": "跟进覆盖率", "en": "follow-up coverage"},
        "report.direction.rising": {"zh": "上升", "en": "rising"},
        "report.direction.falling": {"zh": "下降", "en": "falling"},
        "report.direction.flat": {"zh": "持平", "en": "flat"},
        "report.verdict.worked": {"zh": "有效", "en": "worked"},
        "report.verdict.harmful": {"zh": "有害", "en": "harmful"},
        "report.verdict.no_effect": {"zh": "无明显效果", "en": "no effect"},
        "report.verdict.too_few": {"zh": "客户太少无法判断", "en": "too few to tell"},
        "report.verdict.no_holdout": {"zh": "尚无法判断", "en": "cannot tell yet"},
    }
)  # fmt: skip

#: The figures of part 3, as the evaluation names them, with their kind.
IMPACT_FIGURES: tuple[tuple[str, str, Kind], ...] = (
    ("lost_customers", "report.col.lost_customers", "int"),
    ("revenue_lost", "report.col.revenue_lost", "money"),
    ("clv_lost", "report.col.clv_lost", "money"),
    ("acquisition_cost_unrecovered", "report.col.acquisition_cost", "money"),
)


@dataclass
class VoidEffectData:
    workspace: str
    data_end: dt.date | None
    #: ``ws.playbooks.void_effect``: the evaluation ``keepwise evaluate voids --json`` prints.
    evaluation: dict[str, Any]
    notes: list[str]


def build(data: VoidEffectData, lang: Lang) -> Document:
    ev = data.evaluation
    sections = [_ratio(ev, lang), _reasons(ev, lang), _impact(ev, lang), _followup(ev, lang)]
    notes = list(data.notes)
    if ev["measures"]:
        sections.append(_measures(ev, lang))
    else:
        notes.append(t("report.void.measures.missing", lang))
    return Document(
        kind="void-effect", lang=lang, title=t("report.void.title", lang),
        meta=meta_lines(lang, data.workspace, ev["as_of"], data.data_end, ev["start"], ev["end"],
                        ev["grain"]),
        notes=notes, sections=sections,
    )  # fmt: skip


def _col(key: str, title_key: str, lang: Lang, kind: Kind = "text") -> Column:
    return Column(key, t(title_key, lang), kind)


def _table(records: Sequence[dict[str, Any]], columns: list[Column], caption: str | None = None,
           words: dict[str, Any] | None = None) -> Table:  # fmt: skip
    """One row per record, the columns' keys naming its fields; ``words`` turns a field's code
    into words (a status, a task type)."""
    words = words or {}
    rows = [[words[c.key](r[c.key]) if c.key in words else r[c.key] for c in columns]
            for r in records]  # fmt: skip
    return Table(columns, rows, caption=caption)


def _ratio(ev: dict[str, Any], lang: Lang) -> Section:
    cols = [_col("period_start", "report.col.period", lang, "date"),
            _col("complete", "report.col.complete", lang),
            Column("void_ratio", kpi_name("void_ratio", lang), "pct"),
            _col("voided", "report.col.voided", lang, "int"),
            _col("customers", "report.col.customers_before_end", lang, "int"),
            Column("void_rate", kpi_name("void_rate", lang), "pct"),
            _col("voided_in_period", "report.col.voided_in_period", lang, "int"),
            Column("churn_rate", kpi_name("churn_rate", lang), "pct")]  # fmt: skip
    yes_no = {"complete": lambda v: t("report.yes" if v else "report.no", lang)}
    tr = ev["trend"]
    facts = []
    if tr["first"] is not None:
        facts = [Fact(t("report.fact.ratio_first", lang), tr["first"], "pct"),
                 Fact(t("report.fact.ratio_last", lang), tr["last"], "pct"),
                 Fact(t("report.fact.ratio_change", lang), tr["change"], "pct"),
                 Fact(t("report.fact.direction", lang),
                      t(f"report.direction.{tr['direction']}", lang), "text"),
                 Fact(t("report.fact.rate_first_half", lang), tr["void_rate_first_half"], "pct"),
                 Fact(t("report.fact.rate_second_half", lang), tr["void_rate_second_half"],
                      "pct")]  # fmt: skip
    ratio = ev["ratio"]
    chart = Chart(t("report.void.ratio", lang),
                  [period_label(r["period_start"], ev["grain"]) for r in ratio],
                  [(kpi_name("void_ratio", lang), [r["void_ratio"] for r in ratio]),
                   (kpi_name("void_rate", lang), [r["void_rate"] for r in ratio])],
                  percent=True)  # fmt: skip
    return Section("ratio", t("report.void.ratio", lang), t("report.void.ratio.intro", lang),
                   facts=facts, tables=[_table(ratio, cols, words=yes_no)],
                   charts=[chart] if ratio else [])  # fmt: skip


def _reasons(ev: dict[str, Any], lang: Lang) -> Section:
    cols = [_col(f"reason_{lang}", "report.col.reason", lang),
            _col("avoidable", "report.col.avoidable", lang),
            _col("customers", "report.col.customers", lang, "int"),
            _col("share", "report.col.share", lang, "pct"),
            _col("revenue_lost", "report.col.revenue_lost", lang, "money")]  # fmt: skip
    dest_cols = [_col("status", "report.col.status", lang),
                 _col("destination", "report.col.destination", lang),
                 _col("customers", "report.col.customers", lang, "int"),
                 _col("revenue_12m", "report.col.revenue_12m", lang, "money")]  # fmt: skip
    words = {"avoidable": lambda v: _yes_no(v, lang),
             "status": lambda v: t(f"report.status.{v}", lang),
             "destination": lambda v: v if v else t("report.void.unrecorded", lang)}  # fmt: skip
    reasons = ev["reasons"]
    charts = []
    if reasons:
        top = reasons[:10]
        charts.append(Chart(t("report.void.reasons", lang), [str(r[f"reason_{lang}"]) for r in top],
                            [(t("report.col.customers", lang), [r["customers"] for r in top])],
                            kind="bar"))  # fmt: skip
    tables = [_table(reasons, cols, words=words),
              _table(ev["destinations"], dest_cols, t("report.void.destinations", lang), words)]  # fmt: skip
    return Section("reasons", t("report.void.reasons", lang), t("report.void.reasons.intro", lang),
                   tables=tables, charts=charts)  # fmt: skip


def _yes_no(value: Any, lang: Lang) -> str:
    if value is None:
        return t("report.unknown", lang)
    return t("report.yes" if bool(value) else "report.no", lang)


def _impact(ev: dict[str, Any], lang: Lang) -> Section:
    voided, every = ev["impact"]["voided"], ev["impact"]["all_lost"]
    cols = [Column("figure", t("report.col.figure", lang)),
            Column("voided", t("report.col.of_voided", lang), "num"),
            Column("all_lost", t("report.col.of_all_lost", lang), "num")]  # fmt: skip
    rows = [[t(title, lang), Val(voided[key], kind), Val(every[key], kind)]
            for key, title, kind in IMPACT_FIGURES]  # fmt: skip
    chart = Chart(t("report.col.revenue_lost", lang),
                  [t("report.col.of_voided", lang), t("report.col.of_all_lost", lang)],
                  [(t("report.col.revenue_lost", lang),
                    [voided["revenue_lost"], every["revenue_lost"]])], kind="bar")  # fmt: skip
    return Section("impact", t("report.void.impact", lang), t("report.void.impact.intro", lang),
                   tables=[Table(cols, rows)], charts=[chart])  # fmt: skip


def _followup(ev: dict[str, Any], lang: Lang) -> Section:
    f = ev["followup"]
    facts = [Fact(t("report.fact.voided", lang), f["voided"], "int"),
             Fact(t("report.fact.targeted", lang), f["targeted"], "int"),
             Fact(t("report.fact.targeted_share", lang), f.get("targeted_share"), "pct"),
             Fact(t("report.fact.followup_coverage", lang), f["followup_coverage"], "pct")]  # fmt: skip
    cols = [_col("type", "report.col.task", lang),
            _col("status", "report.col.task_status", lang),
            _col("outcome", "report.col.outcome", lang),
            _col("tasks", "report.col.tasks", lang, "int"),
            _col("customers", "report.col.customers", lang, "int")]  # fmt: skip
    words = {"type": lambda v: word("task", v, lang),
             "status": lambda v: word("task_status", v, lang),
             "outcome": lambda v: word("outcome", v, lang)}  # fmt: skip
    fb_cols = [_col("reason", "report.col.reason", lang), _col("tasks", "report.col.tasks", lang,
                                                               "int")]  # fmt: skip
    fb_words = {"reason": lambda v: _reason_label(v, lang)}
    tables = [_table(f["tasks"], cols, words=words),
              _table(f["feedback"], fb_cols, t("report.col.reason", lang), fb_words)]  # fmt: skip
    return Section("followup", t("report.void.followup", lang),
                   t("report.void.followup.intro", lang), facts=facts, tables=tables)  # fmt: skip


def _reason_label(code: str, lang: Lang) -> str:
    reason = REASONS_BY_CODE.get(code)
    if reason is None:
        return code
    return reason.label_zh if lang == "zh" else reason.label_en


def _measures(ev: dict[str, Any], lang: Lang) -> Section:
    cols = [_col("playbook_id", "report.col.playbook", lang),
            _col("first_run", "report.col.first_run", lang, "date"),
            _col("months_before", "report.col.months_before", lang, "int"),
            _col("months_after", "report.col.months_after", lang, "int"),
            _col("churn_rate_before", "report.col.churn_before", lang, "pct"),
            _col("churn_rate_after", "report.col.churn_after", lang, "pct"),
            _col("void_rate_before", "report.col.void_before", lang, "pct"),
            _col("void_rate_after", "report.col.void_after", lang, "pct"),
            _col("measure", "report.col.measure", lang),
            _col("treated_rate", "report.col.treated_rate", lang, "pct"),
            _col("holdout_rate", "report.col.holdout_rate", lang, "pct"),
            _col("difference", "report.col.difference", lang, "pct"),
            _col("ci_low", "report.col.ci_low", lang, "pct"),
            _col("ci_high", "report.col.ci_high", lang, "pct"),
            _col("p_value", "report.col.p_value", lang, "p"),
            _col("verdict", "report.col.verdict", lang)]  # fmt: skip
    words = {"measure": lambda v: word("measure", v, lang),
             "verdict": lambda v: t(f"report.verdict.{v}", lang) if v else None}  # fmt: skip
    return Section("measures", t("report.void.measures", lang),
                   t("report.void.measures.intro", lang),
                   tables=[_table(ev["measures"], cols, words=words)])  # fmt: skip
