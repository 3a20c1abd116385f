"""The void-effect report (作废效果评估, seed 000): 1. the void ratio and its trend; 2. void
reasons and where voided customers went; 3. the business impact; 4. the follow-up of voided
customers; 5. what changed after the measures — from the playbooks' evaluation of voids where
the workspace has it, otherwise the first four parts with a note saying so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from keepwise._core.i18n import Lang, register, t
from keepwise.metrics.periods import Period
from keepwise.reports.common import kpi_kind, kpi_name, meta_lines, period_label, rows_of, trend
from keepwise.reports.document import Chart, Column, Document, Section, Table, Val

RATIO_KPIS = ("void_ratio", "void_rate", "churn_rate")
FOLLOWUP_KPIS = ("followup_coverage", "winback_rate")
KPIS = (*RATIO_KPIS, *FOLLOWUP_KPIS)

register(
    {
        "report.void.title": {"zh": "作废客户效果评估", "en": "Voided customers: evaluation"},
        "report.void.ratio": {"zh": "一、作废客户占比与趋势", "en": "1. Void ratio and trend"},
        "report.void.ratio.intro": {
            "zh": "作废客户占比 = 期末状态为作废的客户数 ÷ 期末前获得的客户数；作废率 = 期初客户中"
            "本期被作废的比例。最后一行是最近一个完整周期相对上一周期的变化。",
            "en": "Void ratio = customers voided at the period end ÷ customers acquired before "
            "it; void rate = the share of the customers at the start voided during the period. "
            "The last row is the change of the latest complete period from the one before.",
        },
        "report.void.reasons": {"zh": "二、作废原因与去向", "en": "2. Reasons and destinations"},
        "report.void.reasons.intro": {
            "zh": "统计周期内作废的期初客户按作废原因统计；去向为流失或作废事件记录的去处"
            "（如竞争对手）。",
            "en": "Customers at a period's start voided during it, by reason; the destination is "
            "where the churn or void event says the customer went (a competitor, say).",
        },
        "report.void.destinations": {"zh": "流失与作废客户的去向", "en": "Where lost customers went"},
        "report.col.destination": {"zh": "去向", "en": "destination"},
        "report.void.unrecorded": {"zh": "未记录", "en": "not recorded"},
        "report.void.impact": {"zh": "三、对业务的影响", "en": "3. Business impact"},
        "report.void.impact.intro": {
            "zh": "作废客户作废前 12 个月的收入；以及全部流失（含作废）的流失收入、流失的预测价值、"
            "未收回的获客成本与风险收入占比。",
            "en": "The revenue of voided customers in the 12 months before the void; and for all "
            "losses (voids included) the revenue lost, the predicted value lost, the acquisition "
            "cost not paid back and the share of revenue at risk.",
        },
        "report.col.voided": {"zh": "作废客户数", "en": "voided customers"},
        "report.col.void_revenue_lost": {"zh": "作废客户流失收入", "en": "revenue lost with voids"},
        "report.col.lost_customers": {"zh": "流失客户数（含作废）", "en": "lost customers (all)"},
        "report.col.clv_lost": {"zh": "流失预测价值", "en": "predicted value lost"},
        "report.col.acquisition_cost": {"zh": "未收回获客成本", "en": "acquisition cost not paid back"},
        "report.col.revenue_at_risk_share": {"zh": "风险收入占比", "en": "revenue at risk"},
        "report.void.followup": {"zh": "四、作废客户的后续跟进", "en": "4. Follow-up of voided customers"},
        "report.void.followup.intro": {
            "zh": "跟进覆盖率：本期流失或作废、之后至少跟进一次的客户占比；挽回率：被跟进的流失或"
            "作废客户中跟进后再次下单的占比。",
            "en": "Follow-up coverage: the share of the customers churned or voided in the period "
            "followed up at least once after it; win-back rate: the share of those followed up "
            "who ordered again after the follow-up.",
        },
        "report.void.measures": {"zh": "五、改进措施的效果", "en": "5. What changed after the measures"},
        "report.void.measures.missing": {
            "zh": "本工作区还没有作废改进措施的评估数据（挽留行动的对照组评估），因此本报告只包含"
            "前四部分。",
            "en": "This workspace has no evaluation of the measures taken on voids yet (the "
            "playbooks' hold-out evaluation), so this report has the first four parts only.",
        },
    }
)  # fmt: skip


@dataclass
class VoidEffectData:
    workspace: str
    as_of: dt.date
    data_end: dt.date | None
    grain: str
    periods: list[Period]
    #: ``ws.metrics.compute`` rows of :data:`KPIS`, from the period before the first shown.
    kpis: pd.DataFrame
    reasons: pd.DataFrame
    destinations: pd.DataFrame
    impact: pd.DataFrame
    #: The evaluation of the measures (part 5) as a ready section, or None when there is none.
    measures: Section | None
    notes: list[str]


def build(data: VoidEffectData, lang: Lang) -> Document:
    first, last = data.periods[0].start, data.periods[-1].end
    sections = [_ratio(data, lang), _reasons(data, lang), _impact(data, lang),
                _followup(data, lang)]  # fmt: skip
    notes = list(data.notes)
    if data.measures is not None:
        sections.append(data.measures)
    else:
        notes.append(t("report.void.measures.missing", lang))
    return Document(
        kind="void-effect", lang=lang, title=t("report.void.title", lang),
        meta=meta_lines(lang, data.workspace, data.as_of, data.data_end, first, last, data.grain),
        notes=notes, sections=sections,
    )  # fmt: skip


def _shown(data: VoidEffectData) -> list[dt.date]:
    return [p.start for p in data.periods]


def _kpi_section(data: VoidEffectData, lang: Lang, key: str, metrics: tuple[str, ...],
                 intro: str) -> Section:  # fmt: skip
    """One row per period, a value/numerator/denominator triple per KPI, and the change."""
    shown = _shown(data)
    cols = [Column("period_start", t("report.col.period", lang), "date")]
    for m in metrics:
        kind = kpi_kind(m)
        cols += [Column(m, kpi_name(m, lang), kind),
                 Column(f"{m}.numerator", f"{kpi_name(m, lang)} · {t('report.col.numerator', lang)}",
                        "num"),
                 Column(f"{m}.denominator",
                        f"{kpi_name(m, lang)} · {t('report.col.denominator', lang)}", "num")]  # fmt: skip
    rows: list[list[Any]] = []
    kp = data.kpis
    for d in shown:
        row: list[Any] = [d]
        for m in metrics:
            r = kp[(kp["metric"] == m) & (pd.to_datetime(kp["period_start"]).dt.date == d)]
            row += ([r.iloc[0]["value"], r.iloc[0]["numerator"], r.iloc[0]["denominator"]]
                    if not r.empty else [None, None, None])  # fmt: skip
        rows.append(row)
    change: list[Any] = [t("report.col.change", lang)]
    for m in metrics:
        change += [Val(trend(kp, m).change, kpi_kind(m)), None, None]
    rows.append(change)
    cats = [period_label(d, data.grain) for d in shown]
    chart = Chart(t(f"report.void.{key}", lang), cats,
                  [(kpi_name(m, lang), [trend(kp, m).values.get(d) for d in shown])
                   for m in metrics], percent=True)  # fmt: skip
    return Section(key, t(f"report.void.{key}", lang), intro, tables=[Table(cols, rows)],
                   charts=[chart])  # fmt: skip


def _ratio(data: VoidEffectData, lang: Lang) -> Section:
    return _kpi_section(data, lang, "ratio", RATIO_KPIS, t("report.void.ratio.intro", lang))


def _followup(data: VoidEffectData, lang: Lang) -> Section:
    return _kpi_section(data, lang, "followup", FOLLOWUP_KPIS,
                        t("report.void.followup.intro", lang))  # fmt: skip


def _reasons(data: VoidEffectData, lang: Lang) -> Section:
    df = data.reasons
    df = df[df["status"] == "voided"] if not df.empty else df
    cols = [Column("reason", t("report.col.reason", lang)),
            Column("avoidable", t("report.col.avoidable", lang)),
            Column("customers", t("report.col.customers", lang), "int"),
            Column("revenue_lost", t("report.col.revenue_lost", lang), "money")]  # fmt: skip
    rows: list[list[Any]] = []
    charts = []
    if not df.empty:
        g = (df.groupby(["reason", f"reason_{lang}"], dropna=False)
             .agg(avoidable=("avoidable", "first"), customers=("customers", "sum"),
                  revenue_lost=("revenue_lost", "sum"))
             .reset_index().sort_values(["customers", "revenue_lost"], ascending=False))  # fmt: skip
        rows = [[getattr(r, f"reason_{lang}"), _yes_no(r.avoidable, lang), r.customers,
                 r.revenue_lost] for r in rows_of(g)]  # fmt: skip
        charts.append(Chart(t("report.void.reasons", lang), [str(r[0]) for r in rows[:10]],
                            [(t("report.col.customers", lang), [float(r[2]) for r in rows[:10]])],
                            kind="bar"))  # fmt: skip
    dest_cols = [Column("status", t("report.col.status", lang)),
                 Column("destination", t("report.col.destination", lang)),
                 Column("customers", t("report.col.customers", lang), "int")]  # fmt: skip
    dest_rows = [[t(f"report.status.{r.status}", lang),
                  r.destination if isinstance(r.destination, str) else
                  t("report.void.unrecorded", lang), r.customers]
                 for r in rows_of(data.destinations)]  # fmt: skip
    return Section("reasons", t("report.void.reasons", lang), t("report.void.reasons.intro", lang),
                   tables=[Table(cols, rows),
                           Table(dest_cols, dest_rows, caption=t("report.void.destinations", lang))],
                   charts=charts)  # fmt: skip


def _yes_no(value: Any, lang: Lang) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return t("report.unknown", lang)
    return t("report.yes" if bool(value) else "report.no", lang)


def _impact(data: VoidEffectData, lang: Lang) -> Section:
    shown = _shown(data)
    voids = data.reasons[data.reasons["status"] == "voided"] if not data.reasons.empty else None
    per = (voids.assign(d=pd.to_datetime(voids["period_start"]).dt.date)
           .groupby("d")[["customers", "revenue_lost"]].sum()
           if voids is not None and not voids.empty else pd.DataFrame())  # fmt: skip
    imp = data.impact.assign(d=pd.to_datetime(data.impact["period_start"]).dt.date)
    imp = imp[imp["dimension"].isna()].set_index("d") if not imp.empty else imp
    cols = [Column("period_start", t("report.col.period", lang), "date"),
            Column("voided", t("report.col.voided", lang), "int"),
            Column("void_revenue_lost", t("report.col.void_revenue_lost", lang), "money"),
            Column("lost_customers", t("report.col.lost_customers", lang), "int"),
            Column("revenue_lost", t("report.col.revenue_lost", lang), "money"),
            Column("clv_lost", t("report.col.clv_lost", lang), "money"),
            Column("acquisition_cost", t("report.col.acquisition_cost", lang), "money"),
            Column("revenue_at_risk_share", t("report.col.revenue_at_risk_share", lang), "pct")]  # fmt: skip
    rows: list[list[Any]] = []
    for d in shown:
        v = per.loc[d] if d in per.index else None
        i = imp.loc[d] if d in imp.index else None
        rows.append([d, 0 if v is None else v["customers"], 0.0 if v is None else v["revenue_lost"],
                     *(None if i is None else i[c] for c in (
                         "lost_customers", "revenue_lost", "clv_lost",
                         "acquisition_cost_unrecovered", "revenue_at_risk_share"))])  # fmt: skip
    chart = Chart(t("report.col.void_revenue_lost", lang), [period_label(d, data.grain) for d in shown],
                  [(t("report.col.void_revenue_lost", lang), [float(r[2]) for r in rows])], kind="bar")  # fmt: skip
    return Section("impact", t("report.void.impact", lang), t("report.void.impact.intro", lang),
                   tables=[Table(cols, rows)], charts=[chart])  # fmt: skip
