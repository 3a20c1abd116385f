"""The retention report (留存报告), monthly or quarterly: the ten customer-management KPIs of
seed 002 with their trend and the change from the previous period, churn reasons, acquisition
cohorts, value tiers and a risk summary. Every figure comes from the workspace services
(``ws.metrics``, ``ws.risk``), so it equals ``keepwise metrics --json`` for the same periods."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from keepwise._core.i18n import Lang, register, t
from keepwise.metrics.periods import Period
from keepwise.reports.common import kpi_kind, kpi_name, meta_lines, period_label, rows_of, trend
from keepwise.reports.document import Chart, Column, Document, Fact, Section, Table, Val

#: Seed 002's ten measures of customer management, as catalogue KPIs (feedback is read as the
#: net promoter score of the survey answers; tier analysis is the tier mix), after the churn
#: rate the report is about.
TEN_KPIS = ("csat", "retention_rate", "cac", "clv_historical", "nps", "conversion_rate",
            "response_time", "complaint_rate", "referral_rate")  # fmt: skip
TIER_KPIS = ("tier_mix_customers", "tier_mix_revenue")
KPIS = ("churn_rate", *TEN_KPIS, *TIER_KPIS)
TIERS = ("high", "mid", "low", "no_value", "new", "unscored")
TOP_RISKS = 20

register(
    {
        "report.retention.title": {"zh": "客户留存报告", "en": "Customer retention report"},
        "report.retention.summary": {"zh": "概览", "en": "Summary"},
        "report.retention.summary.intro": {
            "zh": "截止日期时的客户状况，以及截止日期前 12 个月的订单、收入与流失（与 keepwise "
            "summary 相同）。",
            "en": "Customers at the as-of date, and the orders, revenue and churn of the 12 "
            "months before it (as keepwise summary shows them).",
        },
        "report.retention.fact.customers": {"zh": "客户总数", "en": "Customers"},
        "report.retention.fact.kept": {"zh": "在保客户", "en": "Kept customers"},
        "report.retention.fact.churned": {"zh": "已流失", "en": "Churned"},
        "report.retention.fact.voided": {"zh": "已作废", "en": "Voided"},
        "report.retention.fact.revenue_12m": {"zh": "近 12 个月收入", "en": "Revenue, last 12 months"},
        "report.retention.fact.churn_12m": {"zh": "近 12 个月流失率", "en": "Churn rate, last 12 months"},
        "report.retention.kpis": {"zh": "客户管理十项指标", "en": "Ten customer-management KPIs"},
        "report.retention.kpis.intro": {
            "zh": "每行一个指标、每列一个周期；最后一列是最近一个完整周期相对上一周期的变化"
            "（比率的变化为百分点）。客户反馈以净推荐值衡量，客户分层见“价值分层”。",
            "en": "One row per KPI, one column per period; the last column is the change of the "
            "latest complete period from the one before (for rates, in percentage points). "
            "Customer feedback is measured by the net promoter score; the tier analysis is in "
            "“Value tiers”.",
        },
        "report.retention.detail": {"zh": "指标明细", "en": "KPI detail"},
        "report.retention.reasons": {"zh": "流失原因", "en": "Churn reasons"},
        "report.retention.reasons.intro": {
            "zh": "统计周期内流失或作废的期初客户，按其首次流失的原因统计；流失收入为流失前 "
            "12 个月的收入。",
            "en": "Customers at a period's start lost during it, by the reason of their first "
            "loss; revenue lost is their revenue in the 12 months before.",
        },
        "report.retention.cohorts": {"zh": "获客批次留存", "en": "Acquisition cohorts"},
        "report.retention.cohorts.intro": {
            "zh": "每个获客批次在获客后第 0、1、2… 个周期开始时仍在保的客户占比。",
            "en": "The share of each acquisition cohort still kept at the start of its 0th, "
            "1st, 2nd … period after acquisition.",
        },
        "report.retention.tiers": {"zh": "价值分层", "en": "Value tiers"},
        "report.retention.tiers.intro": {
            "zh": "最近一个完整周期（{period}）期末客户与本期收入在各价值层级中的占比（层级来自"
            "最新的价值评分）。",
            "en": "The shares of the customers at the end of the latest complete period "
            "({period}) and of its revenue in each value tier (tiers from the latest value "
            "scores).",
        },
        "report.retention.risk": {"zh": "流失风险", "en": "Churn risk"},
        "report.retention.risk.intro": {
            "zh": "最新一次流失风险评分（{version}，截止 {as_of}）：各风险等级的客户数与风险价值"
            "（流失概率 × 客户价值），以及风险价值最高的 {n} 个客户。",
            "en": "The latest churn-risk scoring ({version}, as of {as_of}): customers and value "
            "at risk (churn probability × customer value) per band, and the {n} customers with "
            "the most value at risk.",
        },
        "report.retention.risk.none": {
            "zh": "还没有流失风险评分：运行 keepwise risk train 与 keepwise risk score"
            "（或 keepwise refresh）后再生成报告。",
            "en": "There are no churn-risk scores yet: run keepwise risk train and keepwise "
            "risk score (or keepwise refresh), then make the report again.",
        },
        "report.retention.top_risks": {"zh": "风险价值最高的客户", "en": "Most value at risk"},
    }
)  # fmt: skip


@dataclass
class RetentionData:
    """What the retention report shows, as the workspace services computed it."""

    workspace: str
    as_of: dt.date
    data_end: dt.date | None
    grain: str
    periods: list[Period]
    #: ``ws.metrics.compute`` rows of :data:`KPIS`, from the period before the first shown.
    kpis: pd.DataFrame
    headline: dict[str, Any]
    reasons: pd.DataFrame
    cohorts: pd.DataFrame
    #: ``ws.risk.risk_list`` of the latest scoring (None when nothing is scored).
    risk: pd.DataFrame | None
    notes: list[str]


def build(data: RetentionData, lang: Lang) -> Document:
    first, last = data.periods[0].start, data.periods[-1].end
    return Document(
        kind="retention", lang=lang,
        title=f"{t('report.retention.title', lang)}（{t(f'report.grain.{data.grain}', lang)}）"
        if lang == "zh" else
        f"{t('report.retention.title', lang)} ({t(f'report.grain.{data.grain}', lang)})",
        meta=meta_lines(lang, data.workspace, data.as_of, data.data_end, first, last, data.grain),
        notes=list(data.notes),
        sections=[_summary(data, lang), _kpis(data, lang), _reasons(data, lang),
                  _cohorts(data, lang), _tiers(data, lang), _risk(data, lang),
                  _detail(data, lang)],
    )  # fmt: skip


def _summary(data: RetentionData, lang: Lang) -> Section:
    h = data.headline
    facts = [
        Fact(t("report.retention.fact.customers", lang), h["customers"], "int"),
        Fact(t("report.retention.fact.kept", lang), h["kept"], "int"),
        Fact(t("report.retention.fact.churned", lang), h["statuses"].get("churned", 0), "int"),
        Fact(t("report.retention.fact.voided", lang), h["statuses"].get("voided", 0), "int"),
        Fact(t("report.retention.fact.revenue_12m", lang), h["revenue_12m"], "money"),
        Fact(t("report.retention.fact.churn_12m", lang), h["churn_rate_12m"], "pct"),
    ]
    return Section("summary", t("report.retention.summary", lang),
                   t("report.retention.summary.intro", lang), facts=facts)  # fmt: skip


def _kpis(data: RetentionData, lang: Lang) -> Section:
    shown = [p.start for p in data.periods]
    cols = [Column("kpi", t("report.col.kpi", lang)), Column("id", t("report.col.id", lang))]
    cols += [Column(f"p{i}", period_label(d, data.grain), "num") for i, d in enumerate(shown)]
    cols.append(Column("change", t("report.col.change", lang), "num"))
    rows, charts = [], []
    for metric in ("churn_rate", *TEN_KPIS):
        tr, kind = trend(data.kpis, metric), kpi_kind(metric)
        rows.append(
            [
                kpi_name(metric, lang),
                metric,
                *(Val(tr.values.get(d), kind) for d in shown),
                Val(tr.change, kind),
            ]
        )
        charts.append(Chart(kpi_name(metric, lang), [period_label(d, data.grain) for d in shown],
                            [(metric, [tr.values.get(d) for d in shown])],
                            percent=kind == "pct"))  # fmt: skip
    return Section("kpis", t("report.retention.kpis", lang), t("report.retention.kpis.intro", lang),
                   tables=[Table(cols, rows)], charts=charts)  # fmt: skip


def _detail(data: RetentionData, lang: Lang) -> Section:
    """Every KPI row of the shown periods with its numerator and denominator."""
    shown = [p.start for p in data.periods]
    cols = [Column("id", t("report.col.id", lang)),
            Column("period_start", t("report.col.period", lang), "date"),
            Column("period_end", t("report.col.period_end", lang), "date"),
            Column("value", t("report.col.value", lang), "num"),
            Column("numerator", t("report.col.numerator", lang), "num"),
            Column("denominator", t("report.col.denominator", lang), "num"),
            Column("complete", t("report.col.complete", lang))]  # fmt: skip
    df = data.kpis[data.kpis["metric"].isin(("churn_rate", *TEN_KPIS))]
    df = df[pd.to_datetime(df["period_start"]).dt.date >= shown[0]]
    order = {m: i for i, m in enumerate(("churn_rate", *TEN_KPIS))}
    df = df.assign(kw_order=df["metric"].map(order)).sort_values(["kw_order", "period_start"],
                                                                  kind="stable")  # fmt: skip
    yes, no = t("report.yes", lang), t("report.no", lang)
    rows = [[r.metric, r.period_start, r.period_end, Val(r.value, kpi_kind(r.metric)),
             r.numerator, r.denominator, yes if r.complete else no]
            for r in rows_of(df)]  # fmt: skip
    return Section("detail", t("report.retention.detail", lang), tables=[Table(cols, rows)])


def _reasons(data: RetentionData, lang: Lang) -> Section:
    df = data.reasons
    cols = [Column("status", t("report.col.status", lang)),
            Column("reason", t("report.col.reason", lang)),
            Column("avoidable", t("report.col.avoidable", lang)),
            Column("customers", t("report.col.customers", lang), "int"),
            Column("revenue_lost", t("report.col.revenue_lost", lang), "money")]  # fmt: skip
    rows: list[list[Any]] = []
    chart = None
    if not df.empty:
        grouped = (df.assign(avoidable=df["avoidable"].map(_yes_no(lang)))
                   .groupby(["status", "reason", f"reason_{lang}", "avoidable"], dropna=False)
                   [["customers", "revenue_lost"]].sum().reset_index()
                   .sort_values(["customers", "revenue_lost"], ascending=False))  # fmt: skip
        rows = [[t(f"report.status.{r.status}", lang), getattr(r, f"reason_{lang}"), r.avoidable,
                 r.customers, r.revenue_lost] for r in rows_of(grouped)]  # fmt: skip
        top = grouped.groupby(f"reason_{lang}")["customers"].sum().nlargest(10)
        chart = Chart(
            t("report.retention.reasons", lang),
            [str(k) for k in top.index],
            [(t("report.col.customers", lang), [float(v) for v in top])],
            kind="bar",
        )
    return Section("reasons", t("report.retention.reasons", lang),
                   t("report.retention.reasons.intro", lang), tables=[Table(cols, rows)],
                   charts=[chart] if chart else [])  # fmt: skip


def _yes_no(lang: Lang) -> Any:
    def word(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return t("report.unknown", lang)
        return t("report.yes" if bool(value) else "report.no", lang)

    return word


def _cohorts(data: RetentionData, lang: Lang) -> Section:
    df = data.cohorts
    rows: list[list[Any]] = []
    ages: list[int] = []
    if not df.empty:
        df = df[df["dimension"].isna()] if "dimension" in df else df
        ages = sorted(int(a) for a in df["age"].unique())
        pivot = df.pivot_table(index="cohort", columns="age", values="retention")
        sizes = df[df["age"] == 0].set_index("cohort")["customers"]
        rows = [[cohort, sizes.get(cohort), *(pivot.at[cohort, a] if a in pivot.columns
                                             else None for a in ages)]
                for cohort in pivot.index]  # fmt: skip
    cols = [Column("cohort", t("report.col.cohort", lang), "date"),
            Column("customers", t("report.col.customers", lang), "int"),
            *(Column(f"age{a}", t("report.col.age", lang, age=a), "pct") for a in ages)]  # fmt: skip
    return Section("cohorts", t("report.retention.cohorts", lang),
                   t("report.retention.cohorts.intro", lang), tables=[Table(cols, rows)])  # fmt: skip


def _tiers(data: RetentionData, lang: Lang) -> Section:
    kp = data.kpis[data.kpis["metric"].isin(TIER_KPIS)]
    complete = kp[kp["complete"]]
    rows_df = complete if not complete.empty else kp
    latest = max(rows_df["period_start"]) if not rows_df.empty else None
    cols = [Column("tier", t("report.col.tier", lang)),
            Column("customer_share", t("report.col.customer_share", lang), "pct"),
            Column("customers", t("report.col.customers", lang), "int"),
            Column("revenue_share", t("report.col.revenue_share", lang), "pct"),
            Column("revenue", t("report.col.revenue", lang), "money")]  # fmt: skip
    rows: list[list[Any]] = []
    if latest is not None:
        now = kp[kp["period_start"] == latest].set_index(["metric", "dimension"])
        present = {d for _, d in now.index}
        for tier in [x for x in TIERS if x in present] + sorted(present - set(TIERS)):
            c = (
                now.loc[("tier_mix_customers", tier)]
                if ("tier_mix_customers", tier) in now.index
                else None
            )
            r = (
                now.loc[("tier_mix_revenue", tier)]
                if ("tier_mix_revenue", tier) in now.index
                else None
            )
            rows.append([_tier(tier, lang), None if c is None else c["value"],
                         None if c is None else c["numerator"], None if r is None else r["value"],
                         None if r is None else r["numerator"]])  # fmt: skip
    period = period_label(latest, data.grain) if latest is not None else "—"
    chart = Chart(t("report.retention.tiers", lang), [r[0] for r in rows],
                  [(t("report.col.customer_share", lang), [r[1] for r in rows]),
                   (t("report.col.revenue_share", lang), [r[3] for r in rows])],
                  kind="bar", percent=True)  # fmt: skip
    return Section("tiers", t("report.retention.tiers", lang),
                   t("report.retention.tiers.intro", lang, period=period),
                   tables=[Table(cols, rows)], charts=[chart] if rows else [])  # fmt: skip


def _tier(tier: str, lang: Lang) -> str:
    key = f"report.tier.{tier}"
    return t(key, lang) if tier in TIERS else tier


def _risk(data: RetentionData, lang: Lang) -> Section:
    title = t("report.retention.risk", lang)
    df = data.risk
    if df is None or df.empty:
        return Section("risk", title, notes=[t("report.retention.risk.none", lang)])
    by_band = df.groupby("risk_band").agg(customers=("customer_id", "size"),
                                          value_at_risk=("value_at_risk", "sum"))  # fmt: skip
    band_cols = [Column("band", t("report.col.band", lang)),
                 Column("customers", t("report.col.customers", lang), "int"),
                 Column("value_at_risk", t("report.col.value_at_risk", lang), "money")]  # fmt: skip
    band_rows = [[t(f"report.band.{b}", lang), by_band.at[b, "customers"],
                  by_band.at[b, "value_at_risk"]]
                 for b in ("high", "medium", "low") if b in by_band.index]  # fmt: skip
    top = df.head(TOP_RISKS)
    top_cols = [Column("customer", t("report.col.customer", lang)),
                Column("name", t("report.col.name", lang)),
                Column("owner", t("report.col.owner", lang)),
                Column("band", t("report.col.band", lang)),
                Column("probability", t("report.col.probability", lang), "pct"),
                Column("value", t("report.col.customer_value", lang), "money"),
                Column("value_at_risk", t("report.col.value_at_risk", lang), "money"),
                Column("driver", t("report.col.driver", lang))]  # fmt: skip
    top_rows = [[r.customer_id, r.name, r.owner_id, t(f"report.band.{r.risk_band}", lang),
                 r.churn_probability, r.value, r.value_at_risk, _driver(r.drivers, lang)]
                for r in rows_of(top)]  # fmt: skip
    first = df.iloc[0]
    intro = t("report.retention.risk.intro", lang, version=first["model_version"],
              as_of=str(first["as_of"]), n=len(top))  # fmt: skip
    return Section("risk", title, intro, tables=[
        Table(band_cols, band_rows),
        Table(top_cols, top_rows, caption=t("report.retention.top_risks", lang))])  # fmt: skip


def _driver(drivers: Any, lang: Lang) -> str | None:
    """The first driver's sentence in ``lang`` (drivers are stored as JSON)."""
    try:
        items = json.loads(drivers) if isinstance(drivers, str) else drivers
        return str(items[0][f"text_{lang}"]) if items else None
    except (ValueError, KeyError, IndexError, TypeError):
        return None
